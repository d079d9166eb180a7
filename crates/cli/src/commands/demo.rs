//! `corridor demo`.

/// Arguments of `corridor demo`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

pub(crate) fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`corridor demo` is not available in this build yet")
}
