//! Candidates and their priorities.
//! [RFC 8445 section 5.1](https://www.rfc-editor.org/rfc/rfc8445#section-5.1).

use std::fmt;
use std::net::{IpAddr, SocketAddr};

/// The component id every candidate of this agent carries: WebRTC multiplexes RTP, RTCP and
/// data on one component ([RFC 8843](https://www.rfc-editor.org/rfc/rfc8843) BUNDLE and
/// [RFC 5761](https://www.rfc-editor.org/rfc/rfc5761) rtcp-mux), so the agent runs one.
pub const COMPONENT_ID: u16 = 1;

/// Longest foundation accepted from a peer: `foundation = 1*32ice-char`
/// ([RFC 8839 section 5.1](https://www.rfc-editor.org/rfc/rfc8839#section-5.1)).
pub const MAX_FOUNDATION_LEN: usize = 32;

/// Longest mDNS host name accepted in a remote candidate (a DNS name is at most 253 bytes).
pub const MAX_MDNS_NAME_LEN: usize = 253;

/// How a candidate was obtained ([RFC 8445 section 5.1.1](https://www.rfc-editor.org/rfc/rfc8445#section-5.1.1)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CandidateKind {
    /// An address of a local interface.
    Host,
    /// The address a STUN server saw (the outside of a NAT).
    ServerReflexive,
    /// An address learned from a connectivity check (a NAT mapping no server revealed).
    PeerReflexive,
    /// An address on a TURN server. The agent pairs and checks relayed candidates like any
    /// other; allocating them is `muon-turn`'s job (a later issue), so the agent never creates
    /// local ones itself.
    Relayed,
}

impl CandidateKind {
    /// The recommended type preference of
    /// [RFC 8445 section 5.1.2.2](https://www.rfc-editor.org/rfc/rfc8445#section-5.1.2.2).
    pub const fn type_preference(self) -> u32 {
        match self {
            Self::Host => 126,
            Self::PeerReflexive => 110,
            Self::ServerReflexive => 100,
            Self::Relayed => 0,
        }
    }

    /// The SDP `typ` token ([RFC 8839 section 5.1](https://www.rfc-editor.org/rfc/rfc8839#section-5.1)).
    pub const fn sdp_name(self) -> &'static str {
        match self {
            Self::Host => "host",
            Self::ServerReflexive => "srflx",
            Self::PeerReflexive => "prflx",
            Self::Relayed => "relay",
        }
    }

    fn code(self) -> u8 {
        match self {
            Self::Host => 1,
            Self::ServerReflexive => 2,
            Self::PeerReflexive => 3,
            Self::Relayed => 4,
        }
    }
}

/// A candidate's priority:
/// `2^24 * type preference + 2^8 * local preference + (256 - component id)`
/// ([RFC 8445 section 5.1.2.1](https://www.rfc-editor.org/rfc/rfc8445#section-5.1.2.1)).
pub const fn candidate_priority(kind: CandidateKind, local_preference: u16, component: u16) -> u32 {
    // component is 1..=256 by RFC; saturate rather than wrap for anything else.
    let comp = if component > 256 {
        256
    } else {
        component as u32
    };
    (kind.type_preference() << 24) + ((local_preference as u32) << 8) + (256 - comp)
}

/// A pair's priority from the controlling agent's candidate priority `g` and the controlled
/// agent's `d`: `2^32 * min(g, d) + 2 * max(g, d) + (g > d ? 1 : 0)`
/// ([RFC 8445 section 6.1.2.3](https://www.rfc-editor.org/rfc/rfc8445#section-6.1.2.3)).
pub const fn pair_priority(g: u32, d: u32) -> u64 {
    let (min, max) = if g < d { (g, d) } else { (d, g) };
    ((min as u64) << 32) + 2 * (max as u64) + if g > d { 1 } else { 0 }
}

/// The local preference of the `index`-th host interface the application added: earlier ones
/// first, and within the same rank IPv6 above IPv4 (the interleaving of
/// [RFC 8421 section 4](https://www.rfc-editor.org/rfc/rfc8421#section-4) when the
/// application adds addresses in its preferred order). Always in `1..=65535`.
pub const fn local_preference(index: usize, ip: IpAddr) -> u16 {
    let rank = if index > 255 { 255 } else { index as u16 };
    let family = if ip.is_ipv6() { 0 } else { 1 };
    u16::MAX - rank * 256 - family * 128
}

/// One candidate: how it was obtained, its transport address, its base (the local address
/// that sends for it), priority and foundation.
#[derive(Clone, PartialEq, Eq)]
pub struct Candidate {
    kind: CandidateKind,
    address: SocketAddr,
    base: SocketAddr,
    priority: u32,
    foundation: String,
    component: u16,
    related: Option<SocketAddr>,
}

