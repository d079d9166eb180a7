//! Tests of the misread model: likelihoods, alternatives and sampling.

use super::*;
use crate::{Country, PlateText};

const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

fn plate(raw: &str) -> PlateText {
    PlateText::parse(raw).expect("test plates normalise")
}

/// A small deterministic generator of uniforms in [0, 1) (64-bit LCG, top 53 bits).
fn lcg(seed: u64) -> impl FnMut() -> f64 {
    let mut state = seed;
    move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[track_caller]
fn check_ratio(actual: f64, expected: f64) {
    assert!(
        (actual / expected - 1.0).abs() < 0.05,
        "{actual} is not within 5% of {expected}"
    );
}

#[test]
fn exact_read_is_the_correct_read_probability() {
    let model = ConfusionModel::standard();
    let exact = model.likelihood("AB12CDE", "AB12CDE");
    assert_eq!(exact, model.correct_read_probability("AB12CDE"));
    assert!(exact > 0.75 && exact < 0.95, "{exact}");
}

#[test]
fn listed_confusions_outweigh_unlisted_ones() {
    let model = ConfusionModel::standard();
    let through_b8 = model.likelihood("A812CDE", "AB12CDE");
    let through_bx = model.likelihood("AX12CDE", "AB12CDE");
    check_ratio(
        through_b8 / model.likelihood("AB12CDE", "AB12CDE"),
        0.020 / model.read(b'B', b'B'),
    );
    assert!(through_b8 > 500.0 * through_bx);
}

#[test]
fn one_dropped_or_doubled_character() {
    let model = ConfusionModel::standard();
    let dropped = model.likelihood("AB2CDE", "AB12CDE");
    check_ratio(
        dropped,
        table::DROP_THIN * model.correct_read_probability("AB2CDE"),
    );
    let doubled = model.likelihood("AB122CDE", "AB12CDE");
    check_ratio(
        doubled,
        table::DOUBLE * model.correct_read_probability("AB12CDE") / model.read(b'2', b'2'),
    );
    let bolt = model.likelihood("1AB12CDE", "AB12CDE");
    check_ratio(
        bolt,
        table::SPURIOUS_BOLT * model.correct_read_probability("AB12CDE"),
    );
    assert!(model.likelihood("AB1CDE", "AB12CDE") > 0.0);
    assert_eq!(model.likelihood("ABCDE", "AB12CDE"), 0.0);
    assert_eq!(model.likelihood("AB12CDEFG", "AB12CDE"), 0.0);
}

#[test]
fn one_character_truths_give_a_distribution() {
    let model = ConfusionModel::standard();
    for truth in ["A", "0", "1", "M"] {
        let mut total = model.likelihood("", truth);
        for first in ALPHABET {
            total += model.likelihood(&char::from(*first).to_string(), truth);
            for second in ALPHABET {
                let observed: String = [char::from(*first), char::from(*second)].iter().collect();
                total += model.likelihood(&observed, truth);
            }
        }
        assert!(
            (total - 1.0).abs() < 1e-9,
            "{truth}: probabilities sum to {total}"
        );
    }
}

#[test]
fn grammar_ranks_a_gb_misread_back_to_the_plate() {
    let model = ConfusionModel::standard();
    let gb = Some(Country::from_static("GB"));
    // `Z` where a current GB plate has a digit: invalid as read, so `2` it was.
    let alternatives = model.alternatives_in(&plate("AB1ZCDE"), gb, 8);
    assert_eq!(alternatives[0].text.as_str(), "AB12CDE", "{alternatives:?}");
    // Without the grammar the read itself is the likeliest reading.
    let plain = model.alternatives(&plate("AB1ZCDE"), 8);
    assert_eq!(plain[0].text.as_str(), "AB1ZCDE");
    assert!(
        plain
            .iter()
            .any(|alternative| alternative.text.as_str() == "AB12CDE")
    );
}

#[test]
fn grammar_weighs_formats_by_how_common_they_are() {
    let model = ConfusionModel::standard();
    // `A812CDE` is itself a valid prefix-era plate (A812 CDE), but those are rare: the current
    // plate `AB12CDE` read with `8` for `B` is a close second.
    let alternatives =
        model.alternatives_in(&plate("A812CDE"), Some(Country::from_static("GB")), 8);
    assert_eq!(alternatives[0].text.as_str(), "A812CDE", "{alternatives:?}");
    assert_eq!(alternatives[1].text.as_str(), "AB12CDE", "{alternatives:?}");
    assert!(alternatives[1].probability > 0.15, "{alternatives:?}");
    let plain = model.alternatives(&plate("A812CDE"), 8);
    let plain_b = plain
        .iter()
        .find(|alternative| alternative.text.as_str() == "AB12CDE")
        .expect("B for 8 is proposed");
    assert!(alternatives[1].probability > 5.0 * plain_b.probability);
}

#[test]
fn grammar_restores_a_dropped_character() {
    let model = ConfusionModel::standard();
    let alternatives =
        model.alternatives_in(&plate("AB2CDE"), Some(Country::from_static("GB")), 16);
    // A thin `1` is the likeliest character to vanish.
    assert_eq!(alternatives[0].text.as_str(), "AB12CDE", "{alternatives:?}");
    assert!(
        alternatives
            .iter()
            .any(|alternative| alternative.text.as_str() == "AB22CDE")
    );
    assert!(
        model
            .alternatives(&plate("AB2CDE"), 64)
            .iter()
            .all(|alternative| alternative.text.as_str().len() <= 6)
    );
}

#[test]
fn grammar_finds_pairs_of_misreads() {
    let model = ConfusionModel::standard();
    // A French SIV plate with both letter blocks hit: `8` for `B` and `5` for `S`.
    let alternatives =
        model.alternatives_in(&plate("A8123C5"), Some(Country::from_static("FR")), 16);
    let fr = Country::from_static("FR");
    let first_valid = alternatives
        .iter()
        .find(|alternative| crate::grammar::validate(fr, &alternative.text))
        .expect("a valid reading is proposed");
    assert_eq!(first_valid.text.as_str(), "AB123CS", "{alternatives:?}");
}

#[test]
fn alternatives_are_sorted_unique_and_sum_below_one() {
    let model = ConfusionModel::standard();
    for raw in ["AB12CDE", "OO00II11", "B", "SZ8G0I1Q", "ABCDEFGHIJKL"] {
        for country in [
            None,
            Some(Country::from_static("NL")),
            Some(Country::from_static("CH")),
        ] {
            let alternatives = model.alternatives_in(&plate(raw), country, 64);
            assert!(!alternatives.is_empty() && alternatives.len() <= 64);
            let total: f64 = alternatives
                .iter()
                .map(|alternative| alternative.probability)
                .sum();
            assert!(total <= 1.0 && total > 0.5, "{raw}: total {total}");
            assert!(
                alternatives
                    .windows(2)
                    .all(|pair| pair[0].probability >= pair[1].probability)
            );
            let mut texts: Vec<&str> = alternatives
                .iter()
                .map(|alternative| alternative.text.as_str())
                .collect();
            texts.sort_unstable();
            texts.dedup();
            assert_eq!(texts.len(), alternatives.len(), "{raw}: duplicate readings");
        }
    }
    assert!(model.alternatives(&plate("AB12CDE"), 0).is_empty());
}

#[test]
fn sampling_matches_the_likelihoods() {
    let model = ConfusionModel::standard();
    let mut uniform = lcg(7);
    let n_samples = 40_000;
    let mut counts = std::collections::HashMap::new();
    for _ in 0..n_samples {
        *counts
            .entry(model.sample_misread("AB12CDE", &mut uniform))
            .or_insert(0u32) += 1;
    }
    let frequency =
        |text: &str| f64::from(counts.get(text).copied().unwrap_or(0)) / f64::from(n_samples);
    let exact = model.likelihood("AB12CDE", "AB12CDE");
    assert!(
        (frequency("AB12CDE") - exact).abs() < 0.01,
        "{} vs {exact}",
        frequency("AB12CDE")
    );
    let b8 = model.likelihood("A812CDE", "AB12CDE");
    assert!(
        (frequency("A812CDE") - b8).abs() < 0.004,
        "{} vs {b8}",
        frequency("A812CDE")
    );
    assert!(
        counts.keys().all(|text| PlateText::parse(text).is_ok()),
        "samples are plate text"
    );
}

#[test]
fn sampling_is_deterministic_and_uses_the_given_numbers() {
    let model = ConfusionModel::standard();
    assert_eq!(model.sample_misread("AB12CDE", &mut || 0.0), "AB12CDE");
    // Just past the correct-read mass of `B` lands on its likeliest substitution.
    let correct_b = model.read(b'B', b'B');
    let mut draws = [0.0, correct_b + 1e-9, 0.0].into_iter().cycle();
    assert_eq!(
        model.sample_misread("ABC", &mut || draws.next().unwrap_or(0.0)),
        "A8C"
    );
    let (mut first, mut second) = (lcg(3), lcg(3));
    for _ in 0..100 {
        assert_eq!(
            model.sample_misread("GB51XYZ", &mut first),
            model.sample_misread("GB51XYZ", &mut second)
        );
    }
}

#[test]
fn error_scale() {
    let perfect = ConfusionModel::with_error_scale(0.0).expect("zero errors is a valid model");
    assert_eq!(perfect.likelihood("AB12CDE", "AB12CDE"), 1.0);
    let doubled = ConfusionModel::with_error_scale(2.0).expect("twice the errors is valid");
    check_ratio(
        doubled.likelihood("A812CDE", "AB12CDE") / doubled.likelihood("AB12CDE", "AB12CDE"),
        0.04 / doubled.read(b'B', b'B'),
    );
    assert!(ConfusionModel::with_error_scale(20.0).is_err());
    assert!(ConfusionModel::with_error_scale(f64::NAN).is_err());
}

#[test]
fn misreadings_are_what_the_model_reads_a_plate_as() {
    let model = ConfusionModel::standard();
    let truth = PlateText::parse("ACKI3320").unwrap();
    let misreadings = model.misreadings(&truth, 64);
    assert_eq!(misreadings.len(), 64);
    let texts: Vec<&str> = misreadings.iter().map(|(text, _)| text.as_str()).collect();
    // A doubled character and two substitutions (K as X, 0 as O) are among them.
    assert!(texts.contains(&"ACKI33200"), "{texts:?}");
    assert!(texts.contains(&"ACXI332O"), "{texts:?}");
    assert!(!texts.contains(&"ACKI3320"));
    for pair in misreadings.windows(2) {
        assert!(pair[0].1 >= pair[1].1, "likeliest first");
    }
    for (text, probability) in &misreadings {
        assert_eq!(
            *probability,
            model.likelihood(text.as_str(), truth.as_str())
        );
    }
    // The likeliest misreading is likelier than any substitution the table does not list.
    assert!(misreadings[0].1 > model.likelihood("ACKI332Q", "ACKI3320"));
    // Each is a read that gives the plate back among its likely true readings.
    let (first, _) = &misreadings[0];
    assert!(
        model
            .alternatives(first, 8)
            .iter()
            .any(|alternative| alternative.text == truth)
    );
}
