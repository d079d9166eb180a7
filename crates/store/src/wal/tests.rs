//! WAL encoding round-trips, torn tails and group commit.

use super::*;
use proptest::prelude::*;

fn arb_read() -> impl Strategy<Value = PlateRead> {
    (
        "[a-z0-9-]{1,24}",
        "[A-Z0-9]{1,12}",
        proptest::option::of("[A-Z]{2}"),
        "[a-zA-Z0-9 ]{1,10}",
        any::<i64>(),
        proptest::option::of(0.0f32..=1.0),
        proptest::option::of((-90.0f64..=90.0, -180.0f64..=180.0)),
        proptest::option::of(0.0f32..360.0),
        proptest::collection::vec(proptest::option::of("\\PC{0,12}"), 4),
    )
        .prop_map(
            |(read_id, plate, country, camera_id, ts, confidence, position, heading_deg, texts)| {
                PlateRead {
                    read_id,
                    plate: PlateText::parse(&plate).expect("generated plates are normalised"),
                    country: country.map(|code| Country::parse(&code).expect("two letters")),
                    camera_id,
                    ts,
                    confidence,
                    lat: position.map(|position| position.0),
                    lon: position.map(|position| position.1),
                    heading_deg,
                    make: texts[0].clone(),
                    model: texts[1].clone(),
                    colour: texts[2].clone(),
                    vehicle_type: texts[3].clone(),
                }
            },
        )
}

fn encode(records: &[Vec<PlateRead>]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for record in records {
        encode_record(&record.iter().collect::<Vec<_>>(), &mut bytes);
    }
    bytes
}

proptest! {
    #[test]
    fn records_round_trip(records in proptest::collection::vec(proptest::collection::vec(arb_read(), 0..5), 0..5)) {
        let bytes = encode(&records);
        let (reads, good_len) = decode_records(&bytes);
        prop_assert_eq!(good_len, bytes.len());
        prop_assert_eq!(reads, records.concat());
    }

    #[test]
    fn a_torn_tail_keeps_exactly_the_whole_records_before_it(
        records in proptest::collection::vec(proptest::collection::vec(arb_read(), 1..4), 1..5),
        cut in any::<prop::sample::Index>(),
        garbage in proptest::collection::vec(any::<u8>(), 0..16),
    ) {
        let bytes = encode(&records);
        let ends: Vec<usize> = (1..=records.len()).map(|n| encode(&records[..n]).len()).collect();
        let cut_at = cut.index(bytes.len());
        let mut torn = bytes[..cut_at].to_vec();
        torn.extend_from_slice(&garbage);
        // A record is whole where the torn bytes hold all of it: cut before its end, and the
        // garbage happening to be its missing bytes (one byte in 256 where one is missing),
        // it is the record as written.
        let n_whole = ends
            .iter()
            .filter(|&&end| torn.get(..end) == Some(&bytes[..end]))
            .count();
        let (reads, good_len) = decode_records(&torn);
        // Other garbage after a cut could only pass as a record with a matching CRC-32.
        prop_assert_eq!(good_len, if n_whole == 0 { 0 } else { ends[n_whole - 1] });
        prop_assert_eq!(reads, records[..n_whole].concat());
    }
}

#[test]
fn a_flipped_bit_ends_replay_at_that_record() {
    let read = |id: &str| PlateRead {
        read_id: id.to_owned(),
        plate: PlateText::parse("AB12CDE").unwrap(),
        country: None,
        camera_id: "c".to_owned(),
        ts: 1,
        confidence: None,
        lat: None,
        lon: None,
        heading_deg: None,
        make: None,
        model: None,
        colour: None,
        vehicle_type: None,
    };
    let records = vec![vec![read("a")], vec![read("b")], vec![read("c")]];
    let mut bytes = encode(&records);
    let second_start = encode(&records[..1]).len();
    bytes[second_start + HEADER_LEN + 6] ^= 0x10;
    let (reads, good_len) = decode_records(&bytes);
    assert_eq!(good_len, second_start);
    assert_eq!(reads, records[0]);
}

#[test]
fn concurrent_appends_are_all_durable_and_replayed_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let wal = std::sync::Arc::new(Wal::create(dir.path(), 1, Duration::ZERO).unwrap());
    let threads: Vec<_> = (0..4)
        .map(|thread| {
            let wal = wal.clone();
            std::thread::spawn(move || {
                for n in 0..25 {
                    let read = PlateRead {
                        read_id: format!("{thread}-{n}"),
                        plate: PlateText::parse("AB1").unwrap(),
                        country: None,
                        camera_id: "c".to_owned(),
                        ts: n,
                        confidence: None,
                        lat: None,
                        lon: None,
                        heading_deg: None,
                        make: None,
                        model: None,
                        colour: None,
                        vehicle_type: None,
                    };
                    let seq = wal.append(&[&read]).unwrap();
                    wal.wait_durable(seq).unwrap();
                    assert!(wal.durable_seq() >= seq);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let (reads, n_cut) = replay_file(dir.path(), 1).unwrap();
    assert_eq!((reads.len(), n_cut), (100, 0));
    for thread in 0..4 {
        let ns: Vec<i64> = reads
            .iter()
            .filter(|read| read.read_id.starts_with(&format!("{thread}-")))
            .map(|read| read.ts)
            .collect();
        assert_eq!(
            ns,
            (0..25).collect::<Vec<_>>(),
            "a writer's records stay in its order"
        );
    }
}
