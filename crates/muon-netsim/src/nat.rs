//! NAT models in the terms of RFC 4787 (NAT behavioural requirements for UDP).

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use muon_proto::Rng;

use crate::record::NatRefusal;

/// Default [`NatConfig::mapping_timeout`]: two minutes, the minimum of
/// [RFC 4787 REQ-5](https://www.rfc-editor.org/rfc/rfc4787#section-4.3).
pub const DEFAULT_MAPPING_TIMEOUT: Duration = Duration::from_secs(120);

/// Default [`NatConfig::max_mappings`].
pub const DEFAULT_MAX_MAPPINGS: usize = 4096;

/// Most remote endpoints one mapping remembers for filtering; beyond it the least recently
/// used is forgotten.
pub const MAX_PERMISSIONS_PER_MAPPING: usize = 256;

/// Lowest external port a NAT allocates (ports below are never used for mappings).
const FIRST_PORT: u16 = 1024;

/// The classic NAT types, each a combination of RFC 4787 mapping and filtering behaviour
/// ([section 4.1](https://www.rfc-editor.org/rfc/rfc4787#section-4.1),
/// [section 5](https://www.rfc-editor.org/rfc/rfc4787#section-5)).
///
/// | kind | mapping | filtering |
/// |---|---|---|
/// | `FullCone` | endpoint-independent | endpoint-independent (none) |
/// | `AddressRestricted` | endpoint-independent | address-dependent |
/// | `PortRestricted` | endpoint-independent | address and port-dependent |
/// | `Symmetric` | address and port-dependent | address and port-dependent |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NatKind {
    /// Endpoint-independent mapping, no filtering: once mapped, anyone may send in.
    FullCone,
    /// Endpoint-independent mapping, address-dependent filtering: inbound passes from any
    /// port of an IP address the private host has sent to.
    AddressRestricted,
    /// Endpoint-independent mapping, address and port-dependent filtering: inbound passes only
    /// from exact addresses the private host has sent to.
    PortRestricted,
    /// Address and port-dependent mapping (a new external port per destination) and address
    /// and port-dependent filtering.
    Symmetric,
}

impl NatKind {
    fn mapping_per_destination(self) -> bool {
        matches!(self, Self::Symmetric)
    }
}

/// The configuration of one NAT.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NatConfig {
    /// Mapping and filtering behaviour.
    pub kind: NatKind,
    /// A mapping (and each remote endpoint it lets in) lives this long after the last
    /// outbound datagram through it. Only outbound traffic refreshes
    /// ([RFC 4787 REQ-6](https://www.rfc-editor.org/rfc/rfc4787#section-4.3)).
    pub mapping_timeout: Duration,
    /// Whether a private host may reach another private host behind the same NAT through
    /// their external addresses; the receiver then sees the sender's external address
    /// ([RFC 4787 REQ-9](https://www.rfc-editor.org/rfc/rfc4787#section-6)).
    pub hairpinning: bool,
    /// Most live mappings; when full, new flows are dropped (counted in `dropped_nat`).
    pub max_mappings: usize,
}

impl NatConfig {
    /// A NAT of `kind` with the given mapping timeout, no hairpinning and
    /// [`DEFAULT_MAX_MAPPINGS`].
    pub fn new(kind: NatKind, mapping_timeout: Duration) -> Self {
        Self {
            kind,
            mapping_timeout,
            hairpinning: false,
            max_mappings: DEFAULT_MAX_MAPPINGS,
        }
    }

    /// Enables or disables hairpinning.
    #[must_use]
    pub fn with_hairpinning(mut self, on: bool) -> Self {
        self.hairpinning = on;
        self
    }

    /// Sets the mapping table size.
    #[must_use]
    pub fn with_max_mappings(mut self, max: usize) -> Self {
        self.max_mappings = max;
        self
    }
}

/// Which NAT: returned by [`Network::add_nat`](crate::Network::add_nat).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NatId(pub(crate) usize);

/// What a mapping is keyed by: the private endpoint, plus the remote endpoint for
/// address and port-dependent mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct MapKey {
    private: SocketAddr,
    remote: Option<SocketAddr>,
}