impl Candidate {
    /// A candidate learned from the peer (signalling, trickle), or built by hand. The base of a
    /// remote candidate is its own address. `foundation` must be 1 to 32 `ice-char`s.
    pub fn remote(
        kind: CandidateKind,
        address: SocketAddr,
        priority: u32,
        foundation: &str,
    ) -> Self {
        Self {
            kind,
            address,
            base: address,
            priority,
            foundation: foundation.to_owned(),
            component: COMPONENT_ID,
            related: None,
        }
    }

    /// A local candidate; the foundation is derived from kind, base and server as
    /// [RFC 8445 section 5.1.1.3](https://www.rfc-editor.org/rfc/rfc8445#section-5.1.1.3)
    /// asks (same type, base IP, server and transport: same foundation).
    pub(crate) fn local(
        kind: CandidateKind,
        address: SocketAddr,
        base: SocketAddr,
        local_preference: u16,
        server: Option<IpAddr>,
    ) -> Self {
        // A relayed candidate is its own base; its related address would be the TURN
        // allocation's mapped address, which the TURN layer knows, not this.
        let related = matches!(
            kind,
            CandidateKind::ServerReflexive | CandidateKind::PeerReflexive
        )
        .then_some(base);
        Self {
            kind,
            address,
            base,
            priority: candidate_priority(kind, local_preference, COMPONENT_ID),
            foundation: foundation(kind, base.ip(), server),
            component: COMPONENT_ID,
            related,
        }
    }

    /// How the candidate was obtained.
    pub fn kind(&self) -> CandidateKind {
        self.kind
    }

    /// The transport address peers send to.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The local address that sends for this candidate (for host candidates, the address).
    pub fn base(&self) -> SocketAddr {
        self.base
    }

    /// The priority.
    pub fn priority(&self) -> u32 {
        self.priority
    }

    /// The foundation.
    pub fn foundation(&self) -> &str {
        &self.foundation
    }

    /// The component id (always [`COMPONENT_ID`] for local candidates).
    pub fn component(&self) -> u16 {
        self.component
    }

    /// The related address (`raddr`/`rport`): the base of a reflexive candidate.
    pub fn related_address(&self) -> Option<SocketAddr> {
        self.related
    }

    /// Sets the related address (remote candidates carry it only for diagnostics).
    #[must_use]
    pub fn with_related_address(mut self, related: Option<SocketAddr>) -> Self {
        self.related = related;
        self
    }

    /// Sets the component id (remote candidates of other components are ignored by the agent).
    #[must_use]
    pub fn with_component(mut self, component: u16) -> Self {
        self.component = component;
        self
    }

    pub(crate) fn set_kind(&mut self, kind: CandidateKind) {
        self.kind = kind;
    }

    pub(crate) fn set_priority(&mut self, priority: u32) {
        self.priority = priority;
    }

    pub(crate) fn set_foundation(&mut self, foundation: &str) {
        foundation.clone_into(&mut self.foundation);
    }

    /// The `candidate-attribute` value of
    /// [RFC 8839 section 5.1](https://www.rfc-editor.org/rfc/rfc8839#section-5.1), without the
    /// `a=` prefix: `candidate:<foundation> 1 udp <priority> <ip> <port> typ <type> [raddr <ip>
    /// rport <port>]`. Contains the address: do not log it.
    pub fn to_sdp(&self) -> String {
        let mut s = format!(
            "candidate:{} {} udp {} {} {} typ {}",
            self.foundation,
            self.component,
            self.priority,
            self.address.ip(),
            self.address.port(),
            self.kind.sdp_name()
        );
        if let Some(r) = self.related {
            s.push_str(&format!(" raddr {} rport {}", r.ip(), r.port()));
        }
        s
    }
}

impl fmt::Debug for Candidate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Addresses are personal data: redacted, like everywhere in muon.
        f.debug_struct("Candidate")
            .field("kind", &self.kind)
            .field("address", &muon_proto::Redacted(self.address))
            .field("priority", &self.priority)
            .field("foundation", &self.foundation)
            .finish()
    }
}

