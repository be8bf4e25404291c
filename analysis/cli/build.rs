//! The build script of the two binaries (`piecerate`, `piecerate-collector`): names the commit
//! they are built from, for `--version`, as `PIECERATE_GIT_COMMIT` and
//! `PIECERATE_GIT_COMMIT_DATE`. Outside a git checkout of this project (a source archive, even
//! one unpacked inside some other repository) it sets neither, and `--version` says the commit
//! is unknown rather than naming another repository's.
//!
//! Hand-written rather than vergen-gitcl, measured: vergen-gitcl 10 brought 17 crates (bon,
//! darling, time, ...) taking 14 s of CPU to build here, and it watched
//! `<git-dir>/refs/heads/BRANCH`, which in a git worktree does not exist (refs live in the
//! common directory), so a commit there left `--version` naming the previous one. Asking git for
//! the paths (`--git-path`) watches the right files in a clone and in a worktree alike.

use std::process::Command;

/// Git's answer, trimmed, in the package's directory; `None` if git is missing or refuses.
fn git(arguments: &[&str]) -> Option<String> {
    let directory = std::env::var("CARGO_MANIFEST_DIR").ok()?;
    let output = Command::new("git").arg("-C").arg(directory).args(arguments).output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    (output.status.success() && !text.trim().is_empty()).then(|| text.trim().to_owned())
}

fn main() {
    // Something to watch in every case, or cargo would run this again for any file of the
    // package that changes; a change of this script runs it again anyway.
    println!("cargo::rerun-if-changed=Cargo.toml");
    // The package's own manifest must be a file of the repository git finds, or this is not a
    // checkout of piecerate.
    if git(&["ls-files", "--error-unmatch", "Cargo.toml"]).is_none() {
        return;
    }
    let (Some(commit), Some(date)) = (git(&["rev-parse", "HEAD"]), git(&["log", "-1", "--format=%cs"]))
    else {
        return;
    };
    println!("cargo::rustc-env=PIECERATE_GIT_COMMIT={commit}");
    println!("cargo::rustc-env=PIECERATE_GIT_COMMIT_DATE={date}");
    // HEAD moves with a checkout; its branch's ref with a commit (in packed-refs once packed).
    let mut watched = vec!["HEAD".to_owned(), "packed-refs".to_owned()];
    watched.extend(git(&["symbolic-ref", "-q", "HEAD"]));
    for name in watched {
        if let Some(path) = git(&["rev-parse", "--path-format=absolute", "--git-path", &name])
            && std::path::Path::new(&path).exists()
        {
            println!("cargo::rerun-if-changed={path}");
        }
    }
}
