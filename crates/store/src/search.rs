//! Plate search on top of the plate index: exact, wildcard (`AB12?CD`, `*CDE`) and fuzzy
//! (ranked by likelihood under `corridor_domain::confusion::ConfusionModel`).
//!
//! ```no_run
//! # use corridor_store::{Store, StoreConfig, search::{search, SearchQuery, SearchMode}};
//! # fn main() -> Result<(), corridor_store::Error> {
//! # let store = Store::open(std::path::Path::new("data"), StoreConfig::default())?;
//! let hits = search(&store, &SearchQuery::new("AB12CDE", SearchMode::Fuzzy))?;
//! for hit in hits {
//!     println!("{} {:.3} {} reads", hit.plate.text, hit.likelihood, hit.reads.len());
//! }
//! # Ok(()) }
//! ```

use crate::{Error, HistoryQuery, Store};
use corridor_domain::PlatePattern;
use corridor_domain::confusion::ConfusionModel;
use corridor_domain::{Country, PlateKey, PlateRead, PlateText, Timestamp};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// How the query text is matched.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SearchMode {
    /// The normalised text exactly.
    Exact,
    /// `?` matches one character, `*` any run of characters.
    Wildcard,
    /// The text and its likely misreadings.
    Fuzzy,
}

/// A plate search.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SearchQuery {
    pub text: String,
    /// `None` matches every country.
    pub country: Option<Country>,
    /// Inclusive bounds on `ts`.
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub mode: SearchMode,
    /// Most plates returned.
    pub limit: usize,
}

impl SearchQuery {
    /// A query over all countries and times, at most 50 plates.
    pub fn new(text: &str, mode: SearchMode) -> SearchQuery {
        SearchQuery {
            text: text.to_owned(),
            country: None,
            from: None,
            to: None,
            mode,
            limit: 50,
        }
    }
}

/// One plate found, with its reads (oldest first).
#[derive(Clone, PartialEq, Debug)]
pub struct SearchHit {
    pub plate: PlateKey,
    /// How likely this plate is the one searched for: 1 for exact and wildcard matches; for
    /// fuzzy matches the posterior probability, under `corridor_domain::confusion`, that it
    /// is the true plate behind the text searched for.
    pub likelihood: f64,
    pub reads: Vec<PlateRead>,
}

/// Fuzzy candidate readings tried at most.
pub const FUZZY_CANDIDATES_MAX: usize = 64;
/// Plates a wildcard may expand to before the search stops looking.
pub const WILDCARD_PLATES_MAX: usize = 10_000;

/// Runs a search; hits are ranked by likelihood, then by number of reads.
pub fn search(store: &Store, query: &SearchQuery) -> Result<Vec<SearchHit>, Error> {
    let bad = |reason: String| Error::BadQuery {
        text: query.text.clone(),
        reason,
    };
    let candidates: Vec<(PlateText, f64)> = match query.mode {
        SearchMode::Exact => vec![(
            PlateText::parse(&query.text).map_err(|err| bad(err.to_string()))?,
            1.0,
        )],
        SearchMode::Fuzzy => {
            let plate = PlateText::parse(&query.text).map_err(|err| bad(err.to_string()))?;
            confusion_model()
                .alternatives_in(&plate, query.country, FUZZY_CANDIDATES_MAX)
                .into_iter()
                .filter(|alternative| store.contains_plate(&alternative.text))
                .map(|alternative| (alternative.text, alternative.probability))
                .collect()
        }
        SearchMode::Wildcard => {
            let pattern = PlatePattern::parse(&query.text).map_err(|err| bad(err.to_string()))?;
            if pattern.n_fixed_chars() == 0 && pattern.len_max().is_none() {
                return Err(bad(
                    "a pattern needs at least one character or `?`".to_owned()
                ));
            }
            let mut texts: Vec<PlateText> = store
                .plate_keys_matching(&|text| pattern.matches(text), WILDCARD_PLATES_MAX)
                .into_iter()
                .map(|(key, _)| key.text)
                .collect();
            texts.sort();
            texts.dedup();
            texts.into_iter().map(|text| (text, 1.0)).collect()
        }
    };
    let mut hits = Vec::new();
    for (plate, likelihood) in candidates {
        let history = store.history(&HistoryQuery {
            plate,
            country: query.country,
            from: query.from,
            to: query.to,
            limit: None,
        })?;
        let mut by_key: BTreeMap<PlateKey, Vec<PlateRead>> = BTreeMap::new();
        for read in history {
            by_key.entry(read.plate_key()).or_default().push(read);
        }
        hits.extend(by_key.into_iter().map(|(plate, reads)| SearchHit {
            plate,
            likelihood,
            reads,
        }));
    }
    hits.sort_by(|a, b| {
        b.likelihood
            .total_cmp(&a.likelihood)
            .then_with(|| b.reads.len().cmp(&a.reads.len()))
            .then_with(|| a.plate.cmp(&b.plate))
    });
    hits.truncate(query.limit);
    Ok(hits)
}

/// The standard OCR confusion model, built once.
fn confusion_model() -> &'static ConfusionModel {
    static MODEL: OnceLock<ConfusionModel> = OnceLock::new();
    MODEL.get_or_init(ConfusionModel::standard)
}
