//! Crash safety: SIGKILL a writer process at random moments, reopen, and find every
//! acknowledged read exactly once.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

#[test]
fn every_acknowledged_read_survives_repeated_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let mut acked: Vec<String> = Vec::new();
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    for round in 0..24u64 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let acks_before_kill = 1 + (rng % 60) as usize;
        let mut child = Command::new(env!("CARGO_BIN_EXE_store-crash-writer"))
            .arg(dir.path())
            .arg(round.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        assert!(
            line.starts_with("open "),
            "round {round}: the store opened after the crash: {line:?}"
        );
        let mut n_acks = 0;
        while n_acks < acks_before_kill {
            line.clear();
            assert!(
                stdout.read_line(&mut line).unwrap() > 0,
                "round {round}: writer exited early"
            );
            if let Some(id) = line.trim().strip_prefix("ack ") {
                acked.push(id.to_owned());
                n_acks += 1;
            }
        }
        child.kill().unwrap();
        // Acks already in the pipe were acknowledged before the kill: they count too.
        let mut rest = String::new();
        stdout.read_to_string(&mut rest).unwrap();
        acked.extend(
            rest.lines()
                .filter_map(|line| line.strip_prefix("ack "))
                .map(str::to_owned),
        );
        child.wait().unwrap();
    }
    let store = crate::open(dir.path());
    let mut counts: HashMap<String, usize> = HashMap::new();
    for batch in store.scan(None, None).unwrap() {
        for read in corridor_store::schema::batch_to_reads(&batch.unwrap()).unwrap() {
            *counts.entry(read.read_id).or_default() += 1;
        }
    }
    let missing: Vec<&String> = acked
        .iter()
        .filter(|id| !counts.contains_key(*id))
        .collect();
    assert!(
        missing.is_empty(),
        "{} acknowledged reads lost, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    let doubled: Vec<(&String, &usize)> = counts.iter().filter(|(_, count)| **count > 1).collect();
    assert!(doubled.is_empty(), "reads stored twice: {doubled:?}");
    assert!(
        acked.len() >= 24,
        "the test acknowledged {} reads",
        acked.len()
    );
}
