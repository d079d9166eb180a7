//! Offline verification of an evidence bundle: signature, every file's hash, nothing extra
//! or missing, and (with a [`Reproducer`]) that the analyses reproduce.

use super::{AnalysisRecord, MANIFEST_FILE, Manifest, READS_FILE, SIGNATURE_FILE, reads_from_csv};
use crate::keys;
use crate::util;
use corridor_domain::PlateRead;
use ed25519_dalek::{Signature, VerifyingKey};
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

/// Re-runs an analysis on the bundle's reads, so that a court can see it reproduces.
///
/// The CLI wires this to `corridor_analytics`; the result is compared with the recorded
/// one in canonical JSON.
pub trait Reproducer {
    /// Runs analysis `name` with `parameters` on `reads`; `Err` says why it could not run.
    fn reproduce(
        &self,
        name: &str,
        parameters: &serde_json::Value,
        reads: &[PlateRead],
    ) -> Result<serde_json::Value, String>;
}

/// One way a bundle fails verification, naming the file.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BundleViolation {
    /// The manifest or signature is unreadable or malformed.
    BadManifest { file: String, reason: String },
    /// The signature does not verify: `manifest.json` was changed or signed by another key.
    BadSignature { file: String, reason: String },
    /// A file's content differs from its manifest hash.
    FileChanged { file: String },
    /// A file in the manifest is absent.
    FileMissing { file: String },
    /// A file not in the manifest is present.
    ExtraFile { file: String },
    /// An analysis did not run on this bundle's reads.
    WrongInput { file: String },
    /// Re-running an analysis gave another result (or could not run).
    NotReproduced { file: String, reason: String },
}

impl fmt::Display for BundleViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BundleViolation::BadManifest { file, reason } => {
                write!(f, "{file}: unreadable manifest: {reason}")
            }
            BundleViolation::BadSignature { file, reason } => {
                write!(f, "{file}: signature invalid: {reason}")
            }
            BundleViolation::FileChanged { file } => {
                write!(f, "{file}: changed (SHA-256 differs from the manifest)")
            }
            BundleViolation::FileMissing { file } => {
                write!(f, "{file}: missing (listed in the manifest)")
            }
            BundleViolation::ExtraFile { file } => write!(f, "{file}: not in the manifest (added)"),
            BundleViolation::WrongInput { file } => {
                write!(f, "{file}: analysis input hash is not that of {READS_FILE}")
            }
            BundleViolation::NotReproduced { file, reason } => {
                write!(f, "{file}: does not reproduce: {reason}")
            }
        }
    }
}

/// Every violation found, in a stable order.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct BundleViolations(pub Vec<BundleViolation>);

impl fmt::Display for BundleViolations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (violation_idx, violation) in self.0.iter().enumerate() {
            if violation_idx > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{violation}")?;
        }
        Ok(())
    }
}

impl std::error::Error for BundleViolations {}

/// What a passing verification established.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct BundleReport {
    /// The case.
    pub case_ref: String,
    /// Files checked (manifest and signature excluded).
    pub n_files: usize,
    /// Fingerprint of the signing key.
    pub key_fingerprint: String,
    /// Whether the key was the one given by the verifier (true) or only the one embedded
    /// in the bundle (false: compare the fingerprint with the published one).
    pub key_trusted: bool,
    /// Analyses re-run and found identical.
    pub analyses_reproduced: Vec<String>,
    /// Analyses whose hashes were checked but that were not re-run.
    pub analyses_not_rerun: Vec<String>,
}

/// Verifies a bundle directory offline.
pub fn verify_bundle(
    dir: &Path,
    trusted_key: Option<&VerifyingKey>,
    reproducer: Option<&dyn Reproducer>,
) -> Result<BundleReport, BundleViolations> {
    let (manifest, key) =
        check_signature(dir, trusted_key).map_err(|violation| BundleViolations(vec![violation]))?;
    let mut violations = check_files(dir, &manifest);
    let mut report = BundleReport {
        case_ref: manifest.case_ref.clone(),
        n_files: manifest.files.len(),
        key_fingerprint: keys::fingerprint(&key),
        key_trusted: trusted_key.is_some(),
        analyses_reproduced: Vec::new(),
        analyses_not_rerun: Vec::new(),
    };
    if violations.is_empty() {
        check_analyses(dir, &manifest, reproducer, &mut report, &mut violations);
    }
    if violations.is_empty() {
        Ok(report)
    } else {
        Err(BundleViolations(violations))
    }
}

