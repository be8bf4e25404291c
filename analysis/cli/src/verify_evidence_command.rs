//! `piecerate verify-evidence`: checks an evidence export of the browser extension (its hash
//! chain, `analysis::evidence`) and prints its timeline, so that a requester, a platform or a
//! labour inspector handed the file can check it without the worker's browser.

use std::io::{Read, Write};
use std::path::PathBuf;

use analysis::evidence::{Exported, MAX_EXPORT_BYTES, format_time, verify};
use anyhow::{Context, Result, bail};
use clap::Args;

#[derive(Debug, Args)]
pub(crate) struct VerifyEvidenceArgs {
    /// The evidence file the extension exported (piecerate.evidence/1 JSON).
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

pub(crate) fn run(args: VerifyEvidenceArgs) -> Result<()> {
    let file = std::fs::File::open(&args.file)
        .with_context(|| format!("cannot open the evidence file {}", args.file.display()))?;
    // Read at most one byte past the limit, so a huge file is refused without being read whole.
    let mut bytes = Vec::new();
    file.take(MAX_EXPORT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read the evidence file {}", args.file.display()))?;
    if bytes.len() > MAX_EXPORT_BYTES {
        bail!(
            "{}: the file is more than the {MAX_EXPORT_BYTES} bytes an evidence export may have",
            args.file.display()
        );
    }
    let Ok(text) = String::from_utf8(bytes) else {
        bail!(
            "{}: the file is not UTF-8 text, so it is not an evidence export (or it was edited)",
            args.file.display()
        );
    };
    let verified =
        verify(&text).with_context(|| format!("{}: the evidence does NOT verify", args.file.display()))?;
    let mut out = std::io::stdout().lock();
    let full = verified.entries.iter().filter(|e| matches!(e, Exported::Full(_))).count();
    writeln!(
        out,
        "{}: the chain verifies: {} entries ({} shown, {} withheld)",
        args.file.display(),
        verified.entries.len(),
        full,
        verified.entries.len() - full
    )?;
    writeln!(out, "before: {}", verified.before.hex())?;
    writeln!(out, "head:   {}", verified.head.hex())?;
    writeln!(out)?;
    for exported in &verified.entries {
        let Exported::Full(entry) = exported else { continue };
        let event = &entry.event;
        let (utc, local) = format_time(event.at, event.utc_offset_minutes);
        let mut line = format!("#{:<6} {utc}", entry.index);
        if let Some(local) = local {
            line.push_str(&format!("  (worker's time {local})"));
        }
        line.push_str(&format!("  {:<12} {} {}", event.kind.as_str(), event.platform, event.task));
        if let Some(seconds) = event.active_seconds {
            line.push_str(&format!("  active {}m{:02}s", seconds / 60, seconds % 60));
        }
        if let Some(reward) = &event.reward {
            line.push_str(&format!("  reward {reward}"));
        }
        if let Some(requester) = &event.requester {
            line.push_str(&format!("  requester \"{}\"", requester.escape_debug()));
        }
        if let Some(title) = &event.title {
            line.push_str(&format!("  \"{}\"", title.escape_debug()));
        }
        writeln!(out, "{line}")?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "This shows that these entries were not edited after they were chained, not that the \
         browser's clock or the pages told the truth; share the head early to show nothing was withheld later."
    )?;
    Ok(())
}
