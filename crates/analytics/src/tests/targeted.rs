//! The targeted convoy search straight from the store finds what the same search finds
//! over every read in memory.

use crate::convoys::{self, CameraIndex, Wanted, day_span};
use crate::plans::CameraHour;
use crate::table::{FastMap, FastSet, ReadTable, hour_of_day};
use crate::traffic::Traffic;
use crate::{AnalysisConfig, AnalysisInput, TimeWindow, targeted_convoys};
use corridor_domain::PlateText;
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

/// The seed's partners as `analyse` finds them over every read (first hop, no
/// corrections), the traffic counted from the table as the `camera_hour_traffic` plan
/// counts it; `input`'s reads are in plate order, as the targeted search orders its own
/// (a pair is scored from its lower-numbered plate).
fn over_every_read(input: &AnalysisInput, seed: &str, config: &AnalysisConfig) -> Pairs {
    let table = ReadTable::build(input, config.reads_max).unwrap();
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
            over_every_read(&input, &seed.plate, &config),
            "seed {}",
            seed.plate
        );
        assert!(from_store.n_candidates <= from_store.n_vehicles_near);
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
