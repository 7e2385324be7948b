//! Agent settings and credentials.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use muon_proto::Rng;
use zeroize::{ZeroizeOnDrop, Zeroizing};

use crate::error::IceError;

/// Longest ufrag accepted: RFC 8839 allows 256, but two ufrags and a colon must fit the
/// USERNAME attribute's 509-byte bound (RFC 8489 section 14.3), so muon takes 253.
pub const MAX_UFRAG_LEN: usize = 253;

/// Most STUN servers an agent gathers from.
pub const MAX_STUN_SERVERS: usize = 8;

/// The role an agent plays ([RFC 8445 section 6.1.1](https://www.rfc-editor.org/rfc/rfc8445#section-6.1.1)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IceRole {
    /// Nominates the pair to use (the offerer, in JSEP).
    Controlling,
    /// Follows the controlling agent's nomination.
    Controlled,
}

/// How the controlling agent nominates ([RFC 8445 section 8.1.1](https://www.rfc-editor.org/rfc/rfc8445#section-8.1.1)).
///
/// Whatever is chosen here, a controlled agent accepts both styles from its peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Nomination {
    /// Check first; then repeat a check with USE-CANDIDATE on the best valid pair (RFC 8445).
    Regular,
    /// USE-CANDIDATE on every check (RFC 5245 aggressive nomination, still sent by some
    /// peers): faster, but the pair used can change as better checks succeed.
    Aggressive,
}

/// Which host addresses [`crate::IceAgent::add_host_candidate`] accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct HostFilter {
    /// Accept IPv4 addresses.
    pub ipv4: bool,
    /// Accept IPv6 addresses.
    pub ipv6: bool,
    /// Accept loopback addresses (127.0.0.0/8, ::1). Off by default: a peer elsewhere cannot
    /// reach them; tests on one machine turn it on.
    pub loopback: bool,
    /// Accept link-local addresses (169.254.0.0/16, fe80::/10). Off by default
    /// ([RFC 8445 section 5.1.1.1](https://www.rfc-editor.org/rfc/rfc8445#section-5.1.1.1)
    /// says they SHOULD NOT be used unless the agent knows they help).
    pub link_local: bool,
}

impl Default for HostFilter {
    fn default() -> Self {
        Self {
            ipv4: true,
            ipv6: true,
            loopback: false,
            link_local: false,
        }
    }
}

impl HostFilter {
    /// Accept everything usable, loopback and link-local included.
    pub fn all() -> Self {
        Self {
            ipv4: true,
            ipv6: true,
            loopback: true,
            link_local: true,
        }
    }

    /// Whether `ip` passes.
    pub fn accepts(&self, ip: IpAddr) -> bool {
        let family = match ip {
            IpAddr::V4(_) => self.ipv4,
            IpAddr::V6(_) => self.ipv6,
        };
        let link_local = match ip {
            IpAddr::V4(v4) => v4.is_link_local(),
            IpAddr::V6(v6) => v6.segments()[0] & 0xFFC0 == 0xFE80,
        };
        family && (self.loopback || !ip.is_loopback()) && (self.link_local || !link_local)
    }
}

