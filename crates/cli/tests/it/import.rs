//! `corridor import` and `corridor store` end to end.

use crate::support::{
    READS_HEADER, Scene, corridor, hours_ago, ids_by_plate, read_row, stderr_of_failure, stdout_of,
};

fn three_reads(bad_confidence: bool) -> String {
    let confidence = if bad_confidence { "1.5" } else { "0.8" };
    let mut text = READS_HEADER.to_owned();
    text.push_str(&read_row(
        "r1",
        "AB12 CDE",
        "GB",
        "FR-A16-0042",
        &hours_ago(3),
    ));
    text.push_str(&format!(
        "r2,AB12CDE,GB,BE-E40-0007,{},{confidence},,,,,,,\n",
        hours_ago(2)
    ));
    text.push_str(
        &read_row("r3", "AB12CDE", "GB", "GB-MOB-0003", &hours_ago(1))
            .replace(",,,,Ford", ",51.1,1.3,90,Ford"),
    );
    text
}

#[test]
fn import_prints_a_report_and_history_finds_the_reads() {
    let scene = Scene::new();
    scene.write("reads.csv", &three_reads(false));
    let stdout = stdout_of(&scene.import("reads.csv", &[]));
    assert!(stdout.contains("rows read              3"), "{stdout}");
    assert!(stdout.contains("imported               3"), "{stdout}");
    assert!(stdout.contains("reads/s"), "{stdout}");
    let json = scene.history_json(&["AB12CDE"]);
    assert_eq!(
        ids_by_plate(&json),
        [(
            "AB12CDE".to_owned(),
            vec!["r1".to_owned(), "r2".to_owned(), "r3".to_owned()]
        )]
    );
    assert_eq!(json["hits"][0]["reads"][2]["lat"], 51.1);
    assert_eq!(
        json["hits"][0]["reads"][0]["camera_name"],
        "A16 Boulogne north"
    );
}

#[test]
fn a_strict_import_with_a_bad_row_fails_naming_file_row_and_field_and_stores_nothing() {
    let scene = Scene::new();
    scene.write(
        "good.csv",
        &(READS_HEADER.to_owned() + &read_row("r0", "XY99ZZZ", "GB", "FR-A16-0042", &hours_ago(5))),
    );
    stdout_of(&scene.import("good.csv", &[]));
    let before = scene.history(&["XY99ZZZ", "--json"]);

    let path = scene.write("reads.csv", &three_reads(true));
    let stderr = stderr_of_failure(&scene.import("reads.csv", &[]));
    let expected = format!(
        "{}:3: field `confidence`: 1.5 is outside 0..1",
        path.display()
    );
    assert!(
        stderr.contains(&expected),
        "stderr `{stderr}` should contain `{expected}`"
    );
    assert_eq!(scene.history(&["XY99ZZZ", "--json"]), before);
    assert!(ids_by_plate(&scene.history_json(&["AB12CDE"])).is_empty());
}

#[test]
fn reject_file_mode_imports_the_good_rows_and_writes_the_bad_one() {
    let scene = Scene::new();
    scene.write("reads.csv", &three_reads(true));
    let rejects = scene.path("rejects.csv");
    let output = scene.import(
        "reads.csv",
        &["--reject-file", &rejects.display().to_string()],
    );
    let stdout = stdout_of(&output);
    assert!(stdout.contains("rejected               1"), "{stdout}");
    assert!(stdout.contains("bad_confidence"), "{stdout}");
    let text = std::fs::read_to_string(&rejects).expect("reject file");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].starts_with("row,field,reason,message,read_id,plate"),
        "{text}"
    );
    assert!(
        lines[1].starts_with(
            "3,confidence,bad_confidence,1.5 is outside 0..1,r2,AB12CDE,GB,BE-E40-0007,"
        ),
        "{text}"
    );
    let json = scene.history_json(&["AB12CDE"]);
    assert_eq!(
        ids_by_plate(&json),
        [("AB12CDE".to_owned(), vec!["r1".to_owned(), "r3".to_owned()])]
    );
}

#[test]
fn the_format_flag_overrides_the_extension() {
    let scene = Scene::new();
    let line = format!(
        "{{\"read_id\":\"n1\",\"plate\":\"AB12CDE\",\"camera_id\":\"FR-A16-0042\",\"ts\":\"{}\"}}\n",
        hours_ago(1)
    );
    scene.write("reads.txt", &line);
    let stderr = stderr_of_failure(&scene.import("reads.txt", &[]));
    assert!(stderr.contains("cannot tell the format"), "{stderr}");
    stdout_of(&scene.import("reads.txt", &["--format", "ndjson"]));
    assert_eq!(ids_by_plate(&scene.history_json(&["AB12CDE"]))[0].1, ["n1"]);
}

#[test]
fn store_stats_flush_compact_and_purge() {
    let scene = Scene::new();
    let mut text = READS_HEADER.to_owned();
    text.push_str(&read_row(
        "old",
        "AB12CDE",
        "GB",
        "FR-A16-0042",
        &hours_ago(24 * 10),
    ));
    text.push_str(&read_row(
        "new",
        "AB12CDE",
        "GB",
        "FR-A16-0042",
        &hours_ago(1),
    ));
    scene.write("reads.csv", &text);
    stdout_of(&scene.import("reads.csv", &[]));
    let data = scene.data();
    let stats = stdout_of(&corridor(&["store", "--data", &data, "stats"]));
    assert!(stats.contains("reads                         2"), "{stats}");
    assert!(stats.contains("cameras                       3"), "{stats}");
    stdout_of(&corridor(&["store", "--data", &data, "flush"]));
    stdout_of(&corridor(&["store", "--data", &data, "compact"]));
    let purge = stdout_of(&corridor(&[
        "store",
        "--data",
        &data,
        "purge",
        "--older-than",
        "7d",
    ]));
    assert!(purge.starts_with("purged 1 reads older than"), "{purge}");
    assert_eq!(
        ids_by_plate(&scene.history_json(&["AB12CDE"]))[0].1,
        ["new"]
    );
    let stderr = stderr_of_failure(&corridor(&[
        "store",
        "--data",
        &data,
        "purge",
        "--older-than",
        "7 days",
    ]));
    assert!(
        stderr.contains("the unit must be one of s, m, h, d, w"),
        "{stderr}"
    );
}
