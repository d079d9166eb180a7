//! The targeted convoy search straight from the store finds what the same search finds
//! over every read in memory.

use crate::convoys::{self, CameraIndex, Wanted, day_span};
use crate::plans::CameraHour;
use crate::table::{FastMap, FastSet, ReadTable, hour_of_day};
use crate::traffic::Traffic;
use crate::{AnalysisConfig, AnalysisInput, TimeWindow, targeted_convoys};
use corridor_domain::{Country, PlateRead, PlateText};
use corridor_sim::ScenarioConfig;
use corridor_store::{Store, StoreConfig};

/// The scenario these tests search, in a store in `dir`: the first `tenths` tenths of its
/// reads imported into segments, the others still in the memtable.
fn scenario_in_store(dir: &std::path::Path, tenths: usize) -> (corridor_sim::Scenario, Store) {
    let scenario =
        corridor_sim::generate_in_memory(&ScenarioConfig::new(4242, 60_000)).expect("simulates");
    let store = Store::open(dir, StoreConfig::default()).unwrap();
    store.upsert_cameras(&scenario.cameras).unwrap();
    let split = scenario.reads.len() * tenths / 10;
    if split > 0 {
        let mut import = store.bulk_import();
        import.add_reads(&scenario.reads[..split]).unwrap();
        import.commit().unwrap();
    }
    store.append_durable(&scenario.reads[split..]).unwrap();
    (scenario, store)
}

/// `(plates, occasions, score)` of each pair, sorted.
type Pairs = Vec<(Vec<String>, usize, String)>;

/// The seed's partners as `analyse` finds them over every read (first hop): camera clocks
/// corrected by `skews_us` (one per camera of the table), the traffic counted from the
/// corrected table as the `camera_hour_traffic` plan counts it, under the texts read, then
/// every misread linked; `input`'s reads are in plate order, as the targeted search orders
/// its own (a pair is scored from its lower-numbered plate).
fn over_every_read(
    input: &AnalysisInput,
    seed: &str,
    skews_us: &[i64],
    config: &AnalysisConfig,
) -> Pairs {
    let mut table = ReadTable::build(input, config.reads_max).unwrap();
    crate::clock::correct(&mut table, skews_us);
    let mut cells: FastMap<(u32, u8), (u64, FastSet<u32>)> = FastMap::default();
    for row in 0..table.len() {
        let hour = hour_of_day(table.ts[row]) as u8;
        let cell = cells.entry((table.camera[row], hour)).or_default();
        cell.0 += 1;
        cell.1.insert(table.plate[row]);
    }
    let rows: Vec<CameraHour> = cells
        .into_iter()
        .map(|((camera, hour), (n_reads, plates))| CameraHour {
            camera,
            hour,
            n_reads,
            n_plates: plates.len() as u64,
        })
        .collect();
    let (first, last) = day_span(&table).unwrap();
    let traffic = Traffic::new(table.cameras.len(), (last - first + 1) as usize, &rows);
    crate::misread::link_misreads(&mut table, config);
    let index = CameraIndex::build(&table);
    let light: Vec<bool> = table.heavy_plates().iter().map(|heavy| !heavy).collect();
    let focus = table.plates_with_text(seed).to_vec();
    let wanted = Wanted::recurring(config);
    let found = convoys::partners(&table, &index, &traffic, (&focus, &light), config, wanted);
    let mut pairs: Pairs = found
        .iter()
        .map(|convoy| {
            let mut report = crate::pipeline::convoy_report(&table, convoy);
            report.plates.sort();
            (
                report.plates,
                report.occasions,
                format!("{:.6}", report.score),
            )
        })
        .collect();
    pairs.sort();
    pairs
}

