//! Unusual query patterns raise alerts for auditors, and only then.

use crate::fixtures::{DAY, HOUR, NOW};
use corridor_safeguards::anomaly::{AlertKind, AnomalyRules, QueryEvent, QueryPatternMonitor};

fn event(user: &str, ts: i64, plates: &[String], case_ref: Option<&str>) -> QueryEvent {
    QueryEvent {
        user: user.to_owned(),
        ts,
        plates: plates.to_vec(),
        case_ref: case_ref.map(str::to_owned),
    }
}

fn plates(prefix: &str, n: usize) -> Vec<String> {
    (0..n)
        .map(|plate_idx| format!("{prefix}{plate_idx:03}"))
        .collect()
}

#[test]
fn a_burst_far_above_the_users_baseline_raises_one_alert() {
    let dir = tempfile::tempdir().unwrap();
    let monitor =
        QueryPatternMonitor::new(AnomalyRules::default(), &dir.path().join("alerts.jsonl"));
    // A week of ordinary work: 3 plates an hour, during the day.
    for day in (1..=7).rev() {
        for hour in 0..3 {
            let ts = NOW - day * DAY + hour * HOUR;
            let alerts = monitor
                .observe(event(
                    "ana",
                    ts,
                    &plates(&format!("D{day}H{hour}"), 3),
                    Some("OP-1"),
                ))
                .unwrap();
            assert!(alerts.is_empty(), "ordinary work raised {alerts:?}");
        }
    }
    // Then 40 distinct plates within an hour.
    let mut raised = Vec::new();
    for batch in 0..4 {
        let batch_plates = plates(&format!("B{batch}"), 10);
        raised.extend(
            monitor
                .observe(event(
                    "ana",
                    NOW + batch * 60_000_000,
                    &batch_plates,
                    Some("OP-1"),
                ))
                .unwrap(),
        );
    }
    assert_eq!(raised.len(), 1, "{raised:?}");
    assert_eq!(raised[0].kind, AlertKind::PlateBurst);
    assert!(
        raised[0].detail.starts_with("30 distinct plates"),
        "{}",
        raised[0].detail
    );
    assert_eq!(monitor.alerts().unwrap(), raised, "alerts are persisted");
}

#[test]
fn a_high_baseline_user_is_not_flagged_for_their_usual_volume() {
    let dir = tempfile::tempdir().unwrap();
    let monitor =
        QueryPatternMonitor::new(AnomalyRules::default(), &dir.path().join("alerts.jsonl"));
    for day in (1..=5).rev() {
        let ts = NOW - day * DAY;
        monitor
            .observe(event(
                "bureau",
                ts,
                &plates(&format!("D{day}"), 40),
                Some("OP-2"),
            ))
            .unwrap();
    }
    let alerts = monitor
        .observe(event("bureau", NOW, &plates("T", 40), Some("OP-2")))
        .unwrap();
    assert!(alerts.is_empty(), "{alerts:?}");
}

#[test]
fn a_search_at_night_raises_an_alert_once_per_night() {
    let dir = tempfile::tempdir().unwrap();
    let monitor =
        QueryPatternMonitor::new(AnomalyRules::default(), &dir.path().join("alerts.jsonl"));
    let night = NOW - 10 * HOUR; // 02:00 UTC
    let first = monitor
        .observe(event("ana", night, &plates("N", 1), Some("OP-1")))
        .unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].kind, AlertKind::OutsideWorkingHours);
    assert!(first[0].detail.contains("02h"), "{}", first[0].detail);
    let second = monitor
        .observe(event("ana", night + HOUR, &plates("M", 1), Some("OP-1")))
        .unwrap();
    assert!(second.is_empty());
    let day = monitor
        .observe(event("ana", NOW, &plates("P", 1), Some("OP-1")))
        .unwrap();
    assert!(day.is_empty(), "noon is inside working hours");
}

#[test]
fn one_plate_searched_repeatedly_without_a_case_raises_an_alert() {
    let dir = tempfile::tempdir().unwrap();
    let monitor =
        QueryPatternMonitor::new(AnomalyRules::default(), &dir.path().join("alerts.jsonl"));
    let neighbour = vec!["XY99ZZZ".to_owned()];
    assert!(
        monitor
            .observe(event("eve", NOW, &neighbour, None))
            .unwrap()
            .is_empty()
    );
    assert!(
        monitor
            .observe(event("eve", NOW + DAY, &neighbour, None))
            .unwrap()
            .is_empty()
    );
    let third = monitor
        .observe(event("eve", NOW + 2 * DAY, &neighbour, None))
        .unwrap();
    assert_eq!(third.len(), 1);
    assert_eq!(third[0].kind, AlertKind::RepeatedPlateWithoutCase);
    // Another user searching the same plate under one case raises nothing.
    for day in 0..3 {
        assert!(
            monitor
                .observe(event("ana", NOW + day * DAY, &neighbour, Some("OP-1")))
                .unwrap()
                .is_empty()
        );
    }
}

#[test]
fn one_plate_under_shifting_case_refs_raises_an_alert() {
    let dir = tempfile::tempdir().unwrap();
    let monitor =
        QueryPatternMonitor::new(AnomalyRules::default(), &dir.path().join("alerts.jsonl"));
    let plate = vec!["XY99ZZZ".to_owned()];
    monitor
        .observe(event("eve", NOW, &plate, Some("OP-1")))
        .unwrap();
    monitor
        .observe(event("eve", NOW + HOUR, &plate, Some("OP-2")))
        .unwrap();
    let alerts = monitor
        .observe(event("eve", NOW + 2 * HOUR, &plate, Some("OP-3")))
        .unwrap();
    assert_eq!(alerts.len(), 1);
    assert!(
        alerts[0].detail.contains("under 3 different cases"),
        "{}",
        alerts[0].detail
    );
}
