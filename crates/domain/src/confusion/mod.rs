//! A model of OCR misreads: how likely a camera reads one plate text when another is true.
//!
//! Each true character is read, independently, as itself, as another character (`O` as `0`,
//! `B` as `8`: the pairs and rates are in `table.rs`), not at all (dropped), twice (doubled),
//! or with a spurious character beside it (a bolt read as `1`). A read has at most one dropped
//! or inserted character; substitutions are unlimited.
//!
//! ```
//! use corridor_domain::{confusion::ConfusionModel, Country, PlateText};
//! let model = ConfusionModel::standard();
//! // A substitution through a known confusion is far likelier than through an unknown one.
//! assert!(model.likelihood("A812CDE", "AB12CDE") > 100.0 * model.likelihood("AX12CDE", "AB12CDE"));
//! // Positions 3-4 of a current GB plate are digits, so `Z` there was probably a `2`.
//! let read = PlateText::parse("AB1ZCDE").unwrap();
//! let alternatives = model.alternatives_in(&read, Some(Country::from_static("GB")), 8);
//! assert_eq!(alternatives[0].text.as_str(), "AB12CDE");
//! ```

mod alternatives;
mod table;
#[cfg(test)]
mod tests;

pub use alternatives::Alternative;

use crate::grammar::char_index;
use crate::{DomainError, PlateText};

/// Character classes: `0`-`9`, `A`-`Z`, and one class for anything else.
const N_CLASSES: usize = 37;
const OTHER: usize = 36;

/// Per-character probabilities of each kind of misread.
#[derive(Clone, Debug)]
pub struct ConfusionModel {
    /// `read_as[truth][observed]`: P(observed | truth) for a one-for-one read; the diagonal
    /// is the probability of a correct read.
    read_as: Box<[[f64; N_CLASSES]; N_CLASSES]>,
    drop: [f64; N_CLASSES],
    double: [f64; N_CLASSES],
    /// Probability that this character appears as a spurious insertion, per side of each
    /// true character.
    spurious: [f64; N_CLASSES],
    /// For each observed class, the true classes that are read as it through a listed
    /// confusion, most likely first: `(truth, P(observed | truth))`.
    sources: Vec<Vec<(u8, f64)>>,
    /// For each true class, the other classes it may be read as, most likely first.
    misreads: Vec<Vec<(u8, f64)>>,
}

impl ConfusionModel {
    /// The standard model for plate fonts (rates in `table.rs`).
    pub fn standard() -> ConfusionModel {
        Self::build(1.0)
    }

    /// The standard model with every error rate multiplied by `scale` (2.0 for a camera that
    /// errs twice as often). Fails when a character would be misread half the time or more.
    pub fn with_error_scale(scale: f64) -> Result<ConfusionModel, DomainError> {
        if !(scale.is_finite() && scale >= 0.0) {
            return Err(DomainError::BadField {
                field: "error_scale",
                reason: format!("{scale} is not a finite non-negative number"),
            });
        }
        let model = Self::build(scale);
        let correct_min = (0..N_CLASSES)
            .map(|class| model.read_as[class][class])
            .fold(f64::INFINITY, f64::min);
        if correct_min <= 0.5 {
            return Err(DomainError::BadField {
                field: "error_scale",
                reason: format!(
                    "{scale} makes some character misread more often than read correctly"
                ),
            });
        }
        Ok(model)
    }

    fn build(scale: f64) -> ConfusionModel {
        let mut read_as = Box::new([[table::SUBSTITUTION_FLOOR * scale; N_CLASSES]; N_CLASSES]);
        for (truth, observed, probability) in table::SUBSTITUTIONS {
            read_as[class_of(*truth)][class_of(*observed)] = probability * scale;
        }
        // A plate character is never read as something that is not one.
        for row in read_as.iter_mut().take(OTHER) {
            row[OTHER] = 0.0;
        }
        let mut drop = [table::DROP * scale; N_CLASSES];
        let mut double = [table::DOUBLE * scale; N_CLASSES];
        let mut spurious = [table::SPURIOUS_OTHER * scale; N_CLASSES];
        for byte in table::THIN {
            drop[class_of(*byte)] = table::DROP_THIN * scale;
        }
        for byte in table::WIDE {
            double[class_of(*byte)] = table::DOUBLE_WIDE * scale;
        }
        for byte in table::BOLT {
            spurious[class_of(*byte)] = table::SPURIOUS_BOLT * scale;
        }
        // Spurious characters are never of the catch-all class.
        spurious[OTHER] = 0.0;
        let spurious_total: f64 = 2.0 * spurious.iter().sum::<f64>();
        for truth in 0..N_CLASSES {
            let substituted: f64 = (0..N_CLASSES)
                .filter(|observed| *observed != truth)
                .map(|observed| read_as[truth][observed])
                .sum();
            read_as[truth][truth] =
                1.0 - substituted - drop[truth] - double[truth] - spurious_total;
        }
        let sources = (0..N_CLASSES)
            .map(|observed| {
                let mut list: Vec<(u8, f64)> = (0..N_CLASSES)
                    .filter(|truth| *truth != observed && *truth != OTHER)
                    .filter(|truth| read_as[*truth][observed] > table::SUBSTITUTION_FLOOR * scale)
                    .map(|truth| (truth as u8, read_as[truth][observed]))
                    .collect();
                list.sort_by(|a, b| b.1.total_cmp(&a.1));
                list
            })
            .collect();
        let misreads = (0..N_CLASSES)
            .map(|truth| {
                let mut list: Vec<(u8, f64)> = (0..N_CLASSES)
                    .filter(|observed| *observed != truth && read_as[truth][*observed] > 0.0)
                    .map(|observed| (observed as u8, read_as[truth][observed]))
                    .collect();
                list.sort_by(|a, b| b.1.total_cmp(&a.1));
                list
            })
            .collect();
        ConfusionModel {
            read_as,
            drop,
            double,
            spurious,
            sources,
            misreads,
        }
    }