fn check_signature(
    dir: &Path,
    trusted_key: Option<&VerifyingKey>,
) -> Result<(Manifest, VerifyingKey), BundleViolation> {
    let bad_manifest = |file: &str, reason: String| BundleViolation::BadManifest {
        file: file.to_owned(),
        reason,
    };
    let manifest_bytes = std::fs::read(dir.join(MANIFEST_FILE))
        .map_err(|err| bad_manifest(MANIFEST_FILE, err.to_string()))?;
    let signature_text = std::fs::read_to_string(dir.join(SIGNATURE_FILE))
        .map_err(|err| bad_manifest(SIGNATURE_FILE, err.to_string()))?;
    // Strict form (lower-case hex and one newline), so that no byte of the file can change unnoticed.
    let signature_bytes: [u8; 64] = hex::decode(signature_text.trim_end_matches('\n'))
        .ok()
        .and_then(|bytes| <[u8; 64]>::try_from(bytes).ok())
        .filter(|bytes| format!("{}\n", hex::encode(bytes)) == signature_text)
        .ok_or_else(|| {
            bad_manifest(
                SIGNATURE_FILE,
                "expected 128 lower-case hex digits and a newline".to_owned(),
            )
        })?;
    let manifest: Result<Manifest, String> =
        serde_json::from_slice(&manifest_bytes).map_err(|err| err.to_string());
    let key = match (trusted_key, &manifest) {
        (Some(key), _) => *key,
        (None, Ok(manifest)) => keys::parse_public_key(&manifest.public_key)
            .map_err(|err| bad_manifest(MANIFEST_FILE, err.to_string()))?,
        (None, Err(reason)) => return Err(bad_manifest(MANIFEST_FILE, reason.clone())),
    };
    key.verify_strict(&manifest_bytes, &Signature::from_bytes(&signature_bytes))
        .map_err(|_| BundleViolation::BadSignature {
            file: MANIFEST_FILE.to_owned(),
            reason: format!(
                "{MANIFEST_FILE} was changed, or not signed by key {}",
                keys::fingerprint(&key)
            ),
        })?;
    let manifest = manifest.map_err(|reason| bad_manifest(MANIFEST_FILE, reason))?;
    if manifest.format != super::BUNDLE_FORMAT {
        return Err(bad_manifest(
            MANIFEST_FILE,
            format!("unknown format `{}`", manifest.format),
        ));
    }
    if trusted_key.is_some_and(|trusted| keys::public_key_hex(trusted) != manifest.public_key) {
        return Err(bad_manifest(
            MANIFEST_FILE,
            "embedded public key differs from the trusted key".to_owned(),
        ));
    }
    Ok((manifest, key))
}

fn check_files(dir: &Path, manifest: &Manifest) -> Vec<BundleViolation> {
    let mut violations = Vec::new();
    let mut present = BTreeSet::new();
    list_files(dir, dir, &mut present, &mut violations);
    present.remove(MANIFEST_FILE);
    present.remove(SIGNATURE_FILE);
    let listed: BTreeSet<&str> = manifest
        .files
        .iter()
        .map(|file| file.path.as_str())
        .collect();
    for file in &manifest.files {
        if !present.contains(file.path.as_str()) {
            violations.push(BundleViolation::FileMissing {
                file: file.path.clone(),
            });
            continue;
        }
        let unchanged = std::fs::read(dir.join(&file.path)).is_ok_and(|bytes| {
            bytes.len() as u64 == file.bytes && util::sha256_hex(&bytes) == file.sha256
        });
        if !unchanged {
            violations.push(BundleViolation::FileChanged {
                file: file.path.clone(),
            });
        }
    }
    for path in present
        .iter()
        .filter(|path| !listed.contains(path.as_str()))
    {
        violations.push(BundleViolation::ExtraFile { file: path.clone() });
    }
    violations
}

fn list_files(
    root: &Path,
    dir: &Path,
    out: &mut BTreeSet<String>,
    violations: &mut Vec<BundleViolation>,
) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => {
            violations.push(BundleViolation::BadManifest {
                file: dir.display().to_string(),
                reason: err.to_string(),
            });
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            list_files(root, &path, out, violations);
        } else {
            let relative = path.strip_prefix(root).unwrap_or(&path);
            let parts: Vec<String> = relative
                .components()
                .map(|part| part.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.insert(parts.join("/"));
        }
    }
}

fn check_analyses(
    dir: &Path,
    manifest: &Manifest,
    reproducer: Option<&dyn Reproducer>,
    report: &mut BundleReport,
    violations: &mut Vec<BundleViolation>,
) {
    let reads_sha256 = manifest
        .files
        .iter()
        .find(|file| file.path == READS_FILE)
        .map(|file| file.sha256.clone())
        .unwrap_or_default();
    let reads = match reproducer
        .map(|_| reads_from_csv(&dir.join(READS_FILE)))
        .transpose()
    {
        Ok(reads) => reads,
        Err(err) => {
            violations.push(BundleViolation::NotReproduced {
                file: READS_FILE.to_owned(),
                reason: err.to_string(),
            });
            return;
        }
    };
    for name in &manifest.analyses {
        let file = format!("analyses/{name}.json");
        let record: AnalysisRecord = match std::fs::read(dir.join(&file))
            .map_err(|err| err.to_string())
            .and_then(|bytes| serde_json::from_slice(&bytes).map_err(|err| err.to_string()))
        {
            Ok(record) => record,
            Err(reason) => {
                violations.push(BundleViolation::NotReproduced { file, reason });
                continue;
            }
        };
        if record.input_sha256 != reads_sha256 {
            violations.push(BundleViolation::WrongInput { file });
            continue;
        }
        let (Some(reproducer), Some(reads)) = (reproducer, reads.as_deref()) else {
            report.analyses_not_rerun.push(name.clone());
            continue;
        };
        match reproducer.reproduce(&record.name, &record.parameters, reads) {
            Ok(result) if util::canonical_json(&result) == util::canonical_json(&record.result) => {
                report.analyses_reproduced.push(name.clone());
            }
            Ok(_) => violations.push(BundleViolation::NotReproduced {
                file,
                reason: "the result differs".to_owned(),
            }),
            Err(reason) => violations.push(BundleViolation::NotReproduced { file, reason }),
        }
    }
}
