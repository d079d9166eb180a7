//! `corridor retention`: apply the retention policy to the store, and manage legal holds.
//!
//! The policy (periods per kind of data, per source country or agreement) and the holds
//! live in `corridor-safeguards`; this command lists the store's reads as retention items
//! (the country is the camera's), deletes the expired unheld ones from every file of the
//! store (`Store::purge_reads`), records the report for the transparency report and writes
//! an audit entry.

use super::DataDir;
use anyhow::Context;
use corridor_domain::PlateRead;
use corridor_safeguards::retention::{
    DataKind, LegalHold, RetentionItem, RetentionPolicy, RetentionReport, RetentionTarget,
    apply_retention, record_report,
};
use corridor_safeguards::{Principal, Role, Safeguards, SafeguardsConfig};
use corridor_store::{Store, StoreConfig};
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

/// Arguments of `corridor retention`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: RetentionCommand,
}

#[derive(Debug, clap::Subcommand)]
enum RetentionCommand {
    /// Delete every read past its retention period (unless held) from every file of the
    /// store, and print the report.
    Run(RunArgs),
    /// Place a legal hold: the reads of these plates or ids are kept past their period.
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
    /// "period": {"days": 30}}, ...]}`; every kind needs a default rule).
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
    let safeguards = open_safeguards(&args.data)?;
    let store = Store::open(&args.data.path, StoreConfig::default())
        .with_context(|| format!("opening the store in {}", args.data.path.display()))?;
    let mut target = StoreReads::new(&store);
    let holds = safeguards.legal_holds().list();
    let report = apply_retention(&policy, &holds, &mut [&mut target], now)?;
    record_report(&safeguards.paths().retention_reports, &report)?;
    let principal = Principal::new(&args.by, Role::Admin, "local");
    safeguards.record(
        &principal,
        "apply_retention",
        serde_json::to_value(&report.counts)?,
        corridor_safeguards::audit::Outcome::status(corridor_safeguards::audit::OutcomeStatus::Ok),
        now,
    )?;
    Ok(report)
}

/// The store's reads as retention items; the country is the camera's, else the plate's.
struct StoreReads<'a> {
    store: &'a Store,
    camera_country: HashMap<String, String>,
}

impl<'a> StoreReads<'a> {
    fn new(store: &'a Store) -> StoreReads<'a> {
        let camera_country = store
            .cameras()
            .into_iter()
            .filter_map(|camera| {
                camera
                    .country
                    .map(|country| (camera.camera_id, country.as_str().to_owned()))
            })
            .collect();
        StoreReads {
            store,
            camera_country,
        }
    }

    fn country_of(&self, read: &PlateRead) -> Option<String> {
        self.camera_country
            .get(&read.camera_id)
            .cloned()
            .or_else(|| read.country.map(|country| country.as_str().to_owned()))
    }
}

impl RetentionTarget for StoreReads<'_> {
    fn name(&self) -> String {
        "store reads".to_owned()
    }

    fn items(&self) -> corridor_safeguards::Result<Vec<RetentionItem>> {
        let mut items = Vec::new();
        let batches = self
            .store
            .scan(None, None)
            .map_err(|err| corridor_safeguards::SafeguardsError::Conflict(err.to_string()))?;
        for batch in batches {
            let reads = batch
                .and_then(|batch| corridor_store::schema::batch_to_reads(&batch))
                .map_err(|err| corridor_safeguards::SafeguardsError::Conflict(err.to_string()))?;
            items.extend(reads.into_iter().map(|read| RetentionItem {
                id: read.read_id.clone(),
                kind: DataKind::Reads,
                ts: read.ts,
                country: self.country_of(&read),
                agreement: None,
                read_id: Some(read.read_id.clone()),
                plate: Some(read.plate.as_str().to_owned()),
                mentions: BTreeSet::new(),
                read_gone: false,
            }));
        }
        Ok(items)
    }

    fn purge(&mut self, ids: &BTreeSet<String>) -> corridor_safeguards::Result<u64> {
        let report = self
            .store
            .purge_reads(&|read| ids.contains(&read.read_id))
            .map_err(|err| corridor_safeguards::SafeguardsError::Conflict(err.to_string()))?;
        Ok(report.n_reads_removed)
    }
}
