//! CTC prefix beam search over the reader's log-probabilities.
//!
//! Class 0 is the CTC blank, 1..=10 the digits `0`..`9`, 11..=36 the letters `A`..`Z`.
//! A string's probability sums every alignment of it that the beam kept, so two readings
//! that differ only in where the blanks fall are one string, not two.

use std::collections::HashMap;

/// The reader's classes: blank, 10 digits, 26 letters.
pub(crate) const N_CLASSES: usize = 37;
/// The reader's time steps.
pub(crate) const N_STEPS: usize = 32;
/// Prefixes kept after each time step.
const BEAM_WIDTH: usize = 16;
/// Distinct strings reported per reading.
pub const ALTERNATIVES_MAX: usize = 5;

/// One candidate string with its probability.
#[derive(Clone, PartialEq, Debug)]
pub struct Alternative {
    /// Digits and upper-case letters only; empty when the crop holds no character.
    pub text: String,
    /// Probability of this string, 0..=1.
    pub probability: f32,
}

/// Log-probabilities of a prefix ending in a blank and ending in a character.
#[derive(Clone, Copy)]
struct PrefixScore {
    blank: f64,
    character: f64,
}

impl PrefixScore {
    const ZERO: PrefixScore = PrefixScore {
        blank: f64::NEG_INFINITY,
        character: f64::NEG_INFINITY,
    };

    fn total(self) -> f64 {
        log_add(self.blank, self.character)
    }
}

/// The most probable distinct strings, best first, at most [`ALTERNATIVES_MAX`].
///
/// `logprobs` is `[N_STEPS * N_CLASSES]`, row-major, log-softmax over each row.
pub(crate) fn beam_search(logprobs: &[f32]) -> Vec<Alternative> {
    assert_eq!(
        logprobs.len(),
        N_STEPS * N_CLASSES,
        "logprobs shape is [1,32,37]"
    );
    let mut beams: Vec<(Vec<u8>, PrefixScore)> = vec![(
        Vec::new(),
        PrefixScore {
            blank: 0.0,
            character: f64::NEG_INFINITY,
        },
    )];
    for step in logprobs.chunks_exact(N_CLASSES) {
        let mut next: HashMap<Vec<u8>, PrefixScore> = HashMap::with_capacity(beams.len() * 8);
        for (prefix, score) in &beams {
            extend(&mut next, prefix, *score, step);
        }
        beams = best_beams(next, BEAM_WIDTH);
    }
    beams
        .into_iter()
        .take(ALTERNATIVES_MAX)
        .map(|(prefix, score)| Alternative {
            text: prefix.iter().map(|&class| class_char(class)).collect(),
            probability: score.total().exp().clamp(0.0, 1.0) as f32,
        })
        .collect()
}

/// Adds one time step's extensions of `prefix` to `next`.
fn extend(
    next: &mut HashMap<Vec<u8>, PrefixScore>,
    prefix: &[u8],
    score: PrefixScore,
    step: &[f32],
) {
    let total = score.total();
    let same = next.entry(prefix.to_vec()).or_insert(PrefixScore::ZERO);
    same.blank = log_add(same.blank, total + f64::from(step[0]));
    let last = prefix.last().copied();
    for (class, &logprob) in step.iter().enumerate().skip(1) {
        let class = class as u8;
        let logprob = f64::from(logprob);
        if !logprob.is_finite() {
            continue;
        }
        let mut longer = prefix.to_vec();
        longer.push(class);
        if last == Some(class) {
            // A repeat without a blank between collapses into the same prefix; only a
            // prefix ending in a blank can add a second copy.
            let same = next.entry(prefix.to_vec()).or_insert(PrefixScore::ZERO);
            same.character = log_add(same.character, score.character + logprob);
            let extended = next.entry(longer).or_insert(PrefixScore::ZERO);
            extended.character = log_add(extended.character, score.blank + logprob);
        } else {
            let extended = next.entry(longer).or_insert(PrefixScore::ZERO);
            extended.character = log_add(extended.character, total + logprob);
        }
    }
}

