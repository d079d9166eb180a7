//! Camera images: `POST /api/v1/cameras/{id}/images` reads the plates in a JPEG or PNG and
//! ingests each as a read; `GET /api/v1/images/{sha256}` returns a stored plate crop.
//!
//! ```text
//! body (image/jpeg, image/png) -> camera known? (404) -> PlateReader::read_image
//!   (blocking pool, vision_calls_max at once; 400 bad_image) -> per plate: crop PNG and
//!   a read (read id from camera, ts, image hash, plate index) -> CropStore::index_durable
//!   (images/index.jsonl: crop -> read, ts, camera; synced) -> CropStore::put
//!   (images/ab/abcd...png, synced) -> reads::ingest_rows (the POST /api/v1/reads path:
//!   checks, append_durable, alerts) -> 200 reads + crop hashes
//! ```
//!
//! The index is what retention deletes crops by: a crop goes with its read, or at the end
//! of the images period (`corridor retention run`).
//!
//! A camera that sends the same image again (same `ts`) gets the same read ids, so the
//! reads are duplicates and raise no second alert. Plates whose text is not a plate (empty,
//! longer than 12 characters) are listed under `skipped` and not stored as reads.

use super::reads::{acknowledge, body_rejection, content_type, ingest_rows};
use crate::api::images_out::{ImageRead, ImageReport, SkippedPlate};
use crate::api::reads_in::{ReadIn, RowIn};
use crate::api::validate::{format_ts, parse_ts};
use crate::auth::now_micros;
use crate::crops::{CropRef, crop_sha256, is_sha256_hex};
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Extension, Path, Query, State};
use axum::http::HeaderMap;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use corridor_safeguards::audit::{Outcome, OutcomeStatus};
use corridor_safeguards::{Principal, Role};
use corridor_vision::{PlateFinding, VisionError};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// Readings less probable than this are not stored as reads: on the validation photos the
/// boxes that are not plates (badges, signs) read at a median probability of 0.01, true
/// plates at 0.96 (docs/vision.md).
const READ_CONFIDENCE_MIN: f64 = 0.1;

/// The country guessed from a plate's format is stored only when at least this sure.
const COUNTRY_CONFIDENCE_MIN: f64 = 0.8;

/// The query of an image upload.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ImageParams {
    /// When the camera took the image, RFC 3339; default: when it arrives.
    ts: Option<String>,
}

pub(crate) async fn post_image(
    State(state): State<AppState>,
    Path(camera_id): Path<String>,
    headers: HeaderMap,
    params: Result<Query<ImageParams>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ImageReport>, ApiError> {
    check_image_type(&headers)?;
    let Query(params) = params?;
    let body = body.map_err(|rejection| body_rejection(&rejection))?;
    let ts = params.ts.unwrap_or_else(|| format_ts(now_micros()));
    let ts_us = parse_ts(&ts)
        .ok_or_else(|| ApiError::bad_param("ts", format!("`{ts}` is not an RFC 3339 timestamp")))?;
    if state.store().camera(&camera_id).is_none() {
        return Err(ApiError::not_found(format!(
            "unknown camera `{camera_id}`; register it first with PUT /api/v1/cameras"
        )));
    }
    let (image_sha256, findings) = state
        .with_plate_reader(move |reader| {
            let image_sha256 = hex::encode(Sha256::digest(&body));
            reader
                .read_image(&body)
                .map(|findings| (image_sha256, findings))
        })
        .await?
        .map_err(|error| vision_error(&error))?;
    let alerts = Arc::clone(state.alerts());
    let limits = state.config().limits.clone();
    let store_state = state.clone();
    let report_camera_id = camera_id.clone();
    let report_ts = ts.clone();
    let report_image_sha256 = image_sha256.clone();
    let (outcome, reads, skipped) = state
        .blocking(move |store| {
            let crop_hashes: Vec<String> = findings
                .iter()
                .map(|finding| crop_sha256(&finding.crop_png))
                .collect();
            let upload = Upload {
                camera_id: &camera_id,
                ts: &ts,
                ts_us,
                image_sha256: &image_sha256,
            };
            let plan = upload.plan(&findings, &crop_hashes);
            store_state.crops().index_durable(&plan.crop_refs)?;
            store_crops(&store_state, &findings, &crop_hashes)?;
            let outcome = ingest_rows(store, &alerts, plan.rows, &limits);
            Ok::<_, std::io::Error>((outcome, plan.reads, plan.skipped))
        })
        .await?
        .map_err(|error| ApiError::internal(&error))?;
    let ingest = acknowledge(&state, outcome)?;
    Ok(Json(ImageReport {
        camera_id: report_camera_id,
        ts: report_ts,
        image_sha256: report_image_sha256,
        reads,
        skipped,
        ingest,
    }))
}

pub(crate) async fn get_crop(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(sha256): Path<String>,
) -> Result<Response, ApiError> {
    if !is_sha256_hex(&sha256) {
        return Err(ApiError::bad_param(
            "sha256",
            format!("`{sha256}` is not a SHA-256 in lower-case hex (64 characters)"),
        ));
    }
    let lookup_state = state.clone();
    let lookup_hash = sha256.clone();
    let png = state
        .off_runtime(move || {
            // Sharing agreements cover reads, not images: partners see no crop.
            let png = if principal.role == Role::Partner {
                None
            } else {
                lookup_state.crops().get(&lookup_hash)?
            };
            let status = match (&png, principal.role) {
                (_, Role::Partner) => OutcomeStatus::Refused,
                (Some(_), _) => OutcomeStatus::Ok,
                (None, _) => OutcomeStatus::Failed,
            };
            lookup_state
                .safeguards()
                .record(
                    &principal,
                    "read_image",
                    serde_json::json!({ "image_sha256": lookup_hash }),
                    Outcome::with_count(status, u64::from(png.is_some())),
                    now_micros(),
                )
                .map_err(std::io::Error::other)?;
            Ok::<_, std::io::Error>(png)
        })
        .await?
        .map_err(|error| ApiError::internal(&error))?;
    let Some(png) = png else {
        return Err(ApiError::not_found(format!(
            "no plate crop {sha256} for this caller"
        )));
    };
    Ok((
        [
            (CONTENT_TYPE, "image/png"),
            (CACHE_CONTROL, "private, no-store"),
        ],
        png,
    )
        .into_response())
}

/// Accepts `image/jpeg` and `image/png` (parameters ignored).
fn check_image_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let (content_type, essence) = content_type(headers);
    match essence.as_str() {
        "image/jpeg" | "image/jpg" | "image/png" => Ok(()),
        _ => Err(ApiError::unsupported_media_type_of(
            content_type,
            "image/jpeg or image/png",
        )),
    }
}

