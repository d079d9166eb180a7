//! The camera registry: `GET /api/v1/cameras`, `PUT /api/v1/cameras` (upsert a list) and
//! `GET /api/v1/cameras/{id}`.

use super::reads::body_rejection;
use crate::api::cameras::{CameraList, CameraOut, CamerasUpserted, camera_from_json};
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use corridor_domain::Camera;
use serde::Deserialize;

pub(crate) async fn list_cameras(
    State(state): State<AppState>,
) -> Result<Json<CameraList>, ApiError> {
    let cameras = state.blocking(|store| store.cameras()).await?;
    let cameras: Vec<CameraOut> = cameras.iter().map(CameraOut::from_camera).collect();
    Ok(Json(CameraList {
        n_cameras: cameras.len(),
        cameras,
    }))
}

pub(crate) async fn get_camera(
    State(state): State<AppState>,
    Path(camera_id): Path<String>,
) -> Result<Json<CameraOut>, ApiError> {
    let lookup_id = camera_id.clone();
    let camera = state
        .blocking(move |store| store.camera(&lookup_id))
        .await?;
    match camera {
        Some(camera) => Ok(Json(CameraOut::from_camera(&camera))),
        None => Err(ApiError::not_found(format!("no camera `{camera_id}`"))),
    }
}

pub(crate) async fn put_cameras(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<CamerasUpserted>, ApiError> {
    let body = body.map_err(|rejection| body_rejection(&rejection))?;
    let cameras = parse_cameras(&body, state.config().limits.cameras_per_request_max)?;
    let n_cameras = cameras.len();
    state
        .blocking(move |store| store.upsert_cameras(&cameras))
        .await?
        .map_err(|error| ApiError::internal(&error))?;
    Ok(Json(CamerasUpserted { n_cameras }))
}

/// `[{...}]` or `{"cameras": [{...}]}`.
#[derive(Deserialize)]
#[serde(untagged)]
enum CamerasBody {
    List(Vec<serde_json::Value>),
    Wrapped { cameras: Vec<serde_json::Value> },
}

fn parse_cameras(body: &[u8], cameras_max: usize) -> Result<Vec<Camera>, ApiError> {
    let values = match serde_json::from_slice::<CamerasBody>(body) {
        Ok(CamerasBody::List(values) | CamerasBody::Wrapped { cameras: values }) => values,
        Err(error) => {
            let message = format!(
                "the body is not a list of cameras ([{{...}}] or {{\"cameras\": [...]}}): {error}"
            );
            return Err(ApiError::bad_request("bad_json", message));
        }
    };
    if values.len() > cameras_max {
        let message = format!("more than {cameras_max} cameras in one request; split the list");
        return Err(ApiError::too_large("batch_too_large", message));
    }
    let mut cameras = Vec::with_capacity(values.len());
    for (camera_idx, value) in values.into_iter().enumerate() {
        let camera = camera_from_json(value, camera_idx as u64 + 1).map_err(ApiError::bad_row)?;
        cameras.push(camera);
    }
    Ok(cameras)
}
