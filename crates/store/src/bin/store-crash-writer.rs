//! Test helper for the crash test: appends reads in a loop and prints each acknowledged id.
//!
//! `store-crash-writer DATA_DIR SEED` opens the store (recovering it), then appends batches
//! of reads forever with small memtables (so flushes and compactions run all the time),
//! printing `ack <read_id>` on stdout after each `append_durable` returns. The crash test
//! SIGKILLs it at random moments and checks that every printed id is stored exactly once.

use corridor_domain::{Country, PlateRead, PlateText};
use corridor_store::{Store, StoreConfig};
use std::io::Write;
use std::time::Duration;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(seed)) = (args.next(), args.next()) else {
        eprintln!("usage: store-crash-writer DATA_DIR SEED");
        std::process::exit(2);
    };
    let seed: u64 = seed.parse().expect("SEED is a number");
    let config = StoreConfig {
        memtable_rows_max: 60,
        compaction_segment_rows_min: 1_000,
        maintenance_interval: Some(Duration::from_millis(5)),
        ..StoreConfig::default()
    };
    let store = Store::open(std::path::Path::new(&dir), config).expect("store opens after a crash");
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "open {}", store.stats().n_reads).expect("stdout");
    stdout.flush().expect("stdout");
    let countries = [Country::from_static("GB"), Country::from_static("FR")];
    for batch in 0u64.. {
        let reads: Vec<PlateRead> = (0..7u64)
            .map(|n| PlateRead {
                read_id: format!("s{seed}-b{batch}-n{n}"),
                plate: PlateText::parse(&format!("CR{}X{}", (seed + batch + n) % 13, n))
                    .expect("valid plate"),
                country: Some(countries[(n % 2) as usize]),
                camera_id: format!("cam{n}"),
                ts: 1_795_996_800_000_000 + ((seed * 1_000 + batch) as i64) * 60_000_000,
                confidence: Some(0.5),
                lat: None,
                lon: None,
                heading_deg: None,
                make: None,
                model: None,
                colour: None,
                vehicle_type: None,
            })
            .collect();
        let report = store.append_durable(&reads).expect("append");
        for read in &reads {
            writeln!(stdout, "ack {}", read.read_id).expect("stdout");
        }
        stdout.flush().expect("stdout");
        // Every third batch is sent twice: the repeat must count as duplicates.
        if batch % 3 == 2 {
            assert_eq!(
                store.append_durable(&reads).expect("append").n_duplicates,
                reads.len()
            );
        }
        assert!(report.n_appended + report.n_duplicates == reads.len());
    }
}
