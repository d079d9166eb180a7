//! Country plate grammars: validate a plate, give its display form, guess its country.
//!
//! Each supported country has a table of formats (current and still-common older ones), each
//! a small pattern with the country's separators (see `tables.rs`). The patterns are compiled
//! once, on first use, and matched without allocating.
//!
//! ```
//! use corridor_domain::{grammar, Country, PlateText};
//! let plate = PlateText::parse("ab123cd").unwrap();
//! let fr = Country::from_static("FR");
//! assert!(grammar::validate(fr, &plate));
//! assert_eq!(grammar::display(fr, &plate).as_deref(), Some("AB-123-CD"));
//! // France and Italy share this format; France is far more common at the Channel.
//! let guesses = grammar::guess_country(&plate);
//! assert_eq!(guesses[0].country, fr);
//! assert_eq!(guesses[1].country, Country::from_static("IT"));
//! ```

mod engine;
mod lists;
mod tables;
#[cfg(test)]
mod tests;

use crate::plate::PLATE_LEN_MAX;
use crate::{Country, PlateText};
use engine::Compiled;
use std::sync::OnceLock;

pub(crate) use engine::{CharMask, char_index};

/// Probability mass kept for plates of countries this crate has no grammar for, so that a
/// plate matching only a rare format is not guessed with certainty.
const OTHER_COUNTRIES_MASS: f64 = 0.01;

/// One guess of the country that issued a plate.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct CountryGuess {
    /// The guessed issuing country.
    pub country: Country,
    /// Posterior probability, 0..=1; the guesses for one plate sum to at most 1.
    pub confidence: f64,
}

/// The countries with a grammar, most common on the corridor first.
pub fn supported_countries() -> &'static [Country] {
    static SUPPORTED: OnceLock<Vec<Country>> = OnceLock::new();
    SUPPORTED.get_or_init(|| tables::COUNTRIES.iter().map(|spec| spec.country).collect())
}

/// Whether `plate` is a well-formed plate of `country`; false for an unsupported country.
pub fn validate(country: Country, plate: &PlateText) -> bool {
    grammar_of(country).is_some_and(|grammar| grammar.validate(plate.as_str().as_bytes()))
}

/// The plate as the country prints it, with its separators (`AB-123-CD`, `B-AB 1234`);
/// `None` when the plate is not valid there or the country has no grammar.
///
/// Normalising the display form with [`PlateText::parse`] gives back the plate.
pub fn display(country: Country, plate: &PlateText) -> Option<String> {
    let text = plate.as_str().as_bytes();
    let grammar = grammar_of(country)?;
    grammar
        .formats
        .iter()
        .find(|format| format.accepts(text))
        .and_then(|format| format.compiled.display(text))
}

/// The name of the format `plate` has in `country` (`"current (2001-)"`, `"sidecode 9"`).
pub fn format_name(country: Country, plate: &PlateText) -> Option<&'static str> {
    let text = plate.as_str().as_bytes();
    let grammar = grammar_of(country)?;
    grammar
        .formats
        .iter()
        .find(|format| format.accepts(text))
        .map(|format| format.name)
}

/// The countries whose grammar accepts `plate`, most probable first.
///
/// The confidence of a country is its share of cross-Channel traffic times the share of its
/// plates in the matching formats, normalised over all matching countries plus a small mass
/// for countries without a grammar. So a format two countries share (French and Italian
/// `AB123CD`) splits the probability by how common each is, and a plate matching only a rare
/// format (a GB dateless `A1`) is guessed with low confidence. Empty when no grammar accepts it.
pub fn guess_country(plate: &PlateText) -> Vec<CountryGuess> {
    let text = plate.as_str().as_bytes();
    let mut guesses: Vec<CountryGuess> = grammars()
        .iter()
        .filter_map(|grammar| {
            let share = grammar.share_of(text);
            (share > 0.0).then_some(CountryGuess {
                country: grammar.country,
                confidence: grammar.prior * share,
            })
        })
        .collect();
    let total: f64 =
        guesses.iter().map(|guess| guess.confidence).sum::<f64>() + OTHER_COUNTRIES_MASS;
    for guess in &mut guesses {
        guess.confidence /= total;
    }
    guesses.sort_by(|a, b| {
        b.confidence
            .total_cmp(&a.confidence)
            .then(a.country.cmp(&b.country))
    });
    guesses
}

