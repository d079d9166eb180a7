//! Likely true readings of an observed plate text, ranked by posterior probability.

use super::{ConfusionModel, class_of};
use crate::grammar::{Grammar, grammar_of};
use crate::plate::PLATE_LEN_MAX;
use crate::{Country, PlateText};

/// A candidate true reading of an observed plate text.
#[derive(Clone, PartialEq, Debug)]
pub struct Alternative {
    /// The candidate true plate text.
    pub text: PlateText,
    /// Posterior probability that this is the true plate, given the read.
    pub probability: f64,
}

/// Prior weight of a reading the country's grammar rejects. A valid reading weighs the share
/// of the country's plates in its format (0.88 for a current GB plate, 0.07 for a prefix one).
const INVALID_PRIOR: f64 = 0.005;
/// Probability mass kept for true readings not enumerated (three or more errors, a drop and
/// a substitution together), relative to the probability of an exact read.
const UNENUMERATED_SHARE: f64 = 1e-3;
/// How many of the likeliest single substitutions are combined into double ones.
const DOUBLE_SOURCES_MAX: usize = 16;

/// What is called with each reading enumerated, and the likelihood ratios of its changes.
type Visit<'a> = dyn FnMut(&[u8], (f64, f64)) + 'a;

/// A reading under consideration, on the stack.
#[derive(Clone, Copy)]
struct Candidate {
    text: [u8; PLATE_LEN_MAX],
    len: u8,
    weight: f64,
}

impl Candidate {
    fn bytes(&self) -> &[u8] {
        &self.text[..usize::from(self.len)]
    }
}

impl ConfusionModel {
    /// The likeliest true readings of `observed`, without knowledge of its country.
    /// Same as [`alternatives_in`](Self::alternatives_in) with no country.
    pub fn alternatives(&self, observed: &PlateText, n_max: usize) -> Vec<Alternative> {
        self.alternatives_in(observed, None, n_max)
    }

    /// The likeliest true readings of `observed`, at most `n_max`, most probable first (ties
    /// in text order); no text appears twice and the probabilities sum to less than 1.
    ///
    /// Considered: the read itself, every single substitution through a listed confusion,
    /// pairs of the likeliest ones, and the read with one character removed. Given a country
    /// with a grammar, each reading is weighted by how common its format is there (a read
    /// `AB1ZCDE` in GB ranks `AB12CDE` first), and readings with one dropped character
    /// restored are added where they are valid. Probabilities are posteriors normalised over all readings considered
    /// plus a small reserve for those not considered.
    pub fn alternatives_in(
        &self,
        observed: &PlateText,
        country: Option<Country>,
        n_max: usize,
    ) -> Vec<Alternative> {
        if n_max == 0 {
            return Vec::new();
        }
        let observed = observed.as_str().as_bytes();
        let grammar = country.and_then(grammar_of);
        let weigh = Weighing { grammar };
        let mut candidates = Vec::with_capacity(256);
        self.visit_readings(observed, grammar, &mut |text, likelihood| {
            let likelihood = self.likelihood_of(observed, text, likelihood);
            let restored = text.len() > observed.len();
            candidates.push(candidate(text, weigh.weight(text, likelihood, restored)));
        });
        // The read and its substitutions come first, then removals and restorations.
        let n_fixed_length = candidates
            .iter()
            .take_while(|candidate| usize::from(candidate.len) == observed.len())
            .count();
        let exact_weight = self.correct_read_probability_bytes(observed);
        // Removals and restorations may coincide with each other; substitutions cannot.
        dedup_tail(&mut candidates, n_fixed_length);
        candidates.retain(|candidate| candidate.weight > 0.0);
        let total: f64 = candidates
            .iter()
            .map(|candidate| candidate.weight)
            .sum::<f64>()
            + exact_weight * UNENUMERATED_SHARE;
        if candidates.len() > n_max {
            candidates.select_nth_unstable_by(n_max - 1, by_weight);
            candidates.truncate(n_max);
        }
        candidates.sort_unstable_by(by_weight);
        candidates
            .iter()
            .map(|candidate| Alternative {
                text: PlateText::from_normalised(candidate.bytes()),
                probability: candidate.weight / total,
            })
            .collect()
    }

