//! `corridor serve`.

/// Arguments of `corridor serve`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

pub(crate) fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`corridor serve` is not available in this build yet")
}
