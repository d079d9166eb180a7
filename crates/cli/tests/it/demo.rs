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
