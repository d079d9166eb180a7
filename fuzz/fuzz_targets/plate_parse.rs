//! Fuzz target: plate text, country codes and wildcard patterns from arbitrary bytes, then
//! every grammar, the country guess and the misread model on whatever parses.

#![no_main]

use corridor_domain::confusion::ConfusionModel;
use corridor_domain::{Country, PlatePattern, PlateText, grammar};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn model() -> &'static ConfusionModel {
    static MODEL: OnceLock<ConfusionModel> = OnceLock::new();
    MODEL.get_or_init(ConfusionModel::standard)
}

fuzz_target!(|data: &[u8]| {
    let raw = String::from_utf8_lossy(data);
    let _ = Country::parse(&raw);
    if let Ok(pattern) = PlatePattern::parse(&raw) {
        let reparsed = PlatePattern::parse(pattern.as_str()).expect("a normalised pattern parses");
        assert_eq!(reparsed, pattern);
        let _ = pattern.matches(pattern.literal_prefix());
    }
    let Ok(plate) = PlateText::parse(&raw) else {
        return;
    };
    assert_eq!(PlateText::parse(plate.as_str()).as_ref(), Ok(&plate), "normalisation is idempotent");
    for country in grammar::supported_countries() {
        let display = grammar::display(*country, &plate);
        assert_eq!(display.is_some(), grammar::validate(*country, &plate));
        if let Some(display) = display {
            assert_eq!(PlateText::parse(&display).as_ref(), Ok(&plate), "display {display} in {country}");
        }
    }
    let guesses = grammar::guess_country(&plate);
    assert!(guesses.iter().map(|guess| guess.confidence).sum::<f64>() <= 1.0);
    // One country per input keeps each run fast; the first byte picks which.
    let countries = grammar::supported_countries();
    let country = data.first().map(|byte| countries[usize::from(*byte) % countries.len()]);
    let exact = model().likelihood(plate.as_str(), plate.as_str());
    let alternatives = model().alternatives_in(&plate, country, 64);
    assert!(alternatives.iter().map(|alternative| alternative.probability).sum::<f64>() <= 1.0);
    for alternative in &alternatives {
        assert!(model().likelihood(plate.as_str(), alternative.text.as_str()) <= exact);
    }
    let mut state = u64::from(data.len() as u32);
    let misread = model().sample_misread(plate.as_str(), &mut || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    });
    assert!(model().likelihood(&misread, plate.as_str()) > 0.0);
});
