//! Retention on real files: expired data gone from every file, held data kept, and the report.

use crate::fixtures::{DAY, NOW, files_under};
use corridor_safeguards::retention::{
    DataKind, LegalHold, LegalHolds, Period, PurgeShape, RetentionItem, RetentionPolicy,
    RetentionRule, RetentionTarget, apply_retention, plan_purge, read_reports, record_report,
};
use corridor_safeguards::{Result, SafeguardsError};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn rule(kind: DataKind, country: Option<&str>, period: Period) -> RetentionRule {
    RetentionRule {
        kind,
        country: country.map(str::to_owned),
        agreement: None,
        period,
    }
}

fn policy() -> RetentionPolicy {
    RetentionPolicy {
        rules: vec![
            rule(DataKind::Reads, None, Period::Months(12)),
            rule(DataKind::Reads, Some("NL"), Period::Days(28)),
            rule(DataKind::Reads, Some("BE"), Period::Months(1)),
            rule(DataKind::Images, None, Period::Days(30)),
            rule(DataKind::Images, Some("NL"), Period::Days(28)),
            rule(DataKind::Hits, None, Period::Months(6)),
            rule(DataKind::Audit, None, Period::Days(6 * 365)),
        ],
    }
}

/// A directory of reads, one CSV per country (`read_id,plate,ts_micros`), and one image
/// file per read that has one: a stand-in for a store, on real files.
struct ReadFiles {
    dir: PathBuf,
}

impl ReadFiles {
    fn create(dir: &Path, rows: &[(&str, &str, &str, i64, bool)]) -> ReadFiles {
        std::fs::create_dir_all(dir.join("images")).unwrap();
        for country in ["NL", "BE", "GB"] {
            let mut csv = String::from("read_id,plate,ts\n");
            for (read_id, plate, row_country, age_days, has_image) in rows {
                if *row_country == country {
                    csv.push_str(&format!("{read_id},{plate},{}\n", NOW - age_days * DAY));
                    if *has_image {
                        std::fs::write(
                            dir.join("images").join(format!("{read_id}.jpg")),
                            format!("JPEG of {plate}"),
                        )
                        .unwrap();
                    }
                }
            }
            std::fs::write(dir.join(format!("{country}.csv")), csv).unwrap();
        }
        ReadFiles {
            dir: dir.to_owned(),
        }
    }

    fn rows(&self) -> Vec<(String, String, String, i64)> {
        let mut rows = Vec::new();
        for country in ["NL", "BE", "GB"] {
            let text = std::fs::read_to_string(self.dir.join(format!("{country}.csv"))).unwrap();
            for line in text.lines().skip(1) {
                let fields: Vec<&str> = line.split(',').collect();
                rows.push((
                    fields[0].to_owned(),
                    fields[1].to_owned(),
                    country.to_owned(),
                    fields[2].parse().unwrap(),
                ));
            }
        }
        rows
    }
}

impl RetentionTarget for ReadFiles {
    fn name(&self) -> String {
        "read files".to_owned()
    }

    fn items(&self) -> Result<Vec<RetentionItem>> {
        let mut items = Vec::new();
        for (read_id, plate, country, ts) in self.rows() {
            let image = self.dir.join("images").join(format!("{read_id}.jpg"));
            if image.exists() {
                items.push(RetentionItem {
                    id: format!("image:{read_id}"),
                    kind: DataKind::Images,
                    ts,
                    country: Some(country.clone()),
                    agreement: None,
                    read_id: Some(read_id.clone()),
                    plate: Some(plate.clone()),
                    mentions: BTreeSet::new(),
                    read_gone: false,
                });
            }
            items.push(RetentionItem {
                id: read_id.clone(),
                kind: DataKind::Reads,
                ts,
                country: Some(country),
                agreement: None,
                read_id: Some(read_id),
                plate: Some(plate),
                mentions: BTreeSet::new(),
                read_gone: false,
            });
        }
        Ok(items)
    }

