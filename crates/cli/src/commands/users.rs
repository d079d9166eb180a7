//! `corridor users`: user accounts and API tokens of a data directory.
//!
//! Tokens are printed once and stored only as SHA-256 hashes. A running server reads the
//! user directory when it starts: restart it after adding users.

use super::DataDir;
use anyhow::Context;
use corridor_safeguards::auth::{User, UserDirectory};
use corridor_safeguards::{Role, SafeguardsPaths};

/// Arguments of `corridor users`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: UsersCommand,
}

#[derive(Debug, clap::Subcommand)]
enum UsersCommand {
    /// Add a user and print a first API token for them.
    Add(AddArgs),
    /// Issue another API token for an existing user.
    Token(TokenArgs),
    /// List users and their tokens (never the tokens' secrets).
    List(DataDir),
}

#[derive(Debug, clap::Args)]
struct AddArgs {
    #[command(flatten)]
    data: DataDir,
    /// Unique user name.
    #[arg(long)]
    name: String,
    /// One of analyst, operator, supervisor, partner, auditor, admin.
    #[arg(long)]
    role: String,
    /// The agency the user works for.
    #[arg(long)]
    agency: String,
    /// For partners: the id of the sharing agreement that governs what they see.
    #[arg(long, value_name = "ID")]
    agreement: Option<String>,
    /// A label for the token, e.g. `laptop` or `ingest gateway`.
    #[arg(long, default_value = "first token")]
    label: String,
}

#[derive(Debug, clap::Args)]
struct TokenArgs {
    #[command(flatten)]
    data: DataDir,
    /// The user the token is for.
    #[arg(long)]
    name: String,
    /// A label for the token.
    #[arg(long, default_value = "token")]
    label: String,
}

pub(crate) fn run(args: Args) -> anyhow::Result<()> {
    match args.command {
        UsersCommand::Add(add) => {
            let users = open(&add.data)?;
            users
                .add_user(User {
                    name: add.name.clone(),
                    role: Role::parse(&add.role)?,
                    agency: add.agency,
                    agreement: add.agreement,
                    disabled: false,
                })
                .with_context(|| format!("adding user `{}`", add.name))?;
            print_token(&users, &add.name, &add.label)
        }
        UsersCommand::Token(token) => print_token(&open(&token.data)?, &token.name, &token.label),
        UsersCommand::List(data) => {
            let users = open(&data)?;
            for user in users.users() {
                println!(
                    "{}\t{}\t{}\t{}{}",
                    user.name,
                    user.role,
                    user.agency,
                    user.agreement.as_deref().unwrap_or("-"),
                    if user.disabled { "\tdisabled" } else { "" }
                );
            }
            for token in users.tokens() {
                println!(
                    "token {}\t{}\t{}{}",
                    token.token_id,
                    token.user,
                    token.label,
                    if token.revoked { "\trevoked" } else { "" }
                );
            }
            Ok(())
        }
    }
}

fn open(data: &DataDir) -> anyhow::Result<UserDirectory> {
    let paths = SafeguardsPaths::under(&data.path);
    std::fs::create_dir_all(&paths.root).with_context(|| format!("creating {:?}", paths.root))?;
    UserDirectory::open(&paths.users)
        .with_context(|| format!("opening the user directory {:?}", paths.users))
}

/// Issues a token and prints its secret: the only time it is ever shown.
fn print_token(users: &UserDirectory, name: &str, label: &str) -> anyhow::Result<()> {
    let now = corridor_safeguards::util::now_micros();
    let issued = users
        .issue_token(name, label, None, now)
        .with_context(|| format!("issuing a token for `{name}`"))?;
    println!("{}", issued.secret);
    eprintln!(
        "token {} for `{name}`: shown once, store it now",
        issued.token_id
    );
    Ok(())
}
