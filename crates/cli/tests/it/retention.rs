//! `corridor retention` end to end: periods per source country, legal holds, the report.

use crate::support::{READS_HEADER, Scene, corridor, hours_ago, ids_by_plate, read_row, stdout_of};

#[test]
fn retention_deletes_expired_reads_per_country_and_keeps_held_ones() {
    let scene = Scene::new();
    let days_ago = |days: i64| hours_ago(24 * days);
    let mut reads = READS_HEADER.to_owned();
    // French camera: 30 days; elsewhere: 365 days.
    reads.push_str(&read_row(
        "fr-old",
        "AB12CDE",
        "GB",
        "FR-A16-0042",
        &days_ago(40),
    ));
    reads.push_str(&read_row(
        "fr-new",
        "AB12CDE",
        "GB",
        "FR-A16-0042",
        &days_ago(10),
    ));
    reads.push_str(&read_row(
        "fr-held",
        "HE11HLD",
        "GB",
        "FR-A16-0042",
        &days_ago(40),
    ));
    reads.push_str(&read_row(
        "be-old",
        "AB12CDE",
        "GB",
        "BE-E40-0007",
        &days_ago(40),
    ));
    reads.push_str(&read_row(
        "be-ancient",
        "XY99ZZZ",
        "GB",
        "BE-E40-0007",
        &days_ago(400),
    ));
    scene.write("reads.csv", &reads);
    stdout_of(&scene.import("reads.csv", &[]));
    scene.write(
        "policy.json",
        r#"{"rules": [
            {"kind": "reads", "period": {"days": 365}},
            {"kind": "reads", "country": "FR", "period": {"days": 30}},
            {"kind": "images", "period": {"days": 30}},
            {"kind": "hits", "period": {"days": 365}},
            {"kind": "audit", "period": {"months": 24}}
        ]}"#,
    );
    let data = scene.data();
    stdout_of(&corridor(&[
        "retention",
        "hold",
        "--data",
        &data,
        "--case",
        "OP-TIDE/7",
        "--plate",
        "HE11 HLD",
        "--by",
        "sup",
    ]));
    let policy = scene.path("policy.json").display().to_string();
    let report: serde_json::Value = serde_json::from_str(&stdout_of(&corridor(&[
        "retention",
        "run",
        "--data",
        &data,
        "--policy",
        &policy,
    ])))
    .expect("the report is JSON");
    let counts = &report["counts"]["store reads"];
    assert_eq!(counts["reads/FR"]["n_deleted"], 1, "{report}");
    assert_eq!(counts["reads/FR"]["n_kept_under_hold"], 1, "{report}");
    assert_eq!(counts["reads/FR"]["n_kept"], 1, "{report}");
    assert_eq!(counts["reads/BE"]["n_deleted"], 1, "{report}");
    assert_eq!(counts["reads/BE"]["n_kept"], 1, "{report}");
    assert_eq!(report["held"]["fr-held"][0], "OP-TIDE/7");

    let ids = |plate: &str| ids_by_plate(&scene.history_json(&[plate]));
    assert_eq!(
        ids("AB12CDE"),
        [(
            "AB12CDE".to_owned(),
            vec!["be-old".to_owned(), "fr-new".to_owned()]
        )]
    );
    assert_eq!(
        ids("HE11HLD"),
        [("HE11HLD".to_owned(), vec!["fr-held".to_owned()])]
    );
    assert!(ids("XY99ZZZ").is_empty());

    // Released, the held read goes at the next run.
    stdout_of(&corridor(&[
        "retention",
        "release",
        "--data",
        &data,
        "--case",
        "OP-TIDE/7",
    ]));
    stdout_of(&corridor(&[
        "retention",
        "run",
        "--data",
        &data,
        "--policy",
        &policy,
    ]));
    assert!(ids("HE11HLD").is_empty());
    // The audit log records both runs and still verifies.
    stdout_of(&corridor(&["audit", "verify", "--data", &data]));
    // The transparency report counts the deletions, naming no plate.
    let transparency: serde_json::Value = serde_json::from_str(&stdout_of(&corridor(&[
        "audit",
        "transparency",
        "--data",
        &data,
        "--json",
    ])))
    .expect("the transparency report is JSON");
    assert_eq!(
        transparency["total"]["deleted_by_retention"]["reads"], 3,
        "{transparency}"
    );
    assert!(!transparency.to_string().contains("HE11HLD"));
}
