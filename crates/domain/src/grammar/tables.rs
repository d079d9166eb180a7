//! The plate formats of each supported country, with how common each is on the corridor.
//!
//! Priors are rough shares of foreign and domestic vehicles seen at the Channel ports
//! (Calais, Dunkirk, Dover, the Tunnel); format shares are rough shares of the fleet on the
//! road in 2026. They only rank guesses, so a few points either way change little.
//! The pattern language is described in `engine.rs`.

use crate::Country;

/// One plate format of a country.
#[derive(Debug)]
pub(crate) struct FormatSpec {
    pub(crate) name: &'static str,
    pub(crate) pattern: &'static str,
    /// Share of the country's plates on the road in this format (the shares of a country sum to 1).
    pub(crate) share: f64,
    /// An extra rule the pattern cannot say (year ranges, banned letter pairs).
    pub(crate) check: Option<fn(&[u8]) -> bool>,
}

/// The formats of one country.
#[derive(Debug)]
pub(crate) struct CountrySpec {
    pub(crate) country: Country,
    /// Share of the country's vehicles in cross-Channel traffic.
    pub(crate) prior: f64,
    pub(crate) formats: &'static [FormatSpec],
}

const fn format(name: &'static str, pattern: &'static str, share: f64) -> FormatSpec {
    FormatSpec {
        name,
        pattern,
        share,
        check: None,
    }
}

const fn checked(
    name: &'static str,
    pattern: &'static str,
    share: f64,
    check: fn(&[u8]) -> bool,
) -> FormatSpec {
    FormatSpec {
        name,
        pattern,
        share,
        check: Some(check),
    }
}

pub(crate) static COUNTRIES: &[CountrySpec] = &[
    CountrySpec {
        country: Country::from_static("GB"),
        prior: 0.38,
        formats: GB,
    },
    CountrySpec {
        country: Country::from_static("FR"),
        prior: 0.17,
        formats: FR,
    },
    CountrySpec {
        country: Country::from_static("BE"),
        prior: 0.07,
        formats: BE,
    },
    CountrySpec {
        country: Country::from_static("NL"),
        prior: 0.07,
        formats: NL,
    },
    CountrySpec {
        country: Country::from_static("DE"),
        prior: 0.07,
        formats: DE,
    },
    CountrySpec {
        country: Country::from_static("PL"),
        prior: 0.06,
        formats: PL,
    },
    CountrySpec {
        country: Country::from_static("RO"),
        prior: 0.035,
        formats: RO,
    },
    CountrySpec {
        country: Country::from_static("IT"),
        prior: 0.03,
        formats: IT,
    },
    CountrySpec {
        country: Country::from_static("ES"),
        prior: 0.03,
        formats: ES,
    },
    CountrySpec {
        country: Country::from_static("LT"),
        prior: 0.025,
        formats: LT,
    },
    CountrySpec {
        country: Country::from_static("IE"),
        prior: 0.02,
        formats: IE,
    },
    CountrySpec {
        country: Country::from_static("BG"),
        prior: 0.015,
        formats: BG,
    },
    CountrySpec {
        country: Country::from_static("CZ"),
        prior: 0.015,
        formats: CZ,
    },
    CountrySpec {
        country: Country::from_static("SK"),
        prior: 0.01,
        formats: SK,
    },
];

static GB: &[FormatSpec] = &[
    checked(
        "current (2001-)",
        "[A-HK-PRSVWY][A-HJ-PR-Y]DD [A-HJ-PR-Z]{3}",
        0.88,
        gb_age_identifier,
    ),
    format(
        "prefix (1983-2001)",
        "[A-HJ-NPR-TV-Y]ND{0,2} [A-HJ-PR-Y]{3}",
        0.07,
    ),
    format("suffix (1963-1983)", "L{3} ND{0,2}[A-HJ-NPR-TV-Y]", 0.02),
    format("Northern Ireland", "L?{gb_ni} ND{0,3}", 0.02),
    format("dateless, letters first", "L{1,3} ND{0,3}", 0.005),
    format("dateless, digits first", "ND{0,3} L{1,3}", 0.005),
];

static FR: &[FormatSpec] = &[
    checked(
        "SIV (2009-)",
        "[A-HJ-NP-TV-Z]{2}-DDD-[A-HJ-NP-TV-Z]{2}",
        0.90,
        fr_siv,
    ),
    checked(
        "FNI (1950-2009)",
        "ND{0,3} L{1,3} DD",
        0.09,
        fr_fni_department,
    ),
    format("FNI Corsica", "ND{0,3} L{1,3} 2[AB]", 0.005),
    format("FNI overseas", "ND{0,3} L{1,3} 97[1-6]", 0.005),
];

