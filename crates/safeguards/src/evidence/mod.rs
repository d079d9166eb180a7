//! Evidence bundles: a case's reads, images, analyses, audit extract and camera clock
//! status in one directory, with a SHA-256 manifest signed with Ed25519, verifiable offline.
//!
//! ```text
//!  BUNDLE/
//!    manifest.json          every other file: path, sha256, bytes; case, purpose, public key
//!    manifest.sig           Ed25519 signature over manifest.json's exact bytes (hex)
//!    reads.csv              the case's reads, exchange schema
//!    images/<read_id>.<ext> images where present
//!    analyses/<name>.json   name, parameters, input_sha256 (of reads.csv), result
//!    audit_extract.jsonl    the audit entries of the case
//!    camera_clocks.json     clock status of every camera in the reads
//! ```

mod csv_reads;
mod verify;

pub use csv_reads::{READ_COLUMNS, reads_from_csv, reads_to_csv};
pub use verify::{BundleReport, BundleViolation, BundleViolations, Reproducer, verify_bundle};

use crate::audit::AuditEntry;
use crate::auth::Principal;
use crate::error::{Result, SafeguardsError};
use crate::keys;
use crate::purpose::Purpose;
use crate::util;
use corridor_domain::{PlateRead, Timestamp};
use ed25519_dalek::{Signer, SigningKey};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The manifest's format tag.
pub const BUNDLE_FORMAT: &str = "corridor-evidence-v1";
/// The manifest file name.
pub const MANIFEST_FILE: &str = "manifest.json";
/// The signature file name.
pub const SIGNATURE_FILE: &str = "manifest.sig";
/// The reads file name.
pub const READS_FILE: &str = "reads.csv";

/// An analysis as recorded in a bundle.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct AnalysisRecord {
    /// The analysis, e.g. `convoys` (also its file name: `analyses/<name>.json`).
    pub name: String,
    /// The parameters it ran with.
    pub parameters: serde_json::Value,
    /// SHA-256 of `reads.csv`, the data it ran on.
    pub input_sha256: String,
    /// What it found.
    pub result: serde_json::Value,
}

/// The clock status of a camera at export time.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct CameraClockStatus {
    /// The camera.
    pub camera_id: String,
    /// When its clock was last synchronised, if known.
    pub last_sync: Option<Timestamp>,
    /// Its measured offset from reference time in milliseconds, if known.
    pub offset_ms: Option<i64>,
    /// A human statement, e.g. `ntp ok` or `unknown`.
    pub status: String,
}

/// An analysis to include: name, parameters, result. Its input hash is set on export.
#[derive(Clone, PartialEq, Debug)]
pub struct AnalysisInput {
    /// Name; letters, digits, `-` and `_` only.
    pub name: String,
    /// Parameters.
    pub parameters: serde_json::Value,
    /// Result.
    pub result: serde_json::Value,
}

/// Everything that goes into a bundle.
#[derive(Debug)]
pub struct EvidenceInput<'a> {
    /// The case.
    pub case_ref: String,
    /// Who exports it, and why.
    pub exported_by: Principal,
    /// The purpose of the export.
    pub purpose: Purpose,
    /// The case's reads.
    pub reads: &'a [PlateRead],
    /// Images: (read id, image file to copy).
    pub images: Vec<(String, PathBuf)>,
    /// Analyses with their parameters and results.
    pub analyses: Vec<AnalysisInput>,
    /// The audit entries of the case.
    pub audit_extract: Vec<AuditEntry>,
    /// Clock status of the cameras.
    pub camera_clocks: Vec<CameraClockStatus>,
}

/// One file in the manifest.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ManifestFile {
    /// Path relative to the bundle, `/`-separated.
    pub path: String,
    /// SHA-256, hex.
    pub sha256: String,
    /// Size.
    pub bytes: u64,
}

/// `manifest.json`.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct Manifest {
    /// [`BUNDLE_FORMAT`].
    pub format: String,
    /// The case.
    pub case_ref: String,
    /// When it was exported.
    pub created_at: String,
    /// Who exported it.
    pub exported_by: Principal,
    /// Why.
    pub purpose: Purpose,
    /// The signer's Ed25519 public key, hex (compare with the published key).
    pub public_key: String,
    /// Every file but the manifest and its signature, sorted by path.
    pub files: Vec<ManifestFile>,
    /// The analyses, by name.
    pub analyses: Vec<String>,
}

