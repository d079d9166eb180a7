//! Matching without disclosure: what crosses the wire reveals no non-matching plate.

use corridor_safeguards::matching::normalise;
use corridor_safeguards::matching::pseudonym::{Pseudonym, PseudonymKey, intersect};
use corridor_safeguards::matching::psi::{self, PsiSecret};
use std::collections::{BTreeSet, HashSet};

/// A small but complete plate space: `AB12` followed by three letters, GB (17,576 plates).
fn plate_space() -> Vec<String> {
    let mut plates = Vec::with_capacity(26 * 26 * 26);
    for a in b'A'..=b'Z' {
        for b in b'A'..=b'Z' {
            for c in b'A'..=b'Z' {
                plates.push(format!("AB12{}{}{}", a as char, b as char, c as char));
            }
        }
    }
    plates
}

/// Our reads: every 300th plate of the space. Their hotlist: every 1000th, so the
/// intersection is every 3000th (plates 0, 3000, ..., 15000: six plates).
fn sets() -> (Vec<String>, Vec<String>) {
    let space = plate_space();
    let ours = space.iter().step_by(300).cloned().collect();
    let theirs = space.iter().step_by(1000).cloned().collect();
    (ours, theirs)
}

fn normalised(plates: &[String]) -> Vec<String> {
    plates
        .iter()
        .map(|plate| normalise(Some("GB"), plate).unwrap())
        .collect()
}

#[test]
fn pseudonyms_match_exactly_the_shared_plates() {
    let key = PseudonymKey::from_bytes([3u8; 32]);
    let (ours, theirs) = sets();
    let our_wire: Vec<Pseudonym> = ours
        .iter()
        .map(|plate| key.pseudonym(Some("GB"), plate).unwrap())
        .collect();
    let their_wire: BTreeSet<Pseudonym> = theirs
        .iter()
        .map(|plate| key.pseudonym(Some("gb"), plate).unwrap())
        .collect();
    let matched = intersect(&our_wire, &their_wire);
    let matched_plates: BTreeSet<&String> = ours
        .iter()
        .zip(&our_wire)
        .filter(|(_, pseudonym)| matched.contains(*pseudonym))
        .map(|(plate, _)| plate)
        .collect();
    let expected: BTreeSet<&String> = ours.iter().filter(|plate| theirs.contains(plate)).collect();
    assert_eq!(matched_plates, expected);
    assert_eq!(expected.len(), 6);
}

#[test]
fn pseudonyms_normalise_spelling_and_separate_countries() {
    let key = PseudonymKey::from_bytes([3u8; 32]);
    assert_eq!(
        key.pseudonym(Some("uk"), "ab12 cde").unwrap(),
        key.pseudonym(Some("GB"), "AB-12-CDE").unwrap()
    );
    assert_ne!(
        key.pseudonym(Some("GB"), "AB12CDE").unwrap(),
        key.pseudonym(Some("FR"), "AB12CDE").unwrap()
    );
    assert_ne!(
        key.pseudonym(None, "AB12CDE").unwrap(),
        key.pseudonym(Some("GB"), "AB12CDE").unwrap()
    );
    assert!(key.pseudonym(Some("GB"), "!!").is_err());
}

#[test]
fn dictionary_attack_on_pseudonyms_fails_without_the_key() {
    let key = PseudonymKey::from_bytes([3u8; 32]);
    let (ours, _) = sets();
    let wire: HashSet<Pseudonym> = ours
        .iter()
        .map(|plate| key.pseudonym(Some("GB"), plate).unwrap())
        .collect();
    // An eavesdropper hashes the whole plate space under a guessed key.
    let wrong_key = PseudonymKey::from_bytes([4u8; 32]);
    let recovered_without_key = plate_space()
        .iter()
        .filter(|plate| wire.contains(&wrong_key.pseudonym(Some("GB"), plate).unwrap()))
        .count();
    assert_eq!(recovered_without_key, 0);
    // The same attack with the agreement key recovers every plate: HMAC protects only
    // against those without the key (see docs/threat-model.md), which is why PSI exists.
    let recovered_with_key = plate_space()
        .iter()
        .filter(|plate| wire.contains(&key.pseudonym(Some("GB"), plate).unwrap()))
        .count();
    assert_eq!(recovered_with_key, ours.len());
}

#[test]
fn psi_finds_the_intersection_and_nothing_else() {
    let (ours, theirs) = sets();
    let (our_items, their_items) = (normalised(&ours), normalised(&theirs));
    let we = PsiSecret::generate();
    let they = PsiSecret::generate();
    // Wire, in order: our blinded items; their re-blinding of them; their own blinded items.
    let wire_ours = we.blind(&our_items);
    let wire_ours_double = they.reblind(&wire_ours, 10_000).unwrap();
    let wire_theirs = they.blind_shuffled(&their_items);
    let matched = psi::intersect(&we, &our_items, &wire_ours_double, &wire_theirs).unwrap();
    let matched_plates: BTreeSet<&String> = matched.iter().map(|idx| &ours[*idx]).collect();
    let expected: BTreeSet<&String> = ours.iter().filter(|plate| theirs.contains(plate)).collect();
    assert_eq!(matched_plates, expected);
    assert_eq!(matched_plates.len(), 6);
}

#[test]
fn psi_blinded_values_are_unlinkable_and_resist_brute_force() {
    let (ours, _) = sets();
    let our_items = normalised(&ours);
    let session_one = PsiSecret::generate().blind(&our_items);
    let session_two = PsiSecret::generate().blind(&our_items);
    // The same plate blinded in two exchanges looks unrelated.
    let one: HashSet<_> = session_one.iter().collect();
    assert!(session_two.iter().all(|blinded| !one.contains(blinded)));
    // The partner holds its own secret but not ours: hashing (and blinding with its own
    // secret) the whole plate space matches nothing that we sent.
    let partner = PsiSecret::generate();
    let space = normalised(&plate_space());
    let hashed: Vec<[u8; 32]> = space
        .iter()
        .map(|item| psi::hash_to_group(item).compress().to_bytes())
        .collect();
    let partner_blinded = partner.blind(&space);
    let wire: HashSet<_> = session_one.iter().collect();
    assert_eq!(
        hashed.iter().filter(|value| wire.contains(value)).count(),
        0
    );
    assert_eq!(
        partner_blinded
            .iter()
            .filter(|value| wire.contains(value))
            .count(),
        0
    );
}

#[test]
fn psi_refuses_a_set_larger_than_the_agreement_allows() {
    let they = PsiSecret::generate();
    let flood = PsiSecret::generate().blind(&normalised(&plate_space()[..100]));
    let err = they.reblind(&flood, 50).unwrap_err();
    assert!(err.to_string().contains("at most 50"), "{err}");
    let err =
        psi::intersect(&they, &normalised(&plate_space()[..2]), &flood[..1], &flood).unwrap_err();
    assert!(
        err.to_string().contains("2 items sent but 1 came back"),
        "{err}"
    );
    let not_a_point = [0xffu8; 32];
    assert!(they.reblind(&[not_a_point], 10).is_err());
}
