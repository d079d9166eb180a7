//! Alerts: `GET /api/v1/alerts` (the alert log, with acknowledgements), `POST
//! /api/v1/alerts/{id}/ack` and `GET /api/v1/alerts/stream` (server-sent events, one per
//! alert as it is logged; the event id is the alert's `seq`, so `Last-Event-ID` resumes).

use super::hotlist::list_limit;
use crate::api::hotlist::{AckIn, AckOut, AlertList, AlertOut};
use crate::auth::now_micros;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Extension, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use corridor_alerts::{Ack, AckOutcome, AlertLog};
use corridor_safeguards::audit::{Outcome, OutcomeStatus};
use corridor_safeguards::{Action, Principal};
use futures::Stream;
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

/// Paging of `GET /api/v1/alerts`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListParams {
    /// The first `seq` to return (default 0, the oldest alert).
    from_seq: Option<u64>,
    limit: Option<usize>,
}

/// Alerts name the reads that raised them, so the listing is audited like a search: what
/// it returned is on record before the response.
pub(crate) async fn list_alerts(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<AlertList>, ApiError> {
    let Query(params) = params?;
    let limit = list_limit(&state, params.limit)?;
    let from_seq = params.from_seq.unwrap_or(0);
    let log = state.alerts().alert_log();
    let alerts = log.alerts_from(from_seq, limit);
    let next_seq = alerts.last().map_or(from_seq, |alert| alert.seq + 1);
    let read_ids: Vec<&str> = alerts.iter().map(|alert| alert.read_id.as_str()).collect();
    let outcome = Outcome::with_reads(OutcomeStatus::Ok, &read_ids);
    let what = json!({ "from_seq": from_seq, "limit": limit });
    let safeguards = Arc::clone(state.safeguards());
    state
        .off_runtime(move || {
            let action = Action::ViewAlerts.as_str();
            safeguards.record(&principal, action, what, outcome, now_micros())
        })
        .await??;
    let alerts: Vec<AlertOut> = alerts
        .iter()
        .map(|alert| AlertOut::new(alert, &log.acks(&alert.alert_id)))
        .collect();
    Ok(Json(AlertList {
        n_alerts: alerts.len(),
        next_seq,
        alerts,
    }))
}

pub(crate) async fn acknowledge(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(alert_id): Path<String>,
    body: Result<Json<AckIn>, JsonRejection>,
) -> Result<Json<AckOut>, ApiError> {
    let Json(body) = body?;
    let ack = Ack {
        alert_id,
        handled_by: principal.user,
        outcome: AckOutcome::parse(&body.outcome)?,
        note: body.note,
        at: now_micros(),
    };
    let reply = AckOut::from_ack(&ack);
    let alerts = Arc::clone(state.alerts());
    state.off_runtime(move || alerts.acknowledge(ack)).await??;
    Ok(Json(reply))
}

/// Live alerts as server-sent events (`event: alert`, `id: <seq>`, `data: <alert JSON>`).
///
/// Without `Last-Event-ID` the stream starts with the next alert logged. The stream reads
/// the durable log, so a slow client falls behind without costing memory and never misses
/// an alert.
pub(crate) async fn stream_alerts(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, axum::Error>>>, ApiError> {
    let log = Arc::clone(state.alerts().alert_log());
    let next_seq = match headers.get("last-event-id") {
        None => log.next_seq(),
        Some(value) => value
            .to_str()
            .ok()
            .and_then(|text| text.trim().parse::<u64>().ok())
            .map(|seq| seq + 1)
            .ok_or_else(|| ApiError::bad_param("last-event-id", "not an alert seq"))?,
    };
    Ok(Sse::new(alert_events(log, next_seq)).keep_alive(KeepAlive::default()))
}

fn alert_events(
    log: Arc<AlertLog>,
    next_seq: u64,
) -> impl Stream<Item = Result<Event, axum::Error>> {
    let appended = log.watch_len();
    futures::stream::unfold(
        (log, appended, next_seq),
        |(log, mut appended, next_seq)| async move {
            loop {
                // The next alert at or after `next_seq`: retention may have removed some.
                if let Some(alert) = log.alerts_from(next_seq, 1).pop() {
                    let event = Event::default()
                        .event("alert")
                        .id(alert.seq.to_string())
                        .json_data(&*alert);
                    return Some((event, (log, appended, alert.seq + 1)));
                }
                // The log is closed only when the server stops.
                appended.changed().await.ok()?;
            }
        },
    )
}
