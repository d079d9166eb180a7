//! `safeguards-bench`: throughput of the audit log, its verifier and the matching primitives.
//!
//! `cargo run --release -p corridor-safeguards --bin safeguards-bench -- [N_ENTRIES]`
//! prints one line per measurement; figures belong in docs, never in tests.

use corridor_safeguards::audit::{AuditLog, AuditRecord, Outcome, OutcomeStatus, verify};
use corridor_safeguards::matching::normalise;
use corridor_safeguards::matching::pseudonym::PseudonymKey;
use corridor_safeguards::matching::psi::PsiSecret;
use corridor_safeguards::{OffenceCategory, Principal, Purpose, Role};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n_entries: u64 = match std::env::args().nth(1) {
        Some(raw) => raw
            .parse()
            .map_err(|err| format!("N_ENTRIES `{raw}`: {err}"))?,
        None => 2_000,
    };
    let dir = std::env::temp_dir().join(format!("safeguards-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let key = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    let log = AuditLog::open(&dir, key.clone(), 64)?;
    let record = AuditRecord {
        who: Principal::new("ana", Role::Analyst, "Kent Police"),
        action: "read_history".to_owned(),
        why: Some(Purpose {
            case_ref: "OP-TIDE/2026/0042".to_owned(),
            offence_category: OffenceCategory::PeopleSmuggling,
            justification: "van seen twice at the Coquelles loading point".to_owned(),
        }),
        what: serde_json::json!({ "scope": { "plates": ["AB12CDE"] } }),
        outcome: Outcome::with_reads(
            OutcomeStatus::Ok,
            &(0..50).map(|idx| format!("r-{idx:08}")).collect::<Vec<_>>(),
        ),
    };
    let started = Instant::now();
    for _ in 0..n_entries {
        log.append(record.clone())?;
    }
    report("audit append (fsync each)", n_entries, started);
    let started = Instant::now();
    let verified = verify(&dir, &key.verifying_key()).map_err(|violation| violation.to_string())?;
    report("audit verify", verified.n_entries, started);

    let plates: Vec<String> = (0..100_000)
        .map(|idx| format!("AB{:02}{}", idx % 100, idx))
        .collect();
    let pseudonym_key = PseudonymKey::from_bytes([3u8; 32]);
    let started = Instant::now();
    for plate in &plates {
        pseudonym_key.pseudonym(Some("GB"), plate)?;
    }
    report("HMAC pseudonyms", plates.len() as u64, started);
    let items: Vec<String> = plates[..10_000]
        .iter()
        .map(|plate| normalise(Some("GB"), plate))
        .collect::<Result<_, _>>()?;
    let secret = PsiSecret::generate();
    let started = Instant::now();
    let blinded = secret.blind(&items);
    report(
        "PSI blind (hash to group + scalar mult)",
        blinded.len() as u64,
        started,
    );
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

fn report(what: &str, n: u64, started: Instant) {
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "{what:<42} {n:>8} in {secs:>7.3} s = {:>10.0} /s",
        n as f64 / secs
    );
}
