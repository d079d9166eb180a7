//! Vehicles: plates in each country's real format, makes, models, colours and classes.

use rand::Rng;

/// The classes of vehicle the simulator drives; the names are the `vehicle_type` column.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(crate) enum VehicleClass {
    Car,
    Van,
    Lorry,
    Coach,
}

impl VehicleClass {
    /// The `vehicle_type` value.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            VehicleClass::Car => "car",
            VehicleClass::Van => "van",
            VehicleClass::Lorry => "lorry",
            VehicleClass::Coach => "coach",
        }
    }

    /// The cruising speed range on an open motorway, km/h.
    pub(crate) fn cruise_kmh(self) -> (f64, f64) {
        match self {
            VehicleClass::Car => (110.0, 130.0),
            VehicleClass::Van => (100.0, 120.0),
            VehicleClass::Lorry => (80.0, 90.0),
            VehicleClass::Coach => (90.0, 100.0),
        }
    }
}

/// A plate's normalised characters, inline (no allocation per read).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub(crate) struct PlateBuf {
    bytes: [u8; 12],
    len: u8,
}

impl PlateBuf {
    pub(crate) fn from_bytes(text: &[u8]) -> PlateBuf {
        assert!(
            !text.is_empty() && text.len() <= 12,
            "plate text must have 1 to 12 characters"
        );
        let mut bytes = [0u8; 12];
        bytes[..text.len()].copy_from_slice(text);
        PlateBuf {
            bytes,
            len: text.len() as u8,
        }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }

    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(self.as_bytes()).expect("plates are generated as ASCII")
    }

    pub(crate) fn as_bytes_mut(&mut self) -> &mut [u8] {
        &mut self.bytes[..self.len as usize]
    }
}

/// Plate-issuing countries the simulator uses; the index is stored per read.
pub(crate) const COUNTRIES: [&str; 14] = [
    "GB", "FR", "BE", "NL", "DE", "PL", "LU", "RO", "LT", "ES", "IT", "BG", "CZ", "IE",
];

pub(crate) fn country_index(code: &str) -> u8 {
    COUNTRIES
        .iter()
        .position(|c| *c == code)
        .expect("known country code") as u8
}

/// A vehicle as cameras see it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct VehicleAttrs {
    pub(crate) plate: PlateBuf,
    pub(crate) country: u8,
    pub(crate) model: u16,
    pub(crate) colour: u8,
    pub(crate) class: VehicleClass,
}

/// (make, model, class) of the vehicles on the road.
pub(crate) const MODELS: &[(&str, &str, VehicleClass)] = &[
    ("Volkswagen", "Golf", VehicleClass::Car),
    ("Renault", "Clio", VehicleClass::Car),
    ("Peugeot", "208", VehicleClass::Car),
    ("Peugeot", "3008", VehicleClass::Car),
    ("Ford", "Focus", VehicleClass::Car),
    ("Ford", "Fiesta", VehicleClass::Car),
    ("BMW", "3 Series", VehicleClass::Car),
    ("Audi", "A4", VehicleClass::Car),
    ("Mercedes-Benz", "C-Class", VehicleClass::Car),
    ("Toyota", "Yaris", VehicleClass::Car),
    ("Skoda", "Octavia", VehicleClass::Car),
    ("Opel", "Corsa", VehicleClass::Car),
    ("Vauxhall", "Astra", VehicleClass::Car),
    ("Dacia", "Sandero", VehicleClass::Car),
    ("Citroen", "C3", VehicleClass::Car),
    ("Kia", "Sportage", VehicleClass::Car),
    ("Nissan", "Qashqai", VehicleClass::Car),
    ("Volkswagen", "Passat", VehicleClass::Car),
    ("Audi", "A6", VehicleClass::Car),
    ("BMW", "X5", VehicleClass::Car),
    ("Ford", "Transit", VehicleClass::Van),
    ("Mercedes-Benz", "Sprinter", VehicleClass::Van),
    ("Renault", "Master", VehicleClass::Van),
    ("Volkswagen", "Crafter", VehicleClass::Van),
    ("Peugeot", "Boxer", VehicleClass::Van),
    ("Citroen", "Jumper", VehicleClass::Van),
    ("Fiat", "Ducato", VehicleClass::Van),
    ("Iveco", "Daily", VehicleClass::Van),
    ("Renault", "Trafic", VehicleClass::Van),
    ("Vauxhall", "Vivaro", VehicleClass::Van),
    ("Volvo", "FH", VehicleClass::Lorry),
    ("Scania", "R 450", VehicleClass::Lorry),
    ("DAF", "XF", VehicleClass::Lorry),
    ("Mercedes-Benz", "Actros", VehicleClass::Lorry),
    ("MAN", "TGX", VehicleClass::Lorry),
    ("Iveco", "S-Way", VehicleClass::Lorry),
    ("Renault", "T", VehicleClass::Lorry),
    ("Setra", "S 516 HD", VehicleClass::Coach),
    ("Van Hool", "TX16", VehicleClass::Coach),
    ("Mercedes-Benz", "Tourismo", VehicleClass::Coach),
    ("Irizar", "i6", VehicleClass::Coach),
];