    /// The texts of [`alternatives_in`](Self::alternatives_in)`(observed, country, n_max)`
    /// that are `wanted`, in its order, without their probabilities: the same readings,
    /// weights and ties. Far cheaper when few readings are wanted (the plates read
    /// elsewhere, for misread linking): only the wanted ones, and the readings that the
    /// most their format could weigh would put above one of them, are weighed against the
    /// country's grammar.
    pub fn likeliest_readings_among(
        &self,
        observed: &PlateText,
        country: Option<Country>,
        n_max: usize,
        wanted: &mut dyn FnMut(&[u8]) -> bool,
    ) -> Vec<PlateText> {
        let observed = observed.as_str().as_bytes();
        let grammar = country.and_then(grammar_of);
        let weigh = Weighing { grammar };
        let restored = |text: &[u8]| text.len() > observed.len();
        let mut found: Vec<Candidate> = Vec::new();
        self.visit_readings(observed, grammar, &mut |text, likelihood| {
            if wanted(text) {
                let likelihood = self.likelihood_of(observed, text, likelihood);
                found.push(candidate(
                    text,
                    weigh.weight(text, likelihood, restored(text)),
                ));
            }
        });
        found.retain(|candidate| candidate.weight > 0.0);
        if n_max == 0 || found.is_empty() {
            return Vec::new();
        }
        found.sort_unstable_by(by_weight);
        found.dedup_by(|a, b| a.bytes() == b.bytes());
        // Every reading that might weigh more than the lightest one found, weighed.
        let lightest = found.last().map_or(0.0, |candidate| candidate.weight);
        let mut heavier: Vec<Candidate> = Vec::new();
        self.visit_readings(observed, grammar, &mut |text, likelihood| {
            let likelihood = self.likelihood_of(observed, text, likelihood);
            let restored = restored(text);
            if weigh.bound(text, likelihood, restored) >= lightest {
                let weight = weigh.weight(text, likelihood, restored);
                if weight >= lightest && weight > 0.0 {
                    heavier.push(candidate(text, weight));
                }
            }
        });
        heavier.sort_unstable_by(by_weight);
        heavier.dedup_by(|a, b| a.bytes() == b.bytes());
        // A wanted reading is among the `n_max` likeliest when fewer than `n_max` rank above it.
        found
            .iter()
            .filter(|wanted| {
                let above = heavier
                    .partition_point(|other| by_weight(other, wanted) == std::cmp::Ordering::Less);
                above < n_max
            })
            .map(|candidate| PlateText::from_normalised(candidate.bytes()))
            .collect()
    }

    /// Calls `visit` with every reading [`alternatives_in`](Self::alternatives_in) weighs
    /// and its likelihood, or how to work it out; restorations no format could accept are
    /// left out. A text may come more than once, with the same likelihood.
    fn visit_readings(
        &self,
        observed: &[u8],
        grammar: Option<&Grammar>,
        visit: &mut dyn FnMut(&[u8], Likelihood),
    ) {
        let exact_weight = self.correct_read_probability_bytes(observed);
        visit(observed, Likelihood::Known(exact_weight));
        let singles = self.single_substitutions(observed);
        visit_substitutions(observed, &singles, &mut |text, (ratio_a, ratio_b)| {
            visit(text, Likelihood::Known(exact_weight * ratio_a * ratio_b));
        });
        visit_removals(observed, &mut |truth, _| visit(truth, Likelihood::Aligned));
        if let Some(grammar) = grammar {
            visit_restorations(observed, grammar, &mut |truth, _| {
                visit(truth, Likelihood::Aligned);
            });
        }
    }