    /// P(`observed` is read | `truth` is the plate), both normalised plate texts.
    ///
    /// Sums over every way of aligning the two with any number of substitutions and at most
    /// one dropped or inserted character; zero when the lengths differ by more than one.
    /// For `observed == truth` it is the product of the characters' correct-read rates.
    pub fn likelihood(&self, observed: &str, truth: &str) -> f64 {
        let observed = observed.as_bytes();
        let truth = truth.as_bytes();
        let n_truth = truth.len();
        if observed.len() == n_truth {
            truth
                .iter()
                .zip(observed)
                .map(|(t, o)| self.read(*t, *o))
                .product()
        } else if observed.len() + 1 == n_truth {
            self.likelihood_one_dropped(observed, truth)
        } else if observed.len() == n_truth + 1 {
            self.likelihood_one_inserted(observed, truth)
        } else {
            0.0
        }
    }

    /// The likeliest misreadings of `truth` (what a camera reads when it is wrong), at most
    /// `n_max`, likeliest first (ties in text order), `truth` itself left out, each with
    /// P(it is read | `truth`).
    ///
    /// Considered: every single substitution through a listed confusion, pairs of the
    /// likeliest of them, and every character dropped or doubled (a read has at most one).
    /// The inverse of [`alternatives_in`](Self::alternatives_in), which goes from a read to
    /// its likely true plates: the two are not symmetric (`ACKI3320` is read `ACKI33200`,
    /// but no likely true reading of `ACKI3320` is nine characters long).
    pub fn misreadings(&self, truth: &PlateText, n_max: usize) -> Vec<(PlateText, f64)> {
        /// Single substitutions combined in pairs.
        const PAIRED_MAX: usize = 16;
        let text = truth.as_str().as_bytes();
        let mut singles: Vec<(usize, u8)> = Vec::new();
        for (idx, &byte) in text.iter().enumerate() {
            for &(observed, _) in &self.misreads[class_of(byte)] {
                singles.push((idx, char_of(usize::from(observed)) as u8));
            }
        }
        let substituted = |changes: &[(usize, u8)]| {
            let mut bytes = text.to_vec();
            for &(idx, byte) in changes {
                bytes[idx] = byte;
            }
            bytes
        };
        let read_as = |bytes: &[u8]| {
            self.likelihood(std::str::from_utf8(bytes).unwrap_or(""), truth.as_str())
        };
        let mut ranked: Vec<(f64, (usize, u8), Vec<u8>)> = singles
            .into_iter()
            .map(|change| {
                let bytes = substituted(&[change]);
                (read_as(&bytes), change, bytes)
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        let singles: Vec<(usize, u8)> = ranked.iter().map(|&(_, change, _)| change).collect();
        let mut candidates: Vec<Vec<u8>> = ranked.into_iter().map(|(_, _, bytes)| bytes).collect();
        let best = &singles[..singles.len().min(PAIRED_MAX)];
        for (idx, &first) in best.iter().enumerate() {
            for &second in &best[idx + 1..] {
                if first.0 != second.0 {
                    candidates.push(substituted(&[first, second]));
                }
            }
        }
        for idx in 0..text.len() {
            let mut dropped = text.to_vec();
            dropped.remove(idx);
            candidates.push(dropped);
            let mut doubled = text.to_vec();
            doubled.insert(idx, text[idx]);
            candidates.push(doubled);
        }
        let mut out: Vec<(PlateText, f64)> = candidates
            .into_iter()
            .filter(|bytes| bytes.as_slice() != text)
            .filter_map(|bytes| {
                let probability = read_as(&bytes);
                let text = PlateText::parse(std::str::from_utf8(&bytes).ok()?).ok()?;
                (probability > 0.0).then_some((text, probability))
            })
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out.dedup_by(|a, b| a.0 == b.0);
        out.truncate(n_max);
        out
    }

    /// P(one correct read of every character in `text`): `1 - ` the total error mass.
    pub fn correct_read_probability(&self, text: &str) -> f64 {
        text.bytes().map(|byte| self.read(byte, byte)).product()
    }

    /// Draws a misread of `truth` from the model, using `next_uniform` (values in `[0, 1)`)
    /// for every random choice: one call per character of `truth`, so a seeded generator
    /// replays exactly. Like [`likelihood`](Self::likelihood), at most one character is
    /// dropped or inserted; later drop or insert draws read the character correctly.
    pub fn sample_misread(&self, truth: &str, next_uniform: &mut dyn FnMut() -> f64) -> String {
        let mut out = String::with_capacity(truth.len() + 1);
        let mut indel_used = false;
        for byte in truth.bytes() {
            let class = class_of(byte);
            // Correct reads come first, then misreads by likelihood, so that small draws
            // read correctly and a draw just past the correct mass gives the likeliest misread.
            let mut u = next_uniform() - self.read_as[class][class];
            if u < 0.0 {
                out.push(char::from(byte));
                continue;
            }
            if let Some(observed) =
                self.misreads[class]
                    .iter()
                    .find_map(|(observed, probability)| {
                        u -= probability;
                        (u < 0.0).then_some(*observed)
                    })
            {
                out.push(char_of(usize::from(observed)));
                continue;
            }
            // The rest of the mass is dropped, doubled or spurious characters.
            if indel_used {
                out.push(char::from(byte));
                continue;
            }
            indel_used = true;
            u -= self.drop[class];
            if u < 0.0 {
                continue;
            }
            u -= self.double[class];
            if u < 0.0 {
                out.push(char::from(byte));
                out.push(char::from(byte));
                continue;
            }
            self.push_spurious(&mut out, byte, u);
        }
        out
    }

    /// Pushes `byte` with a spurious character before or after it, chosen by `u`.
    fn push_spurious(&self, out: &mut String, byte: u8, mut u: f64) {
        for side_after in [false, true] {
            for inserted in 0..OTHER {
                u -= self.spurious[inserted];
                if u < 0.0 {
                    if side_after {
                        out.push(char::from(byte));
                        out.push(char_of(inserted));
                    } else {
                        out.push(char_of(inserted));
                        out.push(char::from(byte));
                    }
                    return;
                }
            }
        }
        // Rounding left a sliver of mass: read the character correctly.
        out.push(char::from(byte));
    }

    fn read(&self, truth: u8, observed: u8) -> f64 {
        let (truth_class, observed_class) = (class_of(truth), class_of(observed));
        if truth_class == OTHER && observed_class == OTHER && truth != observed {
            return table::SUBSTITUTION_FLOOR;
        }
        self.read_as[truth_class][observed_class]
    }

    /// `observed` is `truth` with one character missing. Forward pass over `truth` with two
    /// states: no character dropped yet (`aligned`), or one dropped (`shifted`).
    fn likelihood_one_dropped(&self, observed: &[u8], truth: &[u8]) -> f64 {
        let (mut aligned, mut shifted) = (1.0, 0.0);
        for (idx, &byte) in truth.iter().enumerate() {
            let shifted_next = match idx.checked_sub(1) {
                Some(prev) => shifted * self.read(byte, observed[prev]),
                None => 0.0,
            } + aligned * self.drop[class_of(byte)];
            aligned = observed
                .get(idx)
                .map_or(0.0, |o| aligned * self.read(byte, *o));
            shifted = shifted_next;
        }
        shifted
    }

    /// `observed` is `truth` with one extra character (doubled or spurious).
    fn likelihood_one_inserted(&self, observed: &[u8], truth: &[u8]) -> f64 {
        let (mut aligned, mut shifted) = (1.0, 0.0);
        for (idx, &byte) in truth.iter().enumerate() {
            let (first, second) = (observed[idx], observed[idx + 1]);
            let shifted_next =
                shifted * self.read(byte, second) + aligned * self.read_two(byte, first, second);
            aligned *= self.read(byte, first);
            shifted = shifted_next;
        }
        shifted
    }

    /// P(true `byte` is read as the two characters `first`, `second`).
    fn read_two(&self, byte: u8, first: u8, second: u8) -> f64 {
        let class = class_of(byte);
        let mut probability = 0.0;
        if first == byte && second == byte {
            probability += self.double[class];
        }
        if first == byte {
            probability += self.spurious[class_of(second)];
        }
        if second == byte {
            probability += self.spurious[class_of(first)];
        }
        probability
    }
}

fn class_of(byte: u8) -> usize {
    char_index(byte).unwrap_or(OTHER)
}

fn char_of(class: usize) -> char {
    match class {
        0..=9 => char::from(b'0' + class as u8),
        10..=35 => char::from(b'A' + (class - 10) as u8),
        _ => '?',
    }
}