#[test]
fn the_search_from_the_store_finds_the_partners_the_search_over_every_read_finds() {
    let dir = tempfile::tempdir().unwrap();
    // Most reads in segments, the last tenth in the memtable (not yet flushed).
    let (scenario, store) = scenario_in_store(dir.path(), 9);
    let config = AnalysisConfig::default();
    // What the store holds (the simulator repeats some reads, as cameras resend them).
    let mut in_plate_order: Vec<corridor_domain::PlateRead> = store
        .scan_collect(None, None)
        .unwrap()
        .iter()
        .flat_map(|batch| corridor_store::schema::batch_to_reads(batch).unwrap())
        .collect();
    in_plate_order.sort_by(|a, b| (&a.plate, a.country, a.ts).cmp(&(&b.plate, b.country, b.ts)));
    let input = AnalysisInput {
        reads: vec![corridor_store::schema::reads_to_batch(&in_plate_order)],
        cameras: scenario.cameras.clone(),
        seeds: Vec::new(),
        window: None,
    };
    // The clock errors `analyse` estimates over every read, recorded for the search.
    let skews_us = {
        let table = ReadTable::build(&input, config.reads_max).unwrap();
        crate::clock::estimate_skews(&table, &config)
    };
    let cameras: Vec<corridor_store::CameraClock> = crate::camera_clocks(&input, &config)
        .unwrap()
        .into_iter()
        .map(|skew| corridor_store::CameraClock {
            camera_id: skew.camera_id,
            skew_us: (skew.skew_secs * 1e6).round() as i64,
        })
        .collect();
    assert!(
        !cameras.is_empty(),
        "the scenario has cameras whose clock is off"
    );
    store
        .record_clock_register(&corridor_store::ClockRegister {
            estimated_at: 0,
            reads_from: 0,
            reads_to: 0,
            n_reads: in_plate_order.len() as u64,
            cameras,
        })
        .unwrap();
    let mut n_found = 0;
    for seed in &scenario.truth.seeds {
        let plate = PlateText::parse(&seed.plate).unwrap();
        let from_store = targeted_convoys(&store, &plate, None, &config).unwrap();
        let mut pairs: Pairs = from_store
            .convoys
            .iter()
            .map(|report| {
                assert_eq!(
                    report.plates[0], seed.plate,
                    "the vehicle searched comes first"
                );
                let mut plates = report.plates.clone();
                plates.sort();
                (plates, report.occasions, format!("{:.6}", report.score))
            })
            .collect();
        pairs.sort();
        assert_eq!(
            pairs,
            over_every_read(&input, &seed.plate, &skews_us, &config),
            "seed {}",
            seed.plate
        );
        assert!(
            from_store.n_candidates + from_store.n_heavy_left_out <= from_store.n_vehicles_near
        );
        n_found += pairs.len();
    }
    assert!(n_found > 0, "the seeds have partners to find");
}

#[test]
fn a_window_keeps_the_search_inside_it() {
    let dir = tempfile::tempdir().unwrap();
    let (scenario, store) = scenario_in_store(dir.path(), 0);
    let seed = PlateText::parse(&scenario.truth.seeds[0].plate).unwrap();
    let config = AnalysisConfig::default();
    let all = targeted_convoys(&store, &seed, None, &config).unwrap();
    let first_read = store
        .history(&corridor_store::HistoryQuery::plate(seed.clone()))
        .unwrap()[0]
        .ts;
    // A window holding only the seed's first read: no trips together can recur in it.
    let window = TimeWindow {
        from: first_read,
        to: first_read + 1,
    };
    let narrow = targeted_convoys(&store, &seed, Some(window), &config).unwrap();
    assert!(all.n_reads > 1);
    assert_eq!(narrow.n_reads, 1);
    assert!(narrow.convoys.is_empty());
    let bad = TimeWindow {
        from: first_read,
        to: first_read,
    };
    assert!(targeted_convoys(&store, &seed, Some(bad), &config).is_err());
}

/// One read for a hand-made store: a white car unless `colour` says otherwise.
fn read(id: &str, plate: &str, camera: &str, secs: i64, colour: &str) -> PlateRead {
    PlateRead {
        read_id: id.to_owned(),
        plate: PlateText::parse(plate).unwrap(),
        country: Some(Country::from_static("FR")),
        camera_id: camera.to_owned(),
        ts: secs * 1_000_000,
        confidence: None,
        lat: None,
        lon: None,
        heading_deg: None,
        make: None,
        model: None,
        colour: Some(colour.to_owned()),
        vehicle_type: None,
    }
}