/// True for a valid foundation: 1 to 32 `ice-char`s (`ALPHA / DIGIT / "+" / "/"`).
pub(crate) fn is_valid_foundation(f: &str) -> bool {
    (1..=MAX_FOUNDATION_LEN).contains(&f.len())
        && f.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

/// True for a name the agent treats as an mDNS host name
/// ([draft-ietf-mmusic-mdns-ice-candidates](https://datatracker.ietf.org/doc/html/draft-ietf-mmusic-mdns-ice-candidates)):
/// ends in `.local`, at most [`MAX_MDNS_NAME_LEN`] bytes, DNS label characters only.
pub(crate) fn is_mdns_name(name: &str) -> bool {
    name.len() <= MAX_MDNS_NAME_LEN
        && name.len() > ".local".len()
        && name.to_ascii_lowercase().ends_with(".local")
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// A deterministic foundation: FNV-1a over type, base IP and server IP, in decimal.
fn foundation(kind: CandidateKind, base: IpAddr, server: Option<IpAddr>) -> String {
    let mut h: u32 = 0x811C_9DC5;
    let mut eat = |b: u8| {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    };
    eat(kind.code());
    ip_bytes(base, &mut eat);
    if let Some(s) = server {
        eat(0xFF);
        ip_bytes(s, &mut eat);
    }
    h.to_string()
}

fn ip_bytes(ip: IpAddr, eat: &mut impl FnMut(u8)) {
    match ip {
        IpAddr::V4(v4) => v4.octets().into_iter().for_each(&mut *eat),
        IpAddr::V6(v6) => v6.octets().into_iter().for_each(&mut *eat),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidate_priority_formula_rfc8445_5_1_2_1() {
        // host, local preference 65535, component 1: 126 << 24 | 65535 << 8 | 255.
        assert_eq!(
            candidate_priority(CandidateKind::Host, 65535, 1),
            2_130_706_431
        );
        assert_eq!(
            candidate_priority(CandidateKind::ServerReflexive, 65535, 1),
            1_694_498_815
        );
        assert_eq!(
            candidate_priority(CandidateKind::PeerReflexive, 65535, 1),
            1_862_270_975
        );
        assert_eq!(
            candidate_priority(CandidateKind::Relayed, 65535, 1),
            16_777_215
        );
        // Component 2 is one lower than component 1.
        assert_eq!(
            candidate_priority(CandidateKind::Host, 10, 1) - 1,
            candidate_priority(CandidateKind::Host, 10, 2)
        );
        // Type dominates local preference.
        assert!(
            candidate_priority(CandidateKind::PeerReflexive, u16::MAX, 1)
                > candidate_priority(CandidateKind::ServerReflexive, u16::MAX, 1)
        );
        assert!(
            candidate_priority(CandidateKind::Host, 0, 1)
                > candidate_priority(CandidateKind::PeerReflexive, u16::MAX, 1)
        );
    }

    #[test]
    fn pair_priority_formula_rfc8445_6_1_2_3() {
        let (g, d) = (2_130_706_431u32, 1_694_498_815u32);
        let p = pair_priority(g, d);
        assert_eq!(p, (u64::from(d) << 32) + 2 * u64::from(g) + 1);
        // Swapping roles changes only the tie bit.
        assert_eq!(pair_priority(d, g), p - 1);
        assert_eq!(pair_priority(7, 7), 14 + (7 << 32));
        // The smaller candidate priority dominates.
        assert!(pair_priority(100, 100) > pair_priority(99, 1 << 30));
    }

    #[test]
    fn local_preference_orders_interfaces_and_prefers_ipv6() {
        let v6: IpAddr = "2001:db8::1".parse().unwrap();
        let v4: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(local_preference(0, v6), 65535);
        assert!(local_preference(0, v6) > local_preference(0, v4));
        assert!(local_preference(0, v4) > local_preference(1, v6));
        assert!(local_preference(1000, v4) >= 1);
    }

    #[test]
    fn foundation_depends_on_type_base_and_server() {
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let s: IpAddr = "198.51.100.1".parse().unwrap();
        let f = |k, base, srv| foundation(k, base, srv);
        assert_eq!(
            f(CandidateKind::Host, a, None),
            f(CandidateKind::Host, a, None)
        );
        assert_ne!(
            f(CandidateKind::Host, a, None),
            f(CandidateKind::Host, b, None)
        );
        assert_ne!(
            f(CandidateKind::Host, a, None),
            f(CandidateKind::ServerReflexive, a, Some(s))
        );
        assert!(is_valid_foundation(&f(CandidateKind::Host, a, None)));
    }

    #[test]
    fn sdp_line_has_the_rfc8839_shape() {
        let base: SocketAddr = "10.0.0.1:5000".parse().unwrap();
        let mapped: SocketAddr = "203.0.113.7:6000".parse().unwrap();
        let c = Candidate::local(CandidateKind::ServerReflexive, mapped, base, 65535, None);
        let sdp = c.to_sdp();
        assert!(sdp.starts_with(&format!("candidate:{} 1 udp 1694498815 ", c.foundation())));
        assert!(sdp.ends_with("203.0.113.7 6000 typ srflx raddr 10.0.0.1 rport 5000"));
        assert!(!format!("{c:?}").contains("203.0.113.7"));
    }

    #[test]
    fn foundation_and_mdns_validation() {
        assert!(is_valid_foundation("a+/9"));
        assert!(!is_valid_foundation(""));
        assert!(!is_valid_foundation(&"a".repeat(33)));
        assert!(!is_valid_foundation("a b"));
        assert!(is_mdns_name("1f4712db-ea17-4bcf-a596-105139dfd8bf.local"));
        assert!(is_mdns_name("HOST.LOCAL"));
        assert!(!is_mdns_name(".local"));
        assert!(!is_mdns_name("example.com"));
        assert!(!is_mdns_name(&format!("{}.local", "a".repeat(250))));
        assert!(!is_mdns_name("a_b.local"));
    }
}
