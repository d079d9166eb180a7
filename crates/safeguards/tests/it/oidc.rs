//! OIDC bearer tokens verified against a JWKS file.

use base64::Engine;
use corridor_safeguards::auth::{OidcConfig, OidcVerifier};
use corridor_safeguards::{Role, SafeguardsError};
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::EncodePrivateKey;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use std::collections::BTreeMap;

const ISSUER: &str = "https://idp.police.example";
const AUDIENCE: &str = "corridor";

fn idp_key() -> SigningKey {
    SigningKey::from_bytes(&[42u8; 32])
}

fn verifier(dir: &std::path::Path) -> OidcVerifier {
    let x = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(idp_key().verifying_key().to_bytes());
    let jwks = serde_json::json!({ "keys": [{ "kty": "OKP", "crv": "Ed25519", "x": x, "kid": "k1", "alg": "EdDSA", "use": "sig" }] });
    let jwks_path = dir.join("jwks.json");
    std::fs::write(&jwks_path, jwks.to_string()).unwrap();
    let role_map = BTreeMap::from([
        ("corridor-analysts".to_owned(), Role::Analyst),
        ("corridor-supervisors".to_owned(), Role::Supervisor),
        ("corridor-partners".to_owned(), Role::Partner),
    ]);
    OidcVerifier::from_config(OidcConfig {
        issuer: ISSUER.to_owned(),
        audience: AUDIENCE.to_owned(),
        jwks_path,
        role_claim: "groups".to_owned(),
        role_map,
        user_claim: "preferred_username".to_owned(),
        agency_claim: Some("agency".to_owned()),
        agreement_claim: Some("agreement".to_owned()),
        leeway_secs: 0,
    })
    .unwrap()
}

fn now_secs() -> i64 {
    corridor_safeguards::util::now_micros() / 1_000_000
}

fn claims(groups: &[&str]) -> serde_json::Value {
    serde_json::json!({
        "iss": ISSUER, "aud": AUDIENCE, "sub": "u-123", "preferred_username": "ana",
        "agency": "Kent Police", "groups": groups, "exp": now_secs() + 600, "iat": now_secs(),
    })
}

fn sign(claims: &serde_json::Value, key: &SigningKey, kid: &str) -> String {
    let der = key.to_pkcs8_der().unwrap();
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_ed_der(der.as_bytes())).unwrap()
}

fn refusal(verifier: &OidcVerifier, token: &str) -> String {
    match verifier.verify(token) {
        Err(SafeguardsError::Unauthenticated(reason)) => reason,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn valid_token_maps_to_a_principal() {
    let dir = tempfile::tempdir().unwrap();
    let verifier = verifier(dir.path());
    let principal = verifier
        .verify(&sign(
            &claims(&["staff", "corridor-analysts"]),
            &idp_key(),
            "k1",
        ))
        .unwrap();
    assert_eq!(principal.user, "ana");
    assert_eq!(principal.role, Role::Analyst);
    assert_eq!(principal.agency, "Kent Police");
    assert_eq!(principal.agreement, None);
}

#[test]
fn wrong_audience_issuer_expiry_key_or_kid_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let verifier = verifier(dir.path());
    let mut wrong_audience = claims(&["corridor-analysts"]);
    wrong_audience["aud"] = "another-app".into();
    assert!(
        refusal(&verifier, &sign(&wrong_audience, &idp_key(), "k1")).contains("InvalidAudience")
    );
    let mut wrong_issuer = claims(&["corridor-analysts"]);
    wrong_issuer["iss"] = "https://evil.example".into();
    assert!(refusal(&verifier, &sign(&wrong_issuer, &idp_key(), "k1")).contains("InvalidIssuer"));
    let mut expired = claims(&["corridor-analysts"]);
    expired["exp"] = (now_secs() - 3600).into();
    assert!(refusal(&verifier, &sign(&expired, &idp_key(), "k1")).contains("ExpiredSignature"));
    let forged = sign(
        &claims(&["corridor-analysts"]),
        &SigningKey::from_bytes(&[1u8; 32]),
        "k1",
    );
    assert!(refusal(&verifier, &forged).contains("InvalidSignature"));
    let unknown_kid = sign(&claims(&["corridor-analysts"]), &idp_key(), "k2");
    assert!(refusal(&verifier, &unknown_kid).contains("no key in the JWKS"));
}

#[test]
fn hmac_tokens_are_refused_so_a_public_key_is_never_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    let verifier = verifier(dir.path());
    let token = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims(&["corridor-analysts"]),
        &EncodingKey::from_secret(&idp_key().verifying_key().to_bytes()).unwrap(),
    )
    .unwrap();
    assert!(refusal(&verifier, &token).contains("is not accepted"));
}

#[test]
fn ambiguous_or_unmapped_roles_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let verifier = verifier(dir.path());
    let two = sign(
        &claims(&["corridor-analysts", "corridor-supervisors"]),
        &idp_key(),
        "k1",
    );
    assert!(refusal(&verifier, &two).contains("several roles"));
    let none = sign(&claims(&["staff"]), &idp_key(), "k1");
    assert!(refusal(&verifier, &none).contains("maps to no corridor role"));
}

#[test]
fn partner_tokens_must_name_their_agreement() {
    let dir = tempfile::tempdir().unwrap();
    let verifier = verifier(dir.path());
    let without = sign(&claims(&["corridor-partners"]), &idp_key(), "k1");
    assert!(refusal(&verifier, &without).contains("must name its sharing agreement"));
    let mut with = claims(&["corridor-partners"]);
    with["agreement"] = "nl-kmar".into();
    let principal = verifier.verify(&sign(&with, &idp_key(), "k1")).unwrap();
    assert_eq!(principal.agreement.as_deref(), Some("nl-kmar"));
}