/// A text a French `plate` is likely misread as, and which is likely a misread of it.
fn confusable_with(plate: &str) -> PlateText {
    use corridor_domain::confusion::ConfusionModel;
    let plate = PlateText::parse(plate).unwrap();
    let fr = Some(Country::from_static("FR"));
    let model = ConfusionModel::standard();
    model
        .misreadings(&plate, 64)
        .into_iter()
        .map(|(text, _)| text)
        .find(|text| {
            model
                .alternatives_in(text, fr, 24)
                .iter()
                .any(|alternative| alternative.text == plate)
        })
        .expect("a confusable text")
}

/// The search's `reads` are exactly the reads its convoys cite, each once, in time order.
fn assert_cites_its_reads(found: &crate::TargetedConvoys) {
    let mut cited: Vec<&str> = found
        .convoys
        .iter()
        .flat_map(|convoy| &convoy.read_ids)
        .map(String::as_str)
        .collect();
    cited.sort_unstable();
    cited.dedup();
    let mut listed: Vec<&str> = found
        .reads
        .iter()
        .map(|read| read.read_id.as_str())
        .collect();
    assert!(found.reads.windows(2).all(|pair| pair[0].ts <= pair[1].ts));
    listed.sort_unstable();
    assert_eq!(listed, cited);
}

#[test]
fn the_vehicles_own_misreads_are_searched_as_its_reads() {
    let target = PlateText::parse("AB123CD").unwrap();
    let misread = confusable_with(target.as_str());
    let cameras = super::line_cameras(6, 5.0);
    let line = ["C0", "C1", "C2", "C3", "C4", "C5"];
    // Night 1 (01:00) and night 2 (02:40), days apart: the car and its partner a minute
    // apart along the line. On night 2 the car is read as itself at C0 only and under the
    // misread text at C1 and C2 (the other cameras missed it): without those two reads the
    // second night is no trip together. On the other days each drives the line alone, the
    // car in the morning and the partner in the evening.
    let search = |misread_colour: &str| {
        let mut reads = Vec::new();
        let mut add = |id: String, plate: &str, camera: &str, secs: i64, colour: &str| {
            reads.push(read(&id, plate, camera, secs, colour));
        };
        for day in 0..10i64 {
            let midnight = super::MONDAY + day * 86_400;
            for (idx, camera) in line.iter().enumerate() {
                let step = idx as i64 * 300;
                match day {
                    0 | 5 => {
                        let secs = midnight + if day == 0 { 3600 } else { 9600 } + step;
                        let (id, text, colour) = match (day, idx) {
                            (5, 1 | 2) => {
                                (format!("m{day}-{idx}"), misread.as_str(), misread_colour)
                            }
                            (5, 0) | (0, _) => (format!("t{day}-{idx}"), "AB123CD", "white"),
                            _ => (String::new(), "", ""),
                        };
                        if !id.is_empty() {
                            add(id, text, camera, secs, colour);
                        }
                        add(
                            format!("p{day}-{idx}"),
                            "GH456JK",
                            camera,
                            secs + 60,
                            "blue",
                        );
                    }
                    _ => {
                        add(
                            format!("t{day}-{idx}"),
                            "AB123CD",
                            camera,
                            midnight + 8 * 3600 + step,
                            "white",
                        );
                        add(
                            format!("p{day}-{idx}"),
                            "GH456JK",
                            camera,
                            midnight + 17 * 3600 + step,
                            "blue",
                        );
                    }
                }
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), StoreConfig::default()).unwrap();
        store.upsert_cameras(&cameras).unwrap();
        store.append_durable(&reads).unwrap();
        targeted_convoys(&store, &target, None, &AnalysisConfig::default()).unwrap()
    };
    let found = search("white");
    assert_eq!(found.misread_read_ids, ["m5-1", "m5-2"]);
    assert_eq!(found.n_reads, 6 + 3 + 8 * 6);
    assert_eq!(found.convoys.len(), 1, "{:?}", found.convoys);
    let convoy = &found.convoys[0];
    assert_eq!(convoy.plates, ["AB123CD", "GH456JK"]);
    assert_eq!(convoy.occasions, 2);
    assert!(convoy.read_ids.iter().any(|id| id == "m5-1"));
    assert_cites_its_reads(&found);
    let cited = |id: &str| found.reads.iter().find(|read| read.read_id == id).cloned();
    // Counted as the car's, a misread is shown as the camera read it.
    let m51 = cited("m5-1").expect("m5-1 cited");
    assert_eq!(m51.plate, misread.as_str());
    assert_eq!(m51.camera_id, "C1");
    assert_eq!(cited("t5-0").expect("t5-0 cited").plate, "AB123CD");
    // Control: read on a red car, the misread text is another vehicle, not this one.
    let red = search("red");
    assert!(red.misread_read_ids.is_empty());
    assert_eq!(red.n_reads, 6 + 1 + 8 * 6);
    assert!(red.convoys.is_empty(), "{:?}", red.convoys);
}

