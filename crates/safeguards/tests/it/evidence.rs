//! Evidence bundles: verify passes fresh, fails naming the file after any change, and
//! analyses reproduce through a `Reproducer`.

use crate::fixtures::{DAY, NOW, principal, purpose, read};
use corridor_domain::PlateRead;
use corridor_safeguards::Role;
use corridor_safeguards::evidence::{
    AnalysisInput, BundleViolation, CameraClockStatus, EvidenceInput, Reproducer, export_bundle,
    reads_from_csv, verify_bundle,
};
use ed25519_dalek::SigningKey;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn signing_key() -> SigningKey {
    SigningKey::from_bytes(&[11u8; 32])
}

fn reads() -> Vec<PlateRead> {
    vec![
        read("r-1", "AB12CDE", "GB", "FR-A16-0042", NOW - DAY),
        PlateRead {
            lat: Some(51.128),
            lon: Some(1.3117),
            confidence: None,
            ..read(
                "r-2",
                "AB12CDE",
                "GB",
                "GB-MOB-0003",
                NOW - DAY + 3_600_000_000,
            )
        },
        read("r-3", "GH123JK", "FR", "BE-E40-0007", NOW - 2 * DAY),
    ]
}

/// A real (if small) analysis: reads per camera for the given plate.
struct ReadsPerCamera;

impl Reproducer for ReadsPerCamera {
    fn reproduce(
        &self,
        name: &str,
        parameters: &serde_json::Value,
        reads: &[PlateRead],
    ) -> Result<serde_json::Value, String> {
        if name != "reads_per_camera" {
            return Err(format!("unknown analysis `{name}`"));
        }
        let plate = parameters["plate"]
            .as_str()
            .ok_or("parameter `plate` is missing")?;
        let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
        for read in reads.iter().filter(|read| read.plate.as_str() == plate) {
            *counts.entry(read.camera_id.as_str()).or_default() += 1;
        }
        Ok(serde_json::to_value(counts).expect("counts serialise"))
    }
}

fn export(dir: &Path, result: serde_json::Value) -> PathBuf {
    let image = dir.join("r-1.jpg");
    std::fs::write(&image, b"\xff\xd8\xff JPEG bytes of AB12CDE").unwrap();
    let reads = reads();
    let input = EvidenceInput {
        case_ref: "OP-TIDE/2026/0042".into(),
        exported_by: principal("ana", Role::Analyst),
        purpose: purpose("OP-TIDE/2026/0042"),
        reads: &reads,
        images: vec![("r-1".into(), image)],
        analyses: vec![AnalysisInput {
            name: "reads_per_camera".into(),
            parameters: serde_json::json!({ "plate": "AB12CDE" }),
            result,
        }],
        audit_extract: Vec::new(),
        camera_clocks: vec![CameraClockStatus {
            camera_id: "FR-A16-0042".into(),
            last_sync: Some(NOW - 3_600_000_000),
            offset_ms: Some(12),
            status: "ntp ok".into(),
        }],
    };
    let out = dir.join("bundle");
    export_bundle(&out, &input, &signing_key(), NOW).unwrap();
    out
}

fn good_result() -> serde_json::Value {
    serde_json::json!({ "FR-A16-0042": 1, "GB-MOB-0003": 1 })
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target)
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn files_of(dir: &Path, prefix: &str) -> Vec<String> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if entry.path().is_dir() {
            files.extend(files_of(&entry.path(), &format!("{name}/")))
        } else {
            files.push(name)
        }
    }
    files.sort();
    files
}

#[test]
fn fresh_bundle_verifies_and_its_analysis_reproduces() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = export(dir.path(), good_result());
    let key = signing_key().verifying_key();
    let report =
        verify_bundle(&bundle, Some(&key), Some(&ReadsPerCamera)).expect("fresh bundle verifies");
    assert_eq!(report.case_ref, "OP-TIDE/2026/0042");
    assert_eq!(
        report.n_files, 5,
        "reads, image, analysis, audit extract, clocks"
    );
    assert!(report.key_trusted);
    assert_eq!(report.analyses_reproduced, vec!["reads_per_camera"]);
    let untrusted = verify_bundle(&bundle, None, None).unwrap();
    assert!(!untrusted.key_trusted);
    assert_eq!(untrusted.analyses_not_rerun, vec!["reads_per_camera"]);
    assert_eq!(
        reads_from_csv(&bundle.join("reads.csv")).unwrap(),
        reads(),
        "reads round-trip exactly"
    );
}