/// Colours as ANPR cameras with make/model recognition report them.
pub(crate) const COLOURS: [&str; 10] = [
    "white", "black", "grey", "silver", "blue", "red", "green", "brown", "yellow", "orange",
];

fn colour_weights(class: VehicleClass) -> [u32; 10] {
    match class {
        VehicleClass::Car => [20, 18, 22, 12, 11, 9, 2, 3, 2, 1],
        VehicleClass::Van => [70, 4, 8, 8, 5, 3, 1, 0, 2, 0],
        VehicleClass::Lorry => [40, 8, 10, 5, 12, 10, 5, 0, 5, 5],
        VehicleClass::Coach => [50, 6, 10, 14, 10, 6, 2, 0, 1, 1],
    }
}

/// Draws a vehicle of `class` registered in `country`, with a fresh plate.
pub(crate) fn draw_vehicle<R: Rng>(
    rng: &mut R,
    plates: &mut PlateIssuer,
    class: VehicleClass,
    country: &str,
) -> VehicleAttrs {
    let n_models = MODELS.iter().filter(|m| m.2 == class).count();
    let nth = rng.random_range(0..n_models);
    let model = MODELS
        .iter()
        .enumerate()
        .filter(|(_, m)| m.2 == class)
        .nth(nth)
        .expect("nth < n_models")
        .0 as u16;
    VehicleAttrs {
        plate: plates.issue(country),
        country: country_index(country),
        model,
        colour: weighted_index(rng, &colour_weights(class)) as u8,
        class,
    }
}

/// Draws an international lorry.
pub(crate) fn draw_lorry<R: Rng>(rng: &mut R, plates: &mut PlateIssuer) -> VehicleAttrs {
    let country = draw_lorry_country(rng);
    draw_vehicle(rng, plates, VehicleClass::Lorry, country)
}

/// Picks an index with probability proportional to its weight.
pub(crate) fn weighted_index<R: Rng>(rng: &mut R, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    assert!(total > 0, "weights must not all be zero");
    let mut pick = rng.random_range(0..total);
    for (index, weight) in weights.iter().enumerate() {
        if pick < *weight {
            return index;
        }
        pick -= weight;
    }
    unreachable!("pick is below the total")
}

/// The country mix of international lorries on the corridor.
pub(crate) fn draw_lorry_country<R: Rng>(rng: &mut R) -> &'static str {
    const MIX: [(&str, u32); 13] = [
        ("PL", 20),
        ("NL", 12),
        ("DE", 10),
        ("FR", 12),
        ("BE", 8),
        ("GB", 12),
        ("RO", 8),
        ("LT", 8),
        ("ES", 3),
        ("IT", 3),
        ("BG", 3),
        ("CZ", 2),
        ("IE", 2),
    ];
    let weights: Vec<u32> = MIX.iter().map(|(_, w)| *w).collect();
    MIX[weighted_index(rng, &weights)].0
}

