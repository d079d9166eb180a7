//! `corridor history` end to end: exact, wildcard and fuzzy search, filters, output forms.

use crate::support::{
    READS_HEADER, Scene, corridor, hours_ago, ids_by_plate, read_row, stderr_of_failure, stdout_of,
};

/// A van AB12CDE (GB) seen five times, two of them misread (B as 8, D as 0); another
/// vehicle AB12CDE issued in France; an unrelated plate.
fn scene() -> Scene {
    let scene = Scene::new();
    let mut text = READS_HEADER.to_owned();
    text.push_str(&read_row(
        "v1",
        "AB12CDE",
        "GB",
        "FR-A16-0042",
        &hours_ago(50),
    ));
    text.push_str(&read_row(
        "v2",
        "A812CDE",
        "GB",
        "FR-A16-0042",
        &hours_ago(40),
    ));
    text.push_str(&read_row(
        "v3",
        "AB12CDE",
        "GB",
        "BE-E40-0007",
        &hours_ago(30),
    ));
    text.push_str(&read_row(
        "v4",
        "AB12C0E",
        "GB",
        "BE-E40-0007",
        &hours_ago(20),
    ));
    text.push_str(&read_row(
        "v5",
        "AB12CDE",
        "GB",
        "GB-MOB-0003",
        &hours_ago(10),
    ));
    text.push_str(&read_row(
        "f1",
        "AB12CDE",
        "FR",
        "FR-A16-0042",
        &hours_ago(5),
    ));
    text.push_str(&read_row(
        "x1",
        "XY99ZZZ",
        "GB",
        "FR-A16-0042",
        &hours_ago(4),
    ));
    scene.write("reads.csv", &text);
    crate::support::stdout_of(&scene.import("reads.csv", &[]));
    scene
}

fn plate(name: &str, ids: &[&str]) -> (String, Vec<String>) {
    (
        name.to_owned(),
        ids.iter().map(|id| id.to_string()).collect(),
    )
}

#[test]
fn exact_search_keeps_countries_apart_and_filters() {
    let scene = scene();
    let json = scene.history_json(&["ab-12 cde"]);
    assert_eq!(json["mode"], "exact");
    assert_eq!(
        ids_by_plate(&json),
        [
            plate("AB12CDE", &["v1", "v3", "v5"]),
            plate("AB12CDE", &["f1"])
        ]
    );
    assert_eq!(json["hits"][1]["country"], "FR");
    let gb = scene.history_json(&["AB12CDE", "--country", "gb"]);
    assert_eq!(ids_by_plate(&gb), [plate("AB12CDE", &["v1", "v3", "v5"])]);
    let window = scene.history_json(&[
        "AB12CDE",
        "--country",
        "GB",
        "--from",
        &hours_ago(35),
        "--to",
        &hours_ago(8),
    ]);
    assert_eq!(ids_by_plate(&window), [plate("AB12CDE", &["v3", "v5"])]);
    let latest = scene.history_json(&["AB12CDE", "--country", "GB", "--limit", "1"]);
    assert_eq!(ids_by_plate(&latest), [plate("AB12CDE", &["v5"])]);
}

#[test]
fn wildcards_match_one_or_many_characters() {
    let scene = scene();
    let one = scene.history_json(&["AB12?DE", "--country", "GB"]);
    assert_eq!(one["mode"], "wildcard");
    assert_eq!(ids_by_plate(&one), [plate("AB12CDE", &["v1", "v3", "v5"])]);
    let suffix = scene.history_json(&["*CDE", "--country", "GB"]);
    assert_eq!(
        ids_by_plate(&suffix),
        [
            plate("AB12CDE", &["v1", "v3", "v5"]),
            plate("A812CDE", &["v2"])
        ]
    );
}