    fn purge(&mut self, ids: &BTreeSet<String>) -> Result<u64> {
        let mut n_deleted = 0;
        for country in ["NL", "BE", "GB"] {
            let path = self.dir.join(format!("{country}.csv"));
            let text = std::fs::read_to_string(&path)
                .map_err(|err| SafeguardsError::Conflict(err.to_string()))?;
            let mut kept = String::new();
            for (line_idx, line) in text.lines().enumerate() {
                let read_id = line.split(',').next().unwrap_or_default();
                if line_idx > 0 && ids.contains(read_id) {
                    n_deleted += 1;
                } else {
                    kept.push_str(line);
                    kept.push('\n');
                }
            }
            std::fs::write(&path, kept)
                .map_err(|err| SafeguardsError::Conflict(err.to_string()))?;
        }
        for id in ids.iter().filter_map(|id| id.strip_prefix("image:")) {
            std::fs::remove_file(self.dir.join("images").join(format!("{id}.jpg")))
                .map_err(|err| SafeguardsError::Conflict(err.to_string()))?;
            n_deleted += 1;
        }
        Ok(n_deleted)
    }
}

fn all_bytes_under(dir: &Path) -> String {
    let mut text = String::new();
    for (path, contents) in files_under(dir) {
        text.push_str(&path.display().to_string());
        text.push('\n');
        text.push_str(&contents);
    }
    text
}

#[test]
fn expired_data_is_gone_from_every_file_and_held_data_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("reads");
    let mut files = ReadFiles::create(
        &data,
        &[
            ("r-nl-fresh", "NLFRESH1", "NL", 20, true),
            ("r-nl-old", "NLOLD001", "NL", 30, true),
            ("r-nl-held", "NLHELD01", "NL", 30, true),
            ("r-be-old", "BEOLD001", "BE", 32, false),
            ("r-be-fresh", "BEFRESH1", "BE", 29, false),
            ("r-gb-mid", "GBMID001", "GB", 200, true),
            ("r-gb-old", "GBOLD001", "GB", 400, false),
            ("r-gb-held", "GBHELD01", "GB", 400, true),
        ],
    );
    let holds = LegalHolds::open(&dir.path().join("holds.json")).unwrap();
    holds
        .place(LegalHold {
            case_ref: "OP-TIDE/1".into(),
            read_ids: BTreeSet::from(["r-gb-held".to_owned()]),
            plates: BTreeSet::from(["NLHELD01".to_owned()]),
            placed_by: "sue".into(),
            placed_at: NOW - 100 * DAY,
        })
        .unwrap();
    let report = apply_retention(&policy(), &holds.list(), &mut [&mut files], NOW).unwrap();

    let everything = all_bytes_under(&data);
    for gone in [
        "NLOLD001",
        "r-nl-old",
        "BEOLD001",
        "GBOLD001",
        "JPEG of GBMID001",
    ] {
        assert!(
            !everything.contains(gone),
            "{gone} survived retention:\n{everything}"
        );
    }
    for kept in [
        "NLFRESH1",
        "NLHELD01",
        "JPEG of NLHELD01",
        "BEFRESH1",
        "GBMID001",
        "GBHELD01",
        "JPEG of GBHELD01",
        "JPEG of NLFRESH1",
    ] {
        assert!(
            everything.contains(kept),
            "{kept} was deleted:\n{everything}"
        );
    }
    let counts = &report.counts["read files"];
    assert_eq!(counts["reads/NL"].n_deleted, 1);
    assert_eq!(counts["reads/NL"].n_kept_under_hold, 1);
    assert_eq!(counts["reads/NL"].n_kept, 1);
    assert_eq!(counts["reads/BE"].n_deleted, 1);
    assert_eq!(counts["reads/GB"].n_deleted, 1);
    assert_eq!(counts["reads/GB"].n_kept_under_hold, 1);
    assert_eq!(counts["images/NL"].n_deleted, 1);
    assert_eq!(
        counts["images/GB"].n_deleted, 1,
        "the 200-day image is past 30 days"
    );
    assert_eq!(counts["images/GB"].n_kept_under_hold, 1);
    assert_eq!(report.held["r-gb-held"], vec!["OP-TIDE/1"]);
    assert_eq!(report.held["image:r-nl-held"], vec!["OP-TIDE/1"]);

    let reports_path = dir.path().join("retention_reports.jsonl");
    record_report(&reports_path, &report).unwrap();
    assert_eq!(read_reports(&reports_path).unwrap(), vec![report]);

    // A second run finds nothing more to delete.
    let again = apply_retention(&policy(), &holds.list(), &mut [&mut files], NOW).unwrap();
    assert!(
        again.counts["read files"]
            .values()
            .all(|counts| counts.n_deleted == 0)
    );
}

