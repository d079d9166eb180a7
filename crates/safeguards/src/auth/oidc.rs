//! OIDC bearer tokens: JWT signature, issuer, audience and expiry checked against a JWKS file.
//!
//! The key set is read from a file at start-up (an operator refreshes it when the identity
//! provider rotates keys); nothing is fetched over the network at run time.

use super::Principal;
use crate::authz::Role;
use crate::error::{Result, SafeguardsError};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// How to accept OIDC bearer tokens.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct OidcConfig {
    /// The expected `iss` claim.
    pub issuer: String,
    /// The expected `aud` claim.
    pub audience: String,
    /// A JWKS (JSON Web Key Set) file with the identity provider's public keys.
    pub jwks_path: PathBuf,
    /// The claim that carries the user's role or groups, e.g. `roles` or `groups`.
    pub role_claim: String,
    /// Claim value -> Corridor role; values not listed are ignored.
    pub role_map: BTreeMap<String, Role>,
    /// The claim used as the user name (default `sub`).
    #[serde(default = "default_user_claim")]
    pub user_claim: String,
    /// The claim naming the user's agency, if any.
    #[serde(default)]
    pub agency_claim: Option<String>,
    /// The claim naming a partner's sharing agreement, if any.
    #[serde(default)]
    pub agreement_claim: Option<String>,
    /// Clock skew tolerated on `exp` and `nbf`, in seconds.
    #[serde(default = "default_leeway_secs")]
    pub leeway_secs: u64,
}

fn default_user_claim() -> String {
    "sub".to_owned()
}

fn default_leeway_secs() -> u64 {
    60
}

/// Verifies OIDC JWTs (RS256, ES256 or EdDSA only) and maps them to principals.
pub struct OidcVerifier {
    config: OidcConfig,
    keys: JwkSet,
}

impl std::fmt::Debug for OidcVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcVerifier")
            .field("issuer", &self.config.issuer)
            .field("n_keys", &self.keys.keys.len())
            .finish()
    }
}

/// The signature algorithms accepted; `none` and HMAC algorithms never are, so that a
/// public key can never be misused as an HMAC secret.
pub const OIDC_ALGORITHMS: [Algorithm; 3] = [Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA];

impl OidcVerifier {
    /// Loads the key set named in the configuration.
    pub fn from_config(config: OidcConfig) -> Result<OidcVerifier> {
        let bytes = std::fs::read(&config.jwks_path)
            .map_err(|err| SafeguardsError::io(&config.jwks_path, err))?;
        let keys: JwkSet = serde_json::from_slice(&bytes).map_err(|err| {
            SafeguardsError::corrupt(&config.jwks_path, format!("not a JWKS: {err}"))
        })?;
        if keys.keys.is_empty() {
            return Err(SafeguardsError::corrupt(
                &config.jwks_path,
                "the key set holds no keys",
            ));
        }
        if config.role_map.is_empty() {
            return Err(SafeguardsError::invalid(
                "oidc.role_map",
                "maps no claim value to a role",
            ));
        }
        Ok(OidcVerifier { config, keys })
    }

    /// Verifies a JWT and maps it to a principal.
    pub fn verify(&self, token: &str) -> Result<Principal> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|err| unauthenticated(format!("malformed token: {err}")))?;
        if !OIDC_ALGORITHMS.contains(&header.alg) {
            return Err(unauthenticated(format!(
                "algorithm {:?} is not accepted (RS256, ES256, EdDSA)",
                header.alg
            )));
        }
        let jwk = match &header.kid {
            Some(kid) => self.keys.find(kid),
            None if self.keys.keys.len() == 1 => self.keys.keys.first(),
            None => None,
        }
        .ok_or_else(|| unauthenticated("no key in the JWKS matches the token's kid".to_owned()))?;
        let key = DecodingKey::from_jwk(jwk)
            .map_err(|err| unauthenticated(format!("unusable key in the JWKS: {err}")))?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&self.config.issuer]);
        validation.set_audience(&[&self.config.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.leeway = self.config.leeway_secs;
        let data = jsonwebtoken::decode::<serde_json::Value>(token, &key, &validation)
            .map_err(|err| unauthenticated(format!("token rejected: {err}")))?;
        self.principal_from_claims(&data.claims)
    }

    fn principal_from_claims(&self, claims: &serde_json::Value) -> Result<Principal> {
        let user = claim_str(claims, &self.config.user_claim).ok_or_else(|| {
            unauthenticated(format!("claim `{}` is missing", self.config.user_claim))
        })?;
        let role = self.role_from_claims(claims)?;
        let agency = match &self.config.agency_claim {
            Some(claim) => claim_str(claims, claim).unwrap_or_default(),
            None => String::new(),
        };
        let agreement = self
            .config
            .agreement_claim
            .as_ref()
            .and_then(|claim| claim_str(claims, claim));
        if role == Role::Partner && agreement.is_none() {
            return Err(unauthenticated(
                "a partner token must name its sharing agreement".to_owned(),
            ));
        }
        Ok(Principal {
            user,
            role,
            agency,
            agreement: if role == Role::Partner {
                agreement
            } else {
                None
            },
        })
    }

    /// Exactly one distinct mapped role is required: a token that maps to two roles is
    /// refused rather than guessed at, so that an identity-provider mistake cannot widen access.
    fn role_from_claims(&self, claims: &serde_json::Value) -> Result<Role> {
        let values: Vec<&str> = match claims.get(&self.config.role_claim) {
            Some(serde_json::Value::String(value)) => vec![value.as_str()],
            Some(serde_json::Value::Array(items)) => {
                items.iter().filter_map(|item| item.as_str()).collect()
            }
            _ => Vec::new(),
        };
        let mut roles: Vec<Role> = values
            .iter()
            .filter_map(|value| self.config.role_map.get(*value).copied())
            .collect();
        roles.sort();
        roles.dedup();
        match roles.as_slice() {
            [role] => Ok(*role),
            [] => Err(unauthenticated(format!(
                "claim `{}` maps to no corridor role",
                self.config.role_claim
            ))),
            several => Err(unauthenticated(format!(
                "claim `{}` maps to several roles ({several:?}); configure one",
                self.config.role_claim
            ))),
        }
    }
}

fn claim_str(claims: &serde_json::Value, name: &str) -> Option<String> {
    claims.get(name)?.as_str().map(str::to_owned)
}

fn unauthenticated(reason: String) -> SafeguardsError {
    SafeguardsError::Unauthenticated(reason)
}
