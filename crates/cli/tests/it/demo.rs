//! `corridor demo --no-serve` end to end at a small size: simulate, import, analyse, report.

use crate::support::{corridor, stdout_of};

#[test]
fn demo_simulates_ingests_analyses_and_reports_against_the_truth() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("demo-data");
    let data = data.to_str().expect("utf-8 path");
    let args = [
        "demo",
        "--data",
        data,
        "--reads",
        "20000",
        "--days",
        "4",
        "--seed",
        "5",
        "--no-serve",
    ];
    let stdout = stdout_of(&corridor(&args));
    assert!(stdout.contains("Corridor demo:"), "{stdout}");
    assert!(stdout.contains("Planted: "), "{stdout}");
    assert!(stdout.contains("hubs:"), "{stdout}");
    assert!(
        stdout.contains("Seeds (known to the investigator):"),
        "{stdout}"
    );
    let truth = corridor_sim::Truth::load(&dir.path().join("demo-data/scenario/truth.json"))
        .expect("truth.json written");
    assert!(
        truth.params.n_reads_written > 15_000,
        "{}",
        truth.params.n_reads_written
    );
    for seed in &truth.seeds {
        assert!(
            stdout.contains(&seed.plate),
            "the report names seed {}",
            seed.plate
        );
    }
    // Who travels with each seed, searched straight from the store the demo filled.
    let plates: Vec<&str> = truth.seeds.iter().map(|seed| seed.plate.as_str()).collect();
    let plates = plates.join(",");
    let json_path = dir.path().join("convoys.json");
    let json_arg = json_path.to_str().expect("utf-8 path");
    let out = stdout_of(&corridor(&[
        "convoys", "--data", data, "--plate", &plates, "--json", json_arg,
    ]));
    for seed in &truth.seeds {
        assert!(out.contains(&format!("{}: ", seed.plate)), "{out}");
    }
    // The demo's analysis recorded its camera clock estimates for the search to apply.
    let register: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("demo-data/clock.json")).expect("clock.json recorded"),
    )
    .expect("clock.json is JSON");
    let n_corrected = register["cameras"].as_array().expect("cameras").len();
    assert!(
        out.contains(&format!(
            "Camera clocks: {n_corrected} corrections from the register"
        )),
        "{out}"
    );
    // Re-estimated on demand, over a window.
    let clocks = stdout_of(&corridor(&[
        "store",
        "--data",
        data,
        "clocks",
        "--from",
        "2026-01-01",
    ]));
    assert!(clocks.contains("cameras have a clock error"), "{clocks}");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json_path).expect("convoys.json written"))
            .expect("convoys.json is JSON");
    let results = json.as_array().expect("one entry per plate");
    assert_eq!(results.len(), truth.seeds.len());
    let mut n_convoys = 0;
    for (result, seed) in results.iter().zip(&truth.seeds) {
        assert_eq!(result["plate"], seed.plate.as_str());
        assert!(result["n_reads"].as_u64() > Some(0), "{result}");
        for convoy in result["convoys"].as_array().expect("convoys") {
            assert_eq!(convoy["plates"][0], seed.plate.as_str(), "{convoy}");
            assert!(convoy["occasions"].as_u64() >= Some(2), "{convoy}");
            assert!(!convoy["read_ids"].as_array().expect("ids").is_empty());
            n_convoys += 1;
        }
    }
    assert!(n_convoys > 0, "the seeds' convoy partners are found: {out}");
    let refused = corridor(&["convoys", "--data", data, "--plate", "AB!12"]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("--plate: `AB!12` is not a plate"),
        "{stderr}"
    );
    // A second run reuses the scenario and the store instead of importing twice.
    let again = stdout_of(&corridor(&args));
    assert!(
        again.contains(&format!(
            "Corridor demo: {} reads",
            truth.params.n_reads_written
        )),
        "{again}"
    );
}