    fn likelihood_of(&self, observed: &[u8], text: &[u8], likelihood: Likelihood) -> f64 {
        match likelihood {
            Likelihood::Known(likelihood) => likelihood,
            Likelihood::Aligned => self.likelihood_bytes(observed, text),
        }
    }

    fn correct_read_probability_bytes(&self, text: &[u8]) -> f64 {
        text.iter().map(|byte| self.read(*byte, *byte)).product()
    }

    /// Calls `visit` with every reading that [`alternatives_in`](Self::alternatives_in)
    /// could return for `observed` (the read itself included), whatever its `n_max`, and
    /// maybe a few more (restorations a format of that length could accept character by
    /// character but the country's grammar rejects), unranked and maybe
    /// more than once. Far cheaper than ranking them, as no reading is weighed against the
    /// grammar: for skipping reads none of whose readings could matter (a misread's true
    /// plate must be one that was read elsewhere).
    pub fn possible_readings_in(
        &self,
        observed: &PlateText,
        country: Option<Country>,
        visit: &mut dyn FnMut(&[u8]),
    ) {
        let observed = observed.as_str().as_bytes();
        visit(observed);
        let mut each = |text: &[u8], _| visit(text);
        visit_substitutions(observed, &self.single_substitutions(observed), &mut each);
        visit_removals(observed, &mut each);
        if let Some(grammar) = country.and_then(grammar_of) {
            visit_restorations(observed, grammar, &mut each);
        }
    }

    /// Every single substitution through a listed confusion, as (position, true character,
    /// likelihood ratio against the exact read), likeliest first.
    fn single_substitutions(&self, observed: &[u8]) -> Vec<(usize, u8, f64)> {
        let mut singles: Vec<(usize, u8, f64)> = Vec::with_capacity(64);
        for (pos, byte) in observed.iter().enumerate() {
            let correct = self.read(*byte, *byte);
            for (truth, probability) in &self.sources[class_of(*byte)] {
                singles.push((
                    pos,
                    super::char_of(usize::from(*truth)) as u8,
                    probability / correct,
                ));
            }
        }
        singles.sort_by(|a, b| b.2.total_cmp(&a.2));
        singles
    }

    fn likelihood_bytes(&self, observed: &[u8], truth: &[u8]) -> f64 {
        if observed.len() + 1 == truth.len() {
            self.likelihood_one_dropped(observed, truth)
        } else if observed.len() == truth.len() + 1 {
            self.likelihood_one_inserted(observed, truth)
        } else {
            unreachable!("only one-character length differences are enumerated")
        }
    }
}

/// Calls `visit` with each reading the substitutions give and the likelihood ratios against
/// the exact read of its one or two changes (the second 1 for one): every one of `singles`
/// (as from `single_substitutions`), then pairs of the likeliest ones.
fn visit_substitutions(observed: &[u8], singles: &[(usize, u8, f64)], visit: &mut Visit<'_>) {
    let mut text = candidate(observed, 0.0);
    for (pos, truth, ratio) in singles {
        text.text[*pos] = *truth;
        visit(text.bytes(), (*ratio, 1.0));
        text.text[*pos] = observed[*pos];
    }
    let top = &singles[..singles.len().min(DOUBLE_SOURCES_MAX)];
    for (idx, (pos_a, truth_a, ratio_a)) in top.iter().enumerate() {
        for (pos_b, truth_b, ratio_b) in &top[idx + 1..] {
            if pos_a == pos_b {
                continue;
            }
            text.text[*pos_a] = *truth_a;
            text.text[*pos_b] = *truth_b;
            visit(text.bytes(), (*ratio_a, *ratio_b));
            text.text[*pos_a] = observed[*pos_a];
            text.text[*pos_b] = observed[*pos_b];
        }
    }
}

