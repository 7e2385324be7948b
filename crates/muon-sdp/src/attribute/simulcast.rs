//! `a=rid` ([RFC 8851 section 10](https://www.rfc-editor.org/rfc/rfc8851#section-10)) and
//! `a=simulcast` ([RFC 8853 section 5.1](https://www.rfc-editor.org/rfc/rfc8853#section-5.1)).

use std::fmt;

use crate::error::{Field, ParseErrorKind};
use crate::fields::Fields;

/// Send or receive, for [`Rid`] and [`Simulcast`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RidDirection {
    /// `send`.
    Send,
    /// `recv`.
    Recv,
}

/// `a=rid:<id> <send|recv> [<restrictions>]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rid {
    /// The RTP stream id (letters, digits, `-` and `_`).
    pub id: String,
    /// Direction.
    pub direction: RidDirection,
    /// Restrictions as written (`pt=96,97;max-width=1280`), empty if none.
    pub params: String,
}

/// `a=simulcast`: one or two direction lists, in the order written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Simulcast {
    /// `send` and/or `recv` lists (never two of the same direction).
    pub lists: Vec<SimulcastList>,
}

/// One direction of `a=simulcast`: streams separated by `;`, each with `,`-separated
/// alternatives.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SimulcastList {
    /// Direction.
    pub direction: RidDirection,
    /// Simulcast streams in order; each is a non-empty list of alternative rids.
    pub streams: Vec<Vec<SimulcastRid>>,
}

/// One rid in a simulcast list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SimulcastRid {
    /// The rid, as in `a=rid`.
    pub id: String,
    /// Written with a leading `~`: the stream starts paused.
    pub paused: bool,
}

fn is_rid_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl RidDirection {
    fn parse(s: &str) -> Result<Self, ParseErrorKind> {
        match s {
            "send" => Ok(Self::Send),
            "recv" => Ok(Self::Recv),
            _ => Err(ParseErrorKind::Invalid(Field::Direction)),
        }
    }

    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Send => "send",
            Self::Recv => "recv",
        }
    }
}

impl fmt::Display for RidDirection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Rid {
    pub(crate) fn parse(value: &str) -> Result<Self, ParseErrorKind> {
        let mut f = Fields::new(value);
        let id = f.next(Field::Identifier)?;
        if !is_rid_id(id) {
            return Err(ParseErrorKind::Invalid(Field::Identifier));
        }
        let direction = RidDirection::parse(f.next(Field::Direction)?)?;
        Ok(Self {
            id: id.to_owned(),
            direction,
            params: f.rest().to_owned(),
        })
    }

    /// The payload types of a `pt=` restriction, if there is one and it is well formed.
    pub fn payload_types(&self) -> Option<Vec<u8>> {
        self.restrictions()
            .find(|(k, _)| *k == "pt")
            .and_then(|(_, v)| v)?
            .split(',')
            .map(|p| super::rtp::payload_type(p.trim()).ok())
            .collect()
    }

    /// The `;`-separated restrictions as `(name, value)`.
    pub fn restrictions(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.params
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((k, v)) => (k, Some(v)),
                None => (p, None),
            })
    }
}

impl fmt::Display for Rid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.id, self.direction)?;
        if !self.params.is_empty() {
            write!(f, " {}", self.params)?;
        }
        Ok(())
    }
}

impl Simulcast {
    pub(crate) fn parse(value: &str) -> Result<Self, ParseErrorKind> {
        let bad = ParseErrorKind::Invalid(Field::Simulcast);
        let mut f = Fields::new(value);
        let mut lists: Vec<SimulcastList> = Vec::new();
        while let Some(dir) = f.next_opt() {
            let direction = RidDirection::parse(dir)?;
            if lists.iter().any(|l| l.direction == direction) {
                return Err(bad);
            }
            let mut streams = Vec::new();
            for stream in f.next(Field::Simulcast)?.split(';') {
                let mut alts = Vec::new();
                for alt in stream.split(',') {
                    let (paused, id) = match alt.strip_prefix('~') {
                        Some(id) => (true, id),
                        None => (false, alt),
                    };
                    if !is_rid_id(id) {
                        return Err(bad);
                    }
                    alts.push(SimulcastRid {
                        id: id.to_owned(),
                        paused,
                    });
                }
                streams.push(alts);
            }
            lists.push(SimulcastList { direction, streams });
        }
        if lists.is_empty() {
            return Err(ParseErrorKind::Missing(Field::Simulcast));
        }
        Ok(Self { lists })
    }

    /// The send streams, if any.
    pub fn send(&self) -> Option<&[Vec<SimulcastRid>]> {
        self.list(RidDirection::Send)
    }

    /// The receive streams, if any.
    pub fn recv(&self) -> Option<&[Vec<SimulcastRid>]> {
        self.list(RidDirection::Recv)
    }

    fn list(&self, d: RidDirection) -> Option<&[Vec<SimulcastRid>]> {
        self.lists
            .iter()
            .find(|l| l.direction == d)
            .map(|l| l.streams.as_slice())
    }
}

impl fmt::Display for Simulcast {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, list) in self.lists.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{} ", list.direction)?;
            for (j, stream) in list.streams.iter().enumerate() {
                if j > 0 {
                    f.write_str(";")?;
                }
                for (k, rid) in stream.iter().enumerate() {
                    if k > 0 {
                        f.write_str(",")?;
                    }
                    if rid.paused {
                        f.write_str("~")?;
                    }
                    f.write_str(&rid.id)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 8851 section 11 examples.
    #[test]
    fn rid_with_restrictions() {
        let r = Rid::parse("1 send pt=97,98;max-width=1280;max-height=720").unwrap();
        assert_eq!(r.direction, RidDirection::Send);
        assert_eq!(r.payload_types(), Some(vec![97, 98]));
        assert_eq!(r.restrictions().nth(1), Some(("max-width", Some("1280"))));
        assert_eq!(
            r.to_string(),
            "1 send pt=97,98;max-width=1280;max-height=720"
        );
        assert_eq!(Rid::parse("hi recv").unwrap().to_string(), "hi recv");
        assert!(Rid::parse("a.b send").is_err());
        assert!(Rid::parse("a both").is_err());
    }

    // RFC 8853 section 5.1 examples.
    #[test]
    fn simulcast_lists_alternatives_and_pause() {
        let s = Simulcast::parse("send 1;~4,5 recv 2").unwrap();
        let send = s.send().unwrap();
        assert_eq!(send.len(), 2);
        assert!(send[1][0].paused);
        assert_eq!(send[1][1].id, "5");
        assert_eq!(s.recv().unwrap()[0][0].id, "2");
        assert_eq!(s.to_string(), "send 1;~4,5 recv 2");
        let r = Simulcast::parse("recv h;m;l").unwrap();
        assert!(r.send().is_none());
        for bad in ["", "send", "send 1 send 2", "send 1;;2", "send ~", "both 1"] {
            assert!(Simulcast::parse(bad).is_err(), "{bad}");
        }
    }
}
