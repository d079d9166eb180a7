//! `corridor evidence`: export a signed case bundle and verify one offline.

use super::DataDir;
use anyhow::Context;
use corridor_domain::PlateText;
use corridor_safeguards::audit::{Outcome, OutcomeStatus};
use corridor_safeguards::evidence::{reads_from_csv, verify_bundle};
use corridor_safeguards::keys::{fingerprint, parse_public_key, read_public_key};
use corridor_safeguards::{
    Action, OffenceCategory, Principal, Purpose, Safeguards, SafeguardsConfig, authorize,
};
use corridor_server::evidence::{CaseAnalysis, CaseBundle, case_analysis, write_case_bundle};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Arguments of `corridor evidence`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: EvidenceCommand,
}

#[derive(Debug, clap::Subcommand)]
enum EvidenceCommand {
    /// Check a bundle offline: signature, every file's SHA-256, no missing or extra file.
    Verify(VerifyArgs),
    /// Export a signed case bundle of reads, images and the case's audit entries.
    Export(ExportArgs),
}

#[derive(Debug, clap::Args)]
struct VerifyArgs {
    /// The bundle directory.
    bundle: PathBuf,
    /// The exporter's published public key (64 hex digits). Without it, the key embedded
    /// in the bundle is used and its fingerprint printed for comparison.
    #[arg(long, value_name = "FILE")]
    public_key: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
struct ExportArgs {
    #[command(flatten)]
    data: DataDir,
    /// The case reference.
    #[arg(long = "case", value_name = "REF")]
    case_ref: String,
    /// The offence category, e.g. `people_smuggling`.
    #[arg(long, value_name = "CATEGORY")]
    offence: String,
    /// Why this export is necessary (at least 20 characters).
    #[arg(long)]
    justification: String,
    /// The exporting user, as registered in the user directory (needs the export_evidence permission).
    #[arg(long, env = "CORRIDOR_USER", value_name = "NAME")]
    user: String,
    /// Take the reads from this exchange-schema CSV instead of the store under `--data`.
    #[arg(long, value_name = "FILE")]
    reads: Option<PathBuf>,
    /// The case's plates (comma-separated): their reads are exported. Required without
    /// `--reads`; with it, only reads of these plates are kept.
    #[arg(long, value_delimiter = ',', value_name = "PLATES")]
    plates: Vec<String>,
    /// A directory of images named `<read_id>.<ext>`; those of exported reads are included.
    /// Without it, the plate crops the server stored for the exported reads (`DATA/images`).
    #[arg(long, value_name = "DIR")]
    images: Option<PathBuf>,
    /// The bundle directory to create (must not exist or be empty).
    #[arg(long, value_name = "BUNDLE")]
    out: PathBuf,
    /// Also run the analyses (seeded by the case's plates) on the exported reads and put
    /// them in the bundle with their parameters, so that `verify` re-runs them.
    #[arg(long)]
    analyse: bool,
}

pub(crate) fn run(args: Args) -> anyhow::Result<()> {
    match args.command {
        EvidenceCommand::Verify(verify_args) => run_verify(verify_args),
        EvidenceCommand::Export(export_args) => run_export(export_args),
    }
}

fn run_verify(args: VerifyArgs) -> anyhow::Result<()> {
    let trusted = args
        .public_key
        .as_deref()
        .map(|path| {
            read_public_key(path).with_context(|| format!("reading public key {}", path.display()))
        })
        .transpose()?;
    match verify_bundle(&args.bundle, trusted.as_ref(), Some(&CaseAnalysis)) {
        Ok(report) if args.json => {
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(())
        }
        Ok(report) => {
            println!(
                "bundle OK: case {}, {} files, signed by key {}",
                report.case_ref, report.n_files, report.key_fingerprint
            );
            if !report.key_trusted {
                println!(
                    "note: verified with the key embedded in the bundle; compare its fingerprint with the exporter's published key, or pass --public-key"
                );
            }
            if !report.analyses_reproduced.is_empty() {
                println!(
                    "analyses re-run on the bundle's reads and reproduced: {}",
                    report.analyses_reproduced.join(", ")
                );
            }
            if !report.analyses_not_rerun.is_empty() {
                println!(
                    "note: analyses checked by hash, not re-run: {}",
                    report.analyses_not_rerun.join(", ")
                );
            }
            Ok(())
        }
        Err(violations) => {
            if args.json {
                println!("{}", serde_json::to_string_pretty(&violations)?);
            }
            anyhow::bail!("bundle verification FAILED: {violations}")
        }
    }
}

fn run_export(args: ExportArgs) -> anyhow::Result<()> {
    let safeguards = Safeguards::open(&args.data.path, SafeguardsConfig::default())
        .with_context(|| format!("opening the safeguards of {}", args.data.path.display()))?;
    let principal = principal_of(&safeguards, &args.user)?;
    authorize(&principal, Action::ExportEvidence)?;
    let purpose = Purpose {
        case_ref: args.case_ref.clone(),
        offence_category: OffenceCategory::parse(&args.offence)?,
        justification: args.justification.clone(),
    };
    purpose.validate()?;
    let reads = match &args.reads {
        Some(path) => selected_reads(path, &args.plates)?,
        None => reads_from_store(&args.data.path, &args.plates)?,
    };
    let images = images_of(args.images.as_deref(), &args.data.path, &reads)?;
    let analyses = if args.analyse {
        let cameras =
            corridor_store::Store::open(&args.data.path, corridor_store::StoreConfig::default())
                .with_context(|| format!("opening the store in {}", args.data.path.display()))?
                .cameras();
        vec![case_analysis(&reads, &cameras, &args.plates).map_err(anyhow::Error::msg)?]
    } else {
        Vec::new()
    };
    let now = corridor_safeguards::util::now_micros();
    let read_ids: Vec<&str> = reads.iter().map(|read| read.read_id.as_str()).collect();
    // The export is on record before the bundle exists (and so in its audit extract).
    safeguards.audit().append_at(
        corridor_safeguards::audit::AuditRecord {
            who: principal.clone(),
            action: Action::ExportEvidence.as_str().to_owned(),
            why: Some(purpose.clone()),
            what: serde_json::json!({ "out": args.out, "plates": args.plates, "reads_file": args.reads }),
            outcome: Outcome::with_reads(OutcomeStatus::Ok, &read_ids),
        },
        now,
    )?;
    let bundle = CaseBundle {
        exported_by: principal,
        purpose,
        reads: &reads,
        images,
        analyses,
    };
    let manifest = write_case_bundle(&safeguards, &args.out, bundle, now)?;
    let signer = parse_public_key(&manifest.public_key)?;
    println!(
        "exported {} reads, {} files to {} (signed by key {})",
        reads.len(),
        manifest.files.len(),
        args.out.display(),
        fingerprint(&signer)
    );
    Ok(())
}

fn principal_of(safeguards: &Safeguards, user: &str) -> anyhow::Result<Principal> {
    let record = safeguards
        .users()
        .users()
        .into_iter()
        .find(|known| known.name == user && !known.disabled)
        .with_context(|| format!("user `{user}` is not an enabled user of this data directory"))?;
    Ok(Principal {
        user: record.name,
        role: record.role,
        agency: record.agency,
        agreement: record.agreement,
    })
}

fn reads_from_store(
    data_dir: &Path,
    plates: &[String],
) -> anyhow::Result<Vec<corridor_domain::PlateRead>> {
    if plates.is_empty() {
        anyhow::bail!(
            "--plates is required when the reads come from the store (or pass --reads FILE)"
        );
    }
    let store = corridor_store::Store::open(data_dir, corridor_store::StoreConfig::default())
        .with_context(|| format!("opening the store in {}", data_dir.display()))?;
    let mut reads = Vec::new();
    for raw in plates {
        let plate = PlateText::parse(raw).map_err(|err| anyhow::anyhow!("--plates: {err}"))?;
        reads.extend(store.history(&corridor_store::HistoryQuery::plate(plate))?);
    }
    reads.sort_by(|a, b| (a.ts, &a.read_id).cmp(&(b.ts, &b.read_id)));
    Ok(reads)
}

fn selected_reads(
    path: &Path,
    plates: &[String],
) -> anyhow::Result<Vec<corridor_domain::PlateRead>> {
    let wanted = plates
        .iter()
        .map(|plate| PlateText::parse(plate).map_err(|err| anyhow::anyhow!("--plates: {err}")))
        .collect::<anyhow::Result<BTreeSet<PlateText>>>()?;
    let reads = reads_from_csv(path)?;
    Ok(reads
        .into_iter()
        .filter(|read| wanted.is_empty() || wanted.contains(&read.plate))
        .collect())
}

fn images_of(
    dir: Option<&Path>,
    data_dir: &Path,
    reads: &[corridor_domain::PlateRead],
) -> anyhow::Result<Vec<(String, PathBuf)>> {
    let read_ids: BTreeSet<&str> = reads.iter().map(|read| read.read_id.as_str()).collect();
    let Some(dir) = dir else {
        return corridor_server::CropStore::new(data_dir)
            .images_of_reads(&read_ids)
            .with_context(|| format!("reading the crop index in {}", data_dir.display()));
    };
    let mut images = Vec::new();
    for entry in
        std::fs::read_dir(dir).with_context(|| format!("listing images in {}", dir.display()))?
    {
        let path = entry?.path();
        let stem = path
            .file_stem()
            .and_then(|stem| stem.to_str())
            .unwrap_or_default()
            .to_owned();
        if path.is_file() && read_ids.contains(stem.as_str()) {
            images.push((stem, path));
        }
    }
    images.sort();
    Ok(images)
}

#[cfg(test)]
mod tests {
    use super::*;
    use corridor_server::evidence::CASE_ANALYSIS;

