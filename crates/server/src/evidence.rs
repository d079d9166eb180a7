//! Evidence bundles of a case, as `POST /api/v1/evidence` and `corridor evidence export`
//! both build them: the case analysis a bundle records (and `corridor evidence verify`
//! re-runs), the case's audit extract and camera clock statements, and the bundle packed as
//! one tar file for download.
//!
//! ```text
//! reads of the case plates --+--> case_analysis (optional) --+
//!                            |                               v
//!                            +--> write_case_bundle: audit extract, camera clocks,
//!                                 safeguards::evidence::export_bundle (signed manifest)
//!                                   --> bundle_tar (the route only)
//! ```
//!
//! The bundle format and its verification are the safeguards' (`corridor_safeguards::evidence`).

use corridor_domain::{Camera, CameraKind, Country, PlateRead, PlateText, Timestamp};
use corridor_safeguards::audit::AuditFilter;
use corridor_safeguards::evidence::{
    AnalysisInput, CameraClockStatus, EvidenceInput, Manifest, Reproducer, export_bundle,
};
use corridor_safeguards::keys::load_or_create_signing_key;
use corridor_safeguards::{Principal, Purpose, Safeguards, SafeguardsError};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The name of the case analysis in bundles (`analyses/analysis.json`).
pub const CASE_ANALYSIS: &str = "analysis";

/// What goes into a case bundle besides what [`write_case_bundle`] adds itself.
#[derive(Debug)]
pub struct CaseBundle<'a> {
    /// Who exports it (an `export_evidence` role).
    pub exported_by: Principal,
    /// Why; its case reference names the case.
    pub purpose: Purpose,
    /// The case's reads.
    pub reads: &'a [PlateRead],
    /// Images to include: (read id, image file).
    pub images: Vec<(String, PathBuf)>,
    /// Analyses, e.g. [`case_analysis`].
    pub analyses: Vec<AnalysisInput>,
}

/// Writes the bundle of a case into `out` (absent or empty), signed with the safeguards'
/// evidence key (created on first use; so that two first exports cannot race to create it,
/// call this one export at a time): the reads, images and analyses given, the case's audit
/// entries as they stand (record the export first, and it is among them) and a clock
/// statement per camera of the reads.
pub fn write_case_bundle(
    safeguards: &Safeguards,
    out: &Path,
    bundle: CaseBundle<'_>,
    now: Timestamp,
) -> Result<Manifest, SafeguardsError> {
    let audit_extract = safeguards.audit().entries(&AuditFilter {
        case_ref: Some(bundle.purpose.case_ref.clone()),
        ..AuditFilter::default()
    })?;
    let input = EvidenceInput {
        case_ref: bundle.purpose.case_ref.clone(),
        exported_by: bundle.exported_by,
        purpose: bundle.purpose,
        reads: bundle.reads,
        images: bundle.images,
        analyses: bundle.analyses,
        audit_extract,
        camera_clocks: camera_clocks(bundle.reads),
    };
    let key = load_or_create_signing_key(&safeguards.paths().evidence_key)?;
    export_bundle(out, &input, &key, now)
}

/// A clock statement for every camera of `reads`. No camera reports its clock yet, so each
/// says so rather than claiming a synchronisation nobody measured.
pub fn camera_clocks(reads: &[PlateRead]) -> Vec<CameraClockStatus> {
    let cameras: BTreeSet<&str> = reads.iter().map(|read| read.camera_id.as_str()).collect();
    cameras
        .into_iter()
        .map(|camera_id| CameraClockStatus {
            camera_id: camera_id.to_owned(),
            last_sync: None,
            offset_ms: None,
            status: "unknown: no clock status recorded for this camera".to_owned(),
        })
        .collect()
}

