//! Accuracy on a small simulator scenario, scored as `analytics-eval` scores the large
//! ones (see docs/analytics.md for the full tables).

use crate::eval::{Scores, score, truth_read_ids};
use crate::{AnalysisConfig, AnalysisInput, Report, analyse};
use corridor_domain::PlateText;
use corridor_sim::ScenarioConfig;
use std::collections::HashMap;

/// A scenario seed not used while developing the algorithms (those were 7 and 8).
const SCENARIO_SEED: u64 = 4242;
const SCENARIO_READS: u64 = 200_000;

fn run(seeded: bool) -> (Report, Scores) {
    let config = ScenarioConfig::new(SCENARIO_SEED, SCENARIO_READS);
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
    (report, scores)
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
#[ignore = "TODO(#4): accuracy below the issue's targets; run with --ignored while tuning"]
fn issue_4_discovery_on_a_small_scenario_meets_the_accuracy_targets() {
    let (_, scores) = run(false);
    at_least("convoy precision", scores.convoys.precision, 0.9, &scores);
    at_least("convoy recall", scores.convoys.recall, 0.9, &scores);
    at_least("clone precision", scores.clones.precision, 0.95, &scores);
    at_least("clone recall", scores.clones.recall, 0.95, &scores);
}

#[test]
#[ignore = "TODO(#4): accuracy below the issue's targets; run with --ignored while tuning"]
fn issue_4_seeded_analysis_on_a_small_scenario_meets_the_accuracy_targets() {
    let (report, scores) = run(true);
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