const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS: &[u8] = b"0123456789";
const NONZERO: &[u8] = b"123456789";
const GB_LETTERS: &[u8] = b"ABCDEFGHJKLMNOPRSTUVWXY";
const FR_LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTVWXYZ";
const NL_LETTERS: &[u8] = b"BDFGHJKLNPRSTVXZ";
const ES_LETTERS: &[u8] = b"BCDFGHJKLMNPRSTVWXYZ";
const BG_LETTERS: &[u8] = b"ABEKMHOPCTYX";
const GB_AGES: &[&str] = &[
    "15", "16", "17", "18", "19", "20", "21", "22", "23", "24", "25", "65", "66", "67", "68", "69",
    "70", "71", "72", "73", "74", "75",
];
const DE_DISTRICTS: &[&str] = &[
    "K", "D", "DU", "E", "DO", "AC", "BN", "MG", "NE", "GL", "LEV", "KR", "OB", "BM",
];
const PL_DISTRICTS: &[&str] = &[
    "WA", "WI", "PO", "KR", "GD", "WR", "LU", "ZS", "DW", "EL", "SK", "PZ", "WF", "KT",
];
const RO_DISTRICTS: &[&str] = &["B", "CJ", "TM", "IS", "BV", "CT", "AG", "BH"];
const BG_DISTRICTS: &[&str] = &["CA", "CB", "PB", "B", "A", "H"];
const IE_COUNTIES: &[&str] = &["D", "C", "G", "KE", "L", "MH", "WW"];
const IE_YEARS: &[&str] = &[
    "151", "152", "161", "162", "171", "172", "181", "182", "191", "192", "201", "202", "211",
    "212", "221", "222", "231", "232", "241", "242",
];

/// One position of a plate format: a character from an alphabet, or one of a few strings.
#[derive(Clone, Copy, Debug)]
enum Slot {
    Char(&'static [u8]),
    Text(&'static [&'static str]),
}

use Slot::{Char, Text};

impl Slot {
    fn radix(self) -> u64 {
        match self {
            Char(alphabet) => alphabet.len() as u64,
            Text(choices) => choices.len() as u64,
        }
    }
}

/// The current formats of a country, as lists of slots (several for countries with
/// several series or variable lengths).
fn formats(country: &str) -> &'static [&'static [Slot]] {
    const L: Slot = Char(LETTERS);
    const D: Slot = Char(DIGITS);
    const N: Slot = Char(NONZERO);
    const NL: Slot = Char(NL_LETTERS);
    const FR: Slot = Char(FR_LETTERS);
    match country {
        // AB12 CDE: area letters, age identifier, random letters.
        "GB" => &[&[
            Char(GB_LETTERS),
            Char(GB_LETTERS),
            Text(GB_AGES),
            Char(GB_LETTERS),
            Char(GB_LETTERS),
            Char(GB_LETTERS),
        ]],
        // AB-123-CD (SIV).
        "FR" => &[&[FR, FR, D, D, D, FR, FR]],
        // 1-ABC-234.
        "BE" => &[&[Char(b"12"), L, L, L, D, D, D]],
        // The sidecodes issued since 1999: 99-XXX-9, 9-XXX-99, XX-999-X, X-999-XX, XXX-99-X, 9-XX-999.
        "NL" => &[
            &[D, D, NL, NL, NL, D],
            &[D, NL, NL, NL, D, D],
            &[NL, NL, D, D, D, NL],
            &[NL, D, D, D, NL, NL],
            &[NL, NL, NL, D, D, NL],
            &[D, NL, NL, D, D, D],
        ],
        // K AB 1234: district, one or two letters, one to four digits.
        "DE" => &[
            &[Text(DE_DISTRICTS), L, N],
            &[Text(DE_DISTRICTS), L, N, D],
            &[Text(DE_DISTRICTS), L, N, D, D],
            &[Text(DE_DISTRICTS), L, N, D, D, D],
            &[Text(DE_DISTRICTS), L, L, N],
            &[Text(DE_DISTRICTS), L, L, N, D],
            &[Text(DE_DISTRICTS), L, L, N, D, D],
            &[Text(DE_DISTRICTS), L, L, N, D, D, D],
        ],
        // WA 12345 or PO 1234A.
        "PL" => &[
            &[Text(PL_DISTRICTS), N, D, D, D, D],
            &[Text(PL_DISTRICTS), N, D, D, D, L],
            &[Text(PL_DISTRICTS), N, D, D, L, L],
        ],
        "LU" => &[&[L, L, D, D, D, D]],
        "RO" => &[&[Text(RO_DISTRICTS), D, D, L, L, L]],
        "LT" => &[&[L, L, L, D, D, D]],
        "ES" => &[&[
            D,
            D,
            D,
            D,
            Char(ES_LETTERS),
            Char(ES_LETTERS),
            Char(ES_LETTERS),
        ]],
        "IT" => &[&[FR, FR, D, D, D, FR, FR]],
        "BG" => &[&[
            Text(BG_DISTRICTS),
            D,
            D,
            D,
            D,
            Char(BG_LETTERS),
            Char(BG_LETTERS),
        ]],
        "CZ" => &[&[N, L, D, D, D, D, D]],
        "IE" => &[&[Text(IE_YEARS), Text(IE_COUNTIES), N, D, D]],
        other => panic!("no plate format for country {other}"),
    }
}

