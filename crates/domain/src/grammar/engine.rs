//! A small pattern language for plate formats, compiled once and matched without allocation.
//!
//! A pattern is a sequence of elements, written for humans in the tables:
//!
//! | element | matches |
//! | --- | --- |
//! | `L` | one letter `A`-`Z` |
//! | `D` | one digit `0`-`9` |
//! | `N` | one digit `1`-`9` |
//! | `X` | one letter or digit |
//! | `[A-HJ-NP-Z]` | one character of the set (ranges allowed) |
//! | `0`-`9` | that digit |
//! | `{name}` | one code from the named list (tried in list order: the first is preferred) |
//! | ` ` or `-` | nothing: a separator, written out by the display form |
//!
//! A class (`L`, `D`, `N`, `X`, `[...]`) may be followed by `{m}`, `{m,n}` or `?`.

use std::fmt;

/// Index of a normalised plate character: `0`-`9` are 0..=9, `A`-`Z` are 10..=35.
pub(crate) fn char_index(byte: u8) -> Option<usize> {
    match byte {
        b'0'..=b'9' => Some(usize::from(byte - b'0')),
        b'A'..=b'Z' => Some(usize::from(byte - b'A') + 10),
        _ => None,
    }
}

/// A set of plate characters as a bit mask over [`char_index`].
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct CharMask(u64);

impl CharMask {
    pub(crate) const LETTERS: CharMask = CharMask(((1u64 << 26) - 1) << 10);
    pub(crate) const DIGITS: CharMask = CharMask((1u64 << 10) - 1);

    pub(crate) fn contains(self, byte: u8) -> bool {
        char_index(byte).is_some_and(|idx| self.0 & (1u64 << idx) != 0)
    }

    fn range(lo: u8, hi: u8) -> CharMask {
        let mut mask = 0u64;
        for byte in lo..=hi {
            if let Some(idx) = char_index(byte) {
                mask |= 1u64 << idx;
            }
        }
        CharMask(mask)
    }

    fn union(self, other: CharMask) -> CharMask {
        CharMask(self.0 | other.0)
    }
}

impl fmt::Debug for CharMask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CharMask({:#x})", self.0)
    }
}

/// One compiled element of a pattern.
#[derive(Clone, Debug)]
pub(crate) enum Token {
    Class { mask: CharMask, min: u8, max: u8 },
    List(&'static [&'static str]),
    Separator(u8),
}

/// A compiled pattern with the range of text lengths it can match.
#[derive(Clone, Debug)]
pub(crate) struct Compiled {
    tokens: Vec<Token>,
    pub(crate) len_min: usize,
    pub(crate) len_max: usize,
}

impl Compiled {
    /// Compiles a pattern; `lists` resolves `{name}`. Panics on a malformed pattern: the
    /// patterns are constants of this crate and a test compiles every one of them.
    pub(crate) fn new(
        pattern: &str,
        lists: &dyn Fn(&str) -> Option<&'static [&'static str]>,
    ) -> Compiled {
        let tokens = parse(pattern, lists);
        let (mut len_min, mut len_max) = (0, 0);
        for token in &tokens {
            match token {
                Token::Class { min, max, .. } => {
                    len_min += usize::from(*min);
                    len_max += usize::from(*max);
                }
                Token::List(codes) => {
                    len_min += codes.iter().map(|code| code.len()).min().unwrap_or(0);
                    len_max += codes.iter().map(|code| code.len()).max().unwrap_or(0);
                }
                Token::Separator(_) => {}
            }
        }
        Compiled {
            tokens,
            len_min,
            len_max,
        }
    }

    /// Whether the whole of `text` matches.
    pub(crate) fn matches(&self, text: &[u8]) -> bool {
        if text.len() < self.len_min || text.len() > self.len_max {
            return false;
        }
        match_from(&self.tokens, text, &mut None)
    }

    /// The display form (text with the pattern's separators) of the first match, if any.
    pub(crate) fn display(&self, text: &[u8]) -> Option<String> {
        if text.len() < self.len_min || text.len() > self.len_max {
            return None;
        }
        let mut out = Some(Vec::with_capacity(text.len() + 4));
        if !match_from(&self.tokens, text, &mut out) {
            return None;
        }
        out.and_then(|bytes| String::from_utf8(bytes).ok())
    }
}

