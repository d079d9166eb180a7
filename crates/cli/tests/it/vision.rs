//! Plate reading end to end: `corridor read` on image files, and a camera image POSTed to
//! the real server becoming a stored read and a hotlist alert.

#[path = "../../../vision/tests/it/render.rs"]
#[allow(dead_code, unreachable_pub)]
pub(crate) mod render;

use corridor_testkit::TestServer;
use corridor_testkit::reads::cameras_json;
use image::Rgb;
use render::{PlateStyle, encode_jpeg, encode_png, render_scene};
use serde_json::{Value, json};
use std::process::Command;

fn scene_png() -> Vec<u8> {
    let (scene, _) = render_scene(
        &PlateStyle::white("AB12CDE"),
        Rgb([190, 25, 30]),
        (520, 430),
    );
    encode_png(&scene)
}

#[test]
fn read_prints_every_plate_and_names_a_broken_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good = dir.path().join("car.png");
    std::fs::write(&good, scene_png()).expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_corridor"))
        .arg("read")
        .arg("--json")
        .arg(&good)
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    let parsed: Value = serde_json::from_str(stdout.trim()).expect("one JSON object");
    assert_eq!(parsed["file"], good.display().to_string());
    let plates = parsed["plates"].as_array().expect("plates");
    for plate in plates {
        assert!(
            plate["text"].is_string() && plate["confidence"].is_number(),
            "{plate}"
        );
        assert_eq!(plate["corners"].as_array().map(Vec::len), Some(4));
        assert!(["one_line", "two_line"].contains(&plate["layout"].as_str().unwrap_or("")));
    }
    if !corridor_vision::models_are_placeholders() {
        assert!(
            plates.iter().any(|plate| plate["text"] == "AB12CDE"),
            "{stdout}"
        );
    }

    let broken = dir.path().join("broken.jpg");
    std::fs::write(&broken, &encode_jpeg(&image::RgbImage::new(64, 64))[..100]).expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_corridor"))
        .arg("read")
        .arg(&good)
        .arg(&broken)
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stdout.starts_with(&format!("{}: ", good.display())),
        "{stdout}"
    );
    assert!(stderr.contains(&broken.display().to_string()), "{stderr}");
    assert!(stderr.contains("cannot decode the JPEG image"), "{stderr}");
    assert!(
        stderr.contains("1 of 2 images could not be read"),
        "{stderr}"
    );
}