    const READS: &str = "read_id,plate,country,camera_id,ts,confidence,lat,lon,heading,make,model,colour,vehicle_type\n\
        r-1,AB12 CDE,GB,FR-A16-0042,2026-11-30T03:12:09Z,0.97,,,,Ford,Transit,white,van\n\
        r-2,GH-123-JK,FR,GB-MOB-0003,2026-11-30T03:40:51.250Z,0.81,51.1280,1.3117,270,,,,\n";

    #[test]
    fn export_then_verify_then_tamper_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let safeguards = Safeguards::open(&data, SafeguardsConfig::default()).unwrap();
        safeguards
            .users()
            .add_user(corridor_safeguards::auth::User {
                name: "ana".into(),
                role: corridor_safeguards::Role::Analyst,
                agency: "Kent Police".into(),
                agreement: None,
                disabled: false,
            })
            .unwrap();
        drop(safeguards);
        let store =
            corridor_store::Store::open(&data, corridor_store::StoreConfig::default()).unwrap();
        store
            .upsert_cameras(&[corridor_domain::Camera {
                camera_id: "FR-A16-0042".into(),
                name: "A16 Boulogne north".into(),
                lat: 50.7421,
                lon: 1.6113,
                heading_deg: Some(180.0),
                country: Some(corridor_domain::Country::parse("FR").unwrap()),
                operator: "DIRNO".into(),
                kind: corridor_domain::CameraKind::Fixed,
                infrared: true,
            }])
            .unwrap();
        drop(store);
        let reads = dir.path().join("reads.csv");
        std::fs::write(&reads, READS).unwrap();
        let bundle = dir.path().join("bundle");
        run_export(ExportArgs {
            data: DataDir { path: data.clone() },
            case_ref: "OP-TIDE/1".into(),
            offence: "people_smuggling".into(),
            justification: "van seen twice at the Coquelles loading point".into(),
            user: "ana".into(),
            reads: Some(reads),
            plates: vec!["AB12CDE".into()],
            images: None,
            out: bundle.clone(),
            analyse: true,
        })
        .unwrap();
        let report = verify_bundle(&bundle, None, Some(&CaseAnalysis)).expect("verifies");
        assert_eq!(report.analyses_reproduced, [CASE_ANALYSIS]);
        let recorded: serde_json::Value = serde_json::from_slice(
            &std::fs::read(bundle.join("analyses").join("analysis.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(recorded["parameters"]["seeds"][0], "AB12CDE");
        assert_eq!(recorded["result"]["n_reads"], 1, "{recorded}");
        let verify_args = || VerifyArgs {
            bundle: bundle.clone(),
            public_key: None,
            json: false,
        };
        run_verify(verify_args()).expect("a fresh bundle verifies");
        let exported = std::fs::read_to_string(bundle.join("reads.csv")).unwrap();
        assert!(
            exported.contains("r-1") && !exported.contains("r-2"),
            "{exported}"
        );
        std::fs::write(
            bundle.join("reads.csv"),
            exported.replace("FR-A16", "FR-A17"),
        )
        .unwrap();
        let err = run_verify(verify_args()).unwrap_err().to_string();
        assert!(err.contains("reads.csv: changed"), "{err}");
    }

    #[test]
    fn export_by_an_unknown_user_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = run_export(ExportArgs {
            data: DataDir {
                path: dir.path().join("data"),
            },
            case_ref: "OP-TIDE/1".into(),
            offence: "people_smuggling".into(),
            justification: "van seen twice at the Coquelles loading point".into(),
            user: "mallory".into(),
            reads: None,
            plates: vec!["AB12CDE".into()],
            images: None,
            out: dir.path().join("bundle"),
            analyse: false,
        })
        .unwrap_err()
        .to_string();
        assert!(err.contains("`mallory` is not an enabled user"), "{err}");
    }
}
