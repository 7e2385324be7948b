//! [`Attributes`]: the ordered `a=` lines of a section, with typed getters.

use std::ops::{Deref, DerefMut};

use super::Attribute;
use super::candidate::Candidate;
use super::dtls::{Fingerprint, Setup};
use super::group::{Group, IceOption, Msid, MsidSemantic};
use super::rtp::{Extmap, Fmtp, RtcpFb, Rtpmap};
use super::sctp::Sctpmap;
use super::simulcast::{Rid, Simulcast};
use super::ssrc::{Ssrc, SsrcGroup};
use crate::media::Direction;

/// The `a=` lines of the session or of one media section, in order.
///
/// Dereferences to `Vec<Attribute>` for editing; the getters return the first matching
/// attribute (or all of them, for repeatable ones).
///
/// ```
/// use muon_sdp::{Attribute, Attributes, Setup};
/// let mut attrs = Attributes::default();
/// attrs.push(Attribute::Mid("0".into()));
/// attrs.push(Attribute::Setup(Setup::Actpass));
/// assert_eq!(attrs.mid(), Some("0"));
/// assert_eq!(attrs.setup(), Some(Setup::Actpass));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Attributes(pub Vec<Attribute>);

macro_rules! first {
    ($self:ident, $pat:pat => $out:expr) => {
        $self.0.iter().find_map(|a| match a {
            $pat => Some($out),
            _ => None,
        })
    };
}

macro_rules! all {
    ($self:ident, $pat:pat => $out:expr) => {
        $self.0.iter().filter_map(|a| match a {
            $pat => Some($out),
            _ => None,
        })
    };
}

impl Attributes {
    /// `a=mid`.
    pub fn mid(&self) -> Option<&str> {
        first!(self, Attribute::Mid(m) => m.as_str())
    }

    /// Every `a=group`.
    pub fn groups(&self) -> impl Iterator<Item = &Group> {
        all!(self, Attribute::Group(g) => g)
    }

    /// The first `a=group:BUNDLE`.
    pub fn bundle(&self) -> Option<&Group> {
        self.groups().find(|g| g.is_bundle())
    }

    /// `a=msid-semantic`.
    pub fn msid_semantic(&self) -> Option<&MsidSemantic> {
        first!(self, Attribute::MsidSemantic(m) => m)
    }

    /// Every `a=msid`.
    pub fn msids(&self) -> impl Iterator<Item = &Msid> {
        all!(self, Attribute::Msid(m) => m)
    }

    /// `a=ice-ufrag`.
    pub fn ice_ufrag(&self) -> Option<&str> {
        first!(self, Attribute::IceUfrag(u) => u.as_str())
    }

    /// `a=ice-pwd`.
    pub fn ice_pwd(&self) -> Option<&str> {
        first!(self, Attribute::IcePwd(p) => p.as_str())
    }

    /// The tags of every `a=ice-options`.
    pub fn ice_options(&self) -> impl Iterator<Item = &IceOption> {
        all!(self, Attribute::IceOptions(o) => o).flatten()
    }

    /// True if `a=ice-lite` is present.
    pub fn ice_lite(&self) -> bool {
        self.0.contains(&Attribute::IceLite)
    }

    /// Every `a=fingerprint`.
    pub fn fingerprints(&self) -> impl Iterator<Item = &Fingerprint> {
        all!(self, Attribute::Fingerprint(f) => f)
    }

    /// `a=setup`.
    pub fn setup(&self) -> Option<Setup> {
        first!(self, Attribute::Setup(s) => *s)
    }

    /// Every `a=candidate`.
    pub fn candidates(&self) -> impl Iterator<Item = &Candidate> {
        all!(self, Attribute::Candidate(c) => c)
    }

    /// True if `a=end-of-candidates` is present.
    pub fn end_of_candidates(&self) -> bool {
        self.0.contains(&Attribute::EndOfCandidates)
    }

    /// The direction attribute (`a=sendrecv`, ...), if any.
    pub fn direction(&self) -> Option<Direction> {
        first!(self, Attribute::Direction(d) => *d)
    }

    /// True if `a=rtcp-mux` is present.
    pub fn rtcp_mux(&self) -> bool {
        self.0.contains(&Attribute::RtcpMux)
    }

