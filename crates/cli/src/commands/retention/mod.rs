//! `corridor retention`: apply the retention policy to every kind of data in a data
//! directory, and manage legal holds.
//!
//! The policy (periods per kind of data, per source country or agreement) and the holds
//! live in `corridor-safeguards`; `run` takes the store's lock (so no server runs on the
//! directory meanwhile) and applies them, in this order, to:
//!
//! ```text
//! reads   store reads              -> Store::purge_reads (segments, WAL, indexes)
//! images  plate crops (images/)    -> CropStore::remove_refs (crop files, index.jsonl);
//!                                     a crop also goes when its read is gone
//! hits    alerts (alerts/)         -> AlertLog::purge_durable (alerts.log rewritten)
//! audit   audit log (audit/)       -> AuditLog::truncate_through (a prefix, signed anchor)
//! ```
//!
//! then records the report for the transparency report and writes an audit entry.

mod targets;

use super::DataDir;
use anyhow::Context;
use corridor_alerts::AlertLog;
use corridor_safeguards::audit::AuditRetention;
use corridor_safeguards::retention::{
    LegalHold, RetentionPolicy, RetentionReport, apply_retention, record_report,
};
use corridor_safeguards::{Principal, Role, Safeguards, SafeguardsConfig};
use corridor_server::{ALERTS_DIR, CropStore};
use corridor_store::{Store, StoreConfig};
use std::collections::BTreeSet;
use std::path::PathBuf;
use targets::{AlertHits, CameraCountries, CropRefs, StoreReads};

/// Arguments of `corridor retention`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: RetentionCommand,
}

#[derive(Debug, clap::Subcommand)]
enum RetentionCommand {
    /// Delete everything past its retention period (unless held) from every file of the
    /// data directory, and print the report (JSON).
    ///
    /// Reads leave the store; plate crops leave images/ (a crop also goes as soon as its
    /// read is gone); alerts and their acknowledgements leave alerts/alerts.log; the audit
    /// log loses its oldest entries up to the first one still kept or naming a held read
    /// or plate, behind a signed anchor that `corridor audit verify` starts from. Takes
    /// the data directory's lock: stop the server first.
    Run(RunArgs),
    /// Place a legal hold: the reads of these plates or ids, their crops, their alerts and
    /// the audit entries naming them are kept past their period.
    Hold(HoldArgs),
    /// Release the legal hold of a case.
    Release(ReleaseArgs),
    /// List the legal holds in force (JSON).
    Holds(DataDir),
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    #[command(flatten)]
    data: DataDir,
    /// The retention policy (JSON: `{"rules": [{"kind": "reads", "country": "FR",
    /// "period": {"days": 30}}, ...]}`; kinds: reads, images, hits, audit; every kind
    /// needs a default rule).
    #[arg(long, value_name = "FILE")]
    policy: PathBuf,
    /// The time to apply the policy at (RFC 3339 or `YYYY-MM-DD`); default: now.
    #[arg(long, value_name = "TIME")]
    now: Option<String>,
    /// Who runs it, for the audit log.
    #[arg(long, default_value = "retention-job")]
    by: String,
}

#[derive(Debug, clap::Args)]
struct HoldArgs {
    #[command(flatten)]
    data: DataDir,
    /// The case the hold serves.
    #[arg(long = "case", value_name = "REF")]
    case_ref: String,
    /// A plate whose every read is held (repeatable).
    #[arg(long = "plate", value_name = "PLATE")]
    plates: Vec<String>,
    /// A read held by id (repeatable).
    #[arg(long = "read-id", value_name = "ID")]
    read_ids: Vec<String>,
    /// Who places it.
    #[arg(long)]
    by: String,
}

#[derive(Debug, clap::Args)]
struct ReleaseArgs {
    #[command(flatten)]
    data: DataDir,
    /// The case whose hold ends.
    #[arg(long = "case", value_name = "REF")]
    case_ref: String,
}

