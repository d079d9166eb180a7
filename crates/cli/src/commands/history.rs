//! `corridor history`.

/// Arguments of `corridor history`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

pub(crate) fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`corridor history` is not available in this build yet")
}
