//! `corridor import`.

/// Arguments of `corridor import`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

pub(crate) fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`corridor import` is not available in this build yet")
}