/// Calls `visit` with the read less each of its characters in turn (ratios unused, 1).
fn visit_removals(observed: &[u8], visit: &mut Visit<'_>) {
    if observed.len() < 2 {
        return;
    }
    let mut buf = [0u8; PLATE_LEN_MAX];
    let len = observed.len() - 1;
    for pos in 0..observed.len() {
        buf[..pos].copy_from_slice(&observed[..pos]);
        buf[pos..len].copy_from_slice(&observed[pos + 1..]);
        visit(&buf[..len], (1.0, 1.0));
    }
}

/// Calls `visit` with the read with one character restored wherever some format of
/// `grammar` allows each of the new text's characters at its place (the grammar's full
/// test is the visitor's to make; ratios unused, 1).
fn visit_restorations(observed: &[u8], grammar: &Grammar, visit: &mut Visit<'_>) {
    let len = observed.len() + 1;
    if len > PLATE_LEN_MAX || len < grammar.len_min || len > grammar.len_max {
        return;
    }
    let mut buf = [0u8; PLATE_LEN_MAX];
    for pos in 0..len {
        buf[..pos].copy_from_slice(&observed[..pos]);
        buf[pos + 1..len].copy_from_slice(&observed[pos..]);
        for inserted in grammar.allowed_at(len, pos).bytes() {
            // Restoring next to an equal character gives a text already tried.
            if pos > 0 && observed[pos - 1] == inserted {
                continue;
            }
            buf[pos] = inserted;
            // Most restorations put a character where no format of the new length has one.
            if grammar.may_accept(&buf[..len]) {
                visit(&buf[..len], (1.0, 1.0));
            }
        }
    }
}

/// A reading's likelihood as [`ConfusionModel::visit_readings`] gives it: known from how it
/// was made (the read, a substitution), or to be worked out by aligning it with the read
/// (one character more or less), which costs more and is left until needed.
#[derive(Clone, Copy)]
enum Likelihood {
    Known(f64),
    Aligned,
}

/// A reading's weight as [`alternatives_in`](ConfusionModel::alternatives_in) works it out
/// (likelihood times prior), and a cheap bound on it.
struct Weighing {
    grammar: Option<&'static Grammar>,
}

impl Weighing {
    fn weight(&self, text: &[u8], likelihood: f64, restored: bool) -> f64 {
        match self.grammar {
            None => likelihood * 1.0,
            Some(grammar) if restored => likelihood * grammar.share_of(text),
            Some(grammar) => likelihood * grammar.share_of(text).max(INVALID_PRIOR),
        }
    }

    /// At least [`weight`](Self::weight): the same product with a prior no smaller (a text
    /// no format could accept has an invalid reading's prior; any other, at most every
    /// format's share), as floating-point products round monotonically.
    fn bound(&self, text: &[u8], likelihood: f64, restored: bool) -> f64 {
        match self.grammar {
            None => likelihood * 1.0,
            Some(grammar) if !restored && !grammar.may_accept(text) => likelihood * INVALID_PRIOR,
            Some(grammar) => likelihood * grammar.share_total().max(INVALID_PRIOR),
        }
    }
}

/// Heaviest first, then in text order.
fn by_weight(a: &Candidate, b: &Candidate) -> std::cmp::Ordering {
    b.weight
        .total_cmp(&a.weight)
        .then_with(|| a.bytes().cmp(b.bytes()))
}

fn candidate(text: &[u8], weight: f64) -> Candidate {
    let mut buf = [0u8; PLATE_LEN_MAX];
    buf[..text.len()].copy_from_slice(text);
    Candidate {
        text: buf,
        len: text.len() as u8,
        weight,
    }
}

/// Removes duplicate texts from `candidates[from..]`, which holds few entries.
fn dedup_tail(candidates: &mut Vec<Candidate>, from: usize) {
    let mut tail = candidates.split_off(from);
    tail.sort_unstable_by(|a, b| a.bytes().cmp(b.bytes()));
    tail.dedup_by(|a, b| a.bytes() == b.bytes());
    candidates.extend(tail);
}
