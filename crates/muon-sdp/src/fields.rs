//! Splitting a line's value into space-separated fields, with typed errors.
//!
//! Fields are separated by one or more spaces ([RFC 8866](https://www.rfc-editor.org/rfc/rfc8866)
//! uses a single SP; runs are accepted
//! and written back as one). Only the space character separates, so a field never holds one.

use std::str::FromStr;

use crate::error::{Field, ParseErrorKind};

/// A cursor over the space-separated fields of one value.
pub(crate) struct Fields<'a> {
    rest: &'a str,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(value: &'a str) -> Self {
        Self {
            rest: value.trim_start_matches(' '),
        }
    }

    /// The next field, or `None` at the end.
    pub(crate) fn next_opt(&mut self) -> Option<&'a str> {
        if self.rest.is_empty() {
            return None;
        }
        let (head, tail) = self.rest.split_once(' ').unwrap_or((self.rest, ""));
        self.rest = tail.trim_start_matches(' ');
        Some(head)
    }

    /// The next field; its absence is `Missing(field)`.
    pub(crate) fn next(&mut self, field: Field) -> Result<&'a str, ParseErrorKind> {
        self.next_opt().ok_or(ParseErrorKind::Missing(field))
    }

    /// The next field as a decimal number.
    pub(crate) fn number<T: FromStr>(&mut self, field: Field) -> Result<T, ParseErrorKind> {
        number(self.next(field)?, field)
    }

    /// Everything after the fields taken so far, verbatim (leading spaces skipped).
    pub(crate) fn rest(&mut self) -> &'a str {
        std::mem::take(&mut self.rest)
    }

    /// Fails with `TrailingData` if any field is left.
    pub(crate) fn end(&self) -> Result<(), ParseErrorKind> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(ParseErrorKind::TrailingData)
        }
    }
}

/// A decimal number made of ASCII digits only (no sign, no spaces); out of range is `Invalid`.
pub(crate) fn number<T: FromStr>(s: &str, field: Field) -> Result<T, ParseErrorKind> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ParseErrorKind::Invalid(field));
    }
    s.parse().map_err(|_| ParseErrorKind::Invalid(field))
}

/// [RFC 8866 section 9](https://www.rfc-editor.org/rfc/rfc8866#section-9) `token-char`.
pub(crate) fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`{|}~".contains(&b)
}

/// A non-empty run of `token-char`.
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_token_char)
}

/// A non-empty value without spaces (identifiers such as mid, ufrag, rid).
pub(crate) fn word(s: &str, field: Field) -> Result<String, ParseErrorKind> {
    if s.is_empty() || s.contains(' ') {
        Err(ParseErrorKind::Invalid(field))
    } else {
        Ok(s.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_space_runs_and_keeps_rest_verbatim() {
        let mut f = Fields::new("  111  minptime=10; x ");
        assert_eq!(f.number::<u8>(Field::PayloadType), Ok(111));
        assert_eq!(f.rest(), "minptime=10; x ");
        assert_eq!(f.next_opt(), None);
        assert!(f.end().is_ok());
    }

    #[test]
    fn numbers_are_digits_only() {
        assert_eq!(number::<u16>("65535", Field::Port), Ok(65535));
        for bad in ["", "+1", "-1", "65536", "1 ", "0x10", "１"] {
            assert_eq!(
                number::<u16>(bad, Field::Port),
                Err(ParseErrorKind::Invalid(Field::Port)),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn tokens() {
        assert!(is_token("webrtc-datachannel"));
        assert!(!is_token(""));
        assert!(!is_token("a:b"));
        assert!(!is_token("a b"));
    }
}
