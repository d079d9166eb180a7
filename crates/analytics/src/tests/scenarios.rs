//! Accuracy on small simulator scenarios, scored as `analytics-eval` scores the large
//! ones (see docs/analytics.md for the tables of the large ones).
//!
//! `cargo test --workspace --lib -- issue_4 --nocapture` prints one line per scenario and
//! mode; those lines are the small scenarios' accuracy table in docs/analytics-history.md.

use crate::eval::{Scores, missed_routes, score, truth_read_ids};
use crate::{AnalysisConfig, AnalysisInput, Report, analyse};
use corridor_domain::PlateText;
use corridor_sim::ScenarioConfig;
use std::collections::HashMap;

/// Scenario seeds; none was used while the algorithms were first written (those were 7
/// and 8).
const SCENARIO_SEEDS: [u64; 4] = [4242, 1, 2, 3];
const SCENARIO_READS: u64 = 200_000;

fn run(scenario_seed: u64, seeded: bool) -> (Report, Scores) {
    let config = ScenarioConfig::new(scenario_seed, SCENARIO_READS);
    let scenario = corridor_sim::generate_in_memory(&config).expect("the simulator runs");
    let wanted = truth_read_ids(&scenario.truth);
    let read_plates: HashMap<String, String> = scenario
        .reads
        .iter()
        .filter(|read| wanted.contains(&read.read_id))
        .map(|read| (read.read_id.clone(), read.plate.as_str().to_owned()))
        .collect();
    let seeds = if seeded {
        scenario
            .truth
            .seeds
            .iter()
            .map(|seed| PlateText::parse(&seed.plate).expect("seed plates are valid"))
            .collect()
    } else {
        Vec::new()
    };
    let input = AnalysisInput {
        reads: vec![corridor_store::schema::reads_to_batch(&scenario.reads)],
        cameras: scenario.cameras.clone(),
        seeds,
        window: None,
    };
    let report = analyse(&input, &AnalysisConfig::default()).expect("analysis runs");
    let json = serde_json::to_value(&report).expect("reports serialise");
    let scores = score(&json, &scenario.truth, &read_plates);
    // `--explain` lists as missed the planted routes the score counts as not recovered.
    let missed = missed_routes(&json, &scenario.truth);
    let recovered = scores.routes_recall.map_or(0, |share| {
        (share * scores.routes_planted as f64).round() as usize
    });
    assert_eq!(
        missed.len(),
        scores.routes_planted - recovered,
        "{missed:?}"
    );
    let mut bare = json.clone();
    bare["routes"] = serde_json::json!([]);
    let unreported = missed_routes(&bare, &scenario.truth);
    assert_eq!(unreported.len(), scores.routes_planted);
    assert!(
        unreported
            .iter()
            .all(|line| line.ends_with("no route reported"))
    );
    eprintln!("{}", table_row(scenario_seed, seeded, &scores));
    (report, scores)
}

/// One row of the accuracy table in docs/analytics-history.md.
fn table_row(scenario_seed: u64, seeded: bool, scores: &Scores) -> String {
    let f = |value: Option<f64>| value.map_or("-".to_owned(), |v| format!("{v:.2}"));
    format!(
        "| {scenario_seed} | {} | {} / {} | {} / {} | {} / {} | {} / {} | {} | {} |",
        if seeded { "seeded" } else { "discovery" },
        f(scores.hubs.precision),
        f(scores.hubs.recall),
        f(scores.convoys.precision),
        f(scores.convoys.recall),
        f(scores.clones.precision),
        f(scores.clones.recall),
        f(scores.swaps.precision),
        f(scores.swaps.recall),
        f(scores.routes_recall),
        f(scores.ranked_precision_at_k),
    )
}

#[track_caller]
fn at_least(what: &str, value: Option<f64>, target: f64, scores: &Scores) {
    let value = value.unwrap_or_else(|| panic!("{what}: nothing to measure in {scores:#?}"));
    assert!(
        value >= target,
        "{what} = {value:.3} < {target}: {scores:#?}"
    );
}

