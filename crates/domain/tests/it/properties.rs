//! Property tests: normalisation, the misread model, wildcard patterns and grammars.

use corridor_domain::confusion::ConfusionModel;
use corridor_domain::{Country, PlatePattern, PlateText, grammar};
use proptest::prelude::*;
use std::collections::HashSet;
use std::sync::OnceLock;

fn model() -> &'static ConfusionModel {
    static MODEL: OnceLock<ConfusionModel> = OnceLock::new();
    MODEL.get_or_init(ConfusionModel::standard)
}

/// Plate-like text, rich in easily confused characters.
fn plate_text() -> impl Strategy<Value = PlateText> {
    prop_oneof![
        "[A-Z0-9]{1,12}",
        "[O0DQI1LTB8S5Z2G6CA4]{1,9}",
        "[A-Z]{2}[0-9]{2}[A-Z]{3}",
        "[A-Z]{2}[0-9]{3}[A-Z]{2}",
    ]
    .prop_map(|raw| PlateText::parse(&raw).expect("generated text is normalised"))
}

/// Text shaped like the plates of the supported countries, valid or nearly so.
fn plate_shaped() -> impl Strategy<Value = PlateText> {
    prop_oneof![
        "[A-Z]{2}[0-9]{2}[A-Z]{3}",
        "[A-Z]{2}[0-9]{3}[A-Z]{2}",
        "[1-9][A-Z]{3}[0-9]{3}",
        "[0-9]{4}[A-Z]{3}",
        "[A-Z]{1,3}[A-Z]{1,2}[1-9][0-9]{0,3}",
        "[0-9]{2,3}[A-Z]{1,2}[1-9][0-9]{0,5}",
        "[0-9]{1,2}[A-Z]{2,3}[0-9]{1,2}",
        "[A-Z]{2,3}[0-9]{4,5}",
        "[A-Z0-9]{6,8}",
    ]
    .prop_map(|raw| PlateText::parse(&raw).expect("generated text is normalised"))
}

fn country() -> impl Strategy<Value = Option<Country>> {
    let countries = grammar::supported_countries();
    prop_oneof![
        Just(None),
        (0..countries.len()).prop_map(move |idx| Some(countries[idx]))
    ]
}

/// Reference wildcard matcher: plain recursion, no cleverness.
fn naive_matches(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) => (0..=text.len()).any(|skip| naive_matches(rest, &text[skip..])),
        Some((b'?', rest)) => !text.is_empty() && naive_matches(rest, &text[1..]),
        Some((byte, rest)) => text.first() == Some(byte) && naive_matches(rest, &text[1..]),
    }
}

