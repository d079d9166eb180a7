//! `corridor store`.

/// Arguments of `corridor store`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

pub(crate) fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`corridor store` is not available in this build yet")
}