#[test]
fn changing_any_byte_of_any_file_fails_naming_that_file() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = export(dir.path(), good_result());
    let key = signing_key().verifying_key();
    let files = files_of(&bundle, "");
    assert_eq!(files.len(), 7);
    for file in files {
        let copy = dir.path().join(format!("copy-{}", file.replace('/', "_")));
        copy_dir(&bundle, &copy);
        let path = copy.join(&file);
        let mut bytes = std::fs::read(&path).unwrap();
        match bytes.len() / 2 {
            0 if bytes.is_empty() => bytes.push(b'\n'),
            middle => bytes[middle] ^= 0x20,
        }
        std::fs::write(&path, bytes).unwrap();
        let violations = verify_bundle(&copy, Some(&key), None)
            .expect_err("a changed file fails")
            .0;
        assert_eq!(violations.len(), 1, "{file}: {violations:?}");
        let named = match &violations[0] {
            BundleViolation::FileChanged { file }
            | BundleViolation::BadSignature { file, .. }
            | BundleViolation::BadManifest { file, .. } => file.clone(),
            other => panic!("{file}: unexpected {other:?}"),
        };
        let expected = if file == "manifest.sig" {
            "manifest.json"
        } else {
            file.as_str()
        };
        assert!(named == expected || named == file, "{file}: named {named}");
    }
}

#[test]
fn missing_and_extra_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = export(dir.path(), good_result());
    std::fs::remove_file(bundle.join("images/r-1.jpg")).unwrap();
    std::fs::write(bundle.join("images/r-9.jpg"), b"planted").unwrap();
    let violations = verify_bundle(&bundle, None, None).unwrap_err();
    assert_eq!(
        violations.0,
        vec![
            BundleViolation::FileMissing {
                file: "images/r-1.jpg".into()
            },
            BundleViolation::ExtraFile {
                file: "images/r-9.jpg".into()
            },
        ]
    );
    assert!(
        violations.to_string().contains("images/r-1.jpg: missing"),
        "{violations}"
    );
}

#[test]
fn a_bundle_signed_by_another_key_fails_against_the_published_key() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = export(dir.path(), good_result());
    let published = SigningKey::from_bytes(&[12u8; 32]).verifying_key();
    let violations = verify_bundle(&bundle, Some(&published), None).unwrap_err();
    assert!(
        matches!(&violations.0[0], BundleViolation::BadSignature { file, .. } if file == "manifest.json"),
        "{violations}"
    );
}

#[test]
fn an_analysis_that_does_not_reproduce_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = export(dir.path(), serde_json::json!({ "FR-A16-0042": 5 }));
    let violations = verify_bundle(&bundle, None, Some(&ReadsPerCamera)).unwrap_err();
    assert_eq!(
        violations.0,
        vec![BundleViolation::NotReproduced {
            file: "analyses/reads_per_camera.json".into(),
            reason: "the result differs".into()
        }]
    );
}

#[test]
fn export_refuses_a_non_empty_directory_and_unsafe_names() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = export(dir.path(), good_result());
    let reads = reads();
    let input = EvidenceInput {
        case_ref: "OP-1".into(),
        exported_by: principal("ana", Role::Analyst),
        purpose: purpose("OP-1"),
        reads: &reads,
        images: Vec::new(),
        analyses: vec![AnalysisInput {
            name: "../escape".into(),
            parameters: serde_json::json!({}),
            result: serde_json::json!({}),
        }],
        audit_extract: Vec::new(),
        camera_clocks: Vec::new(),
    };
    let err = export_bundle(&bundle, &input, &signing_key(), NOW).unwrap_err();
    assert!(err.to_string().contains("is not empty"), "{err}");
    let err = export_bundle(&dir.path().join("other"), &input, &signing_key(), NOW).unwrap_err();
    assert!(err.to_string().contains("`../escape`"), "{err}");
}