#[test]
fn released_hold_lets_retention_delete() {
    let dir = tempfile::tempdir().unwrap();
    let holds = LegalHolds::open(&dir.path().join("holds.json")).unwrap();
    holds
        .place(LegalHold {
            case_ref: "OP-1".into(),
            read_ids: BTreeSet::from(["r-1".to_owned()]),
            plates: BTreeSet::new(),
            placed_by: "sue".into(),
            placed_at: NOW,
        })
        .unwrap();
    let item = RetentionItem {
        id: "r-1".into(),
        kind: DataKind::Reads,
        ts: NOW - 400 * DAY,
        country: Some("GB".into()),
        agreement: None,
        read_id: Some("r-1".into()),
        plate: Some("AB12CDE".into()),
        mentions: BTreeSet::new(),
        read_gone: false,
    };
    let held = plan_purge(
        &policy(),
        &LegalHolds::open(&dir.path().join("holds.json"))
            .unwrap()
            .list(),
        std::slice::from_ref(&item),
        PurgeShape::Any,
        NOW,
    );
    assert!(held.purge.is_empty());
    holds.release("OP-1").unwrap();
    let released = plan_purge(&policy(), &holds.list(), &[item], PurgeShape::Any, NOW);
    assert_eq!(released.purge, BTreeSet::from(["r-1".to_owned()]));
    assert!(
        holds.release("OP-1").is_err(),
        "releasing twice names the missing hold"
    );
}

#[test]
fn the_shortest_matching_period_wins_and_agreements_count() {
    let mut policy = policy();
    policy.rules.push(RetentionRule {
        kind: DataKind::Reads,
        country: None,
        agreement: Some("nl-kmar".into()),
        period: Period::Days(7),
    });
    let item = |agreement: Option<&str>| RetentionItem {
        id: "r".into(),
        kind: DataKind::Reads,
        ts: NOW - 10 * DAY,
        country: Some("GB".into()),
        agreement: agreement.map(str::to_owned),
        read_id: None,
        plate: None,
        mentions: BTreeSet::new(),
        read_gone: false,
    };
    assert_eq!(
        policy.cutoff_for(&item(Some("nl-kmar")), NOW),
        Some(NOW - 7 * DAY)
    );
    assert!(
        plan_purge(&policy, &[], &[item(None)], PurgeShape::Any, NOW)
            .purge
            .is_empty()
    );
    assert_eq!(
        plan_purge(&policy, &[], &[item(Some("nl-kmar"))], PurgeShape::Any, NOW)
            .purge
            .len(),
        1
    );
}

#[test]
fn a_policy_without_a_default_for_a_kind_is_rejected() {
    let mut policy = policy();
    policy.rules.retain(|rule| rule.kind != DataKind::Hits);
    let err = apply_retention(&policy, &[], &mut [], NOW).unwrap_err();
    assert!(
        err.to_string().contains("no default period for Hits"),
        "{err}"
    );
}

#[test]
fn one_month_is_a_calendar_month() {
    // 2026-11-30 minus one month is 2026-10-30: 31 days.
    assert_eq!(Period::Months(1).cutoff(NOW), NOW - 31 * DAY);
}