#[test]
fn a_lorry_read_only_as_one_is_left_out_unloaded_and_the_findings_stay_the_same() {
    let cameras = super::line_cameras(6, 5.0);
    let line = ["C0", "C1", "C2", "C3", "C4", "C5"];
    // Two nights on which a van and a lorry follow the car along the line; on the other
    // days each drives it alone at its own hour. `typed_car_once`: the camera at C3 took
    // the lorry for a car on the first night.
    let search = |typed_car_once: bool| {
        let mut reads = Vec::new();
        for day in 0..10i64 {
            let midnight = super::MONDAY + day * 86_400;
            let together = day == 0 || day == 5;
            for (idx, camera) in line.iter().enumerate() {
                let step = idx as i64 * 300;
                let (car, van, lorry) = if together {
                    let secs = midnight + 3600 + step;
                    (secs, secs + 60, secs + 120)
                } else {
                    let at = |hour: i64| midnight + hour * 3600 + step;
                    (at(8), at(17), at(12))
                };
                for (id, plate, secs, colour) in [
                    ("t", "AB123CD", car, "white"),
                    ("v", "GH456JK", van, "blue"),
                ] {
                    reads.push(read(
                        &format!("{id}{day}-{idx}"),
                        plate,
                        camera,
                        secs,
                        colour,
                    ));
                }
                let kind = if typed_car_once && day == 0 && idx == 3 {
                    "car"
                } else {
                    "lorry"
                };
                reads.push(PlateRead {
                    vehicle_type: Some(kind.to_owned()),
                    ..read(&format!("l{day}-{idx}"), "LM789NP", camera, lorry, "red")
                });
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), StoreConfig::default()).unwrap();
        store.upsert_cameras(&cameras).unwrap();
        store.append_durable(&reads).unwrap();
        let config = AnalysisConfig::default();
        let target = PlateText::parse("AB123CD").unwrap();
        let found = targeted_convoys(&store, &target, None, &config).unwrap();
        reads.sort_by(|a, b| (&a.plate, a.ts).cmp(&(&b.plate, b.ts)));
        let input = AnalysisInput {
            reads: vec![corridor_store::schema::reads_to_batch(&reads)],
            cameras: cameras.clone(),
            seeds: Vec::new(),
            window: None,
        };
        let reference = over_every_read(&input, "AB123CD", &vec![0; cameras.len()], &config);
        (found, reference)
    };
    let (found, reference) = search(false);
    assert_eq!((found.n_candidates, found.n_heavy_left_out), (1, 1));
    let pairs: Vec<Vec<String>> = found.convoys.iter().map(|c| c.plates.clone()).collect();
    assert_eq!(pairs, [["AB123CD", "GH456JK"]]);
    let scored: Pairs = found
        .convoys
        .iter()
        .map(|c| (c.plates.clone(), c.occasions, format!("{:.6}", c.score)))
        .collect();
    assert_eq!(scored, reference, "as the search over every read finds");
    // Control: once read as a car, the lorry is loaded and scored; still no partner.
    let (loaded, reference) = search(true);
    assert_eq!((loaded.n_candidates, loaded.n_heavy_left_out), (2, 0));
    let scored: Pairs = loaded
        .convoys
        .iter()
        .map(|c| (c.plates.clone(), c.occasions, format!("{:.6}", c.score)))
        .collect();
    assert_eq!(scored, reference);
    let cited = |search: &crate::TargetedConvoys| -> Vec<Vec<String>> {
        search.convoys.iter().map(|c| c.read_ids.clone()).collect()
    };
    assert_eq!(cited(&loaded), cited(&found));
}

