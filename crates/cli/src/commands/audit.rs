//! `corridor audit`: verify and show the tamper-evident audit log.

use super::DataDir;
use anyhow::Context;
use corridor_safeguards::SafeguardsPaths;
use corridor_safeguards::audit::{AuditEntry, AuditFilter, read_entries, verify};
use corridor_safeguards::keys::{fingerprint, read_public_key};
use std::path::PathBuf;

/// Arguments of `corridor audit`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: AuditCommand,
}

#[derive(Debug, clap::Subcommand)]
enum AuditCommand {
    /// Check the hash chain and the signed checkpoints; exits non-zero naming the first
    /// changed, deleted, inserted or reordered entry.
    Verify(VerifyArgs),
    /// Print audit entries, optionally filtered.
    Show(ShowArgs),
    /// Print the checkpoint public key (hex), to hand to auditors.
    PublicKey(DataDir),
    /// The data-protection officer's transparency report: counts of reads, searches by
    /// purpose, hits, approvals and deletions by retention, per period (no plate, person
    /// or case is named).
    Transparency(TransparencyArgs),
}

#[derive(Debug, clap::Args)]
struct TransparencyArgs {
    #[command(flatten)]
    data: DataDir,
    /// Start of the window (RFC 3339 or `YYYY-MM-DD`); default: 365 days ago.
    #[arg(long, value_name = "TIME")]
    since: Option<String>,
    /// End of the window (exclusive); default: now.
    #[arg(long, value_name = "TIME")]
    until: Option<String>,
    /// Bucketing: day, week or month.
    #[arg(long, default_value = "month", value_parser = ["day", "week", "month"])]
    by: String,
    /// Print JSON instead of Markdown.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
struct VerifyArgs {
    #[command(flatten)]
    data: DataDir,
    /// The auditor's copy of the checkpoint public key (64 hex digits). Without it, the
    /// key exported under the data directory is used, which an attacker with write access
    /// to that directory could replace.
    #[arg(long, env = "CORRIDOR_AUDIT_PUBLIC_KEY", value_name = "FILE")]
    public_key: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
struct ShowArgs {
    #[command(flatten)]
    data: DataDir,
    /// Only this user's entries.
    #[arg(long, value_name = "USER")]
    user: Option<String>,
    /// Only entries at or after this time (RFC 3339, or a date `YYYY-MM-DD`).
    #[arg(long, value_name = "TIME")]
    since: Option<String>,
    /// Only entries before this time (RFC 3339, or a date `YYYY-MM-DD`).
    #[arg(long, value_name = "TIME")]
    until: Option<String>,
    /// Only entries of this action, e.g. `read_history`.
    #[arg(long)]
    action: Option<String>,
    /// Only entries whose purpose names this case.
    #[arg(long = "case", value_name = "REF")]
    case_ref: Option<String>,
    /// Print the entries as JSON lines instead of a table.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: Args) -> anyhow::Result<()> {
    match args.command {
        AuditCommand::Verify(verify_args) => run_verify(verify_args),
        AuditCommand::Show(show_args) => run_show(show_args),
        AuditCommand::Transparency(report_args) => run_transparency(report_args),
        AuditCommand::PublicKey(data) => {
            let paths = SafeguardsPaths::under(&data.path);
            let key = read_public_key(&paths.audit_public_key).with_context(|| {
                format!("reading the audit public key of {}", data.path.display())
            })?;
            println!("{}", corridor_safeguards::keys::public_key_hex(&key));
            Ok(())
        }
    }
}

fn run_verify(args: VerifyArgs) -> anyhow::Result<()> {
    let paths = SafeguardsPaths::under(&args.data.path);
    let key_path = args
        .public_key
        .clone()
        .unwrap_or_else(|| paths.audit_public_key.clone());
    let key = read_public_key(&key_path)
        .with_context(|| format!("reading public key {}", key_path.display()))?;
    if !paths
        .audit_dir
        .join(corridor_safeguards::audit::ENTRIES_FILE)
        .exists()
        && !paths
            .audit_dir
            .join(corridor_safeguards::audit::CHECKPOINTS_FILE)
            .exists()
    {
        anyhow::bail!("no audit log under {}", paths.audit_dir.display());
    }
    match verify(&paths.audit_dir, &key) {
        Ok(report) if args.json => {
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(())
        }
        Ok(report) => {
            println!(
                "audit log OK: {} entries, {} signed checkpoints (key {})",
                report.n_entries,
                report.n_checkpoints,
                fingerprint(&key)
            );
            println!("head: seq {} hash {}", report.head_seq, report.head_hash);
            if report.truncated_through > 0 {
                println!(
                    "note: retention deleted entries up to seq {} behind {} signed anchor(s); the chain is verified from there",
                    report.truncated_through, report.n_anchors
                );
            }
            if report.n_unsigned_tail > 0 {
                println!(
                    "note: the last {} entries follow the last checkpoint (seq {}): chained but not yet signed",
                    report.n_unsigned_tail, report.last_checkpoint_seq
                );
            }
            if args.public_key.is_none() {
                println!(
                    "note: verified with the key stored under the data directory; pass --public-key with the auditor's copy"
                );
            }
            Ok(())
        }
        Err(violation) => {
            if args.json {
                println!("{}", serde_json::to_string_pretty(&violation)?);
            }
            anyhow::bail!("audit log verification FAILED: {violation}")
        }
    }
}

fn run_transparency(args: TransparencyArgs) -> anyhow::Result<()> {
    use corridor_safeguards::transparency::{Granularity, build_report};
    let now = corridor_safeguards::util::now_micros();
    let to = args
        .until
        .as_deref()
        .map(parse_time)
        .transpose()?
        .unwrap_or(now);
    let from = match args.since.as_deref() {
        Some(raw) => parse_time(raw)?,
        None => to - 365 * 86_400_000_000,
    };
    let granularity = match args.by.as_str() {
        "day" => Granularity::Day,
        "week" => Granularity::Week,
        _ => Granularity::Month,
    };
    let safeguards = corridor_safeguards::Safeguards::open(
        &args.data.path,
        corridor_safeguards::SafeguardsConfig::default(),
    )
    .with_context(|| format!("opening the safeguards of {}", args.data.path.display()))?;
    let entries = safeguards.audit().entries(&AuditFilter::default())?;
    let retention =
        corridor_safeguards::retention::read_reports(&safeguards.paths().retention_reports)?;
    let alerts = safeguards.auditor_alerts()?;
    let report = build_report(&entries, &retention, &alerts, from, to, granularity);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.to_markdown());
    }
    Ok(())
}

