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

use crate::plate::PLATE_LEN_MAX;
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

    pub(crate) const EMPTY: CharMask = CharMask(0);

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

    /// The characters in the set, in `0`-`9`, `A`-`Z` order.
    pub(crate) fn bytes(self) -> impl Iterator<Item = u8> {
        b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
            .iter()
            .copied()
            .filter(move |byte| self.contains(*byte))
    }

    pub(crate) fn union(self, other: CharMask) -> CharMask {
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
    List(CodeList),
    Separator(u8),
}

/// A list of codes, indexed for prefix look-ups: a text matches at most one code per length.
#[derive(Clone, Debug)]
pub(crate) struct CodeList {
    codes: &'static [&'static str],
    /// `(packed code, position in the list)`, sorted by packed code.
    sorted: Vec<(u64, usize)>,
    len_max: usize,
}

/// The longest code a list may hold (codes are district and county codes).
const CODE_LEN_MAX: usize = 4;

/// A short code as one integer: its length, then its bytes.
fn pack(code: &[u8]) -> u64 {
    code.iter()
        .fold(code.len() as u64, |key, byte| (key << 8) | u64::from(*byte))
}

impl CodeList {
    fn new(codes: &'static [&'static str], pattern: &str) -> CodeList {
        let len_max = codes.iter().map(|code| code.len()).max().unwrap_or(0);
        assert!(
            len_max <= CODE_LEN_MAX && !codes.iter().any(|code| code.is_empty()),
            "pattern `{pattern}`: bad code list"
        );
        let mut sorted: Vec<(u64, usize)> = codes
            .iter()
            .enumerate()
            .map(|(rank, code)| (pack(code.as_bytes()), rank))
            .collect();
        sorted.sort_unstable();
        CodeList {
            codes,
            sorted,
            len_max,
        }
    }

    /// The lengths of the codes that `text` starts with, in list order (most preferred first).
    fn prefix_lengths(&self, text: &[u8]) -> ([usize; CODE_LEN_MAX], usize) {
        let mut found = [(usize::MAX, 0usize); CODE_LEN_MAX];
        let mut n_found = 0;
        for len in 1..=self.len_max.min(text.len()) {
            let key = pack(&text[..len]);
            if let Ok(idx) = self.sorted.binary_search_by_key(&key, |(code, _)| *code) {
                found[n_found] = (self.sorted[idx].1, len);
                n_found += 1;
            }
        }
        found[..n_found].sort_unstable();
        let mut lengths = [0; CODE_LEN_MAX];
        for (slot, (_, len)) in lengths.iter_mut().zip(&found[..n_found]) {
            *slot = *len;
        }
        (lengths, n_found)
    }
}

/// A compiled pattern with the range of text lengths it can match.
#[derive(Clone, Debug)]
pub(crate) struct Compiled {
    tokens: Vec<Token>,
    pub(crate) len_min: usize,
    pub(crate) len_max: usize,
    /// `masks[len][pos]`: every character the pattern allows at `pos` in a text of length
    /// `len` (all empty for a length it cannot match). A quick necessary condition.
    masks: Vec<[CharMask; PLATE_LEN_MAX]>,
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
                Token::List(list) => {
                    len_min += list.codes.iter().map(|code| code.len()).min().unwrap_or(0);
                    len_max += list.len_max;
                }
                Token::Separator(_) => {}
            }
        }
        let mut masks = vec![[CharMask::EMPTY; PLATE_LEN_MAX]; PLATE_LEN_MAX + 1];
        expand(&tokens, &mut Vec::with_capacity(PLATE_LEN_MAX), &mut masks);
        Compiled {
            tokens,
            len_min,
            len_max,
            masks,
        }
    }

    /// Adds this pattern's position masks to `masks` (see the field).
    pub(crate) fn add_position_masks(&self, masks: &mut [[CharMask; PLATE_LEN_MAX]]) {
        for (row, own) in masks.iter_mut().zip(&self.masks) {
            for (slot, mask) in row.iter_mut().zip(own) {
                *slot = slot.union(*mask);
            }
        }
    }

    /// Whether the whole of `text` matches.
    pub(crate) fn matches(&self, text: &[u8]) -> bool {
        self.may_match(text) && match_from(&self.tokens, text, &mut None)
    }

    /// The display form (text with the pattern's separators) of the first match, if any.
    pub(crate) fn display(&self, text: &[u8]) -> Option<String> {
        if !self.may_match(text) {
            return None;
        }
        let mut out = Some(Vec::with_capacity(text.len() + 4));
        if !match_from(&self.tokens, text, &mut out) {
            return None;
        }
        out.and_then(|bytes| String::from_utf8(bytes).ok())
    }

    fn may_match(&self, text: &[u8]) -> bool {
        text.len() >= self.len_min
            && text.len() <= self.len_max
            && text
                .iter()
                .zip(&self.masks[text.len()])
                .all(|(byte, mask)| mask.contains(*byte))
    }
}

/// Enumerates the fixed-length expansions of `tokens` after `prefix`, adding each to `masks`.
fn expand(tokens: &[Token], prefix: &mut Vec<CharMask>, masks: &mut [[CharMask; PLATE_LEN_MAX]]) {
    if prefix.len() > PLATE_LEN_MAX {
        return;
    }
    let Some((token, rest)) = tokens.split_first() else {
        let row = &mut masks[prefix.len()];
        for (slot, mask) in row.iter_mut().zip(prefix.iter()) {
            *slot = slot.union(*mask);
        }
        return;
    };
    let mark = prefix.len();
    match token {
        Token::Separator(_) => expand(rest, prefix, masks),
        Token::Class { mask, min, max } => {
            for count in usize::from(*min)..=usize::from(*max) {
                prefix.truncate(mark);
                prefix.extend(std::iter::repeat_n(*mask, count));
                expand(rest, prefix, masks);
            }
        }
        Token::List(list) => {
            for len in 1..=list.len_max {
                let mut column = [CharMask(0); CODE_LEN_MAX];
                for code in list.codes.iter().filter(|code| code.len() == len) {
                    for (slot, byte) in column.iter_mut().zip(code.bytes()) {
                        *slot = slot.union(CharMask::range(byte, byte));
                    }
                }
                if column[0] == CharMask(0) {
                    continue;
                }
                prefix.truncate(mark);
                prefix.extend_from_slice(&column[..len]);
                expand(rest, prefix, masks);
            }
        }
    }
    prefix.truncate(mark);
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
        Token::List(list) => {
            let (lengths, n_found) = list.prefix_lengths(text);
            for len in &lengths[..n_found] {
                if let Some(buf) = out.as_mut() {
                    buf.truncate(mark);
                    buf.extend_from_slice(&text[..*len]);
                }
                if match_from(rest, &text[*len..], out) {
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
                tokens.push(Token::List(CodeList::new(codes, pattern)));
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
