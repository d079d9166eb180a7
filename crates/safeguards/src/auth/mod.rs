//! Authentication: who is calling. API tokens from the user directory, or OIDC bearer tokens.

mod oidc;
mod users;

pub use oidc::{OIDC_ALGORITHMS, OidcConfig, OidcVerifier};
pub use users::{IssuedToken, TOKEN_PREFIX, TokenInfo, User, UserDirectory};

use crate::authz::Role;
use serde::{Deserialize, Serialize};

/// An authenticated caller: the subject of every authorisation and audit decision.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Principal {
    /// The user name (or the OIDC subject).
    pub user: String,
    /// The caller's one role.
    pub role: Role,
    /// The agency the user works for.
    pub agency: String,
    /// For partners: the id of the sharing agreement that governs what they see.
    pub agreement: Option<String>,
}

impl Principal {
    /// A principal built by hand, e.g. for a local CLI operator or a test.
    pub fn new(user: &str, role: Role, agency: &str) -> Principal {
        Principal {
            user: user.to_owned(),
            role,
            agency: agency.to_owned(),
            agreement: None,
        }
    }

    /// The same principal bound to a sharing agreement.
    pub fn with_agreement(mut self, agreement: &str) -> Principal {
        self.agreement = Some(agreement.to_owned());
        self
    }
}

/// The longest bearer token accepted, so that a huge header cannot cost much to hash or parse.
pub const BEARER_LEN_MAX: usize = 8192;

/// Extracts the token from an `Authorization` header value (`Bearer <token>`).
pub fn bearer_from_header(header_value: &str) -> Option<&str> {
    let (scheme, token) = header_value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && token.len() <= BEARER_LEN_MAX)
        .then_some(token)
}