/// Settings of an [`crate::IceAgent`]. Every table is bounded by a setting here.
///
/// Build with [`IceConfig::default`] and the `with_*` methods.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct IceConfig {
    /// The initial role; role conflicts may change it (RFC 8445 section 7.3.1.1).
    pub role: IceRole,
    /// Run as an ICE-lite agent ([RFC 8445 section 2.5](https://www.rfc-editor.org/rfc/rfc8445#section-2.5)):
    /// host candidates only, no checks of its own, always controlled, answering checks and
    /// accepting the peer's nomination.
    pub lite: bool,
    /// How this agent nominates when controlling.
    pub nomination: Nomination,
    /// When controlling, nominate a newly valid pair of higher priority than the selected one
    /// (renomination, as browsers do). RFC 8445 section 8.1.1 lets the controlled side accept
    /// several nominations and use the highest; it asks the controlling side not to nominate
    /// again, so turn this off for strict RFC behaviour.
    pub renominate: bool,
    /// Ta, the pacing between checks ([RFC 8445 section 14.2](https://www.rfc-editor.org/rfc/rfc8445#section-14.2)).
    pub ta: Duration,
    /// The smallest initial retransmission timeout of a check; the RTO used is
    /// `max(min_rto, Ta * pairs waiting or in progress)` ([RFC 8445 section 14.3](https://www.rfc-editor.org/rfc/rfc8445#section-14.3)).
    pub min_rto: Duration,
    /// Retransmission timeouts double up to this.
    pub max_rto: Duration,
    /// Transmissions of a check or a STUN server request before it fails (Rc, RFC 8489 section 6.2.1).
    pub max_transmits: u32,
    /// When controlling with regular nomination: how long after the first pair succeeds to
    /// wait for better pairs still being checked before nominating the best valid one.
    pub nomination_delay: Duration,
    /// Consent checks on the selected pair are sent every `consent_interval` randomised to
    /// 0.8-1.2 times it ([RFC 7675 section 5.1](https://www.rfc-editor.org/rfc/rfc7675#section-5.1): 5 s).
    pub consent_interval: Duration,
    /// Without a consent response for this long, the agent stops sending and fails
    /// ([RFC 7675 section 5.1](https://www.rfc-editor.org/rfc/rfc7675#section-5.1): 30 s).
    pub consent_timeout: Duration,
    /// Without a consent response for this long, the state turns `Disconnected`.
    pub disconnected_timeout: Duration,
    /// A Binding indication is sent on the selected pair when nothing was sent on it for this
    /// long ([RFC 8445 section 11](https://www.rfc-editor.org/rfc/rfc8445#section-11): Tr, 15 s or more).
    pub keepalive_interval: Duration,
    /// Which host addresses are accepted.
    pub host_filter: HostFilter,
    /// Most local candidates (host, server- and peer-reflexive).
    pub max_local_candidates: usize,
    /// Most remote candidates, peer-reflexive ones included: an authenticated peer cannot grow
    /// the table past this.
    pub max_remote_candidates: usize,
    /// Most candidate pairs ([RFC 8445 section 6.1.2.5](https://www.rfc-editor.org/rfc/rfc8445#section-6.1.2.5): 100).
    pub max_pairs: usize,
    /// Most remote mDNS candidates waiting for resolution.
    pub max_pending_mdns: usize,
    /// Most datagrams queued for [`crate::IceAgent::poll_transmit`]; beyond it new ones are
    /// dropped and counted.
    pub max_queued_transmits: usize,
    /// Most events queued for [`crate::IceAgent::poll_event`]; beyond it new ones are dropped
    /// and counted.
    pub max_queued_events: usize,
}

impl Default for IceConfig {
    fn default() -> Self {
        Self {
            role: IceRole::Controlling,
            lite: false,
            nomination: Nomination::Regular,
            renominate: true,
            ta: Duration::from_millis(50),
            min_rto: Duration::from_millis(500),
            max_rto: Duration::from_millis(2500),
            max_transmits: 7,
            nomination_delay: Duration::from_millis(500),
            consent_interval: Duration::from_secs(5),
            consent_timeout: Duration::from_secs(30),
            disconnected_timeout: Duration::from_secs(8),
            keepalive_interval: Duration::from_secs(15),
            host_filter: HostFilter::default(),
            max_local_candidates: 32,
            max_remote_candidates: 64,
            max_pairs: 100,
            max_pending_mdns: 16,
            max_queued_transmits: 256,
            max_queued_events: 256,
        }
    }
}

impl IceConfig {
    /// Sets the initial role.
    #[must_use]
    pub fn with_role(mut self, role: IceRole) -> Self {
        self.role = role;
        self
    }

    /// Makes this an ICE-lite agent (which also makes it controlled).
    #[must_use]
    pub fn with_lite(mut self, lite: bool) -> Self {
        self.lite = lite;
        if lite {
            self.role = IceRole::Controlled;
        }
        self
    }

    /// Sets the nomination style.
    #[must_use]
    pub fn with_nomination(mut self, nomination: Nomination) -> Self {
        self.nomination = nomination;
        self
    }

    /// Enables or disables renomination of better pairs.
    #[must_use]
    pub fn with_renominate(mut self, on: bool) -> Self {
        self.renominate = on;
        self
    }

    /// Sets the host filter.
    #[must_use]
    pub fn with_host_filter(mut self, filter: HostFilter) -> Self {
        self.host_filter = filter;
        self
    }

    /// Sets the consent interval, disconnected timeout and consent timeout.
    #[must_use]
    pub fn with_consent(
        mut self,
        interval: Duration,
        disconnected: Duration,
        timeout: Duration,
    ) -> Self {
        self.consent_interval = interval;
        self.disconnected_timeout = disconnected;
        self.consent_timeout = timeout;
        self
    }

    /// Sets the keepalive interval.
    #[must_use]
    pub fn with_keepalive_interval(mut self, interval: Duration) -> Self {
        self.keepalive_interval = interval;
        self
    }

    /// Sets Ta.
    #[must_use]
    pub fn with_ta(mut self, ta: Duration) -> Self {
        self.ta = ta;
        self
    }

