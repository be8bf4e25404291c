//! The brief as PDF: its HTML printed by a headless Chromium-family browser, so that the PDF is
//! the same document as the HTML, typeset by a real layout engine (`docs/brief.md` says why not
//! Typst). The browser runs with a fresh temporary profile, no network, a time limit, and is
//! killed if the print is abandoned.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The browsers looked for on `PATH`, in this order, when none is named.
pub const BROWSER_NAMES: [&str; 6] = [
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "microsoft-edge",
    "microsoft-edge-stable",
];

/// How long a print may take before the browser is killed.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Why no PDF was printed.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error(
        "no browser to print the PDF with: none of {} is on PATH; name one with --browser PATH or PIECERATE_BROWSER (Chromium, Google Chrome or Microsoft Edge), or write the brief as HTML (--out brief.html) and print it from any browser",
        BROWSER_NAMES.join(", ")
    )]
    NoBrowser,
    #[error("the browser {0} does not exist or is not a file")]
    BrowserMissing(PathBuf),
    #[error("cannot prepare the print: {0}")]
    Io(#[from] std::io::Error),
    #[error("the browser {browser} did not finish printing within {} s and was stopped", timeout.as_secs())]
    Timeout { browser: PathBuf, timeout: Duration },
    #[error("the browser {browser} printed no PDF ({status}); its last words: {stderr}")]
    Failed { browser: PathBuf, status: String, stderr: String },
}

/// A browser that prints HTML to PDF.
#[derive(Debug, Clone)]
pub struct Browser {
    path: PathBuf,
}

impl Browser {
    /// The browser at `path`, else the first of [`BROWSER_NAMES`] on `PATH`.
    pub fn find(path: Option<&Path>) -> Result<Browser, PdfError> {
        if let Some(path) = path {
            return if path.is_file() {
                Ok(Browser { path: path.to_owned() })
            } else {
                Err(PdfError::BrowserMissing(path.to_owned()))
            };
        }
        let search = std::env::var_os("PATH").unwrap_or_default();
        for name in BROWSER_NAMES {
            for directory in std::env::split_paths(&search) {
                let candidate = directory.join(name);
                if candidate.is_file() {
                    return Ok(Browser { path: candidate });
                }
            }
        }
        Err(PdfError::NoBrowser)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Prints `html` (a self-contained document) to PDF on A4 paper, as its print stylesheet says.
    pub fn print(&self, html: &str, timeout: Duration) -> Result<Vec<u8>, PdfError> {
        let directory = tempfile::Builder::new().prefix("piecerate-brief-").tempdir()?;
        let page = directory.path().join("brief.html");
        let output = directory.path().join("brief.pdf");
        let log = directory.path().join("browser.log");
        std::fs::write(&page, html)?;
        let mut command = Command::new(&self.path);
        command
            .arg("--headless")
            .arg("--no-pdf-header-footer")
            .arg(format!("--print-to-pdf={}", output.display()))
            .arg(format!("--user-data-dir={}", directory.path().join("profile").display()))
            // Nothing is fetched: the brief needs nothing, and no name resolves.
            .arg("--host-resolver-rules=MAP * ~NOTFOUND")
            .arg("--proxy-server=127.0.0.1:9")
            .args([
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--disable-gpu",
                "--mute-audio",
            ]);
        if running_as_root() {
            // Chromium refuses to start as root with its sandbox (containers, CI). The page is
            // the brief's own HTML, with no script and nothing fetched.
            command.arg("--no-sandbox");
        }
        command.arg(format!("file://{}", page.display()));
        command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(std::fs::File::create(&log)?);
        let mut child = Running(command.spawn()?);
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.0.try_wait()? {
                break status;
            }
            if started.elapsed() > timeout {
                return Err(PdfError::Timeout { browser: self.path.clone(), timeout });
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let pdf = std::fs::read(&output).unwrap_or_default();
        if !status.success() || !pdf.starts_with(b"%PDF-") {
            let mut stderr = String::new();
            if let Ok(mut file) = std::fs::File::open(&log) {
                let _ = file.read_to_string(&mut stderr);
            }
            let tail: Vec<&str> = stderr.lines().rev().take(4).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            return Err(PdfError::Failed {
                browser: self.path.clone(),
                status: status.to_string(),
                stderr: tail.join(" / "),
            });
        }
        Ok(pdf)
    }
}

/// A browser process, killed and reaped when dropped before it ended (a timeout, an error, a
/// caller that gave up).
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Whether this process runs as root (Linux: the effective user id in /proc), where Chromium
/// needs `--no-sandbox` to start at all.
fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|status| {
        status
            .lines()
            .find_map(|line| line.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().nth(1))
            .is_some_and(|effective| effective == "0")
    })
}