#[test]
#[ignore = "TODO(#4): met on seed 4242 (convoys 1.00/1.00), not on every seed: convoy recall 0.62 on seed 1, 0.83 on seed 3; run with --ignored; see docs/analytics-history.md"]
fn issue_4_discovery_on_a_small_scenario_meets_the_accuracy_targets() {
    let (_, scores) = run(SCENARIO_SEEDS[0], false);
    at_least("convoy precision", scores.convoys.precision, 0.9, &scores);
    at_least("convoy recall", scores.convoys.recall, 0.9, &scores);
    at_least("clone precision", scores.clones.precision, 0.95, &scores);
    at_least("clone recall", scores.clones.recall, 0.95, &scores);
}

#[test]
#[ignore = "TODO(#4): met on seed 4242 (hubs 1.00/1.00, P@k 0.87), not on every seed: hub precision 0.80 on seed 2, hub recall 0.75 on seed 1; run with --ignored; see docs/analytics-history.md"]
fn issue_4_seeded_analysis_on_a_small_scenario_meets_the_accuracy_targets() {
    let (report, scores) = run(SCENARIO_SEEDS[0], true);
    assert!(!report.ranked_vehicles.is_empty());
    at_least("hub precision", scores.hubs.precision, 0.9, &scores);
    at_least("hub recall", scores.hubs.recall, 0.9, &scores);
    at_least(
        "ranked precision at k",
        scores.ranked_precision_at_k,
        0.8,
        &scores,
    );
    at_least("routes recovered", scores.routes_recall, 0.9, &scores);
}

/// Floors under the accuracy measured on every scenario seed when this test was written
/// (the small scenarios' table in docs/analytics-history.md), so that a change that loses
/// accuracy fails; below the issue's targets where those are not reached yet.
#[test]
fn issue_4_discovery_accuracy_does_not_regress() {
    for scenario_seed in SCENARIO_SEEDS {
        let (_, scores) = run(scenario_seed, false);
        // 0.97 to 1.00 since a pair on few occasions must be unlikely for any vehicle.
        at_least("convoy precision", scores.convoys.precision, 0.9, &scores);
        // 0.54 on seed 1 since convoys are scored against how far the traffic carries on
        // (precision 0.89 -> 1.00 there; 0.62 before).
        at_least("convoy recall", scores.convoys.recall, 0.5, &scores);
        at_least("hub precision", scores.hubs.precision, 0.8, &scores);
        at_least("hub recall", scores.hubs.recall, 0.5, &scores);
        at_least("clone precision", scores.clones.precision, 0.95, &scores);
        at_least("clone recall", scores.clones.recall, 0.95, &scores);
        at_least("routes recovered", scores.routes_recall, 0.9, &scores);
        at_least(
            "ranked precision at k",
            scores.ranked_precision_at_k,
            0.8,
            &scores,
        );
    }
}

/// As [`issue_4_discovery_accuracy_does_not_regress`], with the scenario's seeds.
#[test]
fn issue_4_seeded_accuracy_does_not_regress() {
    for scenario_seed in SCENARIO_SEEDS {
        let (report, scores) = run(scenario_seed, true);
        assert!(!report.ranked_vehicles.is_empty());
        // 1.00 on every seed since a pair on few occasions must be unlikely for any vehicle.
        at_least("convoy precision", scores.convoys.precision, 0.9, &scores);
        // 0.62 on seed 1 since a partner tied to the network by one weak convoy alone is
        // dropped (0.69 before; precision 0.89 -> 0.94 on seed 4242, and 0.890 -> 0.950
        // pooled over the 20 scenarios of 1M reads for 0.898 -> 0.889 recall).
        at_least("convoy recall", scores.convoys.recall, 0.6, &scores);
        at_least("hub precision", scores.hubs.precision, 0.8, &scores);
        at_least("hub recall", scores.hubs.recall, 0.7, &scores);
        at_least("clone precision", scores.clones.precision, 0.95, &scores);
        at_least("clone recall", scores.clones.recall, 0.95, &scores);
        at_least("routes recovered", scores.routes_recall, 0.9, &scores);
        at_least(
            "ranked precision at k",
            scores.ranked_precision_at_k,
            0.85,
            &scores,
        );
    }
}

