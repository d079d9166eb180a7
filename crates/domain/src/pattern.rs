//! Wildcard plate patterns for searches: `AB12?CD` (`?` is one character), `*CDE` (`*` any run).

use crate::DomainError;
use crate::plate::PLATE_LEN_MAX;
use std::fmt;

/// Fewer fixed characters than this make a pattern unbounded: it matches so many plates that
/// a search with it needs approval.
pub const FIXED_CHARS_MIN_BOUNDED: usize = 3;

/// A normalised wildcard pattern over plate text.
///
/// ```
/// use corridor_domain::PlatePattern;
/// let pattern = PlatePattern::parse("ab-12 ?cd").unwrap();
/// assert_eq!(pattern.as_str(), "AB12?CD");
/// assert!(pattern.matches("AB12XCD"));
/// assert_eq!(pattern.literal_prefix(), "AB12");
/// assert!(PlatePattern::parse("*E").unwrap().is_unbounded());
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PlatePattern {
    /// Upper-case letters, digits, `?` and `*`, with no `**`.
    text: String,
    n_fixed: usize,
    n_single: usize,
    has_run: bool,
}

impl PlatePattern {
    /// Normalises a pattern as typed by a user: letters are upper-cased and spaces, dashes and
    /// dots dropped (as in [`PlateText::parse`](crate::PlateText::parse)); `**` is `*`.
    pub fn parse(raw: &str) -> Result<PlatePattern, DomainError> {
        let bad = |reason| DomainError::BadPlate {
            raw: raw.to_owned(),
            reason,
        };
        let mut text = String::with_capacity(raw.len());
        for ch in raw.chars() {
            match ch {
                'a'..='z' | 'A'..='Z' | '0'..='9' | '?' => text.push(ch.to_ascii_uppercase()),
                '*' if !text.ends_with('*') => text.push('*'),
                '*' | ' ' | '-' | '.' | '_' | '\t' | '\u{b7}' => {}
                _ => {
                    return Err(bad(
                        "a pattern may hold only letters, digits, separators, `?` and `*`",
                    ));
                }
            }
        }
        if text.is_empty() {
            return Err(bad("empty pattern"));
        }
        let n_single = text.bytes().filter(|byte| *byte == b'?').count();
        let n_run = text.bytes().filter(|byte| *byte == b'*').count();
        let has_run = n_run > 0;
        let n_fixed = text.len() - n_single - n_run;
        if n_fixed + n_single > PLATE_LEN_MAX {
            return Err(bad("pattern is longer than 12 characters"));
        }
        Ok(PlatePattern {
            text,
            n_fixed,
            n_single,
            has_run,
        })
    }

    /// Whether `plate` (normalised plate text) matches the whole pattern.
    pub fn matches(&self, plate: &str) -> bool {
        let (pattern, plate) = (self.text.as_bytes(), plate.as_bytes());
        let (mut pat_idx, mut plate_idx) = (0, 0);
        // Where to resume after the last `*`: (pattern index after it, plate index it covers to).
        let mut resume: Option<(usize, usize)> = None;
        while plate_idx < plate.len() {
            match pattern.get(pat_idx) {
                Some(b'*') => {
                    resume = Some((pat_idx + 1, plate_idx));
                    pat_idx += 1;
                }
                Some(b'?') => {
                    pat_idx += 1;
                    plate_idx += 1;
                }
                Some(byte) if *byte == plate[plate_idx] => {
                    pat_idx += 1;
                    plate_idx += 1;
                }
                _ => match resume {
                    // Let the last `*` swallow one more character and try again.
                    Some((after_run, covered)) => {
                        resume = Some((after_run, covered + 1));
                        pat_idx = after_run;
                        plate_idx = covered + 1;
                    }
                    None => return false,
                },
            }
        }
        pattern[pat_idx..].iter().all(|byte| *byte == b'*')
    }

