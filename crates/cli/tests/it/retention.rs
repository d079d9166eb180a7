//! `corridor retention` end to end: periods per source country, legal holds, the report.

use crate::support::{
    READS_HEADER, Scene, corridor, hours_ago, ids_by_plate, read_row, stderr_of_failure, stdout_of,
};
use crate::vision::render::{PlateStyle, encode_png, render_scene};
use corridor_testkit::TestServer;
use image::Rgb;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

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

/// Every file under `dir`: its path and its bytes as (lossy) text.
fn files_under(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("readable dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            let bytes = std::fs::read(&path).expect("readable file");
            files.push((path, String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    files
}

#[track_caller]
fn assert_gone(data: &Path, needle: &str) {
    for (path, text) in files_under(data) {
        assert!(
            !text.contains(needle) && !path.display().to_string().contains(needle),
            "{needle} survived retention in {}",
            path.display()
        );
    }
}

#[track_caller]
fn assert_kept(data: &Path, needle: &str) {
    assert!(
        files_under(data).iter().any(
            |(path, text)| text.contains(needle) || path.display().to_string().contains(needle)
        ),
        "{needle} was deleted"
    );
}

fn scene_png(plate: &'static str, colour: [u8; 3]) -> Vec<u8> {
    let (scene, _) = render_scene(&PlateStyle::white(plate), Rgb(colour), (520, 430));
    encode_png(&scene)
}

/// What an image upload stored.
struct Uploaded {
    /// Every crop: of the reads, then of the plates skipped.
    crops: Vec<String>,
    /// The crops of the reads only.
    read_crops: Vec<String>,
    read_ids: Vec<String>,
}

fn uploaded(reply: &Value) -> Uploaded {
    let crop_of = |plate: &Value| plate["crop_sha256"].as_str().expect("crop").to_owned();
    let reads = reply["reads"].as_array().expect("reads");
    let read_crops: Vec<String> = reads.iter().map(crop_of).collect();
    let read_ids = reads
        .iter()
        .map(|plate| plate["read_id"].as_str().expect("read id").to_owned())
        .collect();
    let mut crops = read_crops.clone();
    crops.extend(
        reply["skipped"]
            .as_array()
            .expect("skipped")
            .iter()
            .map(crop_of),
    );
    Uploaded {
        crops,
        read_crops,
        read_ids,
    }
}

fn rfc3339_in_days(days: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[test]
fn retention_run_deletes_every_kind_from_every_file_and_keeps_held_data() {
    let mut server = TestServer::start(env!("CARGO_BIN_EXE_corridor")).expect("server starts");
    let operator = server.client_as("operator");
    let analyst = server.client_as("analyst");
    let cameras = json!([
        {"camera_id": "FR-CAM-1", "name": "A16", "lat": 50.74, "lon": 1.61, "country": "FR",
         "operator": "DIRNO", "kind": "fixed", "infrared": false},
        {"camera_id": "GB-CAM-1", "name": "M20", "lat": 51.09, "lon": 1.17, "country": "GB",
         "operator": "Kent Police", "kind": "fixed", "infrared": false},
        {"camera_id": "BE-CAM-1", "name": "E40", "lat": 51.18, "lon": 3.09, "country": "BE",
         "operator": "Federale Politie", "kind": "fixed", "infrared": false},
    ]);
    let reply = operator
        .put_json("/api/v1/cameras", &cameras)
        .expect("cameras");
    assert_eq!(reply.status, 200, "{}", reply.text);
    // A pattern, so that the hotlist names none of the plates read.
    let entry = analyst
        .post_json(
            "/api/v1/hotlist",
            &json!({"plate": "*ZQ9", "country": "any", "reason": "stolen", "handling": "observe", "sharing": "national"}),
        )
        .expect("hotlist");
    assert_eq!(entry.status, 200, "{}", entry.text);
    let ts = hours_ago(1);
    let reads = json!([
        {"read_id": "r-old-fr", "plate": "OLD1ZQ9", "country": "GB", "camera_id": "FR-CAM-1", "ts": ts},
        {"read_id": "r-held-fr", "plate": "HLD3ZQ9", "country": "GB", "camera_id": "FR-CAM-1", "ts": ts},
        {"read_id": "r-new-gb", "plate": "NEW2ZQ9", "country": "GB", "camera_id": "GB-CAM-1", "ts": ts},
    ]);
    let ingested = operator.post_json("/api/v1/reads", &reads).expect("reads");
    assert_eq!(ingested.status, 200, "{}", ingested.text);
    assert_eq!(ingested.json["n_alerts"], 3, "{}", ingested.text);

    let upload = |camera_id: &str, png: Vec<u8>| {
        let reply = operator
            .post(
                &format!("/api/v1/cameras/{camera_id}/images?ts={ts}"),
                "image/png",
                png,
            )
            .expect("the server answers");
        assert_eq!(reply.status, 200, "{}", reply.text);
        uploaded(&reply.json)
    };
    let fr = upload("FR-CAM-1", scene_png("OLD1ZQ9", [190, 25, 30]));
    let gb = upload("GB-CAM-1", scene_png("NEW2ZQ9", [20, 60, 170]));
    // In Belgium reads go after 30 days but images are kept a year: crops follow their read.
    let be = upload("BE-CAM-1", scene_png("BEL4ZQ9", [30, 140, 60]));
    assert!(
        !fr.crops.is_empty() && !gb.crops.is_empty(),
        "plates are found"
    );
    assert!(!be.read_crops.is_empty(), "a plate is read");
    assert!(fr.crops.iter().all(|crop| !gb.crops.contains(crop)));
    assert!(be.read_crops.iter().all(|crop| !gb.crops.contains(crop)));

    let alerts = operator.get_json("/api/v1/alerts").expect("alerts");
    let old_alert = alerts.json["alerts"]
        .as_array()
        .expect("alerts")
        .iter()
        .find(|alert| alert["read_id"] == "r-old-fr")
        .expect("the old read raised an alert")["alert_id"]
        .as_str()
        .expect("alert id")
        .to_owned();
    let ack = operator
        .post_json(
            &format!("/api/v1/alerts/{old_alert}/ack"),
            &json!({"outcome": "stopped", "note": "stopped OLD1ZQ9 at the port"}),
        )
        .expect("ack");
    assert_eq!(ack.status, 200, "{}", ack.text);
    // Audited searches: the one naming the held plate is where the audit cut stops.
    for plate in ["OLD1ZQ9", "HLD3ZQ9", "NEW2ZQ9"] {
        let history = analyst
            .get_json(&format!("/api/v1/history?plate={plate}"))
            .expect("history");
        assert_eq!(history.status, 200, "{}", history.text);
    }

    let data_dir = server.data_dir().to_owned();
    let data = data_dir.display().to_string();
    let policy = data_dir.with_file_name("policy.json");
    std::fs::write(
        &policy,
        r#"{"rules": [
            {"kind": "reads", "period": {"days": 365}},
            {"kind": "reads", "country": "FR", "period": {"days": 30}},
            {"kind": "reads", "country": "BE", "period": {"days": 30}},
            {"kind": "images", "period": {"days": 365}},
            {"kind": "images", "country": "FR", "period": {"days": 30}},
            {"kind": "hits", "period": {"days": 365}},
            {"kind": "hits", "country": "FR", "period": {"days": 30}},
            {"kind": "audit", "period": {"days": 30}}
        ]}"#,
    )
    .expect("policy");
    let policy = policy.display().to_string();
    let later = rfc3339_in_days(40);
    let run = || {
        corridor(&[
            "retention",
            "run",
            "--data",
            &data,
            "--policy",
            &policy,
            "--now",
            &later,
        ])
    };
    // While the server runs, the data directory is locked: nothing is touched.
    let refused = stderr_of_failure(&run());
    assert!(refused.contains("in use by another process"), "{refused}");
    assert_kept(&data_dir, "OLD1ZQ9");

    server.stop().expect("the server stops");
    stdout_of(&corridor(&[
        "retention",
        "hold",
        "--data",
        &data,
        "--case",
        "OP-HOLD/9",
        "--plate",
        "HLD3ZQ9",
        "--by",
        "sup",
    ]));
    let output = run();
    let report: Value = serde_json::from_str(&stdout_of(&output)).expect("the report is JSON");
    let summary = String::from_utf8_lossy(&output.stderr);
    assert!(summary.contains("retention: deleted"), "{summary}");

    let reads = &report["counts"]["store reads"];
    assert_eq!(
        reads["reads/FR"]["n_deleted"],
        1 + fr.read_ids.len(),
        "{report}"
    );
    assert_eq!(reads["reads/FR"]["n_kept_under_hold"], 1, "{report}");
    assert_eq!(
        reads["reads/GB"]["n_kept"],
        1 + gb.read_ids.len(),
        "{report}"
    );
    assert_eq!(
        reads["reads/BE"]["n_deleted"],
        be.read_ids.len(),
        "{report}"
    );
    let images = &report["counts"]["images"];
    assert_eq!(images["images/FR"]["n_deleted"], fr.crops.len(), "{report}");
    assert_eq!(images["images/GB"]["n_kept"], gb.crops.len(), "{report}");
    assert_eq!(
        images["images/BE"]["n_deleted_with_read"],
        be.read_crops.len(),
        "{report}"
    );
    let hits_fr = &report["counts"]["alerts"]["hits/FR"];
    assert!(hits_fr["n_deleted"].as_u64() >= Some(1), "{report}");
    assert_eq!(hits_fr["n_kept_under_hold"], 1, "{report}");
    let audit = &report["counts"]["audit log"]["audit/--"];
    assert!(audit["n_deleted"].as_u64() >= Some(3), "{report}");
    assert!(audit["n_kept_under_hold"].as_u64() >= Some(1), "{report}");
    for kind in ["reads", "images", "hits", "audit"] {
        assert!(
            report["deleted_by_kind"][kind].as_u64() >= Some(1),
            "{kind}: {report}"
        );
    }

    // Expired: gone from every file of the data directory, names included.
    for gone in ["OLD1ZQ9", "r-old-fr", old_alert.as_str()]
        .into_iter()
        .chain(fr.read_ids.iter().map(String::as_str))
        .chain(fr.crops.iter().map(String::as_str))
        .chain(be.read_crops.iter().map(String::as_str))
    {
        assert_gone(&data_dir, gone);
    }
    // Held and unexpired: still there.
    for kept in ["HLD3ZQ9", "r-held-fr", "NEW2ZQ9", "r-new-gb"]
        .into_iter()
        .chain(gb.read_ids.iter().map(String::as_str))
        .chain(gb.crops.iter().map(String::as_str))
    {
        assert_kept(&data_dir, kept);
    }
    let verified = stdout_of(&corridor(&["audit", "verify", "--data", &data]));
    assert!(
        verified.contains("retention deleted entries up to seq"),
        "{verified}"
    );

    // The restarted server serves what was kept, and only that.
    server.restart().expect("restart");
    let analyst = server.client_as("analyst");
    let alerts = server
        .client_as("operator")
        .get_json("/api/v1/alerts")
        .expect("alerts");
    let plates: Vec<&str> = alerts.json["alerts"]
        .as_array()
        .expect("alerts")
        .iter()
        .filter_map(|alert| alert["plate"].as_str())
        .collect();
    assert!(
        plates.contains(&"HLD3ZQ9") && plates.contains(&"NEW2ZQ9"),
        "{}",
        alerts.text
    );
    assert!(!plates.contains(&"OLD1ZQ9"), "{}", alerts.text);
    for crop in &gb.crops {
        let served = analyst
            .get_json(&format!("/api/v1/images/{crop}"))
            .expect("crop");
        assert_eq!(served.status, 200, "{crop}");
    }
    for crop in fr.crops.iter().chain(&be.read_crops) {
        let served = analyst
            .get_json(&format!("/api/v1/images/{crop}"))
            .expect("crop");
        assert_eq!(served.status, 404, "{crop}");
    }
    let held = analyst
        .get_json("/api/v1/history?plate=HLD3ZQ9")
        .expect("history");
    assert!(held.text.contains("r-held-fr"), "{}", held.text);
    let expired = analyst
        .get_json("/api/v1/history?plate=OLD1ZQ9")
        .expect("history");
    assert_eq!(expired.json["n_reads"], 0, "{}", expired.text);
    server.stop().expect("the server stops");

    let transparency: Value = serde_json::from_str(&stdout_of(&corridor(&[
        "audit",
        "transparency",
        "--data",
        &data,
        "--until",
        &rfc3339_in_days(41),
        "--json",
    ])))
    .expect("the transparency report is JSON");
    for kind in ["reads", "images", "hits", "audit"] {
        assert!(
            transparency["total"]["deleted_by_retention"][kind].as_u64() >= Some(1),
            "{kind}: {transparency}"
        );
    }
}