/// The report is the same however many threads worked on it: the steps that share plates
/// among the cores (misread links, the reach, convoys, journeys, swaps) merge their parts
/// in plate order. One, two and three threads, on a scenario with a network, seeds and
/// discovery both.
#[test]
fn a_report_is_the_same_whatever_the_threads() {
    let config = ScenarioConfig::new(SCENARIO_SEEDS[1], 60_000);
    let scenario = corridor_sim::generate_in_memory(&config).expect("the simulator runs");
    let seeds: Vec<PlateText> = scenario
        .truth
        .seeds
        .iter()
        .map(|seed| PlateText::parse(&seed.plate).expect("seed plates are valid"))
        .collect();
    for seeds in [Vec::new(), seeds] {
        let input = AnalysisInput {
            reads: vec![corridor_store::schema::reads_to_batch(&scenario.reads)],
            cameras: scenario.cameras.clone(),
            seeds,
            window: None,
        };
        let report_with = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("a thread pool");
            let mut report = pool
                .install(|| analyse(&input, &AnalysisConfig::default()))
                .expect("analysis runs");
            report.timings_ms.clear();
            serde_json::to_value(&report).expect("reports serialise")
        };
        let one = report_with(1);
        assert!(
            one["convoys"]
                .as_array()
                .is_some_and(|convoys| !convoys.is_empty()),
            "the scenario has convoys to find"
        );
        for threads in [2, 3] {
            assert!(one == report_with(threads), "{threads} threads");
        }
    }
}

#[test]
fn the_clock_and_clone_track_scores_count_what_the_truth_planted() {
    let config = ScenarioConfig::new(4242, SCENARIO_READS);
    let truth = corridor_sim::generate_in_memory(&config)
        .expect("the simulator runs")
        .truth;
    let planted: Vec<_> = truth
        .camera_faults
        .skews
        .iter()
        .filter(|skew| skew.skew_secs.abs() >= crate::eval::CLOCK_SCORED_SECS_MIN)
        .collect();
    let clone = truth.clones.first().expect("the scenario plants a clone");
    assert!(!planted.is_empty());
    // Every planted skew, 2 s out, and one camera with nothing planted; the clone's two
    // vehicles in two tracks, but one read of each in the other's track.
    let mut skews: Vec<serde_json::Value> = planted
        .iter()
        .map(|skew| serde_json::json!({"camera_id": skew.camera_id, "skew_secs": skew.skew_secs + 2.0}))
        .collect();
    skews.push(serde_json::json!({"camera_id": "NO-SUCH-CAMERA", "skew_secs": 60.0}));
    let (innocent, cloner) = (&clone.innocent.read_ids, &clone.cloner.read_ids);
    let mut first: Vec<&String> = innocent[1..].iter().collect();
    first.push(&cloner[0]);
    let mut second: Vec<&String> = cloner[1..].iter().collect();
    second.push(&innocent[0]);
    let report = serde_json::json!({
        "camera_skews": skews,
        "clones": [{"plate": clone.plate.plate, "kind": "impossible_journey", "tracks": [first, second]}],
    });
    let scores = score(&report, &truth, &HashMap::new());
    let clocks = scores.camera_clocks.expect("the report has camera_skews");
    assert_eq!(
        (
            clocks.true_reported,
            clocks.reported,
            clocks.found,
            clocks.planted
        ),
        (
            planted.len(),
            planted.len() + 1,
            planted.len(),
            planted.len()
        )
    );
    assert_eq!(scores.camera_clock_error_secs, Some(2.0));
    let n = (innocent.len() + cloner.len()) as f64;
    let right = scores
        .clone_tracks_right
        .expect("a planted clone was reported");
    assert!((right - (n - 2.0) / n).abs() < 1e-9, "{right}");
    // A report with no clocks at all is not scored on them.
    assert_eq!(
        score(&serde_json::json!({}), &truth, &HashMap::new()).camera_clocks,
        None
    );
}