/// Runs `corridor_analytics::analyse` seeded by the case plates on the case's reads. The
/// parameters hold everything needed to run it again: seeds, configuration and the cameras
/// the reads name.
pub fn case_analysis(
    reads: &[PlateRead],
    cameras: &[Camera],
    plates: &[String],
) -> Result<AnalysisInput, String> {
    let named: BTreeSet<&str> = reads.iter().map(|read| read.camera_id.as_str()).collect();
    let cameras: Vec<serde_json::Value> = cameras
        .iter()
        .filter(|camera| named.contains(camera.camera_id.as_str()))
        .map(camera_json)
        .collect();
    let parameters = serde_json::json!({
        "seeds": plates,
        "config": corridor_analytics::AnalysisConfig::default(),
        "cameras": cameras,
    });
    let result = CaseAnalysis
        .reproduce(CASE_ANALYSIS, &parameters, reads)
        .map_err(|reason| format!("the case analysis failed: {reason}"))?;
    Ok(AnalysisInput {
        name: CASE_ANALYSIS.to_owned(),
        parameters,
        result,
    })
}

/// Re-runs a bundle's case analysis with the recorded parameters.
#[derive(Debug)]
pub struct CaseAnalysis;

impl Reproducer for CaseAnalysis {
    fn reproduce(
        &self,
        name: &str,
        parameters: &serde_json::Value,
        reads: &[PlateRead],
    ) -> Result<serde_json::Value, String> {
        if name != CASE_ANALYSIS {
            return Err(format!("unknown analysis `{name}`"));
        }
        let config: corridor_analytics::AnalysisConfig =
            serde_json::from_value(parameters["config"].clone())
                .map_err(|err| format!("parameters.config: {err}"))?;
        let seeds = parameters["seeds"]
            .as_array()
            .ok_or("parameters.seeds: not a list")?
            .iter()
            .map(|seed| {
                seed.as_str()
                    .ok_or_else(|| "parameters.seeds: not a string".to_owned())
                    .and_then(|seed| PlateText::parse(seed).map_err(|err| err.to_string()))
            })
            .collect::<Result<Vec<_>, String>>()?;
        let cameras = parameters["cameras"]
            .as_array()
            .ok_or("parameters.cameras: not a list")?
            .iter()
            .map(camera_from_json)
            .collect::<Result<Vec<_>, String>>()?;
        let input = corridor_analytics::AnalysisInput {
            reads: vec![corridor_store::schema::reads_to_batch(reads)],
            cameras,
            seeds,
            window: None,
        };
        let report = corridor_analytics::analyse(&input, &config).map_err(|err| err.to_string())?;
        let mut result = serde_json::to_value(&report).map_err(|err| err.to_string())?;
        // Wall times differ from run to run; everything else must reproduce.
        if let Some(object) = result.as_object_mut() {
            object.remove("timings_ms");
        }
        Ok(result)
    }
}

/// Packs the bundle directory `bundle` as a tar file whose entries lie under `root/`
/// (`tar xf` gives the directory `corridor evidence verify` checks). Modes, owners and
/// times are fixed, so the same bundle packs to the same bytes.
pub fn bundle_tar(bundle: &Path, root: &str) -> std::io::Result<Vec<u8>> {
    let mut builder = tar::Builder::new(Vec::new());
    builder.mode(tar::HeaderMode::Deterministic);
    builder.follow_symlinks(false);
    builder.append_dir_all(root, bundle)?;
    builder.into_inner()
}

fn camera_json(camera: &Camera) -> serde_json::Value {
    serde_json::json!({
        "camera_id": camera.camera_id,
        "name": camera.name,
        "lat": camera.lat,
        "lon": camera.lon,
        "heading": camera.heading_deg,
        "country": camera.country.map(|country| country.as_str().to_owned()),
        "operator": camera.operator,
        "kind": camera.kind.as_str(),
        "infrared": camera.infrared,
    })
}

fn camera_from_json(value: &serde_json::Value) -> Result<Camera, String> {
    let text = |field: &str| {
        value[field]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("parameters.cameras: `{field}` missing"))
    };
    let number = |field: &str| {
        value[field]
            .as_f64()
            .ok_or_else(|| format!("parameters.cameras: `{field}` missing"))
    };
    Ok(Camera {
        camera_id: text("camera_id")?,
        name: text("name")?,
        lat: number("lat")?,
        lon: number("lon")?,
        heading_deg: value["heading"].as_f64().map(|heading| heading as f32),
        country: value["country"]
            .as_str()
            .map(Country::parse)
            .transpose()
            .map_err(|err| err.to_string())?,
        operator: text("operator")?,
        kind: CameraKind::parse(&text("kind")?).map_err(|err| err.to_string())?,
        infrared: value["infrared"].as_bool().unwrap_or(false),
    })
}