#[test]
fn a_partners_misreads_are_linked_to_it_once_it_is_a_candidate() {
    let misread = confusable_with("GH456JK");
    let cameras = super::line_cameras(6, 5.0);
    let line = ["C0", "C1", "C2", "C3", "C4", "C5"];
    // Two nights, the partner a minute behind the car along the line; on night 2 the
    // partner is read under the misread text at C1 and C2. On the other days each drives
    // the line alone, the car in the morning and the partner in the evening.
    let search = |misread_colour: &str| {
        let mut reads = Vec::new();
        for day in 0..10i64 {
            let midnight = super::MONDAY + day * 86_400;
            for (idx, camera) in line.iter().enumerate() {
                let step = idx as i64 * 300;
                let (car, partner) = match day {
                    0 => (midnight + 3600 + step, midnight + 3660 + step),
                    5 => (midnight + 9600 + step, midnight + 9660 + step),
                    _ => (midnight + 8 * 3600 + step, midnight + 17 * 3600 + step),
                };
                reads.push(read(
                    &format!("t{day}-{idx}"),
                    "AB123CD",
                    camera,
                    car,
                    "white",
                ));
                if day == 5 && (idx == 1 || idx == 2) {
                    let id = format!("m{day}-{idx}");
                    reads.push(read(&id, misread.as_str(), camera, partner, misread_colour));
                } else {
                    let id = format!("p{day}-{idx}");
                    reads.push(read(&id, "GH456JK", camera, partner, "blue"));
                }
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), StoreConfig::default()).unwrap();
        store.upsert_cameras(&cameras).unwrap();
        store.append_durable(&reads).unwrap();
        let target = PlateText::parse("AB123CD").unwrap();
        targeted_convoys(&store, &target, None, &AnalysisConfig::default()).unwrap()
    };
    let found = search("blue");
    assert_eq!(found.n_partner_misreads, 2);
    assert_eq!(found.convoys.len(), 1, "{:?}", found.convoys);
    let convoy = &found.convoys[0];
    assert_eq!(convoy.plates, ["AB123CD", "GH456JK"]);
    for id in ["m5-1", "m5-2"] {
        assert!(
            convoy.read_ids.iter().any(|cited| cited == id),
            "{id} cited"
        );
    }
    assert_cites_its_reads(&found);
    let m52 = found.reads.iter().find(|read| read.read_id == "m5-2");
    assert_eq!(m52.expect("m5-2 cited").plate, misread.as_str());
    // Control: read on a white car, the misread text is another vehicle.
    let white = search("white");
    assert_eq!(white.n_partner_misreads, 0);
    assert_eq!(white.convoys.len(), 1, "{:?}", white.convoys);
    assert!(
        !white.convoys[0]
            .read_ids
            .iter()
            .any(|id| id.starts_with('m'))
    );
    assert!(
        white.convoys[0].score < convoy.score,
        "two more cameras together score higher: {} vs {}",
        white.convoys[0].score,
        convoy.score
    );
}