/// Writes a bundle into `out` (which must not exist or be empty) and signs it.
pub fn export_bundle(
    out: &Path,
    input: &EvidenceInput<'_>,
    key: &SigningKey,
    now: Timestamp,
) -> Result<Manifest> {
    input.purpose.validate()?;
    prepare_out_dir(out)?;
    let reads_csv = reads_to_csv(input.reads);
    let input_sha256 = util::sha256_hex(&reads_csv);
    let mut files = Vec::new();
    write_file(out, READS_FILE, &reads_csv, &mut files)?;
    for (read_id, source) in &input.images {
        check_name("image read id", read_id)?;
        let bytes = std::fs::read(source).map_err(|err| SafeguardsError::io(source, err))?;
        let ext = source
            .extension()
            .and_then(|ext| ext.to_str())
            .unwrap_or("bin");
        write_file(out, &format!("images/{read_id}.{ext}"), &bytes, &mut files)?;
    }
    let mut analysis_names = Vec::new();
    for analysis in &input.analyses {
        check_name("analysis name", &analysis.name)?;
        let record = AnalysisRecord {
            name: analysis.name.clone(),
            parameters: analysis.parameters.clone(),
            input_sha256: input_sha256.clone(),
            result: analysis.result.clone(),
        };
        let bytes = serde_json::to_vec_pretty(&record).expect("analyses serialise to JSON");
        write_file(
            out,
            &format!("analyses/{}.json", analysis.name),
            &bytes,
            &mut files,
        )?;
        analysis_names.push(analysis.name.clone());
    }
    let mut audit_lines = String::new();
    for entry in &input.audit_extract {
        audit_lines
            .push_str(&serde_json::to_string(entry).expect("audit entries serialise to JSON"));
        audit_lines.push('\n');
    }
    write_file(
        out,
        "audit_extract.jsonl",
        audit_lines.as_bytes(),
        &mut files,
    )?;
    let clocks =
        serde_json::to_vec_pretty(&input.camera_clocks).expect("clock status serialises to JSON");
    write_file(out, "camera_clocks.json", &clocks, &mut files)?;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let manifest = Manifest {
        format: BUNDLE_FORMAT.to_owned(),
        case_ref: input.case_ref.clone(),
        created_at: util::rfc3339(now),
        exported_by: input.exported_by.clone(),
        purpose: input.purpose.clone(),
        public_key: keys::public_key_hex(&key.verifying_key()),
        files,
        analyses: analysis_names,
    };
    let manifest_bytes = serde_json::to_vec_pretty(&manifest).expect("manifests serialise to JSON");
    util::write_atomic(&out.join(MANIFEST_FILE), &manifest_bytes)?;
    let signature = key.sign(&manifest_bytes);
    util::write_atomic(
        &out.join(SIGNATURE_FILE),
        format!("{}\n", hex::encode(signature.to_bytes())).as_bytes(),
    )?;
    Ok(manifest)
}

fn prepare_out_dir(out: &Path) -> Result<()> {
    if out.exists() {
        let mut entries = std::fs::read_dir(out).map_err(|err| SafeguardsError::io(out, err))?;
        if entries.next().is_some() {
            return Err(SafeguardsError::invalid(
                "out",
                format!(
                    "{} exists and is not empty; choose a new bundle directory",
                    out.display()
                ),
            ));
        }
    }
    util::ensure_dir(out)
}

fn write_file(
    out: &Path,
    relative: &str,
    bytes: &[u8],
    files: &mut Vec<ManifestFile>,
) -> Result<()> {
    util::write_atomic(&out.join(relative), bytes)?;
    files.push(ManifestFile {
        path: relative.to_owned(),
        sha256: util::sha256_hex(bytes),
        bytes: bytes.len() as u64,
    });
    Ok(())
}

/// Names that become file names: no separators, no dot-dot, nothing odd.
fn check_name(field: &'static str, name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 128
        && name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.'))
        && !name.starts_with('.');
    if ok {
        Ok(())
    } else {
        Err(SafeguardsError::invalid(
            field,
            format!("`{name}` must be letters, digits, - _ . and not start with a dot"),
        ))
    }
}