    /// True if `a=rtcp-mux-only` is present.
    pub fn rtcp_mux_only(&self) -> bool {
        self.0.contains(&Attribute::RtcpMuxOnly)
    }

    /// True if `a=rtcp-rsize` is present.
    pub fn rtcp_rsize(&self) -> bool {
        self.0.contains(&Attribute::RtcpRsize)
    }

    /// Every `a=rtpmap`.
    pub fn rtpmaps(&self) -> impl Iterator<Item = &Rtpmap> {
        all!(self, Attribute::Rtpmap(r) => r)
    }

    /// Every `a=fmtp`.
    pub fn fmtps(&self) -> impl Iterator<Item = &Fmtp> {
        all!(self, Attribute::Fmtp(f) => f)
    }

    /// Every `a=rtcp-fb`.
    pub fn rtcp_fbs(&self) -> impl Iterator<Item = &RtcpFb> {
        all!(self, Attribute::RtcpFb(r) => r)
    }

    /// Every `a=extmap`.
    pub fn extmaps(&self) -> impl Iterator<Item = &Extmap> {
        all!(self, Attribute::Extmap(e) => e)
    }

    /// True if `a=extmap-allow-mixed` is present.
    pub fn extmap_allow_mixed(&self) -> bool {
        self.0.contains(&Attribute::ExtmapAllowMixed)
    }

    /// Every `a=ssrc`.
    pub fn ssrcs(&self) -> impl Iterator<Item = &Ssrc> {
        all!(self, Attribute::Ssrc(s) => s)
    }

    /// Every `a=ssrc-group`.
    pub fn ssrc_groups(&self) -> impl Iterator<Item = &SsrcGroup> {
        all!(self, Attribute::SsrcGroup(g) => g)
    }

    /// Every `a=rid`.
    pub fn rids(&self) -> impl Iterator<Item = &Rid> {
        all!(self, Attribute::Rid(r) => r)
    }

    /// `a=simulcast`.
    pub fn simulcast(&self) -> Option<&Simulcast> {
        first!(self, Attribute::Simulcast(s) => s)
    }

    /// `a=sctp-port`.
    pub fn sctp_port(&self) -> Option<u16> {
        first!(self, Attribute::SctpPort(p) => *p)
    }

    /// `a=max-message-size`.
    pub fn max_message_size(&self) -> Option<u64> {
        first!(self, Attribute::MaxMessageSize(m) => *m)
    }

    /// `a=sctpmap`.
    pub fn sctpmap(&self) -> Option<&Sctpmap> {
        first!(self, Attribute::Sctpmap(m) => m)
    }

    /// The value of the first attribute this crate does not type, by name: `Some(None)` for
    /// a present flag, `Some(Some(value))` for `a=name:value`.
    pub fn other(&self, name: &str) -> Option<Option<&str>> {
        self.0.iter().find_map(|a| match a {
            Attribute::Other { name: n, value } if n == name => Some(value.as_deref()),
            _ => None,
        })
    }
}

impl Deref for Attributes {
    type Target = Vec<Attribute>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for Attributes {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl From<Vec<Attribute>> for Attributes {
    fn from(v: Vec<Attribute>) -> Self {
        Self(v)
    }
}

impl FromIterator<Attribute> for Attributes {
    fn from_iter<I: IntoIterator<Item = Attribute>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl<'a> IntoIterator for &'a Attributes {
    type Item = &'a Attribute;
    type IntoIter = std::slice::Iter<'a, Attribute>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn getters_find_typed_values_and_others() {
        let attrs: Attributes = [
            "group:LS a b",
            "group:BUNDLE a",
            "ice-options:trickle",
            "ice-options:ice2",
            "sendonly",
            "x-flag",
            "x-val:1",
        ]
        .into_iter()
        .map(|t| Attribute::parse(t).unwrap())
        .collect();
        assert_eq!(attrs.bundle().unwrap().mids, ["a"]);
        assert_eq!(attrs.groups().count(), 2);
        assert_eq!(attrs.ice_options().count(), 2);
        assert_eq!(attrs.direction(), Some(Direction::SendOnly));
        assert_eq!(attrs.other("x-flag"), Some(None));
        assert_eq!(attrs.other("x-val"), Some(Some("1")));
        assert_eq!(attrs.other("nope"), None);
        assert!(!attrs.ice_lite());
        assert_eq!(attrs.mid(), None);
    }
}