#[derive(Debug)]
struct Mapping {
    key: MapKey,
    last_outbound: Instant,
    /// Remote endpoints sent to, with when.
    permissions: BTreeMap<SocketAddr, Instant>,
}

/// The state of one NAT.
#[derive(Debug)]
pub(crate) struct Nat {
    pub(crate) public_ip: IpAddr,
    pub(crate) config: NatConfig,
    rng: Rng,
    by_key: BTreeMap<MapKey, u16>,
    by_port: BTreeMap<u16, Mapping>,
}

impl Nat {
    pub(crate) fn new(public_ip: IpAddr, config: NatConfig, rng: Rng) -> Self {
        Self {
            public_ip,
            config,
            rng,
            by_key: BTreeMap::new(),
            by_port: BTreeMap::new(),
        }
    }

    fn live(&self, since: Instant, now: Instant) -> bool {
        now.saturating_duration_since(since) < self.config.mapping_timeout
    }

    fn key(&self, private: SocketAddr, remote: SocketAddr) -> MapKey {
        MapKey {
            private,
            remote: self.config.kind.mapping_per_destination().then_some(remote),
        }
    }

    /// Translates an outbound datagram from `private` to `remote`: returns the external
    /// source address, creating or refreshing the mapping
    /// ([RFC 4787 section 4.1](https://www.rfc-editor.org/rfc/rfc4787#section-4.1)).
    pub(crate) fn outbound(
        &mut self,
        now: Instant,
        private: SocketAddr,
        remote: SocketAddr,
    ) -> Result<SocketAddr, NatRefusal> {
        let key = self.key(private, remote);
        let existing = self.by_key.get(&key).copied();
        let port = match existing {
            Some(port)
                if self
                    .by_port
                    .get(&port)
                    .is_some_and(|m| self.live(m.last_outbound, now)) =>
            {
                port
            }
            _ => {
                if let Some(port) = existing {
                    self.remove(port);
                }
                let port = self.allocate(now)?;
                self.by_key.insert(key, port);
                self.by_port.insert(
                    port,
                    Mapping {
                        key,
                        last_outbound: now,
                        permissions: BTreeMap::new(),
                    },
                );
                port
            }
        };
        if let Some(m) = self.by_port.get_mut(&port) {
            m.last_outbound = now;
            m.permissions.insert(remote, now);
            if m.permissions.len() > MAX_PERMISSIONS_PER_MAPPING {
                let oldest = m
                    .permissions
                    .iter()
                    .min_by_key(|(_, t)| **t)
                    .map(|(a, _)| *a);
                if let Some(a) = oldest {
                    m.permissions.remove(&a);
                }
            }
        }
        Ok(SocketAddr::new(self.public_ip, port))
    }

    /// Checks an inbound datagram from `remote` to external `port`: returns the private
    /// destination or why it is dropped
    /// ([RFC 4787 section 5](https://www.rfc-editor.org/rfc/rfc4787#section-5)).
    pub(crate) fn inbound(
        &mut self,
        now: Instant,
        remote: SocketAddr,
        port: u16,
    ) -> Result<SocketAddr, NatRefusal> {
        let Some(m) = self.by_port.get(&port) else {
            return Err(NatRefusal::NoMapping);
        };
        if !self.live(m.last_outbound, now) {
            self.remove(port);
            return Err(NatRefusal::Expired);
        }
        let allowed = match self.config.kind {
            NatKind::FullCone => true,
            NatKind::AddressRestricted => m
                .permissions
                .iter()
                .any(|(a, t)| a.ip() == remote.ip() && self.live(*t, now)),
            NatKind::PortRestricted | NatKind::Symmetric => m
                .permissions
                .get(&remote)
                .is_some_and(|t| self.live(*t, now)),
        };
        if allowed {
            Ok(m.key.private)
        } else {
            Err(NatRefusal::Filtered)
        }
    }

    /// The private endpoint behind external `port`, ignoring expiry and filtering (for
    /// choosing which link an inbound datagram travels).
    pub(crate) fn peek(&self, port: u16) -> Option<SocketAddr> {
        self.by_port.get(&port).map(|m| m.key.private)
    }

