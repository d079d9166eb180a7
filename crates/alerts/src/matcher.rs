//! Matching one plate read against the hotlist: exact, probable (likely misreads),
//! partial patterns and network watches.

use crate::hotlist::Hotlist;
use crate::hotlist::entry::{CountryFit, HotlistEntry, PlateSpec};
use crate::hotlist::network::NetworkWatch;
use corridor_domain::confusion::ConfusionModel;
use corridor_domain::{Country, PlateRead, PlateText, Timestamp};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// A plate the camera may have misread: what the true plate could be, and how likely.
#[derive(Clone, PartialEq, Debug)]
pub struct Misread {
    /// The candidate true plate.
    pub plate: PlateText,
    /// Probability that the vehicle carries `plate` given the observed text, 0..=1.
    pub probability: f64,
}

/// The OCR confusion model as the matcher needs it; implemented for the domain's
/// [`ConfusionModel`], which is what production passes.
pub trait MisreadModel: Send + Sync + fmt::Debug {
    /// Plates that `observed` (read in `country`) may truly be, most likely first, at most
    /// `n_max`. The observed text itself may be among them; the matcher skips it.
    fn alternatives(
        &self,
        observed: &PlateText,
        country: Option<Country>,
        n_max: usize,
    ) -> Vec<Misread>;

    /// P(`truth` is read as `observed`) for one character; the matcher's prefilter joins
    /// characters confused at more than `MatchConfig::prefilter_rate_min`.
    fn substitution_rate(&self, truth: u8, observed: u8) -> f64;

    /// Whether the model considers one dropped or inserted character.
    ///
    /// The matcher's prefilter relies on the shape of [`ConfusionModel`]'s alternatives: at
    /// most two substitutions, or one dropped or inserted character with no substitution
    /// alongside. A model that combines them needs a wider prefilter.
    fn models_one_indel(&self) -> bool;
}

impl MisreadModel for ConfusionModel {
    fn alternatives(
        &self,
        observed: &PlateText,
        country: Option<Country>,
        n_max: usize,
    ) -> Vec<Misread> {
        self.alternatives_in(observed, country, n_max)
            .into_iter()
            .map(|alternative| Misread {
                plate: alternative.text,
                probability: alternative.probability,
            })
            .collect()
    }

    fn substitution_rate(&self, truth: u8, observed: u8) -> f64 {
        let (truth, observed) = ([truth], [observed]);
        match (std::str::from_utf8(&truth), std::str::from_utf8(&observed)) {
            (Ok(truth), Ok(observed)) => self.likelihood(observed, truth),
            _ => 0.0,
        }
    }

    fn models_one_indel(&self) -> bool {
        true
    }
}

/// A model that knows no misreads: only exact and pattern hits are reported.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoMisreads;

impl MisreadModel for NoMisreads {
    fn alternatives(
        &self,
        _observed: &PlateText,
        _country: Option<Country>,
        _n_max: usize,
    ) -> Vec<Misread> {
        Vec::new()
    }

    fn substitution_rate(&self, _truth: u8, _observed: u8) -> f64 {
        0.0
    }

    fn models_one_indel(&self) -> bool {
        false
    }
}

/// How a read matched a watch.
#[derive(Clone, Copy, PartialEq, Debug, Serialize, Deserialize)]
#[serde(tag = "match", rename_all = "snake_case")]
pub enum MatchKind {
    /// Same characters, and the same country (or the watch says any country).
    Exact,
    /// The read is a likely misread of the watched plate; never reported as exact.
    Probable {
        /// Probability from the confusion model that the read is the watched plate.
        probability: f64,
    },
    /// The read fits a partial pattern such as `AB12?C?`.
    Pattern,
    /// Same characters, but the read carries no country while the watch names one.
    CountryUnknown,
}

/// What was matched.
#[derive(Clone, Debug)]
pub enum Watch {
    /// A hotlist entry (the version current at match time).
    Entry(Arc<HotlistEntry>),
    /// A network watch.
    Network(Arc<NetworkWatch>),
}

impl Watch {
    /// A stable text id: `entry:<id>` or `network:<watch id>`.
    pub fn subject(&self) -> String {
        match self {
            Watch::Entry(entry) => format!("entry:{}", entry.entry_id),
            Watch::Network(watch) => format!("network:{}", watch.watch_id),
        }
    }
}

/// One watch matched by one read.
#[derive(Clone, Debug)]
pub struct Hit {
    pub watch: Watch,
    pub kind: MatchKind,
    /// The watched plate text the read matched (for probable hits: the alternative).
    pub watched_plate: String,
}

/// Limits of the matcher.
#[derive(Clone, Debug)]
pub struct MatchConfig {
    /// Misreads less likely than this are not looked up.
    pub probable_probability_min: f64,
    /// At most this many alternatives of a read are looked up.
    pub alternatives_max: usize,
    /// Character confusions rarer than this per-character rate are not considered: the
    /// prefilter (see `hotlist/prefilter.rs`) skips the model for reads that cannot be a
    /// misread of a watched plate through likelier confusions.
    pub prefilter_rate_min: f64,
}

