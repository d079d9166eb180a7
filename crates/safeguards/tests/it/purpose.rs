//! Purpose validation and the scope rules, one `check` per case.

use crate::fixtures::{DAY, NOW, purpose};
use corridor_safeguards::purpose::{BBox, check_request, is_unbounded};
use corridor_safeguards::{OffenceCategory, Purpose, ScopeDecision, ScopeRules, SearchScope};

fn scope(plates: &[&str], days_back: Option<i64>, area: Option<BBox>) -> SearchScope {
    SearchScope {
        plates: plates.iter().map(|plate| (*plate).to_owned()).collect(),
        from: days_back.map(|days| NOW - days * DAY),
        to: None,
        area,
    }
}

#[track_caller]
fn check(purpose: Option<&Purpose>, scope: &SearchScope, expected: &str) {
    let decision = check_request(purpose, scope, &ScopeRules::default(), NOW);
    let got = match &decision {
        ScopeDecision::Allowed => "allowed".to_owned(),
        ScopeDecision::NeedsApproval { reasons } => format!("approval: {}", reasons.join(" / ")),
        ScopeDecision::Refused { reasons } => format!("refused: {}", reasons.join(" / ")),
    };
    assert!(
        got.starts_with(expected),
        "expected `{expected}…`, got `{got}`"
    );
}

#[test]
fn search_without_purpose_is_refused() {
    check(
        None,
        &scope(&["AB12CDE"], Some(7), None),
        "refused: a purpose",
    );
}

#[test]
fn purpose_with_short_justification_is_refused() {
    let mut short = purpose("OP-TIDE/1");
    short.justification = "because".to_owned();
    check(
        Some(&short),
        &scope(&["AB12CDE"], Some(7), None),
        "refused: purpose.justification: 7 characters",
    );
}

#[test]
fn purpose_with_bad_case_ref_is_refused() {
    let mut bad = purpose("OP TIDE");
    bad.case_ref = "x".to_owned();
    check(
        Some(&bad),
        &scope(&["AB12CDE"], Some(7), None),
        "refused: purpose.case_ref",
    );
}

#[test]
fn offence_category_is_a_closed_list() {
    assert_eq!(
        OffenceCategory::parse("people-smuggling").unwrap(),
        OffenceCategory::PeopleSmuggling
    );
    let err = OffenceCategory::parse("curiosity").unwrap_err();
    assert!(
        err.to_string().contains("`curiosity` is not one of"),
        "{err}"
    );
}

#[test]
fn recent_exact_search_is_allowed() {
    check(
        Some(&purpose("OP-TIDE/1")),
        &scope(&["AB12CDE"], Some(30), None),
        "allowed",
    );
}

#[test]
fn data_older_than_ninety_days_needs_approval() {
    check(
        Some(&purpose("OP-TIDE/1")),
        &scope(&["AB12CDE"], Some(91), None),
        "approval: data older than 90 days",
    );
    check(
        Some(&purpose("OP-TIDE/1")),
        &scope(&["AB12CDE"], None, None),
        "approval: no start time",
    );
}

#[test]
fn unbounded_wildcard_needs_approval_and_bare_star_is_refused() {
    check(
        Some(&purpose("OP-TIDE/1")),
        &scope(&["AB*"], Some(7), None),
        "approval: pattern `AB*` is an unbounded wildcard",
    );
    check(
        Some(&purpose("OP-TIDE/1")),
        &scope(&["AB12?DE"], Some(7), None),
        "allowed",
    );
    check(
        Some(&purpose("OP-TIDE/1")),
        &scope(&["*CDE"], Some(7), None),
        "approval: pattern `*CDE`",
    );
    check(
        Some(&purpose("OP-TIDE/1")),
        &scope(&["*"], Some(7), None),
        "refused: pattern `*` has 0 literal",
    );
    let pattern = |raw: &str| corridor_domain::PlatePattern::parse(raw).unwrap();
    assert!(is_unbounded(&pattern("A*"), 4));
    assert!(
        is_unbounded(&pattern("A??"), 4),
        "the domain's rule: fewer than 3 fixed characters"
    );
    assert!(!is_unbounded(&pattern("AB12CD*"), 4));
    assert!(
        !is_unbounded(&pattern("AB"), 4),
        "an exact plate is never a wildcard"
    );
}

#[test]
fn malformed_pattern_is_refused_naming_it() {
    check(
        Some(&purpose("OP-TIDE/1")),
        &scope(&["AB#12"], Some(7), None),
        "refused: plate `AB#12`",
    );
}

#[test]
fn more_than_n_plates_needs_approval() {
    let plates: Vec<String> = (0..11)
        .map(|plate_idx| format!("AB{plate_idx:02}CDE"))
        .collect();
    let refs: Vec<&str> = plates.iter().map(String::as_str).collect();
    check(
        Some(&purpose("OP-TIDE/1")),
        &scope(&refs, Some(7), None),
        "approval: 11 plates",
    );
    check(
        Some(&purpose("OP-TIDE/1")),
        &scope(&refs[..10], Some(7), None),
        "allowed",
    );
}

#[test]
fn wide_area_needs_approval() {
    // Roughly Calais to Dunkirk, 50 km by 30 km: allowed.
    let small = BBox {
        lat_min: 50.8,
        lon_min: 1.8,
        lat_max: 51.07,
        lon_max: 2.5,
    };
    assert!(small.area_km2() < 2_500.0, "{}", small.area_km2());
    check(
        Some(&purpose("OP-TIDE/1")),
        &scope(&[], Some(7), Some(small)),
        "allowed",
    );
    // All of northern France.
    let wide = BBox {
        lat_min: 48.0,
        lon_min: 0.0,
        lat_max: 51.1,
        lon_max: 4.0,
    };
    check(
        Some(&purpose("OP-TIDE/1")),
        &scope(&[], Some(7), Some(wide)),
        "approval: area of",
    );
}

#[test]
fn search_of_everything_is_refused() {
    check(
        Some(&purpose("OP-TIDE/1")),
        &scope(&[], Some(7), None),
        "refused: neither plates nor an area",
    );
}

#[test]
fn inverted_area_is_refused() {
    let inverted = BBox {
        lat_min: 51.0,
        lon_min: 1.0,
        lat_max: 50.0,
        lon_max: 2.0,
    };
    check(
        Some(&purpose("OP-TIDE/1")),
        &scope(&[], Some(7), Some(inverted)),
        "refused: area",
    );
}

#[test]
fn bbox_area_matches_a_known_figure() {
    // One degree square at the equator is about 12,364 km².
    let square = BBox {
        lat_min: 0.0,
        lon_min: 0.0,
        lat_max: 1.0,
        lon_max: 1.0,
    };
    assert!(
        (square.area_km2() - 12_364.0).abs() < 10.0,
        "{}",
        square.area_km2()
    );
}
