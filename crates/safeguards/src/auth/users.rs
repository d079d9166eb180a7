//! The user directory: users, roles and API tokens, kept hashed in a durable JSON file.

use super::Principal;
use crate::authz::Role;
use crate::error::{Result, SafeguardsError};
use crate::util;
use base64::Engine;
use corridor_domain::Timestamp;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The prefix of every Corridor API token, so that leaked tokens are easy to scan for.
pub const TOKEN_PREFIX: &str = "crd_";

/// A user account.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct User {
    /// Unique user name.
    pub name: String,
    /// The user's one role.
    pub role: Role,
    /// The agency the user works for.
    pub agency: String,
    /// For partners: the sharing agreement that governs what they see.
    pub agreement: Option<String>,
    /// A disabled user's tokens stop working at once.
    pub disabled: bool,
}

/// A stored token: only its SHA-256 is kept, never the token itself.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
struct TokenRecord {
    token_id: String,
    user: String,
    sha256: String,
    label: String,
    created: Timestamp,
    expires: Option<Timestamp>,
    revoked: bool,
}

/// What a token listing shows: everything but the hash.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct TokenInfo {
    /// The id used to revoke the token.
    pub token_id: String,
    /// The owner.
    pub user: String,
    /// A human label, e.g. `laptop` or `ingest gateway`.
    pub label: String,
    /// When it was issued (µs since the epoch).
    pub created: Timestamp,
    /// When it stops working, if ever.
    pub expires: Option<Timestamp>,
    /// Whether it was revoked.
    pub revoked: bool,
}

/// A freshly issued token. The secret is shown once and cannot be recovered later.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedToken {
    /// The id used to list and revoke the token.
    pub token_id: String,
    /// The bearer token to hand to the user.
    pub secret: String,
}