/// The compiled grammar of one country.
#[derive(Debug)]
pub(crate) struct Grammar {
    pub(crate) country: Country,
    prior: f64,
    formats: Vec<Format>,
    /// The formats' shares summed, in their order.
    share_total: f64,
    /// Shortest and longest normalised text any format accepts.
    pub(crate) len_min: usize,
    pub(crate) len_max: usize,
    /// `masks[len][pos]`: the characters some format allows at `pos` in a text of length `len`.
    masks: Vec<[CharMask; PLATE_LEN_MAX]>,
}

impl Grammar {
    /// Whether normalised `text` is valid in this country.
    pub(crate) fn validate(&self, text: &[u8]) -> bool {
        self.may_accept(text) && self.formats.iter().any(|format| format.accepts(text))
    }

    /// The share of the country's plates in the formats that accept `text`; 0 when invalid.
    pub(crate) fn share_of(&self, text: &[u8]) -> f64 {
        if !self.may_accept(text) {
            return 0.0;
        }
        self.formats
            .iter()
            .filter(|format| format.accepts(text))
            .map(|format| format.share)
            .sum()
    }

    /// The shares of all the formats together: no text's [`share_of`](Self::share_of) is
    /// above it (the same sum, in the same order, less some of its terms).
    pub(crate) fn share_total(&self) -> f64 {
        self.share_total
    }

    /// The characters some format allows at `pos` in a text of length `len` (a superset of
    /// what a full match allows there).
    pub(crate) fn allowed_at(&self, len: usize, pos: usize) -> CharMask {
        self.masks
            .get(len)
            .and_then(|row| row.get(pos))
            .copied()
            .unwrap_or(CharMask::EMPTY)
    }

    /// A quick necessary condition for validity: the length and every character's position.
    pub(crate) fn may_accept(&self, text: &[u8]) -> bool {
        text.len() >= self.len_min
            && text.len() <= self.len_max
            && text
                .iter()
                .enumerate()
                .all(|(pos, byte)| self.allowed_at(text.len(), pos).contains(*byte))
    }
}

#[derive(Debug)]
struct Format {
    name: &'static str,
    compiled: Compiled,
    share: f64,
    check: Option<fn(&[u8]) -> bool>,
}

impl Format {
    fn accepts(&self, text: &[u8]) -> bool {
        self.compiled.matches(text) && self.check.is_none_or(|check| check(text))
    }
}

/// The grammar of `country`, if it has one.
pub(crate) fn grammar_of(country: Country) -> Option<&'static Grammar> {
    grammars().iter().find(|grammar| grammar.country == country)
}

fn grammars() -> &'static [Grammar] {
    static GRAMMARS: OnceLock<Vec<Grammar>> = OnceLock::new();
    GRAMMARS.get_or_init(|| tables::COUNTRIES.iter().map(compile_country).collect())
}

fn compile_country(spec: &tables::CountrySpec) -> Grammar {
    let formats: Vec<Format> = spec
        .formats
        .iter()
        .map(|format| Format {
            name: format.name,
            compiled: Compiled::new(format.pattern, &tables::list),
            share: format.share,
            check: format.check,
        })
        .collect();
    let len_min = formats
        .iter()
        .map(|format| format.compiled.len_min)
        .min()
        .unwrap_or(0);
    let len_max = formats
        .iter()
        .map(|format| format.compiled.len_max)
        .max()
        .unwrap_or(0);
    let mut masks = vec![[CharMask::EMPTY; PLATE_LEN_MAX]; PLATE_LEN_MAX + 1];
    for format in &formats {
        format.compiled.add_position_masks(&mut masks);
    }
    let share_total = formats.iter().map(|format| format.share).sum();
    Grammar {
        country: spec.country,
        prior: spec.prior,
        share_total,
        formats,
        len_min,
        len_max,
        masks,
    }
}