fn best_beams(next: HashMap<Vec<u8>, PrefixScore>, width: usize) -> Vec<(Vec<u8>, PrefixScore)> {
    let mut beams: Vec<(Vec<u8>, PrefixScore)> = next.into_iter().collect();
    beams.sort_by(|a, b| {
        b.1.total()
            .total_cmp(&a.1.total())
            .then_with(|| a.0.cmp(&b.0))
    });
    beams.truncate(width);
    beams
}

/// The character of a non-blank class.
fn class_char(class: u8) -> char {
    match class {
        1..=10 => char::from(b'0' + class - 1),
        11..=36 => char::from(b'A' + class - 11),
        _ => unreachable!("class {class} is not a character"),
    }
}

fn log_add(a: f64, b: f64) -> f64 {
    if a == f64::NEG_INFINITY {
        return b;
    }
    if b == f64::NEG_INFINITY {
        return a;
    }
    let (high, low) = if a > b { (a, b) } else { (b, a) };
    high + (low - high).exp().ln_1p()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Log-probabilities with `confident` of each step's mass on its class (blank after
    /// the given classes) and the rest spread evenly.
    fn steps(classes: &[usize], confident: f32) -> Vec<f32> {
        let rest = (1.0 - confident) / (N_CLASSES - 1) as f32;
        let mut logprobs = Vec::with_capacity(N_STEPS * N_CLASSES);
        for step_idx in 0..N_STEPS {
            let class = classes.get(step_idx).copied().unwrap_or(0);
            for other in 0..N_CLASSES {
                let probability = if other == class { confident } else { rest };
                logprobs.push(probability.ln());
            }
        }
        logprobs
    }

    fn class_of(ch: char) -> usize {
        match ch {
            '0'..='9' => ch as usize - '0' as usize + 1,
            _ => ch as usize - 'A' as usize + 11,
        }
    }

    #[test]
    fn collapses_repeats_and_blanks() {
        // A B B _ B 1 1 -> "ABB1".
        let classes: Vec<usize> = vec![
            class_of('A'),
            class_of('B'),
            class_of('B'),
            0,
            class_of('B'),
            class_of('1'),
            class_of('1'),
        ];
        let alternatives = beam_search(&steps(&classes, 0.999));
        assert_eq!(alternatives[0].text, "ABB1");
        assert!(alternatives[0].probability > 0.9);
        assert!(alternatives.len() <= ALTERNATIVES_MAX);
        let texts: Vec<&str> = alternatives.iter().map(|alt| alt.text.as_str()).collect();
        let mut distinct = texts.clone();
        distinct.dedup();
        assert_eq!(texts.len(), distinct.len());
    }

    #[test]
    fn uncertain_steps_give_ranked_alternatives() {
        // One step is torn between Z and 2.
        let mut logprobs = steps(&[class_of('Z'), 0, class_of('9')], 0.98);
        let torn = &mut logprobs[..N_CLASSES];
        for (class, value) in torn.iter_mut().enumerate() {
            *value = match class {
                c if c == class_of('Z') => 0.6_f32.ln(),
                c if c == class_of('2') => 0.39_f32.ln(),
                _ => (0.01_f32 / 35.0).ln(),
            };
        }
        let alternatives = beam_search(&logprobs);
        assert_eq!(alternatives[0].text, "Z9");
        assert_eq!(alternatives[1].text, "29");
        assert!(alternatives[0].probability > alternatives[1].probability);
        assert!(alternatives.iter().map(|alt| alt.probability).sum::<f32>() <= 1.0 + 1e-4);
    }

    #[test]
    fn all_blank_reads_nothing() {
        let alternatives = beam_search(&steps(&[], 0.999));
        assert_eq!(alternatives[0].text, "");
    }
}
