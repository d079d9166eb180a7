//! `corridor simulate`.

/// Arguments of `corridor simulate`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

pub(crate) fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`corridor simulate` is not available in this build yet")
}