proptest! {
    #[test]
    fn normalisation_is_idempotent(raw in "[a-zA-Z0-9 .\\-_]{0,16}") {
        if let Ok(plate) = PlateText::parse(&raw) {
            prop_assert_eq!(PlateText::parse(plate.as_str()), Ok(plate.clone()));
        }
    }

    #[test]
    fn exact_read_is_the_likeliest_cause(plate in plate_text(), country in country()) {
        let exact = model().likelihood(plate.as_str(), plate.as_str());
        prop_assert!(exact > 0.5 && exact <= 1.0);
        for alternative in model().alternatives_in(&plate, country, 64) {
            let likelihood = model().likelihood(plate.as_str(), alternative.text.as_str());
            prop_assert!(likelihood <= exact, "{} explains {} better than itself", alternative.text, plate);
        }
    }

    #[test]
    fn every_ranked_reading_is_among_the_possible_ones(plate in plate_shaped(), country in country()) {
        let mut possible: HashSet<Vec<u8>> = HashSet::new();
        model().possible_readings_in(&plate, country, &mut |text| {
            possible.insert(text.to_vec());
        });
        for alternative in model().alternatives_in(&plate, country, 1000) {
            prop_assert!(
                possible.contains(alternative.text.as_str().as_bytes()),
                "{} of {} is ranked but not among the possible readings", alternative.text, plate
            );
        }
        // Two characters more is no reading of it.
        let longer = format!("{}ZZ", plate.as_str());
        prop_assert!(!possible.contains(longer.as_bytes()));
    }

    #[test]
    fn the_likeliest_wanted_readings_are_the_wanted_alternatives(
        plate in prop_oneof![plate_text(), plate_shaped()],
        country in country(),
        n_max in 0usize..80,
        one_in in 1u32..6,
    ) {
        // Wanted: one text in `one_in`, by a hash of its characters (every text for 1).
        let wanted = |text: &[u8]| {
            text.iter().fold(7u32, |hash, &byte| hash.wrapping_mul(31).wrapping_add(u32::from(byte))) % one_in == 0
        };
        let ranked: Vec<PlateText> = model()
            .alternatives_in(&plate, country, n_max)
            .into_iter()
            .map(|alternative| alternative.text)
            .filter(|text| wanted(text.as_str().as_bytes()))
            .collect();
        prop_assert_eq!(model().likeliest_readings_among(&plate, country, n_max, &mut |text| wanted(text)), ranked);
    }

    #[test]
    fn alternatives_are_sorted_unique_and_sum_below_one(plate in plate_text(), country in country(), n_max in 1usize..80) {
        let alternatives = model().alternatives_in(&plate, country, n_max);
        prop_assert!(!alternatives.is_empty() && alternatives.len() <= n_max);
        prop_assert!(alternatives.windows(2).all(|pair| pair[0].probability >= pair[1].probability));
        let total: f64 = alternatives.iter().map(|alternative| alternative.probability).sum();
        prop_assert!(total <= 1.0, "total {}", total);
        let mut texts: Vec<&str> = alternatives.iter().map(|alternative| alternative.text.as_str()).collect();
        texts.sort_unstable();
        texts.dedup();
        prop_assert_eq!(texts.len(), alternatives.len());
        if country.is_none() {
            prop_assert_eq!(&alternatives[0].text, &plate, "without a grammar the read itself comes first");
        }
    }

    #[test]
    fn sampled_misreads_are_explained_by_the_likelihood(plate in plate_text(), seed in any::<u64>()) {
        let mut state = seed;
        let mut uniform = move || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let misread = model().sample_misread(plate.as_str(), &mut uniform);
        prop_assert!(misread.bytes().all(|byte| byte.is_ascii_uppercase() || byte.is_ascii_digit()));
        prop_assert!(model().likelihood(&misread, plate.as_str()) > 0.0, "{} from {}", misread, plate);
    }

    #[test]
    fn pattern_matching_agrees_with_the_reference(raw in "[AB1?*]{1,8}", text in "[AB1]{0,8}") {
        let pattern = PlatePattern::parse(&raw).expect("generated patterns are valid");
        prop_assert_eq!(pattern.matches(&text), naive_matches(raw.as_bytes(), text.as_bytes()), "{} vs {}", raw, text);
        if pattern.matches(&text) {
            prop_assert!(text.starts_with(pattern.literal_prefix()));
            prop_assert!(text.len() >= pattern.len_min());
            prop_assert!(pattern.len_max().is_none_or(|len_max| text.len() <= len_max));
        }
    }

    #[test]
    fn display_then_parse_gives_back_the_plate(plate in plate_shaped()) {
        for country in grammar::supported_countries() {
            let display = grammar::display(*country, &plate);
            prop_assert_eq!(display.is_some(), grammar::validate(*country, &plate));
            if let Some(display) = display {
                prop_assert_eq!(PlateText::parse(&display), Ok(plate.clone()), "{} in {}", display, country);
            }
        }
    }

    #[test]
    fn guesses_are_valid_sorted_and_sum_below_one(plate in plate_shaped()) {
        let guesses = grammar::guess_country(&plate);
        let total: f64 = guesses.iter().map(|guess| guess.confidence).sum();
        prop_assert!(total <= 1.0);
        prop_assert!(guesses.windows(2).all(|pair| pair[0].confidence >= pair[1].confidence));
        for guess in &guesses {
            prop_assert!(guess.confidence > 0.0 && grammar::validate(guess.country, &plate));
        }
    }
}
