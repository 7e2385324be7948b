//! Session-level grouping and stream identification: `a=group`
//! ([RFC 5888 section 5](https://www.rfc-editor.org/rfc/rfc5888#section-5),
//! [RFC 9143](https://www.rfc-editor.org/rfc/rfc9143) for BUNDLE), `a=msid-semantic` and `a=msid`
//! ([RFC 8830](https://www.rfc-editor.org/rfc/rfc8830)), `a=ice-options`
//! ([RFC 8839 section 5.6](https://www.rfc-editor.org/rfc/rfc8839#section-5.6)).

use std::fmt;

use crate::error::{Field, ParseErrorKind};
use crate::fields::{Fields, is_token, word};

/// `a=group:<semantics> <mid> ...`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Group {
    /// Semantics: `BUNDLE`, `LS`, ...
    pub semantics: GroupSemantics,
    /// The grouped media sections' `a=mid` values, in order.
    pub mids: Vec<String>,
}

/// `a=group` semantics, matched exactly as registered.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GroupSemantics {
    /// `BUNDLE` ([RFC 9143](https://www.rfc-editor.org/rfc/rfc9143)).
    Bundle,
    /// `LS`, lip synchronisation ([RFC 5888](https://www.rfc-editor.org/rfc/rfc5888)).
    Ls,
    /// `FID`, flow identification ([RFC 5888](https://www.rfc-editor.org/rfc/rfc5888)).
    Fid,
    /// Another token; never one of the names above.
    Other(String),
}

/// `a=msid-semantic:<semantic> [<id> ...]` (a
/// pre-[RFC 8830](https://www.rfc-editor.org/rfc/rfc8830) attribute Chromium and Pion write).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MsidSemantic {
    /// Chromium writes a space after the colon (`a=msid-semantic: WMS`), Pion and Firefox do
    /// not; kept so that both round-trip byte for byte.
    pub space_after_colon: bool,
    /// Semantic token, in practice `WMS`.
    pub semantic: String,
    /// Stream ids, or `*`.
    pub ids: Vec<String>,
}

/// `a=msid:<stream id> [<track id>]`
/// ([RFC 8830 section 2](https://www.rfc-editor.org/rfc/rfc8830#section-2)). A stream id of `-`
/// means none.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Msid {
    /// The MediaStream id.
    pub stream_id: String,
    /// The application data, which browsers set to the track id.
    pub track_id: Option<String>,
}

/// One `a=ice-options` tag.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IceOption {
    /// `trickle` ([RFC 8840](https://www.rfc-editor.org/rfc/rfc8840)).
    Trickle,
    /// `ice2` ([RFC 8445 section 10](https://www.rfc-editor.org/rfc/rfc8445#section-10)).
    Ice2,
    /// Another tag, kept; never one of the names above.
    Other(String),
}

impl Group {
    pub(crate) fn parse(value: &str) -> Result<Self, ParseErrorKind> {
        let mut f = Fields::new(value);
        let s = f.next(Field::Semantics)?;
        if !is_token(s) {
            return Err(ParseErrorKind::Invalid(Field::Semantics));
        }
        let semantics = match s {
            "BUNDLE" => GroupSemantics::Bundle,
            "LS" => GroupSemantics::Ls,
            "FID" => GroupSemantics::Fid,
            other => GroupSemantics::Other(other.to_owned()),
        };
        let mut mids = Vec::new();
        while let Some(m) = f.next_opt() {
            mids.push(m.to_owned());
        }
        Ok(Self { semantics, mids })
    }

    /// True for a `BUNDLE` group.
    pub fn is_bundle(&self) -> bool {
        self.semantics == GroupSemantics::Bundle
    }
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.semantics.as_str())?;
        for m in &self.mids {
            write!(f, " {m}")?;
        }
        Ok(())
    }
}

impl GroupSemantics {
    /// The token.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Bundle => "BUNDLE",
            Self::Ls => "LS",
            Self::Fid => "FID",
            Self::Other(s) => s,
        }
    }
}