fn run_show(args: ShowArgs) -> anyhow::Result<()> {
    let paths = SafeguardsPaths::under(&args.data.path);
    let filter = AuditFilter {
        user: args.user,
        since: args.since.as_deref().map(parse_time).transpose()?,
        until: args.until.as_deref().map(parse_time).transpose()?,
        action: args.action,
        case_ref: args.case_ref,
    };
    if let Ok(key) = read_public_key(&paths.audit_public_key)
        && let Err(violation) = verify(&paths.audit_dir, &key)
    {
        eprintln!("warning: the audit log fails verification: {violation}");
    }
    let entries = read_entries(&paths.audit_dir, &filter)
        .with_context(|| format!("reading the audit log under {}", paths.audit_dir.display()))?;
    for entry in &entries {
        if args.json {
            println!("{}", serde_json::to_string(entry)?);
        } else {
            println!("{}", format_entry(entry));
        }
    }
    if !args.json {
        eprintln!("{} entries", entries.len());
    }
    Ok(())
}

fn format_entry(entry: &AuditEntry) -> String {
    let why = entry.why.as_ref().map_or_else(
        || "-".to_owned(),
        |why| format!("{} ({})", why.case_ref, why.offence_category),
    );
    format!(
        "{:>6}  {}  {} ({})  {}  {}  {:?} n={}",
        entry.seq,
        entry.time,
        entry.who.user,
        entry.who.role,
        entry.action,
        why,
        entry.outcome.status,
        entry.outcome.n_results
    )
}

pub(crate) fn parse_time(raw: &str) -> anyhow::Result<i64> {
    if let Ok(date) = chrono::NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d") {
        let midnight = date.and_hms_opt(0, 0, 0).context("midnight exists")?;
        return Ok(midnight.and_utc().timestamp_micros());
    }
    corridor_safeguards::util::parse_rfc3339(raw)
        .map_err(|err| anyhow::anyhow!("--since/--until: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use corridor_safeguards::audit::{Outcome, OutcomeStatus};
    use corridor_safeguards::{Principal, Role, Safeguards, SafeguardsConfig};

    fn verify_args(data: &std::path::Path) -> VerifyArgs {
        VerifyArgs {
            data: DataDir {
                path: data.to_owned(),
            },
            public_key: None,
            json: false,
        }
    }

    #[test]
    fn verify_passes_fresh_and_fails_naming_the_line_after_a_swap() {
        let dir = tempfile::tempdir().unwrap();
        {
            let safeguards = Safeguards::open(dir.path(), SafeguardsConfig::default()).unwrap();
            let operator = Principal::new("op", Role::Operator, "Kent Police");
            for n_reads in 1..=4 {
                let outcome = Outcome::with_count(OutcomeStatus::Ok, n_reads);
                safeguards
                    .record(&operator, "ingest_reads", serde_json::json!({}), outcome, 0)
                    .unwrap();
            }
        }
        run_verify(verify_args(dir.path())).expect("a fresh log verifies");
        let path = dir
            .path()
            .join("audit")
            .join(corridor_safeguards::audit::ENTRIES_FILE);
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines: Vec<&str> = text.lines().collect();
        lines.swap(1, 2);
        std::fs::write(&path, format!("{}\n", lines.join("\n"))).unwrap();
        let err = run_verify(verify_args(dir.path())).unwrap_err().to_string();
        assert!(
            err.contains("audit.jsonl line 2: entries were reordered"),
            "{err}"
        );
    }

    #[test]
    fn verify_without_a_log_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("safeguards/keys");
        std::fs::create_dir_all(&keys).unwrap();
        let key = corridor_safeguards::keys::load_or_create_signing_key(&keys.join("k")).unwrap();
        let public_key = corridor_safeguards::keys::public_key_hex(&key.verifying_key());
        std::fs::write(keys.join("audit_signing.pub"), public_key).unwrap();
        let err = run_verify(verify_args(dir.path())).unwrap_err().to_string();
        assert!(err.contains("no audit log under"), "{err}");
    }

    #[test]
    fn dates_and_rfc3339_are_accepted_for_since() {
        assert_eq!(parse_time("1970-01-02").unwrap(), 86_400_000_000);
        assert_eq!(parse_time("1970-01-01T00:00:01Z").unwrap(), 1_000_000);
        assert!(parse_time("yesterday").is_err());
    }
}