pub(crate) fn run(args: Args) -> anyhow::Result<()> {
    match args.command {
        RetentionCommand::Run(run_args) => {
            let report = run_retention(run_args)?;
            eprintln!("{}", summary(&report));
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(())
        }
        RetentionCommand::Hold(hold) => {
            let safeguards = open_safeguards(&hold.data)?;
            let plates = hold
                .plates
                .iter()
                .map(|plate| {
                    corridor_domain::PlateText::parse(plate)
                        .map(|plate| plate.as_str().to_owned())
                        .with_context(|| format!("--plate {plate}"))
                })
                .collect::<anyhow::Result<BTreeSet<String>>>()?;
            safeguards.legal_holds().place(LegalHold {
                case_ref: hold.case_ref.clone(),
                read_ids: hold.read_ids.into_iter().collect(),
                plates,
                placed_by: hold.by.clone(),
                placed_at: corridor_safeguards::util::now_micros(),
            })?;
            let principal = Principal::new(&hold.by, Role::Supervisor, "local");
            safeguards.record(
                &principal,
                "place_legal_hold",
                serde_json::json!({ "case": hold.case_ref }),
                corridor_safeguards::audit::Outcome::status(
                    corridor_safeguards::audit::OutcomeStatus::Ok,
                ),
                corridor_safeguards::util::now_micros(),
            )?;
            println!("hold placed for case {}", hold.case_ref);
            Ok(())
        }
        RetentionCommand::Release(release) => {
            let safeguards = open_safeguards(&release.data)?;
            safeguards.legal_holds().release(&release.case_ref)?;
            println!("hold of case {} released", release.case_ref);
            Ok(())
        }
        RetentionCommand::Holds(data) => {
            let safeguards = open_safeguards(&data)?;
            println!(
                "{}",
                serde_json::to_string_pretty(&safeguards.legal_holds().list())?
            );
            Ok(())
        }
    }
}

fn open_safeguards(data: &DataDir) -> anyhow::Result<Safeguards> {
    Safeguards::open(&data.path, SafeguardsConfig::default())
        .with_context(|| format!("opening the safeguards of {}", data.path.display()))
}

fn run_retention(args: RunArgs) -> anyhow::Result<RetentionReport> {
    let policy: RetentionPolicy = serde_json::from_slice(
        &std::fs::read(&args.policy)
            .with_context(|| format!("reading {}", args.policy.display()))?,
    )
    .with_context(|| format!("{}: not a retention policy", args.policy.display()))?;
    let now = match &args.now {
        Some(raw) => super::audit::parse_time(raw).context("--now")?,
        None => corridor_safeguards::util::now_micros(),
    };
    // The store's lock keeps the server, the only other writer of these files, out until
    // the run ends.
    let store = Store::open(&args.data.path, StoreConfig::default())
        .with_context(|| format!("opening the store in {}", args.data.path.display()))?;
    let safeguards = open_safeguards(&args.data)?;
    let alerts_dir = args.data.path.join(ALERTS_DIR);
    let alert_log = AlertLog::open(&alerts_dir, 1)
        .with_context(|| format!("opening the alert log in {}", alerts_dir.display()))?;
    let holds = safeguards.legal_holds().list();
    let principal = Principal::new(&args.by, Role::Admin, "local");
    let countries = CameraCountries::of(&store);
    let mut reads = StoreReads::new(&store, &countries);
    let mut images = CropRefs::new(CropStore::new(&args.data.path), &store, &countries);
    let mut hits = AlertHits::new(&alert_log, &countries, now);
    let mut audit = AuditRetention::new(safeguards.audit(), &holds, principal.clone(), now);
    // Crops after reads: a crop whose read was just deleted goes with it.
    let report = apply_retention(
        &policy,
        &holds,
        &mut [&mut reads, &mut images, &mut hits, &mut audit],
        now,
    )?;
    record_report(&safeguards.paths().retention_reports, &report)?;
    safeguards.record(
        &principal,
        "apply_retention",
        serde_json::to_value(&report.counts)?,
        corridor_safeguards::audit::Outcome::status(corridor_safeguards::audit::OutcomeStatus::Ok),
        now,
    )?;
    Ok(report)
}

/// One line for a person: what went, per kind, and what holds kept.
fn summary(report: &RetentionReport) -> String {
    let deleted: Vec<String> = ["reads", "images", "hits", "audit"]
        .iter()
        .map(|kind| {
            let n_deleted = report.deleted_by_kind.get(*kind).copied().unwrap_or(0);
            format!("{n_deleted} {kind}")
        })
        .collect();
    format!(
        "retention: deleted {}; {} items kept under legal hold",
        deleted.join(", "),
        report.held.len()
    )
}