/// Bad images are the client's fault (400); a model failure is ours (500).
fn vision_error(error: &VisionError) -> ApiError {
    match error {
        VisionError::Model { .. } | VisionError::EncodeCrop { .. } => ApiError::internal(error),
        _ => ApiError::bad_request("bad_image", error.to_string()),
    }
}

/// Stores each finding's crop, already indexed under `crop_hashes`.
fn store_crops(
    state: &AppState,
    findings: &[PlateFinding],
    crop_hashes: &[String],
) -> std::io::Result<()> {
    for (finding, crop_sha256) in findings.iter().zip(crop_hashes) {
        let stored = state.crops().put(&finding.crop_png)?;
        assert_eq!(&stored, crop_sha256, "a crop is stored under its hash");
    }
    Ok(())
}

/// What one upload stores: rows to ingest, the reads and skipped plates to report, and a
/// crop ref per plate.
struct UploadPlan {
    rows: Vec<RowIn>,
    reads: Vec<ImageRead>,
    skipped: Vec<SkippedPlate>,
    crop_refs: Vec<CropRef>,
}

/// One uploaded image: where and when it was taken, and its hash.
struct Upload<'a> {
    camera_id: &'a str,
    ts: &'a str,
    ts_us: i64,
    image_sha256: &'a str,
}

impl Upload<'_> {
    /// The rows to ingest, the reads to report, the plates skipped and the crop refs.
    fn plan(&self, findings: &[PlateFinding], crop_hashes: &[String]) -> UploadPlan {
        let mut rows = Vec::new();
        let mut reads = Vec::new();
        let mut skipped = Vec::new();
        let mut crop_refs = Vec::new();
        for (plate_idx, (finding, crop_sha256)) in findings.iter().zip(crop_hashes).enumerate() {
            let mut crop_ref = CropRef {
                sha256: crop_sha256.clone(),
                read_id: None,
                ts: self.ts_us,
                camera_id: Some(self.camera_id.to_owned()),
                country: None,
                plate: finding.plate_text().map(|plate| plate.as_str().to_owned()),
            };
            let Some(plate) = finding.plate_text() else {
                skipped.push(SkippedPlate::new(finding, crop_sha256, "not_a_plate"));
                crop_refs.push(crop_ref);
                continue;
            };
            if f64::from(finding.confidence) < READ_CONFIDENCE_MIN {
                skipped.push(SkippedPlate::new(finding, crop_sha256, "low_confidence"));
                crop_refs.push(crop_ref);
                continue;
            }
            let read_id = self.read_id(plate_idx);
            let country = finding
                .country
                .filter(|guess| guess.confidence >= COUNTRY_CONFIDENCE_MIN)
                .map(|guess| guess.country.as_str().to_owned());
            let read = ReadIn {
                read_id: Some(read_id.clone()),
                plate: Some(plate.as_str().to_owned()),
                country: country.clone(),
                camera_id: Some(self.camera_id.to_owned()),
                ts: Some(self.ts.to_owned()),
                confidence: Some(f64::from(finding.confidence)),
                colour: finding
                    .colour
                    .map(|estimate| estimate.colour.as_str().to_owned()),
                ..ReadIn::default()
            };
            reads.push(ImageRead::new(
                read_id.clone(),
                plate.as_str(),
                country.clone(),
                finding,
                crop_sha256,
            ));
            rows.push(RowIn {
                row: rows.len() as u64 + 1,
                read,
            });
            crop_ref.read_id = Some(read_id);
            crop_ref.country = country;
            crop_refs.push(crop_ref);
        }
        UploadPlan {
            rows,
            reads,
            skipped,
            crop_refs,
        }
    }

    /// `img-` and 32 hex digits of SHA-256 over camera, time, image hash and plate index:
    /// the same upload always gives the same ids.
    fn read_id(&self, plate_idx: usize) -> String {
        let key = format!(
            "{}\n{}\n{}\n{plate_idx}",
            self.camera_id, self.ts_us, self.image_sha256
        );
        let digest = hex::encode(Sha256::digest(key.as_bytes()));
        format!("img-{}", &digest[..32])
    }
}
