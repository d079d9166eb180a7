//! Data-driven tests of the country grammars: real-looking plates, valid and invalid.

use super::*;

#[track_caller]
fn check_valid(country: &str, raw: &str, expected_display: &str) {
    let country = parse_country(country);
    let plate = PlateText::parse(raw).expect("test plates normalise");
    assert!(
        validate(country, &plate),
        "{country} `{raw}` should be valid"
    );
    assert_eq!(
        display(country, &plate).as_deref(),
        Some(expected_display),
        "{country} `{raw}`"
    );
    let round_trip = PlateText::parse(expected_display).expect("display forms normalise");
    assert_eq!(
        round_trip, plate,
        "display of {country} `{raw}` should normalise back"
    );
}

#[track_caller]
fn check_invalid(country: &str, raw: &str) {
    let country = parse_country(country);
    let plate = PlateText::parse(raw).expect("test plates normalise");
    assert!(
        !validate(country, &plate),
        "{country} `{raw}` should be invalid"
    );
    assert_eq!(display(country, &plate), None);
}

#[track_caller]
fn check_guess(raw: &str, expected: &[&str]) {
    let plate = PlateText::parse(raw).expect("test plates normalise");
    let guesses = guess_country(&plate);
    let countries: Vec<&str> = guesses.iter().map(|guess| guess.country.as_str()).collect();
    assert_eq!(countries, expected, "guesses for `{raw}`: {guesses:?}");
}

fn parse_country(code: &str) -> Country {
    Country::parse(code).expect("test country codes are valid")
}

#[test]
fn gb() {
    check_valid("GB", "AB12CDE", "AB12 CDE");
    check_valid("GB", "ln 75 xyz", "LN75 XYZ");
    check_valid("GB", "YR02ABC", "YR02 ABC");
    check_valid("GB", "A123BCD", "A123 BCD");
    check_valid("GB", "P7ABC", "P7 ABC");
    check_valid("GB", "ABC123D", "ABC 123D");
    check_valid("GB", "ABZ1234", "ABZ 1234");
    check_valid("GB", "1ABC", "1 ABC");
    check_invalid("GB", "AB12CDI"); // I is never in the random letters
    check_invalid("GB", "AB99CDE"); // no age identifier 99
    check_invalid("GB", "AB00CDE");
    check_invalid("GB", "1234567");
    check_invalid("GB", "AB12CDEF");
}

#[test]
fn ie() {
    check_valid("IE", "231D12345", "231-D-12345");
    check_valid("IE", "12-D-1", "12-D-1");
    check_valid("IE", "10KK4321", "10-KK-4321");
    check_valid("IE", "99C123", "99-C-123");
    check_valid("IE", "152WX99", "152-WX-99");
    check_invalid("IE", "231XX12345"); // no county XX
    check_invalid("IE", "50D123"); // no year 50
    check_invalid("IE", "233D123"); // only half-years 1 and 2
    check_invalid("IE", "231D1234567");
}

#[test]
fn fr() {
    check_valid("FR", "AB123CD", "AB-123-CD");
    check_valid("FR", "fz-999-zz", "FZ-999-ZZ");
    check_valid("FR", "1234AB75", "1234 AB 75");
    check_valid("FR", "123ABC2A", "123 ABC 2A");
    check_valid("FR", "45XY974", "45 XY 974");
    check_invalid("FR", "AB000CD");
    check_invalid("FR", "SS123AB");
    check_invalid("FR", "AI123CD"); // no I, O or U in SIV
    check_invalid("FR", "1234AB96");
    check_invalid("FR", "1234AB20");
}

#[test]
fn be() {
    check_valid("BE", "1ABC234", "1-ABC-234");
    check_valid("BE", "2-XYZ-001", "2-XYZ-001");
    check_valid("BE", "ABC123", "ABC-123");
    check_valid("BE", "123ABC", "123-ABC");
    check_invalid("BE", "0ABC234");
    check_invalid("BE", "1AB234");
}

#[test]
fn nl() {
    check_valid("NL", "AB1234", "AB-12-34"); // sidecode 1
    check_valid("NL", "1234AB", "12-34-AB"); // 2
    check_valid("NL", "12AB34", "12-AB-34"); // 3
    check_valid("NL", "BD12FG", "BD-12-FG"); // 4
    check_valid("NL", "BDFG12", "BD-FG-12"); // 5
    check_valid("NL", "12BDFG", "12-BD-FG"); // 6
    check_valid("NL", "12BDF3", "12-BDF-3"); // 7
    check_valid("NL", "1BDF23", "1-BDF-23"); // 8
    check_valid("NL", "BD123F", "BD-123-F"); // 9
    check_valid("NL", "B123DF", "B-123-DF"); // 10
    check_valid("NL", "GBD12F", "GBD-12-F"); // 11
    check_valid("NL", "1BD234", "1-BD-234"); // 13
    check_invalid("NL", "12ABE3"); // no vowels since sidecode 4
    check_invalid("NL", "1234567");
    check_invalid("NL", "A12345");
}

#[test]
fn de() {
    check_valid("DE", "BAB1234", "B-AB 1234");
    check_valid("DE", "m-x 1", "M-X 1");
    check_valid("DE", "HHAB123", "HH-AB 123");
    check_valid("DE", "GAPXY99", "GAP-XY 99");
    check_valid("DE", "KAB123E", "K-AB 123E");
    // Without separators `SZA12H` is Stuttgart ZA or Salzgitter A: the bigger district wins.
    check_valid("DE", "SZ-A 12H", "S-ZA 12H");
    check_invalid("DE", "QQAB123"); // no district QQ
    check_invalid("DE", "BAB0123"); // the number has no leading zero
    check_invalid("DE", "HHABC123");
    check_invalid("DE", "BAB12345");
    check_invalid("DE", "GAPXY1234"); // nine characters
}