impl std::fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedToken")
            .field("token_id", &self.token_id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

#[derive(Default, Serialize, Deserialize)]
struct Directory {
    users: Vec<User>,
    tokens: Vec<TokenRecord>,
}

/// Users and tokens, persisted in `users.json` under the safeguards directory.
///
/// Every change is written atomically (temporary file, fsync, rename) before it returns.
#[derive(Debug)]
pub struct UserDirectory {
    path: PathBuf,
    state: Mutex<DirectoryState>,
}

#[derive(Debug)]
struct DirectoryState {
    users: Vec<User>,
    tokens: Vec<TokenRecord>,
}

impl UserDirectory {
    /// Opens (or starts empty) the directory stored at `path`.
    pub fn open(path: &Path) -> Result<UserDirectory> {
        let directory: Directory = util::read_json_opt(path)?.unwrap_or_default();
        Ok(UserDirectory {
            path: path.to_owned(),
            state: Mutex::new(DirectoryState {
                users: directory.users,
                tokens: directory.tokens,
            }),
        })
    }

    /// Adds a user. Partners must name their sharing agreement; others must not.
    pub fn add_user(&self, user: User) -> Result<()> {
        validate_user(&user)?;
        let mut state = self.lock();
        if state
            .users
            .iter()
            .any(|existing| existing.name == user.name)
        {
            return Err(SafeguardsError::Conflict(format!(
                "user `{}` already exists",
                user.name
            )));
        }
        state.users.push(user);
        self.save(&state)
    }

    /// Disables a user; their tokens stop working at once.
    pub fn disable_user(&self, name: &str) -> Result<()> {
        let mut state = self.lock();
        let user = state
            .users
            .iter_mut()
            .find(|user| user.name == name)
            .ok_or_else(|| not_found("user", name))?;
        user.disabled = true;
        self.save(&state)
    }

    /// The users, in the order they were added.
    pub fn users(&self) -> Vec<User> {
        self.lock().users.clone()
    }

    /// Issues a new 256-bit random token for `user`; only its SHA-256 is stored.
    pub fn issue_token(
        &self,
        user: &str,
        label: &str,
        expires: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<IssuedToken> {
        let mut state = self.lock();
        if !state.users.iter().any(|known| known.name == user) {
            return Err(not_found("user", user));
        }
        let secret = format!(
            "{TOKEN_PREFIX}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(util::random_bytes::<32>())
        );
        let token_id = hex::encode(util::random_bytes::<8>());
        state.tokens.push(TokenRecord {
            token_id: token_id.clone(),
            user: user.to_owned(),
            sha256: util::sha256_hex(secret.as_bytes()),
            label: label.to_owned(),
            created: now,
            expires,
            revoked: false,
        });
        self.save(&state)?;
        Ok(IssuedToken { token_id, secret })
    }

    /// Revokes a token by id.
    pub fn revoke_token(&self, token_id: &str) -> Result<()> {
        let mut state = self.lock();
        let record = state
            .tokens
            .iter_mut()
            .find(|record| record.token_id == token_id)
            .ok_or_else(|| not_found("token", token_id))?;
        record.revoked = true;
        self.save(&state)
    }

    /// The tokens of every user, without their hashes.
    pub fn tokens(&self) -> Vec<TokenInfo> {
        self.lock()
            .tokens
            .iter()
            .map(|record| TokenInfo {
                token_id: record.token_id.clone(),
                user: record.user.clone(),
                label: record.label.clone(),
                created: record.created,
                expires: record.expires,
                revoked: record.revoked,
            })
            .collect()
    }

    /// Turns a bearer token into the principal it belongs to.
    ///
    /// The token is looked up by its SHA-256; an unknown, revoked or expired token, or
    /// one whose user is disabled, is refused with a reason that does not echo the token.
    pub fn authenticate(&self, token: &str, now: Timestamp) -> Result<Principal> {
        if !token.starts_with(TOKEN_PREFIX) || token.len() > super::BEARER_LEN_MAX {
            return Err(SafeguardsError::Unauthenticated(
                "not a corridor API token".to_owned(),
            ));
        }
        let digest = util::sha256_hex(token.as_bytes());
        let state = self.lock();
        let record = state
            .tokens
            .iter()
            .find(|record| record.sha256 == digest)
            .ok_or_else(|| SafeguardsError::Unauthenticated("unknown token".to_owned()))?;
        if record.revoked {
            return Err(SafeguardsError::Unauthenticated(format!(
                "token {} was revoked",
                record.token_id
            )));
        }
        if record.expires.is_some_and(|expires| expires <= now) {
            return Err(SafeguardsError::Unauthenticated(format!(
                "token {} has expired",
                record.token_id
            )));
        }
        let user = state
            .users
            .iter()
            .find(|user| user.name == record.user)
            .ok_or_else(|| SafeguardsError::Unauthenticated("token owner is gone".to_owned()))?;
        if user.disabled {
            return Err(SafeguardsError::Unauthenticated(format!(
                "user `{}` is disabled",
                user.name
            )));
        }
        Ok(Principal {
            user: user.name.clone(),
            role: user.role,
            agency: user.agency.clone(),
            agreement: user.agreement.clone(),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, DirectoryState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn save(&self, state: &DirectoryState) -> Result<()> {
        let directory = Directory {
            users: state.users.clone(),
            tokens: state.tokens.clone(),
        };
        util::write_json(&self.path, &directory)
    }
}

fn validate_user(user: &User) -> Result<()> {
    let name_ok = !user.name.is_empty()
        && user.name.len() <= 64
        && user
            .name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '.' | '_' | '-' | '@'));
    if !name_ok {
        return Err(SafeguardsError::invalid(
            "user",
            format!("`{}` must be 1-64 letters, digits or . _ - @", user.name),
        ));
    }
    match (user.role, &user.agreement) {
        (Role::Partner, None) => Err(SafeguardsError::invalid(
            "agreement",
            format!("partner `{}` needs a sharing agreement", user.name),
        )),
        (role, Some(agreement)) if role != Role::Partner => Err(SafeguardsError::invalid(
            "agreement",
            format!(
                "only partners are bound to an agreement, `{}` is {role} but names `{agreement}`",
                user.name
            ),
        )),
        _ => Ok(()),
    }
}

fn not_found(kind: &'static str, id: &str) -> SafeguardsError {
    SafeguardsError::NotFound {
        kind,
        id: id.to_owned(),
    }
}