fn format_space(format: &[Slot]) -> u64 {
    format.iter().map(|slot| slot.radix()).product()
}

/// Issues plates that are unique per country (until a country's format space is used up):
/// the n-th plate of a country is the n-th point of a seeded permutation of the format
/// space, so plates look random but never repeat by chance, which would fake cloned plates.
#[derive(Clone, Debug)]
pub(crate) struct PlateIssuer {
    issued: [u64; COUNTRIES.len()],
    multipliers: [u64; COUNTRIES.len()],
    offsets: [u64; COUNTRIES.len()],
}

impl PlateIssuer {
    pub(crate) fn new<R: Rng>(rng: &mut R) -> PlateIssuer {
        let mut multipliers = [0u64; COUNTRIES.len()];
        let mut offsets = [0u64; COUNTRIES.len()];
        for (index, country) in COUNTRIES.iter().enumerate() {
            let space: u64 = formats(country).iter().map(|f| format_space(f)).sum();
            // A multiplier coprime with the space makes `serial * a + b mod space` a permutation.
            let mut multiplier = rng.random_range(space / 3..space / 2) | 1;
            while gcd(multiplier, space) != 1 {
                multiplier += 2;
            }
            multipliers[index] = multiplier;
            offsets[index] = rng.random_range(0..space);
        }
        PlateIssuer {
            issued: [0; COUNTRIES.len()],
            multipliers,
            offsets,
        }
    }

    /// The next plate of `country`.
    pub(crate) fn issue(&mut self, country: &str) -> PlateBuf {
        let index = country_index(country) as usize;
        let formats = formats(country);
        let space: u64 = formats.iter().map(|f| format_space(f)).sum();
        let serial = self.issued[index];
        self.issued[index] += 1;
        let mut point = ((u128::from(serial) * u128::from(self.multipliers[index])
            + u128::from(self.offsets[index]))
            % u128::from(space)) as u64;
        for format in formats {
            let size = format_space(format);
            if point < size {
                return render(format, point);
            }
            point -= size;
        }
        unreachable!("the point is inside the union of the formats")
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// The plate at `point` (mixed radix, last slot fastest) of a format.
fn render(format: &[Slot], mut point: u64) -> PlateBuf {
    let mut digits = [0u64; 12];
    for (position, slot) in format.iter().enumerate().rev() {
        digits[position] = point % slot.radix();
        point /= slot.radix();
    }
    let mut bytes = [0u8; 12];
    let mut len = 0;
    for (position, slot) in format.iter().enumerate() {
        match slot {
            Char(alphabet) => {
                bytes[len] = alphabet[digits[position] as usize];
                len += 1;
            }
            Text(choices) => {
                for byte in choices[digits[position] as usize].bytes() {
                    bytes[len] = byte;
                    len += 1;
                }
            }
        }
    }
    PlateBuf::from_bytes(&bytes[..len])
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn plates_follow_their_country_formats() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut issuer = PlateIssuer::new(&mut rng);
        for _ in 0..200 {
            let gb = issuer.issue("GB");
            let text = gb.as_bytes();
            assert_eq!(text.len(), 7, "{}", gb.as_str());
            assert!(
                text[..2].iter().all(u8::is_ascii_uppercase)
                    && text[2..4].iter().all(u8::is_ascii_digit)
            );
            let fr = issuer.issue("FR");
            let text = fr.as_bytes();
            assert!(
                text[..2].iter().all(u8::is_ascii_uppercase)
                    && text[2..5].iter().all(u8::is_ascii_digit)
            );
            let be = issuer.issue("BE");
            assert!(matches!(be.as_bytes()[0], b'1' | b'2'), "{}", be.as_str());
            for country in COUNTRIES {
                let plate = issuer.issue(country);
                assert!(
                    corridor_domain::PlateText::parse(plate.as_str()).is_ok(),
                    "{}",
                    plate.as_str()
                );
            }
        }
    }

    #[test]
    fn issued_plates_never_repeat_within_a_country() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let mut issuer = PlateIssuer::new(&mut rng);
        for country in ["NL", "PL", "BE", "LU"] {
            let mut plates: Vec<PlateBuf> = (0..20_000).map(|_| issuer.issue(country)).collect();
            plates.sort();
            plates.dedup();
            assert_eq!(plates.len(), 20_000, "{country}");
        }
    }
}