#[test]
fn pl() {
    check_valid("PL", "WA12345", "WA 12345");
    check_valid("PL", "KR1234A", "KR 1234A");
    check_valid("PL", "PO123AC", "PO 123AC");
    check_valid("PL", "WE1A234", "WE 1A234");
    check_valid("PL", "SGL12AC", "SGL 12AC");
    check_valid("PL", "DWR A123", "DWR A123");
    check_valid("PL", "ZSZ12345", "ZSZ 12345");
    check_invalid("PL", "WA1234B"); // no B in the series
    check_invalid("PL", "AA12345"); // no voivodeship A
    check_invalid("PL", "WAA12"); // too short
}

#[test]
fn it() {
    check_valid("IT", "AB123CD", "AB 123 CD");
    check_valid("IT", "GF 456 ZZ", "GF 456 ZZ");
    check_invalid("IT", "AB123CU");
    check_invalid("IT", "AB12CD");
}

#[test]
fn es() {
    check_valid("ES", "1234BCD", "1234 BCD");
    check_valid("ES", "0000 ZZZ", "0000 ZZZ");
    check_valid("ES", "M1234AB", "M 1234 AB");
    check_valid("ES", "GC1234X", "GC 1234 X");
    check_invalid("ES", "1234ABC"); // no vowels in the current series
    check_invalid("ES", "1234BCQ");
    check_invalid("ES", "XX1234AB");
}

#[test]
fn cz() {
    check_valid("CZ", "1A23456", "1A2 3456");
    check_valid("CZ", "5TB1234", "5TB 1234");
    check_invalid("CZ", "1D23456"); // no region D
    check_invalid("CZ", "0A23456");
}

#[test]
fn sk() {
    check_valid("SK", "BA123AB", "BA-123AB");
    check_valid("SK", "KE-999ZZ", "KE-999ZZ");
    check_invalid("SK", "B123AB");
}

#[test]
fn ro() {
    check_valid("RO", "CJ12ABC", "CJ 12 ABC");
    check_valid("RO", "B123XYZ", "B 123 XYZ");
    check_valid("RO", "B12XYZ", "B 12 XYZ");
    check_invalid("RO", "XX12ABC");
    check_invalid("RO", "CJ12IBC");
}

#[test]
fn bg() {
    check_valid("BG", "CA1234AB", "CA 1234 AB");
    check_valid("BG", "B1234KX", "B 1234 KX");
    check_invalid("BG", "CA1234AZ"); // Z has no Cyrillic twin
    check_invalid("BG", "ZZ1234AB");
}

#[test]
fn lt() {
    check_valid("LT", "ABC123", "ABC 123");
    check_invalid("LT", "ABQ123");
    check_invalid("LT", "AB1234");
}

#[test]
fn unsupported_country_validates_nothing() {
    let plate = PlateText::parse("AB123CD").expect("valid plate");
    assert!(!validate(Country::from_static("CH"), &plate));
    assert_eq!(display(Country::from_static("CH"), &plate), None);
}

#[test]
fn guesses_rank_by_traffic_share() {
    check_guess("AB12CDE", &["GB", "RO"]); // AB is Alba county in Romania
    check_guess("LN75XYZ", &["GB"]);
    check_guess("AB123CD", &["FR", "IT", "SK"]);
    check_guess("1ABC234", &["BE"]);
    check_guess("1234BCD", &["ES", "GB"]);
    check_guess("CA1234AB", &["BG", "ES"]);
    check_guess("QQQQQQQQQQ", &[]);
}

#[test]
fn ambiguous_guesses_split_the_probability() {
    let plate = PlateText::parse("AB123CD").expect("valid plate");
    let guesses = guess_country(&plate);
    assert!(
        guesses[0].confidence > 0.6 && guesses[1].confidence > 0.05,
        "{guesses:?}"
    );
    let total: f64 = guesses.iter().map(|guess| guess.confidence).sum();
    assert!(total <= 1.0 && total > 0.9, "{guesses:?}");
}

#[test]
fn rare_format_is_guessed_with_low_confidence() {
    let plate = PlateText::parse("A1").expect("valid plate");
    let guesses = guess_country(&plate);
    assert_eq!(guesses.len(), 1);
    assert!(guesses[0].confidence < 0.5, "{guesses:?}");
}

#[test]
fn tables_are_consistent() {
    assert_eq!(supported_countries().len(), 14);
    let prior_total: f64 = tables::COUNTRIES.iter().map(|spec| spec.prior).sum();
    assert!(
        (prior_total - 1.0).abs() < 1e-9,
        "priors sum to {prior_total}"
    );
    for spec in tables::COUNTRIES {
        let share_total: f64 = spec.formats.iter().map(|format| format.share).sum();
        assert!(
            (share_total - 1.0).abs() < 0.02,
            "{} shares sum to {share_total}",
            spec.country
        );
    }
    for list in [
        lists::GB_NI,
        lists::DE_DISTRICT,
        lists::RO_COUNTY,
        lists::ES_PROVINCE,
        lists::IE_COUNTY,
        lists::BG_PROVINCE,
    ] {
        let mut seen = std::collections::HashSet::new();
        for code in list {
            assert!(
                code.bytes().all(|byte| byte.is_ascii_uppercase()),
                "code `{code}`"
            );
            assert!(seen.insert(code), "duplicate code `{code}`");
        }
    }
}