    /// Sets the remote candidate and pair limits.
    #[must_use]
    pub fn with_limits(mut self, max_remote_candidates: usize, max_pairs: usize) -> Self {
        self.max_remote_candidates = max_remote_candidates;
        self.max_pairs = max_pairs;
        self
    }
}

/// ICE credentials: a username fragment and a password
/// ([RFC 8445 section 5.3](https://www.rfc-editor.org/rfc/rfc8445#section-5.3)). `Debug`
/// hides the password, and it is wiped from memory on drop ([`ZeroizeOnDrop`]).
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    ufrag: String,
    pwd: Zeroizing<String>,
}

impl Credentials {
    /// Fresh random credentials: an 8-character ufrag and a 24-character password (144 bits).
    pub fn random(rng: &mut Rng) -> Self {
        Self {
            ufrag: ice_chars(rng, 8),
            pwd: Zeroizing::new(ice_chars(rng, 24)),
        }
    }

    /// Credentials from signalling. The ufrag must be 4 to [`MAX_UFRAG_LEN`] and the password
    /// 22 to 256 `ice-char`s ([RFC 8839 section 5.4](https://www.rfc-editor.org/rfc/rfc8839#section-5.4)).
    pub fn new(ufrag: &str, pwd: &str) -> Result<Self, IceError> {
        let ok = |s: &str, min: usize, max: usize| {
            (min..=max).contains(&s.len())
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
        };
        if !ok(ufrag, 4, MAX_UFRAG_LEN) || !ok(pwd, 22, 256) {
            return Err(IceError::InvalidCredentials);
        }
        Ok(Self {
            ufrag: ufrag.to_owned(),
            pwd: Zeroizing::new(pwd.to_owned()),
        })
    }

    /// The username fragment (`ice-ufrag`).
    pub fn ufrag(&self) -> &str {
        &self.ufrag
    }

    /// The password (`ice-pwd`).
    pub fn pwd(&self) -> &str {
        self.pwd.as_str()
    }
}

// The password is the only secret, and `Zeroizing` wipes it; the ufrag is public (SDP).
impl ZeroizeOnDrop for Credentials {}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("ufrag", &muon_proto::Redacted(&self.ufrag))
            .finish_non_exhaustive()
    }
}

/// `n` random `ice-char`s, in one allocation of the final size (a growing string would leave
/// partial copies of a password behind in freed memory).
fn ice_chars(rng: &mut Rng, n: usize) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(n);
    for _ in 0..n {
        out.push(char::from(ALPHABET[(rng.u32() & 63) as usize]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Compile-time: credentials, and the password as stored, wipe themselves on drop.
    #[test]
    fn password_zeroizes_on_drop() {
        fn assert_zod<T: ZeroizeOnDrop>(_: &T) {}
        let c = Credentials::random(&mut Rng::from_seed([4; 32]));
        assert_zod(&c);
        assert_zod(&c.pwd);
        assert_eq!(c.pwd().len(), 24);
        assert_eq!(c.pwd.capacity(), 24, "one allocation of the final size");
    }

    #[test]
    fn random_credentials_are_valid_and_differ() {
        let mut rng = Rng::from_seed([9; 32]);
        let a = Credentials::random(&mut rng);
        let b = Credentials::random(&mut rng);
        assert_ne!(a, b);
        assert!(Credentials::new(a.ufrag(), a.pwd()).is_ok());
        assert!(!format!("{a:?}").contains(a.pwd()));
    }

    #[test]
    fn credential_syntax_rfc8839_5_4() {
        assert!(Credentials::new("abcd", "0123456789012345678901").is_ok());
        assert_eq!(
            Credentials::new("abc", "0123456789012345678901"),
            Err(IceError::InvalidCredentials)
        );
        assert_eq!(
            Credentials::new("abcd", "012345678901234567890"),
            Err(IceError::InvalidCredentials)
        );
        assert_eq!(
            Credentials::new("ab:d", "0123456789012345678901"),
            Err(IceError::InvalidCredentials)
        );
    }

    #[test]
    fn host_filter() {
        let f = HostFilter::default();
        assert!(f.accepts("192.0.2.1".parse().unwrap()));
        assert!(f.accepts("2001:db8::1".parse().unwrap()));
        assert!(!f.accepts("127.0.0.1".parse().unwrap()));
        assert!(!f.accepts("::1".parse().unwrap()));
        assert!(!f.accepts("169.254.1.1".parse().unwrap()));
        assert!(!f.accepts("fe80::1".parse().unwrap()));
        let v4only = HostFilter {
            ipv6: false,
            ..HostFilter::all()
        };
        assert!(!v4only.accepts("2001:db8::1".parse().unwrap()));
        assert!(v4only.accepts("127.0.0.1".parse().unwrap()));
    }
}
