//! The progress bar on stderr: drawn only when stderr is a terminal, so that logs and tests
//! see nothing but the messages meant for them.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar counting bytes (when `total_bytes` is known) or items, hidden unless stderr is a
/// terminal.
pub(crate) fn bar(total: Option<u64>, unit: &str) -> ProgressBar {
    let target = if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr_with_hz(10)
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(total, target);
    let template = match (total, unit) {
        (Some(_), "bytes") => "{spinner} {msg} [{bar:30}] {binary_bytes}/{binary_total_bytes} ({eta} left)",
        (Some(_), _) => "{spinner} {msg} [{bar:30}] {human_pos}/{human_len} {prefix} ({eta} left)",
        (None, _) => "{spinner} {msg} {human_pos} {prefix}",
    };
    bar.set_style(ProgressStyle::with_template(template).expect("a valid template").progress_chars("=> "));
    bar.set_prefix(unit.to_owned());
    bar
}

/// Standard error that steps around the progress bar, so messages never land inside it.
pub(crate) struct MessagesAroundBar {
    pub bar: ProgressBar,
}

impl std::io::Write for MessagesAroundBar {
    fn write(&mut self, buffer: &[u8]) -> std::io::Result<usize> {
        self.bar.suspend(|| std::io::stderr().write(buffer))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}