static BE: &[FormatSpec] = &[
    format("2010-", "N-L{3}-DDD", 0.85),
    format("1973-2008", "L{3}-DDD", 0.08),
    format("2008-2010", "DDD-L{3}", 0.07),
];

// Since sidecode 4 no vowels, C or Q (they look like 0 or each other).
static NL: &[FormatSpec] = &[
    format("sidecode 7", "DD-[BDFGHJKLMNPRSTVWXZ]{3}-D", 0.22),
    format("sidecode 8", "D-[BDFGHJKLMNPRSTVWXZ]{3}-DD", 0.18),
    format(
        "sidecode 9",
        "[BDFGHJKLMNPRSTVWXZ]{2}-DDD-[BDFGHJKLMNPRSTVWXZ]",
        0.17,
    ),
    format(
        "sidecode 10",
        "[BDFGHJKLMNPRSTVWXZ]-DDD-[BDFGHJKLMNPRSTVWXZ]{2}",
        0.15,
    ),
    format(
        "sidecode 6",
        "DD-[BDFGHJKLMNPRSTVWXZ]{2}-[BDFGHJKLMNPRSTVWXZ]{2}",
        0.10,
    ),
    format(
        "sidecode 11",
        "[BDFGHJKLMNPRSTVWXZ]{3}-DD-[BDFGHJKLMNPRSTVWXZ]",
        0.07,
    ),
    format(
        "sidecode 5",
        "[BDFGHJKLMNPRSTVWXZ]{2}-[BDFGHJKLMNPRSTVWXZ]{2}-DD",
        0.05,
    ),
    format(
        "sidecode 4",
        "[BDFGHJKLMNPRSTVWXZ]{2}-DD-[BDFGHJKLMNPRSTVWXZ]{2}",
        0.02,
    ),
    format("sidecode 13", "D-[BDFGHJKLMNPRSTVWXZ]{2}-DDD", 0.01),
    format("sidecode 3", "DD-LL-DD", 0.01),
    format("sidecode 2", "DD-DD-LL", 0.005),
    format("sidecode 1", "LL-DD-DD", 0.005),
];

static DE: &[FormatSpec] = &[
    checked("standard", "{de_district}-L{1,2} ND{0,3}", 0.93, de_length),
    checked(
        "electric or historic",
        "{de_district}-L{1,2} ND{0,2}[EH]",
        0.07,
        de_length_suffixed,
    ),
];

// Two-letter districts are followed by a digit; the series avoids B, D, I, O and Z.
static PL: &[FormatSpec] = &[
    format(
        "2-letter district, 5 digits",
        "[BCDEFGKLNOPRSTWZ]L DDDDD",
        0.22,
    ),
    format(
        "2-letter district, 4 digits 1 letter",
        "[BCDEFGKLNOPRSTWZ]L DDDD[ACEFGHJKLMNPRSTUVWXY]",
        0.18,
    ),
    format(
        "2-letter district, 3 digits 2 letters",
        "[BCDEFGKLNOPRSTWZ]L DDD[ACEFGHJKLMNPRSTUVWXY]{2}",
        0.12,
    ),
    format(
        "2-letter district, digit letter 3 digits",
        "[BCDEFGKLNOPRSTWZ]L D[ACEFGHJKLMNPRSTUVWXY]DDD",
        0.04,
    ),
    format(
        "2-letter district, digit 2 letters 2 digits",
        "[BCDEFGKLNOPRSTWZ]L D[ACEFGHJKLMNPRSTUVWXY]{2}DD",
        0.04,
    ),
    format(
        "3-letter district, 5 characters",
        "[BCDEFGKLNOPRSTWZ]LL DDD[ACEFGHJKLMNPRSTUVWXY0-9]{2}",
        0.16,
    ),
    format(
        "3-letter district, letter 3 digits",
        "[BCDEFGKLNOPRSTWZ]LL [ACEFGHJKLMNPRSTUVWXY]DDD",
        0.06,
    ),
    format(
        "3-letter district, 2 digits 2 letters",
        "[BCDEFGKLNOPRSTWZ]LL DD[ACEFGHJKLMNPRSTUVWXY]{2}",
        0.05,
    ),
    format(
        "3-letter district, digit letter 2 digits",
        "[BCDEFGKLNOPRSTWZ]LL D[ACEFGHJKLMNPRSTUVWXY]DD",
        0.04,
    ),
    format(
        "3-letter district, 2 digits letter digit",
        "[BCDEFGKLNOPRSTWZ]LL DD[ACEFGHJKLMNPRSTUVWXY]D",
        0.03,
    ),
    format(
        "3-letter district, digit 2 letters digit",
        "[BCDEFGKLNOPRSTWZ]LL D[ACEFGHJKLMNPRSTUVWXY]{2}D",
        0.03,
    ),
    format(
        "3-letter district, 2 letters 2 digits",
        "[BCDEFGKLNOPRSTWZ]LL [ACEFGHJKLMNPRSTUVWXY]{2}DD",
        0.03,
    ),
];

