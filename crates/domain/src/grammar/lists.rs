//! Code lists used by the plate patterns: districts, counties and provinces.
//!
//! Order matters where codes overlap without separators (German `BAB1234` is `B-AB 1234`
//! or `BA-B 1234`): the engine tries codes in list order, so the more common reading goes first.

/// Northern Ireland county codes (the last two letters of the letter block).
pub(crate) static GB_NI: &[&str] = &[
    "AZ", "BZ", "CZ", "DZ", "EZ", "FZ", "GZ", "HZ", "IA", "IB", "IG", "IJ", "IL", "IW", "JZ", "KZ",
    "LZ", "MZ", "NZ", "OI", "OZ", "PZ", "RZ", "SZ", "TZ", "UI", "UZ", "VZ", "WZ", "XI", "XZ", "YZ",
];

/// German district codes (Unterscheidungszeichen): the big cities first, then the common
/// two- and three-letter codes. Codes with umlauts cannot appear in normalised ASCII text.
/// Not complete (there are over 700): a plate from a missing district is not recognised.
pub(crate) static DE_DISTRICT: &[&str] = &[
    // One letter: the largest cities.
    "B", "M", "K", "F", "S", "D", "E", "H", "L", "N", "A", "C", "G", "P", "R", "W", "Z", "V",
    // Two letters.
    "HH", "HB", "DU", "DO", "BO", "GE", "MS", "BI", "KA", "MA", "WI", "HD", "DA", "OF", "AC", "BN",
    "MG", "KR", "OB", "MH", "HA", "SG", "RS", "KI", "HL", "LU", "KL", "PF", "UL", "IN", "ER", "FR",
    "RE", "GT", "HN", "BS", "OL", "OS", "HI", "SB", "TR", "KO", "MZ", "AA", "AB", "AK", "AM", "AN",
    "AP", "AS", "AW", "AZ", "BA", "BB", "BC", "BK", "BL", "BM", "BT", "BZ", "CB", "CE", "CO", "CW",
    "DE", "DH", "DL", "DN", "DW", "EA", "EB", "EE", "EF", "EL", "EM", "EN", "ES", "EU", "FB", "FD",
    "FF", "FG", "FL", "FN", "FO", "FS", "FT", "FU", "GI", "GL", "GM", "GP", "GR", "GS", "GZ", "HE",
    "HF", "HG", "HK", "HM", "HO", "HP", "HR", "HS", "HU", "HX", "HY", "IK", "IZ", "KB", "KC", "KE",
    "KF", "KG", "KH", "KM", "KN", "KS", "KT", "KU", "KW", "LA", "LB", "LD", "LG", "LI", "LL", "LM",
    "LN", "MB", "MD", "ME", "MI", "MK", "MM", "MN", "MR", "MW", "MY", "NB", "ND", "NE", "NF", "NI",
    "NK", "NM", "NR", "NU", "NW", "OA", "OD", "OE", "OG", "OH", "PA", "PB", "PE", "PI", "PL", "PM",
    "PN", "RA", "RD", "RG", "RH", "RO", "RT", "RV", "RW", "RZ", "SC", "SE", "SI", "SK", "SL", "SM",
    "SN", "SO", "SP", "SR", "ST", "SU", "SW", "SZ", "TF", "TS", "UE", "UH", "UM", "UN", "VB", "VG",
    "VK", "VR", "VS", "WB", "WE", "WF", "WL", "WM", "WN", "WO", "WR", "WT", "WU", "WW",
    // Three letters.
    "AIC", "ANA", "ASL", "AUR", "BAD", "BAR", "BBG", "BGL", "BIR", "BIT", "BOR", "BRA", "BRB",
    "CHA", "CLP", "COC", "COE", "DAH", "DAN", "DEG", "DGF", "DLG", "DON", "EBE", "EMD", "EMS",
    "ENZ", "ERB", "ERH", "ESW", "FDS", "FFB", "FRG", "FRI", "GAP", "GER", "GIF", "GRZ", "GTH",
    "HAL", "HAM", "HAS", "HBN", "HBS", "HDH", "HEF", "HEI", "HER", "HGW", "HHM", "HOL", "HOM",
    "HRO", "HSK", "HST", "HVL", "IGB", "ILM", "KEH", "KIB", "KLE", "KUS", "KYF", "LAU", "LDK",
    "LDS", "LER", "LEV", "LIP", "LOS", "LUP", "MEI", "MIL", "MKK", "MOL", "MOS", "MSE", "MSH",
    "MTK", "MYK", "MZG", "NDH", "NEA", "NES", "NEW", "NMS", "NOH", "NOM", "NVP", "NWM", "OAL",
    "OHA", "OHV", "OHZ", "OPR", "OSL", "PAF", "PAN", "PCH", "PIR", "RDG", "REG", "ROW", "SAD",
    "SAW", "SBK", "SDL", "SHA", "SHG", "SHK", "SIM", "SLF", "SLK", "SLS", "SOK", "SPN", "STA",
    "STD", "STL", "TBB", "TIR", "TUT", "UER", "VEC", "VER", "VIE", "WAF", "WAK", "WAN", "WEN",
    "WES", "WHV", "WIL", "WIS", "WND", "WOB", "WST", "WTM", "WUG", "WUN",
];

/// Romanian county codes, without Bucharest (`B`), which has its own format.
pub(crate) static RO_COUNTY: &[&str] = &[
    "AB", "AR", "AG", "BC", "BH", "BN", "BT", "BV", "BR", "BZ", "CS", "CL", "CJ", "CT", "CV", "DB",
    "DJ", "GL", "GR", "GJ", "HR", "HD", "IL", "IS", "IF", "MM", "MH", "MS", "NT", "OT", "PH", "SM",
    "SJ", "SB", "SV", "TR", "TM", "TL", "VS", "VL", "VN",
];

/// Spanish province codes of the provincial system (1971-2000).
pub(crate) static ES_PROVINCE: &[&str] = &[
    "M", "B", "V", "A", "AB", "AL", "AV", "BA", "BI", "BU", "C", "CA", "CC", "CE", "CO", "CR",
    "CS", "CU", "GC", "GE", "GI", "GR", "GU", "H", "HU", "IB", "J", "L", "LE", "LO", "LU", "MA",
    "ML", "MU", "NA", "O", "OR", "OU", "P", "PM", "PO", "S", "SA", "SE", "SG", "SO", "SS", "T",
    "TE", "TF", "TO", "VA", "VI", "Z", "ZA",
];

/// Irish county and city codes, including those replaced in 2014 (LK, TN, TS, WD).
pub(crate) static IE_COUNTY: &[&str] = &[
    "C", "CE", "CN", "CW", "D", "DL", "G", "KE", "KK", "KY", "L", "LD", "LH", "LK", "LM", "LS",
    "MH", "MN", "MO", "OY", "RN", "SO", "T", "TN", "TS", "W", "WD", "WH", "WW", "WX",
];

/// Bulgarian province codes, in the Latin letters that look like their Cyrillic ones.
pub(crate) static BG_PROVINCE: &[&str] = &[
    "CA", "CB", "C", "A", "B", "BH", "BP", "BT", "E", "EB", "EH", "K", "KH", "M", "H", "OB", "P",
    "PA", "PB", "PK", "PP", "CC", "CH", "CM", "CO", "CT", "T", "TX", "X", "Y",
];
