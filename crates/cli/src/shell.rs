//! What fits `cohort` into the shell: completion scripts and manual pages,
//! both made from the argument definitions (so they never go stale).

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use clap_complete::Shell;

/// Prints the completion script of `cmd` for `shell`.
pub fn completions(mut cmd: clap::Command, shell: Shell) -> anyhow::Result<ExitCode> {
    let name = cmd.get_name().to_string();
    let mut text = Vec::new();
    clap_complete::generate(shell, &mut cmd, name, &mut text);
    print(&text)
}

/// Writes `text` to standard output; a reader that stops early (`| head`)
/// is no error.
fn print(text: &[u8]) -> anyhow::Result<ExitCode> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(ExitCode::SUCCESS),
    }
}

/// Prints the manual page of `cmd`, or with `out`, writes it and one page
/// per command (`cohort-report.1`, ...) into that folder.
pub fn man(cmd: clap::Command, out: Option<&Path>) -> anyhow::Result<ExitCode> {
    let Some(dir) = out else {
        let mut text = Vec::new();
        clap_mangen::Man::new(cmd).render(&mut text)?;
        return print(&text);
    };
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let name = cmd.get_name().to_string();
    let mut pages = vec![(name.clone(), cmd.clone())];
    for sub in cmd.get_subcommands() {
        let page = format!("{name}-{}", sub.get_name());
        pages.push((page.clone(), sub.clone().name(page)));
    }
    for (page, cmd) in pages {
        let path = dir.join(format!("{page}.1"));
        let mut text = Vec::new();
        clap_mangen::Man::new(cmd).render(&mut text)?;
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    crate::verbosity::note!("manual pages written to {}", dir.display());
    Ok(ExitCode::SUCCESS)
}