    /// The fixed characters before the first wildcard: every match starts with them, so a
    /// sorted index can scan just that range. Empty for `*CDE`; the whole text for `AB12CDE`.
    pub fn literal_prefix(&self) -> &str {
        let end = self.text.find(['?', '*']).unwrap_or(self.text.len());
        &self.text[..end]
    }

    /// How many characters of the pattern are fixed (not `?` or `*`).
    pub fn n_fixed_chars(&self) -> usize {
        self.n_fixed
    }

    /// Whether the pattern pins down fewer than [`FIXED_CHARS_MIN_BOUNDED`] characters.
    pub fn is_unbounded(&self) -> bool {
        self.n_fixed < FIXED_CHARS_MIN_BOUNDED
    }

    /// Whether the pattern has no wildcard at all (it names exactly one plate text).
    pub fn is_exact(&self) -> bool {
        self.n_single == 0 && !self.has_run
    }

    /// The shortest plate text that can match.
    pub fn len_min(&self) -> usize {
        self.n_fixed + self.n_single
    }

    /// The longest plate text that can match; `None` with a `*`.
    pub fn len_max(&self) -> Option<usize> {
        (!self.has_run).then_some(self.n_fixed + self.n_single)
    }

    /// The normalised pattern.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Debug for PlatePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.text, f)
    }
}

impl fmt::Display for PlatePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(pattern: &str, plate: &str, expected: bool) {
        let parsed = PlatePattern::parse(pattern).expect("test patterns parse");
        assert_eq!(
            parsed.matches(plate),
            expected,
            "`{pattern}` against `{plate}`"
        );
    }

    #[test]
    fn matching() {
        check("AB12?CD", "AB12XCD", true);
        check("AB12?CD", "AB12CD", false);
        check("AB12?CD", "AB12XXCD", false);
        check("*CDE", "AB12CDE", true);
        check("*CDE", "CDE", true);
        check("*CDE", "AB12CDF", false);
        check("AB*", "AB", true);
        check("A*B*C", "AXXBYYC", true);
        check("A*B*C", "AXXBYY", false);
        check("*1*1*", "X1Y1Z", true);
        check("*1*1*", "X1YZ", false);
        check("*", "ANYTHING", true);
        check("?*?", "A", false);
        check("?*?", "AB", true);
        check("ab12cde", "AB12CDE", true);
    }

    #[test]
    fn normalisation_and_counts() {
        let pattern = PlatePattern::parse("ab-12 ?c**d").expect("valid pattern");
        assert_eq!(pattern.as_str(), "AB12?C*D");
        assert_eq!(pattern.n_fixed_chars(), 6);
        assert_eq!(pattern.literal_prefix(), "AB12");
        assert_eq!(pattern.len_min(), 7);
        assert_eq!(pattern.len_max(), None);
        assert!(!pattern.is_unbounded());
        assert!(!pattern.is_exact());
        let exact = PlatePattern::parse("AB12CDE").expect("valid pattern");
        assert!(exact.is_exact());
        assert_eq!(exact.literal_prefix(), "AB12CDE");
        assert_eq!(exact.len_max(), Some(7));
        assert!(
            PlatePattern::parse("A?*?B")
                .expect("valid pattern")
                .is_unbounded()
        );
        assert!(
            !PlatePattern::parse("*CDE")
                .expect("valid pattern")
                .is_unbounded()
        );
        assert_eq!(
            PlatePattern::parse("*CDE")
                .expect("valid pattern")
                .literal_prefix(),
            ""
        );
    }

    #[test]
    fn bad_patterns_say_why() {
        for (raw, reason) in [
            ("", "empty pattern"),
            (" - ", "empty pattern"),
            (
                "AB%",
                "a pattern may hold only letters, digits, separators, `?` and `*`",
            ),
            ("ABCDEFGHIJKL?", "pattern is longer than 12 characters"),
        ] {
            assert_eq!(
                PlatePattern::parse(raw),
                Err(DomainError::BadPlate {
                    raw: raw.to_owned(),
                    reason
                })
            );
        }
    }
}
