//! `corridor analyse`.

/// Arguments of `corridor analyse`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

pub(crate) fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`corridor analyse` is not available in this build yet")
}