impl Default for MatchConfig {
    fn default() -> Self {
        MatchConfig {
            probable_probability_min: 0.05,
            prefilter_rate_min: 0.003,
            alternatives_max: 32,
        }
    }
}

/// Checks reads against a [`Hotlist`]; cheap enough to run on every ingested read.
#[derive(Clone, Debug)]
pub struct Matcher {
    hotlist: Arc<Hotlist>,
    model: Arc<dyn MisreadModel>,
    config: MatchConfig,
}

impl Matcher {
    /// A matcher over `hotlist`; changes to the hotlist apply to the next read at once.
    pub fn new(
        hotlist: Arc<Hotlist>,
        model: Arc<dyn MisreadModel>,
        config: MatchConfig,
    ) -> Matcher {
        Matcher {
            hotlist,
            model,
            config,
        }
    }

    /// Every live watch the read matches, at most one hit per watch (the strongest kind).
    /// Expiry is checked against both the read's time and `now`.
    pub fn match_read(&self, read: &PlateRead, now: Timestamp) -> Vec<Hit> {
        let index = self.hotlist.index();
        let mut hits = Vec::new();
        let plate = read.plate.as_str();
        for entry in index.exact(plate) {
            let kind = match entry.fields.country.admits(read.country) {
                CountryFit::Yes => MatchKind::Exact,
                CountryFit::Unknown => MatchKind::CountryUnknown,
                CountryFit::No => continue,
            };
            push_entry(&mut hits, entry, kind, plate, read.ts, now);
        }
        index.pattern_candidates(plate, |entry| {
            let PlateSpec::Pattern(pattern) = &entry.fields.plate else {
                return;
            };
            if !pattern.matches(plate) {
                return;
            }
            let kind = match entry.fields.country.admits(read.country) {
                CountryFit::Yes => MatchKind::Pattern,
                CountryFit::Unknown => MatchKind::CountryUnknown,
                CountryFit::No => return,
            };
            push_entry(&mut hits, entry, kind, pattern.as_str(), read.ts, now);
        });
        for member in index.network_members(plate) {
            let kind = match (member.country, read.country) {
                (None, _) => MatchKind::Exact,
                (Some(want), Some(got)) if want == got => MatchKind::Exact,
                (Some(_), Some(_)) => continue,
                (Some(_), None) => MatchKind::CountryUnknown,
            };
            push_network(&mut hits, &member.watch, kind, plate, read.ts, now);
        }
        self.match_misreads(read, now, &index, &mut hits);
        hits
    }

    /// Probable hits: the read's likely true plates looked up like exact plates. A read
    /// without a country gives no probable hits on country-specific watches (too weak).
    fn match_misreads(
        &self,
        read: &PlateRead,
        now: Timestamp,
        index: &crate::hotlist::index::MatchIndex,
        hits: &mut Vec<Hit>,
    ) {
        if !index.may_be_misread(read.plate.as_str()) {
            return;
        }
        let alternatives =
            self.model
                .alternatives(&read.plate, read.country, self.config.alternatives_max);
        for misread in alternatives.iter().take(self.config.alternatives_max) {
            if misread.probability < self.config.probable_probability_min
                || misread.plate == read.plate
            {
                continue;
            }
            let kind = MatchKind::Probable {
                probability: misread.probability,
            };
            let alt = misread.plate.as_str();
            for entry in index.exact(alt) {
                if entry.fields.country.admits(read.country) == CountryFit::Yes {
                    push_entry(hits, entry, kind, alt, read.ts, now);
                }
            }
            for member in index.network_members(alt) {
                if member.country.is_none() || member.country == read.country {
                    push_network(hits, &member.watch, kind, alt, read.ts, now);
                }
            }
        }
    }
}

fn push_entry(
    hits: &mut Vec<Hit>,
    entry: &Arc<HotlistEntry>,
    kind: MatchKind,
    watched: &str,
    read_ts: Timestamp,
    now: Timestamp,
) {
    if !entry.is_live(read_ts, now) {
        return;
    }
    let already = hits
        .iter()
        .any(|hit| matches!(&hit.watch, Watch::Entry(e) if e.entry_id == entry.entry_id));
    if !already {
        hits.push(Hit {
            watch: Watch::Entry(Arc::clone(entry)),
            kind,
            watched_plate: watched.to_owned(),
        });
    }
}

fn push_network(
    hits: &mut Vec<Hit>,
    watch: &Arc<NetworkWatch>,
    kind: MatchKind,
    watched: &str,
    read_ts: Timestamp,
    now: Timestamp,
) {
    if !watch.is_live(read_ts, now) {
        return;
    }
    let already = hits
        .iter()
        .any(|hit| matches!(&hit.watch, Watch::Network(w) if w.watch_id == watch.watch_id));
    if !already {
        hits.push(Hit {
            watch: Watch::Network(Arc::clone(watch)),
            kind,
            watched_plate: watched.to_owned(),
        });
    }
}