#[test]
fn a_posted_camera_image_becomes_a_stored_read_and_a_hotlist_alert() {
    let server = TestServer::start(env!("CARGO_BIN_EXE_corridor")).expect("server starts");
    let operator = server.client_as("operator");
    let reply = operator
        .put_json("/api/v1/cameras", &cameras_json(2))
        .expect("cameras");
    assert_eq!(reply.status, 200, "{}", reply.text);
    let camera_id = first_camera_id(&operator);
    let image = scene_png();
    let upload = |ts: &str| {
        operator
            .post(
                &format!("/api/v1/cameras/{camera_id}/images?ts={ts}"),
                "image/png",
                image.clone(),
            )
            .expect("the server answers")
    };

    // The first sighting tells which plate the embedded models read (the placeholders
    // read something arbitrary but fixed); then that plate is hotlisted.
    let first = upload(&minutes_ago(10));
    assert_eq!(first.status, 200, "{}", first.text);
    let reads = first.json["reads"].as_array().expect("reads").clone();
    assert!(!reads.is_empty(), "a plate is read: {}", first.text);
    let plate = reads[0]["plate"].as_str().expect("plate").to_owned();
    if !corridor_vision::models_are_placeholders() {
        assert_eq!(plate, "AB12CDE", "{}", first.text);
        assert_eq!(reads[0]["colour"], "red", "{}", first.text);
    }
    assert_eq!(first.json["ingest"]["n_new"], reads.len());
    let analyst = server.client_as("analyst");
    let entry = analyst
        .post_json(
            "/api/v1/hotlist",
            &json!({"plate": plate, "country": "any", "reason": "stolen", "handling": "observe", "sharing": "national"}),
        )
        .expect("hotlist");
    assert_eq!(entry.status, 200, "{}", entry.text);

    let ts = minutes_ago(5);
    let second = upload(&ts);
    assert_eq!(second.status, 200, "{}", second.text);
    let read_id = second.json["reads"][0]["read_id"]
        .as_str()
        .expect("read id")
        .to_owned();
    assert!(
        second.json["ingest"]["n_alerts"].as_u64() >= Some(1),
        "{}",
        second.text
    );
    let alerts = operator.get_json("/api/v1/alerts").expect("alerts");
    let alerted: Vec<&Value> = alerts.json["alerts"]
        .as_array()
        .expect("alerts")
        .iter()
        .filter(|alert| alert["read_id"] == read_id.as_str())
        .collect();
    assert_eq!(alerted.len(), 1, "{}", alerts.text);

    // A retried upload stores nothing new and raises nothing new.
    let retry = upload(&ts);
    assert_eq!(retry.status, 200, "{}", retry.text);
    assert_eq!(retry.json["reads"][0]["read_id"], read_id.as_str());
    assert_eq!(retry.json["ingest"]["n_new"], 0, "{}", retry.text);
    assert_eq!(retry.json["ingest"]["n_alerts"], 0, "{}", retry.text);

    let history = analyst
        .get_json(&format!("/api/v1/history?plate={plate}"))
        .expect("history");
    assert_eq!(history.status, 200, "{}", history.text);
    let stored = history.json["reads"].as_array().expect("reads");
    let stored_read = stored
        .iter()
        .find(|read| read["read_id"] == read_id.as_str());
    let stored_read =
        stored_read.unwrap_or_else(|| panic!("{read_id} is stored: {}", history.text));
    assert_eq!(stored_read["camera_id"], camera_id.as_str());
    assert!(stored_read["confidence"].is_number());

    let crop_sha256 = second.json["reads"][0]["crop_sha256"]
        .as_str()
        .expect("crop hash");
    let crop = analyst
        .get_json(&format!("/api/v1/images/{crop_sha256}"))
        .expect("crop");
    assert_eq!(crop.status, 200);
    let stored_crop = server
        .data_dir()
        .join("images")
        .join(&crop_sha256[..2])
        .join(format!("{crop_sha256}.png"));
    assert!(stored_crop.is_file(), "{}", stored_crop.display());
    let by_operator = operator
        .get_json(&format!("/api/v1/images/{crop_sha256}"))
        .expect("crop");
    assert_eq!(by_operator.status, 403, "{}", by_operator.text);
}

#[test]
fn bad_uploads_are_refused_with_the_reason() {
    let server = TestServer::start(env!("CARGO_BIN_EXE_corridor")).expect("server starts");
    let operator = server.client_as("operator");
    let reply = operator
        .put_json("/api/v1/cameras", &cameras_json(1))
        .expect("cameras");
    assert_eq!(reply.status, 200, "{}", reply.text);
    let unknown = operator
        .post(
            "/api/v1/cameras/NO-SUCH-CAMERA/images",
            "image/png",
            scene_png(),
        )
        .expect("answers");
    assert_eq!(unknown.status, 404, "{}", unknown.text);
    assert!(
        unknown.text.contains("unknown camera `NO-SUCH-CAMERA`"),
        "{}",
        unknown.text
    );
    let camera_id = first_camera_id(&operator);
    let path = format!("/api/v1/cameras/{camera_id}/images");
    let truncated = operator
        .post(&path, "image/png", scene_png()[..300].to_vec())
        .expect("answers");
    assert_eq!(truncated.status, 400, "{}", truncated.text);
    assert_eq!(
        truncated.json["error"]["code"], "bad_image",
        "{}",
        truncated.text
    );
    assert!(
        truncated.text.contains("cannot decode the PNG image"),
        "{}",
        truncated.text
    );
    let text = operator
        .post(&path, "text/plain", b"hello".to_vec())
        .expect("answers");
    assert_eq!(text.status, 415, "{}", text.text);
    let bad_ts = operator
        .post(&format!("{path}?ts=yesterday"), "image/png", scene_png())
        .expect("answers");
    assert_eq!(bad_ts.status, 400, "{}", bad_ts.text);
    let analyst = server.client_as("analyst");
    let refused = analyst
        .post(&path, "image/png", scene_png())
        .expect("answers");
    assert_eq!(
        refused.status, 403,
        "analysts do not ingest: {}",
        refused.text
    );
}

fn first_camera_id(client: &corridor_testkit::HttpClient) -> String {
    let cameras = client.get_json("/api/v1/cameras").expect("cameras");
    cameras.json["cameras"][0]["camera_id"]
        .as_str()
        .expect("a camera")
        .to_owned()
}

fn minutes_ago(minutes: i64) -> String {
    let ts = chrono::Utc::now() - chrono::Duration::minutes(minutes);
    ts.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
