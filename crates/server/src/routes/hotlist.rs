//! The hotlist: `GET|POST /api/v1/hotlist`, `PUT|DELETE /api/v1/hotlist/{id}`,
//! `POST /api/v1/hotlist/{id}/expire` and `POST /api/v1/hotlist/import` (CSV, all or
//! nothing). Every change is a new version in the alerts crate's durable hotlist log.

use super::reads::body_rejection;
use crate::api::hotlist::{EntryIn, EntryList, EntryOut};
use crate::auth::now_micros;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection, QueryRejection};
use axum::extract::{Extension, Path, Query, State};
use corridor_alerts::{AlertError, EntryId, HotlistEntry};
use corridor_safeguards::Principal;
use serde::Deserialize;

/// Paging of `GET /api/v1/hotlist`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListParams {
    /// Entries with a greater id than this.
    after: Option<u64>,
    limit: Option<usize>,
}

pub(crate) async fn list_entries(
    State(state): State<AppState>,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<EntryList>, ApiError> {
    let Query(params) = params?;
    let limit = list_limit(&state, params.limit)?;
    let entries = state
        .alerts()
        .hotlist()
        .list(params.after.map(EntryId), limit);
    Ok(Json(EntryList::from_entries(&entries)))
}

pub(crate) async fn create_entry(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    body: Result<Json<EntryIn>, JsonRejection>,
) -> Result<Json<EntryOut>, ApiError> {
    let fields = entry_body(body)?.into_fields(&principal.agency)?;
    change(&state, move |hotlist, now| {
        hotlist.create(fields, &principal.user, now)
    })
    .await
}

pub(crate) async fn update_entry(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(entry_id): Path<u64>,
    body: Result<Json<EntryIn>, JsonRejection>,
) -> Result<Json<EntryOut>, ApiError> {
    let fields = entry_body(body)?.into_fields(&principal.agency)?;
    change(&state, move |hotlist, now| {
        hotlist.update(EntryId(entry_id), fields, &principal.user, now)
    })
    .await
}

pub(crate) async fn expire_entry(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(entry_id): Path<u64>,
) -> Result<Json<EntryOut>, ApiError> {
    change(&state, move |hotlist, now| {
        hotlist.expire(EntryId(entry_id), &principal.user, now)
    })
    .await
}

pub(crate) async fn delete_entry(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(entry_id): Path<u64>,
) -> Result<Json<EntryOut>, ApiError> {
    change(&state, move |hotlist, now| {
        hotlist.delete(EntryId(entry_id), &principal.user, now)
    })
    .await
}

/// `text/csv` with the columns of docs/alerts.md; every row is checked before any is stored.
pub(crate) async fn import_csv(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<EntryList>, ApiError> {
    let body = body.map_err(|rejection| body_rejection(&rejection))?;
    let hotlist = std::sync::Arc::clone(state.alerts().hotlist());
    let created = state
        .off_runtime(move || hotlist.import_csv(&body[..], &principal.user, now_micros()))
        .await??;
    Ok(Json(EntryList::from_entries(&created)))
}

fn entry_body(body: Result<Json<EntryIn>, JsonRejection>) -> Result<EntryIn, ApiError> {
    Ok(body?.0)
}

/// Applies one change to the hotlist off the HTTP runtime (it syncs the hotlist log).
async fn change<F>(state: &AppState, apply: F) -> Result<Json<EntryOut>, ApiError>
where
    F: FnOnce(&corridor_alerts::Hotlist, i64) -> Result<HotlistEntry, AlertError> + Send + 'static,
{
    let hotlist = std::sync::Arc::clone(state.alerts().hotlist());
    let entry = state
        .off_runtime(move || apply(&hotlist, now_micros()))
        .await??;
    Ok(Json(EntryOut::from_entry(&entry)))
}

/// The page size asked for, within `limits.list_items_max`.
pub(crate) fn list_limit(state: &AppState, limit: Option<usize>) -> Result<usize, ApiError> {
    let items_max = state.config().limits.list_items_max;
    match limit {
        None => Ok(items_max),
        Some(limit) if (1..=items_max).contains(&limit) => Ok(limit),
        Some(limit) => Err(ApiError::bad_param(
            "limit",
            format!("`{limit}` is not in 1..={items_max}"),
        )),
    }
}