#[test]
fn a_camera_whose_clock_is_off_by_the_recorded_error_gives_the_findings_of_a_true_clock() {
    use corridor_store::{CameraClock, ClockRegister};
    let cameras = super::line_cameras(6, 5.0);
    let line = ["C0", "C1", "C2", "C3", "C4", "C5"];
    // C2's clock runs three hours ahead.
    let skew_secs = 3 * 3600;
    // The car and its partner on three nights; around them, traffic whose density
    // changes with the hour, so that the hour a read is put in matters to its score.
    let reads = |skewed: bool| {
        let mut reads = Vec::new();
        let mut add = |id: String, plate: String, idx: usize, secs: i64| {
            let recorded = if skewed && idx == 2 {
                secs + skew_secs
            } else {
                secs
            };
            reads.push(read(&id, &plate, line[idx], recorded, "white"));
        };
        for day in 0..14i64 {
            let midnight = super::MONDAY + day * 86_400;
            for idx in 0..line.len() {
                let step = idx as i64 * 300;
                if day % 4 == 1 {
                    let night = midnight + 2 * 3600 + day * 97;
                    add(format!("t{day}-{idx}"), "AB123CD".into(), idx, night + step);
                    add(
                        format!("p{day}-{idx}"),
                        "GH456JK".into(),
                        idx,
                        night + 45 + step,
                    );
                }
                // Background: vehicle k drives the line at an hour of its own; busier
                // in the afternoon and the small hours than elsewhere.
                for k in 0..40i64 {
                    let hour = [1, 2, 4, 5, 14, 15, 16, 17][(k as usize * 7 + day as usize) % 8];
                    let secs = midnight + hour * 3600 + (k * 131 + day * 17) % 3000 + step;
                    add(
                        format!("b{day}-{k}-{idx}"),
                        format!("BG{k:03}XY"),
                        idx,
                        secs,
                    );
                }
            }
        }
        reads
    };
    let search = |skewed: bool, register: Option<ClockRegister>| {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), StoreConfig::default()).unwrap();
        store.upsert_cameras(&cameras).unwrap();
        store.append_durable(&reads(skewed)).unwrap();
        if let Some(register) = register {
            store.record_clock_register(&register).unwrap();
        }
        let target = PlateText::parse("AB123CD").unwrap();
        targeted_convoys(&store, &target, None, &AnalysisConfig::default()).unwrap()
    };
    let findings = |found: &crate::TargetedConvoys| -> Vec<(Vec<String>, usize, String)> {
        found
            .convoys
            .iter()
            .map(|c| (c.plates.clone(), c.occasions, format!("{:.6}", c.score)))
            .collect()
    };
    let truth = search(false, None);
    assert!(
        !truth.convoys.is_empty(),
        "the pair is found with true clocks"
    );
    assert!(truth.clock_register_estimated_at.is_none());
    let register = ClockRegister {
        estimated_at: super::MONDAY * 1_000_000,
        reads_from: super::MONDAY * 1_000_000,
        reads_to: (super::MONDAY + 14 * 86_400) * 1_000_000,
        n_reads: 0,
        cameras: vec![CameraClock {
            camera_id: "C2".to_owned(),
            skew_us: skew_secs * 1_000_000,
        }],
    };
    let corrected = search(true, Some(register.clone()));
    assert_eq!(findings(&corrected), findings(&truth));
    // The cited reads carry the times the cameras recorded, C2's three hours ahead.
    assert_cites_its_reads(&corrected);
    let recorded: std::collections::HashMap<String, i64> = reads(true)
        .into_iter()
        .map(|read| (read.read_id, read.ts))
        .collect();
    assert!(corrected.reads.iter().any(|read| read.camera_id == "C2"));
    for read in &corrected.reads {
        assert_eq!(read.ts, recorded[&read.read_id], "{read:?}");
    }
    assert_eq!(corrected.clock_corrections.len(), 1);
    assert_eq!(corrected.clock_corrections[0].skew_secs, skew_secs as f64);
    assert_eq!(
        corrected.clock_register_estimated_at,
        Some(register.estimated_at)
    );
    // Control: the same recorded times without the register.
    let uncorrected = search(true, None);
    assert_ne!(findings(&uncorrected), findings(&truth));
}
