//! The hotlist: `GET|POST /api/v1/hotlist`, `PUT|DELETE /api/v1/hotlist/{id}`,
//! `GET /api/v1/hotlist/{id}/versions`, `POST /api/v1/hotlist/{id}/expire` and
//! `POST /api/v1/hotlist/import` (CSV, all or nothing). Every change is a new version in the alerts crate's durable hotlist log, and
//! an entry of the audit log.

use super::reads::body_rejection;
use crate::api::hotlist::{EntryIn, EntryList, EntryOut};
use crate::auth::now_micros;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection, QueryRejection};
use axum::extract::{Extension, Path, Query, State};
use corridor_alerts::{AlertError, EntryId, Hotlist, HotlistEntry};
use corridor_domain::Timestamp;
use corridor_safeguards::audit::{Outcome, OutcomeStatus};
use corridor_safeguards::{Action, Principal};
use serde::Deserialize;
use std::sync::Arc;

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

/// Every version of one entry, oldest first (a deleted entry's too).
pub(crate) async fn entry_versions(
    State(state): State<AppState>,
    Path(entry_id): Path<u64>,
) -> Result<Json<EntryList>, ApiError> {
    let versions = state.alerts().hotlist().history(EntryId(entry_id));
    if versions.is_empty() {
        return Err(ApiError::not_found(format!("no hotlist entry {entry_id}")));
    }
    Ok(Json(EntryList::from_entries(&versions)))
}

pub(crate) async fn create_entry(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    body: Result<Json<EntryIn>, JsonRejection>,
) -> Result<Json<EntryOut>, ApiError> {
    let fields = entry_body(body)?.into_fields(&principal.agency)?;
    change(&state, principal, move |hotlist, user, now| {
        hotlist.create(fields, user, now)
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
    change(&state, principal, move |hotlist, user, now| {
        hotlist.update(EntryId(entry_id), fields, user, now)
    })
    .await
}

pub(crate) async fn expire_entry(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(entry_id): Path<u64>,
) -> Result<Json<EntryOut>, ApiError> {
    change(&state, principal, move |hotlist, user, now| {
        hotlist.expire(EntryId(entry_id), user, now)
    })
    .await
}

pub(crate) async fn delete_entry(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(entry_id): Path<u64>,
) -> Result<Json<EntryOut>, ApiError> {
    change(&state, principal, move |hotlist, user, now| {
        hotlist.delete(EntryId(entry_id), user, now)
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
    let hotlist = Arc::clone(state.alerts().hotlist());
    let safeguards = Arc::clone(state.safeguards());
    let created = state
        .off_runtime(move || -> Result<Vec<HotlistEntry>, ApiError> {
            let now = now_micros();
            let created = hotlist.import_csv(&body[..], &principal.user, now)?;
            let entry_ids: Vec<u64> = created.iter().map(|entry| entry.entry_id.0).collect();
            let what = serde_json::json!({ "import": "csv", "entry_ids": entry_ids });
            let outcome = Outcome::with_count(OutcomeStatus::Ok, entry_ids.len() as u64);
            safeguards.record(
                &principal,
                Action::ManageHotlists.as_str(),
                what,
                outcome,
                now,
            )?;
            Ok(created)
        })
        .await??;
    Ok(Json(EntryList::from_entries(&created)))
}

fn entry_body(body: Result<Json<EntryIn>, JsonRejection>) -> Result<EntryIn, ApiError> {
    Ok(body?.0)
}

/// Applies one change to the hotlist off the HTTP runtime (it syncs the hotlist log), then
/// writes it to the audit log: who changed which entry, and how.
async fn change<F>(
    state: &AppState,
    principal: Principal,
    apply: F,
) -> Result<Json<EntryOut>, ApiError>
where
    F: FnOnce(&Hotlist, &str, Timestamp) -> Result<HotlistEntry, AlertError> + Send + 'static,
{
    let hotlist = Arc::clone(state.alerts().hotlist());
    let safeguards = Arc::clone(state.safeguards());
    let entry = state
        .off_runtime(move || -> Result<HotlistEntry, ApiError> {
            let now = now_micros();
            let entry = apply(&hotlist, &principal.user, now)?;
            let what = serde_json::json!({
                "entry_id": entry.entry_id.0,
                "version": entry.version,
                "change": entry.change.as_str(),
                "plate": entry.fields.plate.as_str(),
            });
            let outcome = Outcome::with_count(OutcomeStatus::Ok, 1);
            safeguards.record(
                &principal,
                Action::ManageHotlists.as_str(),
                what,
                outcome,
                now,
            )?;
            Ok(entry)
        })
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