impl MsidSemantic {
    pub(crate) fn parse(value: &str) -> Result<Self, ParseErrorKind> {
        let mut f = Fields::new(value);
        let semantic = word(f.next(Field::Semantics)?, Field::Semantics)?;
        let mut ids = Vec::new();
        while let Some(id) = f.next_opt() {
            ids.push(id.to_owned());
        }
        Ok(Self {
            space_after_colon: value.starts_with(' '),
            semantic,
            ids,
        })
    }
}

impl fmt::Display for MsidSemantic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.space_after_colon {
            f.write_str(" ")?;
        }
        f.write_str(&self.semantic)?;
        for id in &self.ids {
            write!(f, " {id}")?;
        }
        Ok(())
    }
}

impl Msid {
    pub(crate) fn parse(value: &str) -> Result<Self, ParseErrorKind> {
        let mut f = Fields::new(value);
        let stream_id = word(f.next(Field::Identifier)?, Field::Identifier)?;
        let track_id = f.next_opt().map(str::to_owned);
        f.end()?;
        Ok(Self {
            stream_id,
            track_id,
        })
    }
}

impl fmt::Display for Msid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.stream_id)?;
        if let Some(t) = &self.track_id {
            write!(f, " {t}")?;
        }
        Ok(())
    }
}

impl IceOption {
    pub(crate) fn parse_list(value: &str) -> Result<Vec<Self>, ParseErrorKind> {
        let mut f = Fields::new(value);
        let mut out = Vec::new();
        while let Some(tag) = f.next_opt() {
            out.push(match tag {
                "trickle" => Self::Trickle,
                "ice2" => Self::Ice2,
                other => Self::Other(other.to_owned()),
            });
        }
        if out.is_empty() {
            return Err(ParseErrorKind::Missing(Field::AttributeValue));
        }
        Ok(out)
    }

    /// The tag.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Trickle => "trickle",
            Self::Ice2 => "ice2",
            Self::Other(s) => s,
        }
    }
}

impl fmt::Display for IceOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 9143 section 7.3.1 example offer.
    #[test]
    fn bundle_group() {
        let g = Group::parse("BUNDLE foo bar").unwrap();
        assert!(g.is_bundle());
        assert_eq!(g.mids, ["foo", "bar"]);
        assert_eq!(g.to_string(), "BUNDLE foo bar");
        let empty = Group::parse("BUNDLE").unwrap();
        assert!(empty.mids.is_empty());
        let other = Group::parse("DDP 1 2").unwrap();
        assert_eq!(other.semantics, GroupSemantics::Other("DDP".into()));
    }

    #[test]
    fn msid_semantic_keeps_chromium_spacing() {
        for text in [" WMS", " WMS abc", "WMS *"] {
            assert_eq!(MsidSemantic::parse(text).unwrap().to_string(), text);
        }
        assert!(MsidSemantic::parse(" ").is_err());
    }

    // RFC 8830 section 2 example.
    #[test]
    fn msid_forms() {
        let m = Msid::parse(
            "61317484-2ed4-49d7-9eb7-1414322a7aae f30bdb4a-5db8-49b5-bcdc-e0c9a23172e0",
        )
        .unwrap();
        assert_eq!(m.stream_id, "61317484-2ed4-49d7-9eb7-1414322a7aae");
        assert!(m.track_id.is_some());
        assert_eq!(Msid::parse("- t").unwrap().stream_id, "-");
        assert!(Msid::parse("a b c").is_err());
    }

    #[test]
    fn ice_options_keep_unknown_tags() {
        let o = IceOption::parse_list("trickle ice2 rtp+ecn").unwrap();
        assert_eq!(
            o,
            [
                IceOption::Trickle,
                IceOption::Ice2,
                IceOption::Other("rtp+ecn".into())
            ]
        );
        assert!(IceOption::parse_list("").is_err());
    }
}
