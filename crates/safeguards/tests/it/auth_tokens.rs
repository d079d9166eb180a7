//! API tokens: issued once, stored hashed, revocable, expiring, tied to enabled users.

use crate::fixtures::NOW;
use corridor_safeguards::auth::{TOKEN_PREFIX, User, UserDirectory, bearer_from_header};
use corridor_safeguards::{Role, SafeguardsError};

fn user(name: &str, role: Role, agreement: Option<&str>) -> User {
    User {
        name: name.to_owned(),
        role,
        agency: "Kent Police".to_owned(),
        agreement: agreement.map(str::to_owned),
        disabled: false,
    }
}

#[test]
fn issued_token_authenticates_and_is_stored_only_as_a_hash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("users.json");
    let directory = UserDirectory::open(&path).unwrap();
    directory
        .add_user(user("ana", Role::Analyst, None))
        .unwrap();
    let issued = directory.issue_token("ana", "laptop", None, NOW).unwrap();
    assert!(issued.secret.starts_with(TOKEN_PREFIX));
    assert_eq!(
        issued.secret.len(),
        TOKEN_PREFIX.len() + 43,
        "256 bits in unpadded base64url"
    );
    assert!(
        !format!("{issued:?}").contains(&issued.secret),
        "Debug never prints the secret"
    );
    let on_disk = std::fs::read_to_string(&path).unwrap();
    assert!(
        !on_disk.contains(&issued.secret[TOKEN_PREFIX.len()..]),
        "the secret is not on disk"
    );
    // A new directory over the same file (a restart) still knows the token.
    let reopened = UserDirectory::open(&path).unwrap();
    let principal = reopened.authenticate(&issued.secret, NOW).unwrap();
    assert_eq!(
        (principal.user.as_str(), principal.role),
        ("ana", Role::Analyst)
    );
}

#[test]
fn two_tokens_are_never_equal() {
    let dir = tempfile::tempdir().unwrap();
    let directory = UserDirectory::open(&dir.path().join("users.json")).unwrap();
    directory
        .add_user(user("ana", Role::Analyst, None))
        .unwrap();
    let first = directory.issue_token("ana", "a", None, NOW).unwrap();
    let second = directory.issue_token("ana", "b", None, NOW).unwrap();
    assert_ne!(first.secret, second.secret);
    assert_ne!(first.token_id, second.token_id);
}

#[test]
fn unknown_revoked_expired_and_disabled_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let directory = UserDirectory::open(&dir.path().join("users.json")).unwrap();
    directory
        .add_user(user("ana", Role::Analyst, None))
        .unwrap();
    directory
        .add_user(user("bob", Role::Operator, None))
        .unwrap();
    let unknown = format!("{TOKEN_PREFIX}{}", "A".repeat(43));
    let refused = |token: &str, now: i64| match directory.authenticate(token, now) {
        Err(SafeguardsError::Unauthenticated(reason)) => reason,
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert_eq!(refused(&unknown, NOW), "unknown token");
    assert_eq!(refused("not-a-token", NOW), "not a corridor API token");
    let revoked = directory.issue_token("ana", "old", None, NOW).unwrap();
    directory.revoke_token(&revoked.token_id).unwrap();
    assert!(refused(&revoked.secret, NOW).contains("was revoked"));
    let expiring = directory
        .issue_token("ana", "short", Some(NOW + 10), NOW)
        .unwrap();
    assert!(directory.authenticate(&expiring.secret, NOW + 9).is_ok());
    assert!(refused(&expiring.secret, NOW + 10).contains("has expired"));
    let bobs = directory.issue_token("bob", "ops", None, NOW).unwrap();
    directory.disable_user("bob").unwrap();
    assert!(refused(&bobs.secret, NOW).contains("`bob` is disabled"));
}

#[test]
fn partners_need_an_agreement_and_others_may_not_have_one() {
    let dir = tempfile::tempdir().unwrap();
    let directory = UserDirectory::open(&dir.path().join("users.json")).unwrap();
    let err = directory
        .add_user(user("kmar", Role::Partner, None))
        .unwrap_err();
    assert!(
        err.to_string().contains("needs a sharing agreement"),
        "{err}"
    );
    let err = directory
        .add_user(user("ana", Role::Analyst, Some("nl-1")))
        .unwrap_err();
    assert!(err.to_string().contains("only partners"), "{err}");
    directory
        .add_user(user("kmar", Role::Partner, Some("nl-1")))
        .unwrap();
    let issued = directory.issue_token("kmar", "api", None, NOW).unwrap();
    assert_eq!(
        directory
            .authenticate(&issued.secret, NOW)
            .unwrap()
            .agreement
            .as_deref(),
        Some("nl-1")
    );
    let err = directory
        .add_user(user("kmar", Role::Partner, Some("nl-1")))
        .unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
}

#[test]
fn bearer_header_parsing() {
    assert_eq!(bearer_from_header("Bearer abc"), Some("abc"));
    assert_eq!(bearer_from_header("bearer  abc "), Some("abc"));
    assert_eq!(bearer_from_header("Basic abc"), None);
    assert_eq!(bearer_from_header("Bearer"), None);
}