static RO: &[FormatSpec] = &[
    format("county", "{ro_county} DD [A-HJ-NPR-Z]LL", 0.85),
    format("Bucharest", "[B] DDD? [A-HJ-NPR-Z]LL", 0.15),
];

static IT: &[FormatSpec] = &[format(
    "1994-",
    "[A-HJ-NPR-TV-Z]{2} DDD [A-HJ-NPR-TV-Z]{2}",
    1.0,
)];

static ES: &[FormatSpec] = &[
    format("2000-", "DDDD [BCDFGHJKLMNPRSTVWXYZ]{3}", 0.92),
    format("provincial (1971-2000)", "{es_province} DDDD L{1,2}", 0.08),
];

static LT: &[FormatSpec] = &[format("2004-", "[A-PR-VYZ]{3} DDD", 1.0)];

static IE: &[FormatSpec] = &[
    checked(
        "2013-",
        "DD[12]-{ie_county}-ND{0,5}",
        0.70,
        ie_year_since_2013,
    ),
    checked(
        "1987-2012",
        "DD-{ie_county}-ND{0,5}",
        0.30,
        ie_year_before_2013,
    ),
];

// Cyrillic letters that look Latin: А В Е К М Н О Р С Т У Х.
static BG: &[FormatSpec] = &[format("1992-", "{bg_province} DDDD [ABEKMHOPCTYX]{2}", 1.0)];

static CZ: &[FormatSpec] = &[format("2001-", "N[ABCEHJKLMPSTUZ]X DDDD", 1.0)];

static SK: &[FormatSpec] = &[format("1997-", "LL-DDDLL", 1.0)];

/// Resolves `{name}` in patterns.
pub(crate) fn list(name: &str) -> Option<&'static [&'static str]> {
    Some(match name {
        "gb_ni" => super::lists::GB_NI,
        "de_district" => super::lists::DE_DISTRICT,
        "ro_county" => super::lists::RO_COUNTY,
        "es_province" => super::lists::ES_PROVINCE,
        "ie_county" => super::lists::IE_COUNTY,
        "bg_province" => super::lists::BG_PROVINCE,
        _ => return None,
    })
}

fn two_digits(text: &[u8], at: usize) -> Option<u8> {
    let tens = text.get(at)?.checked_sub(b'0').filter(|d| *d < 10)?;
    let units = text.get(at + 1)?.checked_sub(b'0').filter(|d| *d < 10)?;
    Some(tens * 10 + units)
}

/// March issues are the year (02 = 2002), September ones the year plus 50; up to 2029.
fn gb_age_identifier(text: &[u8]) -> bool {
    matches!(two_digits(text, 2), Some(2..=29 | 51..=79))
}

/// SIV: `SS` is never issued in either letter block and `000` never as the number.
fn fr_siv(text: &[u8]) -> bool {
    &text[..2] != b"SS" && &text[5..7] != b"SS" && &text[2..5] != b"000"
}

/// FNI: the last two characters are a department, 01-95 without 20 (Corsica is 2A or 2B).
fn fr_fni_department(text: &[u8]) -> bool {
    matches!(two_digits(text, text.len() - 2), Some(1..=19 | 21..=95))
}

/// German plates have at most eight characters besides the E or H suffix.
fn de_length(text: &[u8]) -> bool {
    text.len() <= 8
}

fn de_length_suffixed(text: &[u8]) -> bool {
    text.len() <= 9
}

fn ie_year_since_2013(text: &[u8]) -> bool {
    matches!(two_digits(text, 0), Some(13..=29))
}

fn ie_year_before_2013(text: &[u8]) -> bool {
    matches!(two_digits(text, 0), Some(0..=12 | 87..=99))
}