    /// The live external address for `private` talking to `remote`, if mapped.
    pub(crate) fn mapping(
        &self,
        now: Instant,
        private: SocketAddr,
        remote: SocketAddr,
    ) -> Option<SocketAddr> {
        let port = *self.by_key.get(&self.key(private, remote))?;
        let m = self.by_port.get(&port)?;
        self.live(m.last_outbound, now)
            .then_some(SocketAddr::new(self.public_ip, port))
    }

    /// Number of mappings currently live.
    pub(crate) fn live_mappings(&self, now: Instant) -> usize {
        self.by_port
            .values()
            .filter(|m| self.live(m.last_outbound, now))
            .count()
    }

    fn remove(&mut self, port: u16) {
        if let Some(m) = self.by_port.remove(&port) {
            self.by_key.remove(&m.key);
        }
    }

    fn purge_expired(&mut self, now: Instant) {
        let dead: Vec<u16> = self
            .by_port
            .iter()
            .filter(|(_, m)| !self.live(m.last_outbound, now))
            .map(|(p, _)| *p)
            .collect();
        for p in dead {
            self.remove(p);
        }
    }

    /// Picks a free external port at random (ports are not predictable, as RFC 4787 REQ-1
    /// does not require preservation and port randomization is common).
    fn allocate(&mut self, now: Instant) -> Result<u16, NatRefusal> {
        if self.by_port.len() >= self.config.max_mappings {
            self.purge_expired(now);
            if self.by_port.len() >= self.config.max_mappings {
                return Err(NatRefusal::TableFull);
            }
        }
        let span = u64::from(u16::MAX - FIRST_PORT) + 1;
        for _ in 0..64 {
            let port = FIRST_PORT + u16::try_from(self.rng.below(span)).unwrap_or(0);
            if !self.by_port.contains_key(&port) {
                return Ok(port);
            }
        }
        (FIRST_PORT..=u16::MAX)
            .find(|p| !self.by_port.contains_key(p))
            .ok_or(NatRefusal::TableFull)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Clock;

    fn addr(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    fn nat(kind: NatKind) -> Nat {
        Nat::new(
            "203.0.113.1".parse().unwrap(),
            NatConfig::new(kind, Duration::from_secs(30)),
            Rng::from_seed([5; 32]),
        )
    }

    #[test]
    fn cone_mapping_is_endpoint_independent_symmetric_is_not() {
        let now = Clock::new().now();
        let (p, r1, r2) = (
            addr("10.0.0.2:5000"),
            addr("198.51.100.1:1"),
            addr("198.51.100.2:2"),
        );
        for kind in [
            NatKind::FullCone,
            NatKind::AddressRestricted,
            NatKind::PortRestricted,
        ] {
            let mut n = nat(kind);
            assert_eq!(n.outbound(now, p, r1), n.outbound(now, p, r2));
        }
        let mut n = nat(NatKind::Symmetric);
        assert_ne!(n.outbound(now, p, r1), n.outbound(now, p, r2));
        assert_eq!(n.outbound(now, p, r1), n.outbound(now, p, r1));
    }

    #[test]
    fn table_full_drops_new_flows_until_mappings_expire() {
        let now = Clock::new().now();
        let mut n = Nat::new(
            "203.0.113.1".parse().unwrap(),
            NatConfig::new(NatKind::Symmetric, Duration::from_secs(30)).with_max_mappings(2),
            Rng::from_seed([5; 32]),
        );
        let p = addr("10.0.0.2:5000");
        assert!(n.outbound(now, p, addr("1.1.1.1:1")).is_ok());
        assert!(n.outbound(now, p, addr("1.1.1.1:2")).is_ok());
        assert_eq!(
            n.outbound(now, p, addr("1.1.1.1:3")),
            Err(NatRefusal::TableFull)
        );
        let later = now + Duration::from_secs(30);
        assert!(n.outbound(later, p, addr("1.1.1.1:3")).is_ok());
        assert_eq!(n.live_mappings(later), 1);
    }
}