/// Backtracking match of `tokens` against all of `text`, writing the display form to `out`.
fn match_from(tokens: &[Token], text: &[u8], out: &mut Option<Vec<u8>>) -> bool {
    let Some((token, rest)) = tokens.split_first() else {
        return text.is_empty();
    };
    let mark = out.as_ref().map_or(0, Vec::len);
    match token {
        Token::Separator(byte) => {
            // A separator at the very start or end of the display form is never wanted.
            if let Some(buf) = out.as_mut()
                && mark > 0
                && !text.is_empty()
            {
                buf.push(*byte);
            }
            if match_from(rest, text, out) {
                return true;
            }
        }
        Token::Class { mask, min, max } => {
            let run = text
                .iter()
                .take(usize::from(*max))
                .take_while(|byte| mask.contains(**byte))
                .count();
            for count in (usize::from(*min)..=run).rev() {
                if let Some(buf) = out.as_mut() {
                    buf.truncate(mark);
                    buf.extend_from_slice(&text[..count]);
                }
                if match_from(rest, &text[count..], out) {
                    return true;
                }
            }
        }
        Token::List(codes) => {
            for code in codes.iter() {
                let Some(tail) = text.strip_prefix(code.as_bytes()) else {
                    continue;
                };
                if let Some(buf) = out.as_mut() {
                    buf.truncate(mark);
                    buf.extend_from_slice(code.as_bytes());
                }
                if match_from(rest, tail, out) {
                    return true;
                }
            }
        }
    }
    if let Some(buf) = out.as_mut() {
        buf.truncate(mark);
    }
    false
}

fn parse(pattern: &str, lists: &dyn Fn(&str) -> Option<&'static [&'static str]>) -> Vec<Token> {
    let bytes = pattern.as_bytes();
    let mut tokens = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        let byte = bytes[pos];
        pos += 1;
        let mask = match byte {
            b' ' | b'-' => {
                tokens.push(Token::Separator(byte));
                continue;
            }
            b'{' => {
                let end = find(bytes, pos, b'}', pattern);
                let name = &pattern[pos..end];
                let codes = lists(name)
                    .unwrap_or_else(|| panic!("pattern `{pattern}`: unknown list `{name}`"));
                tokens.push(Token::List(codes));
                pos = end + 1;
                continue;
            }
            b'L' => CharMask::LETTERS,
            b'D' => CharMask::DIGITS,
            b'N' => CharMask::range(b'1', b'9'),
            b'X' => CharMask::LETTERS.union(CharMask::DIGITS),
            b'0'..=b'9' => CharMask::range(byte, byte),
            b'[' => {
                let end = find(bytes, pos, b']', pattern);
                let mask = parse_set(&bytes[pos..end], pattern);
                pos = end + 1;
                mask
            }
            _ => panic!("pattern `{pattern}`: unexpected `{}`", char::from(byte)),
        };
        let (min, max, next) = parse_quantifier(bytes, pos, pattern);
        pos = next;
        tokens.push(Token::Class { mask, min, max });
    }
    tokens
}

fn find(bytes: &[u8], from: usize, wanted: u8, pattern: &str) -> usize {
    bytes[from..]
        .iter()
        .position(|byte| *byte == wanted)
        .map(|offset| from + offset)
        .unwrap_or_else(|| panic!("pattern `{pattern}`: missing `{}`", char::from(wanted)))
}

fn parse_set(body: &[u8], pattern: &str) -> CharMask {
    let mut mask = CharMask(0);
    let mut idx = 0;
    while idx < body.len() {
        let lo = body[idx];
        let hi = if body.get(idx + 1) == Some(&b'-') && idx + 2 < body.len() {
            idx += 2;
            body[idx]
        } else {
            lo
        };
        assert!(
            char_index(lo).is_some() && lo <= hi,
            "pattern `{pattern}`: bad set"
        );
        mask = mask.union(CharMask::range(lo, hi));
        idx += 1;
    }
    mask
}

/// Parses `{m}`, `{m,n}` or `?` at `pos`; returns (min, max, position after it).
fn parse_quantifier(bytes: &[u8], pos: usize, pattern: &str) -> (u8, u8, usize) {
    match bytes.get(pos) {
        Some(b'?') => (0, 1, pos + 1),
        Some(b'{') if bytes.get(pos + 1).is_some_and(u8::is_ascii_digit) => {
            let end = find(bytes, pos, b'}', pattern);
            let body = &pattern[pos + 1..end];
            let number = |raw: &str| -> u8 {
                raw.parse()
                    .unwrap_or_else(|_| panic!("pattern `{pattern}`: bad count `{raw}`"))
            };
            let (min, max) = match body.split_once(',') {
                Some((lo, hi)) => (number(lo), number(hi)),
                None => (number(body), number(body)),
            };
            assert!(min <= max, "pattern `{pattern}`: empty count range");
            (min, max, end + 1)
        }
        _ => (1, 1, pos),
    }
}