#[test]
fn fuzzy_search_finds_the_misread_reads_ranked_by_likelihood() {
    let scene = scene();
    let json = scene.history_json(&["AB12CDE", "--country", "GB", "--fuzzy"]);
    assert_eq!(json["mode"], "fuzzy");
    assert_eq!(
        ids_by_plate(&json),
        [
            plate("AB12CDE", &["v1", "v3", "v5"]),
            plate("A812CDE", &["v2"]),
            plate("AB12C0E", &["v4"])
        ]
    );
    let likelihoods: Vec<f64> = json["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|hit| hit["likelihood"].as_f64().expect("number"))
        .collect();
    assert!(
        likelihoods[0] > 0.9
            && likelihoods[0] > likelihoods[1]
            && likelihoods[1] > likelihoods[2]
            && likelihoods[2] > 0.0,
        "{likelihoods:?}"
    );
    let exact = scene.history_json(&["AB12CDE", "--country", "GB"]);
    assert_eq!(
        ids_by_plate(&exact).len(),
        1,
        "without --fuzzy the misreads stay out"
    );
}

#[test]
fn the_table_shows_time_camera_place_plate_and_vehicle() {
    let scene = scene();
    let table = scene.history(&["AB12CDE", "--country", "GB"]);
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].starts_with("AB12CDE GB  likelihood 1.000  3 reads"),
        "{table}"
    );
    for column in [
        "time", "camera", "name", "place", "plate", "cc", "conf", "vehicle", "read id",
    ] {
        assert!(
            lines[1].contains(column),
            "header `{}` lacks {column}",
            lines[1]
        );
    }
    assert!(
        lines[2].contains("FR-A16-0042") && lines[2].contains("A16 Boulogne north"),
        "{table}"
    );
    assert!(
        lines[2].contains("50.7421,1.6113") && lines[2].contains("Ford Transit white"),
        "{table}"
    );
    assert!(lines[2].ends_with("v1"), "{table}");
    let none = scene.history(&["ZZ99ZZZ"]);
    assert_eq!(none.trim(), "no reads found for `ZZ99ZZZ` (exact search)");
}

#[test]
fn bad_queries_say_what_is_wrong() {
    let scene = scene();
    let data = scene.data();
    let both = stderr_of_failure(&corridor(&["history", "--data", &data, "AB*", "--fuzzy"]));
    assert!(
        both.contains("--fuzzy cannot be combined with a wildcard plate `AB*`"),
        "{both}"
    );
    let country = stderr_of_failure(&corridor(&[
        "history",
        "--data",
        &data,
        "AB12CDE",
        "--country",
        "GBR",
    ]));
    assert!(country.contains("country `GBR`"), "{country}");
    let time = stderr_of_failure(&corridor(&[
        "history",
        "--data",
        &data,
        "AB12CDE",
        "--from",
        "yesterday",
    ]));
    assert!(
        time.contains("`yesterday` is neither an RFC 3339 time nor a date"),
        "{time}"
    );
    let plate = stderr_of_failure(&corridor(&["history", "--data", &data, "AB!12"]));
    assert!(plate.contains("only letters, digits"), "{plate}");
}

#[test]
fn a_local_search_is_in_the_audit_log_with_its_purpose_and_reads() {
    let scene = scene();
    scene.history(&[
        "AB12CDE",
        "--country",
        "GB",
        "--case",
        "OP-TIDE/2026/0042",
        "--offence",
        "people_smuggling",
        "--justification",
        "van seen at the Dunkirk lock-up by the surveillance team",
    ]);
    scene.history(&["XY99ZZZ"]);
    let data = scene.data();
    let shown = stdout_of(&corridor(&[
        "audit",
        "show",
        "--data",
        &data,
        "--case",
        "OP-TIDE/2026/0042",
        "--json",
    ]));
    let entries: Vec<serde_json::Value> = shown
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON lines"))
        .collect();
    assert_eq!(entries.len(), 1, "{shown}");
    let entry = &entries[0];
    assert_eq!(entry["action"], "read_history");
    assert!(entry["who"]["user"].as_str().unwrap().starts_with("local:"));
    assert_eq!(entry["why"]["offence_category"], "people_smuggling");
    assert_eq!(entry["outcome"]["n_results"], 3);
    assert_eq!(
        entry["outcome"]["read_ids"],
        serde_json::json!(["v1", "v3", "v5"])
    );
    let all = stdout_of(&corridor(&[
        "audit",
        "show",
        "--data",
        &data,
        "--action",
        "read_history",
        "--json",
    ]));
    assert_eq!(
        all.lines().count(),
        2,
        "the search without a purpose is recorded too"
    );
    stdout_of(&corridor(&["audit", "verify", "--data", &data]));
}

#[test]
fn a_partial_purpose_is_refused_before_searching() {
    let scene = scene();
    let data = scene.data();
    let output = corridor(&["history", "--data", &data, "AB12CDE", "--case", "OP-1"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--offence"), "{stderr}");
}
