//! `a=ssrc` and `a=ssrc-group` ([RFC 5576](https://www.rfc-editor.org/rfc/rfc5576) sections 4.1 and
//! 4.2).

use std::fmt;

use crate::error::{Field, ParseErrorKind};
use crate::fields::{Fields, is_token, number, word};

/// `a=ssrc:<ssrc> <attribute>[:<value>]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ssrc {
    /// The synchronisation source.
    pub ssrc: u32,
    /// Source attribute name: `cname`, `msid`, `mslabel`, `label`, ...
    pub attribute: String,
    /// Its value, verbatim (may hold spaces, as `msid:<stream> <track>` does).
    pub value: Option<String>,
}

/// `a=ssrc-group:<semantics> <ssrc> ...`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SsrcGroup {
    /// Semantics: `FID` (RTX), `SIM` (simulcast), `FEC-FR`, ...
    pub semantics: String,
    /// The SSRCs, in order.
    pub ssrcs: Vec<u32>,
}

impl Ssrc {
    pub(crate) fn parse(value: &str) -> Result<Self, ParseErrorKind> {
        let mut f = Fields::new(value);
        let ssrc = f.number(Field::Ssrc)?;
        let rest = f.rest();
        let (attribute, value) = match rest.split_once(':') {
            Some((a, v)) => (a, Some(v.to_owned())),
            None => (rest, None),
        };
        if attribute.is_empty() {
            return Err(ParseErrorKind::Missing(Field::SsrcAttribute));
        }
        if !is_token(attribute) {
            return Err(ParseErrorKind::Invalid(Field::SsrcAttribute));
        }
        Ok(Self {
            ssrc,
            attribute: attribute.to_owned(),
            value,
        })
    }
}

impl fmt::Display for Ssrc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.ssrc, self.attribute)?;
        if let Some(v) = &self.value {
            write!(f, ":{v}")?;
        }
        Ok(())
    }
}

impl SsrcGroup {
    pub(crate) fn parse(value: &str) -> Result<Self, ParseErrorKind> {
        let mut f = Fields::new(value);
        let semantics = word(f.next(Field::Semantics)?, Field::Semantics)?;
        let mut ssrcs = Vec::new();
        while let Some(s) = f.next_opt() {
            ssrcs.push(number(s, Field::Ssrc)?);
        }
        Ok(Self { semantics, ssrcs })
    }
}

impl fmt::Display for SsrcGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.semantics)?;
        for s in &self.ssrcs {
            write!(f, " {s}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 5576 section 4.1 / 4.2 examples.
    #[test]
    fn ssrc_with_value_with_spaces() {
        let s = Ssrc::parse("2371768160 msid:stream-a track-b").unwrap();
        assert_eq!(s.ssrc, 2371768160);
        assert_eq!(s.attribute, "msid");
        assert_eq!(s.value.as_deref(), Some("stream-a track-b"));
        assert_eq!(s.to_string(), "2371768160 msid:stream-a track-b");
        let bare = Ssrc::parse("1 foo").unwrap();
        assert_eq!((bare.attribute.as_str(), bare.value), ("foo", None));
        assert!(Ssrc::parse("4294967296 cname:x").is_err());
        assert!(Ssrc::parse("1").is_err());
        assert!(Ssrc::parse("1 :x").is_err());
    }

    #[test]
    fn ssrc_group_fid() {
        let g = SsrcGroup::parse("FID 2371768160 291720652").unwrap();
        assert_eq!(g.ssrcs, [2371768160, 291720652]);
        assert_eq!(g.to_string(), "FID 2371768160 291720652");
        assert!(SsrcGroup::parse("FID x").is_err());
    }
}
