//! History lookups: a checked request of `GET /api/v1/history` run against the store.
//!
//! Exact lookups go straight to [`Store::history`]; wildcard and fuzzy ones go through
//! [`corridor_store::search::search`], whose hits (one per plate, ranked by likelihood)
//! are flattened into one list of reads.

use crate::routes::history::{HistoryRequest, Mode};
use corridor_domain::{PlateRead, PlateText};
use corridor_store::search::{SearchMode, SearchQuery, search};
use corridor_store::{Error, HistoryQuery, Store};

/// Plates a wildcard or fuzzy lookup returns reads of, at most.
const PLATES_MAX: usize = 100;

/// A read found, with the likelihood of its plate in fuzzy mode.
#[derive(Debug)]
pub(crate) struct FoundRead {
    pub(crate) read: PlateRead,
    pub(crate) likelihood: Option<f64>,
}

/// The reads a lookup found, at most `request.limit` of them.
#[derive(Debug)]
pub(crate) struct Found {
    pub(crate) reads: Vec<FoundRead>,
    /// More reads matched than were returned.
    pub(crate) truncated: bool,
}

/// Runs `request`; blocking.
pub(crate) fn history(store: &Store, request: &HistoryRequest) -> Result<Found, Error> {
    match request.mode {
        Mode::Exact => exact(store, request),
        Mode::Wildcard | Mode::Fuzzy => ranked(store, request),
    }
}

/// One plate's reads, oldest first; over the limit, the most recent ones.
fn exact(store: &Store, request: &HistoryRequest) -> Result<Found, Error> {
    let plate = PlateText::parse(&request.plate).map_err(|error| Error::BadQuery {
        text: request.plate.clone(),
        reason: error.to_string(),
    })?;
    let mut reads = store.history(&HistoryQuery {
        plate,
        country: request.country,
        from: request.from,
        to: request.to,
        limit: Some(request.limit.saturating_add(1)),
    })?;
    let truncated = reads.len() > request.limit;
    if truncated {
        reads.drain(..reads.len() - request.limit);
    }
    Ok(Found {
        reads: reads
            .into_iter()
            .map(|read| FoundRead {
                read,
                likelihood: None,
            })
            .collect(),
        truncated,
    })
}

/// Reads of every matching plate, the most likely plate first.
fn ranked(store: &Store, request: &HistoryRequest) -> Result<Found, Error> {
    let mode = match request.mode {
        Mode::Fuzzy => SearchMode::Fuzzy,
        Mode::Wildcard | Mode::Exact => SearchMode::Wildcard,
    };
    let hits = search(
        store,
        &SearchQuery {
            text: request.plate.clone(),
            country: request.country,
            from: request.from,
            to: request.to,
            mode,
            limit: PLATES_MAX,
        },
    )?;
    let mut found = Found {
        reads: Vec::new(),
        truncated: hits.len() == PLATES_MAX,
    };
    for hit in hits {
        let likelihood = (request.mode == Mode::Fuzzy).then_some(hit.likelihood);
        for read in hit.reads {
            if found.reads.len() == request.limit {
                found.truncated = true;
                return Ok(found);
            }
            found.reads.push(FoundRead { read, likelihood });
        }
    }
    Ok(found)
}
