//! The network: hosts by IP, directed links between them, NATs, datagrams in flight.

use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BinaryHeap};
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use muon_proto::{Rng, Transmit};

use crate::link::{LinkConfig, LinkDrop, LinkState};
use crate::nat::{Nat, NatConfig, NatId, NatKind};
use crate::record::{DropReason, NatRefusal, Record, RecordKind, Recorder};
use crate::stats::Stats;

/// Default [`Network::set_max_in_flight`]: datagrams the network holds at once before it
/// drops new ones (counted in `dropped_queue`).
pub const DEFAULT_MAX_IN_FLIGHT: usize = 1 << 20;

/// A seeded network emulator between any number of hosts.
///
/// Hosts are IP addresses and need no registration: any address not placed behind a NAT is a
/// public host reachable from everywhere. Each ordered pair of hosts has its own directed link
/// ([`set_link`](Network::set_link); unconfigured pairs use the
/// [default link](Network::set_default_link)) with its own random stream, derived from the seed
/// and the two addresses, so adding a link never changes what happens on another.
///
/// NATs ([`add_nat`](Network::add_nat)) own a public IP and hide private hosts
/// ([`add_private_host`](Network::add_private_host)). A NAT sits right next to its private
/// hosts: outbound translation happens when the datagram is sent, inbound filtering when it
/// arrives at the NAT's public address. Links are always between the real hosts (a private
/// host's own IP), so `set_link(private_a, public_b, ..)` shapes the whole path. A private
/// host reaches hosts behind the same NAT directly by their private address; private
/// addresses behind other NATs are unreachable (`dropped_no_route`). Private addresses must be
/// unique across the network.
///
/// The network is sans-IO like everything else: [`send`](Network::send) datagrams at `now`,
/// take out with [`poll_deliver`](Network::poll_deliver) those due, and sleep (virtually) until
/// [`next_delivery`](Network::next_delivery).
#[derive(Debug)]
pub struct Network {
    link_key: [u8; 32],
    nat_key: [u8; 32],
    default_link: LinkConfig,
    configs: BTreeMap<Link, LinkConfig>,
    links: BTreeMap<Link, LinkState>,
    nats: Vec<Nat>,
    nat_by_public: BTreeMap<IpAddr, usize>,
    nat_by_private: BTreeMap<IpAddr, usize>,
    in_flight: BinaryHeap<Reverse<Scheduled>>,
    next_seq: u64,
    max_in_flight: usize,
    stats: Stats,
    recorder: Recorder,
    filter: Option<Filter>,
}

/// A test's own drop rule: `keep(now, &transmit)`; see [`Network::set_filter`].
type KeepFn = dyn FnMut(Instant, &Transmit) -> bool;

/// The installed filter (a newtype so `Network` stays `Debug`).
struct Filter(Box<KeepFn>);

impl fmt::Debug for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Filter(..)")
    }
}

/// A directed link: (from host, to host).
type Link = (IpAddr, IpAddr);

/// A datagram on its way.
#[derive(Debug)]
struct Scheduled {
    at: Instant,
    seq: u64,
    link: Link,
    transmit: Transmit,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scheduled {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

impl Network {
    /// An empty network whose every random choice follows from `seed`.
    pub fn new(seed: u64) -> Self {
        let mut seed_bytes = [0u8; 32];
        seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
        seed_bytes[8..24].copy_from_slice(b"muon-netsim/seed");
        let mut root = Rng::from_seed(seed_bytes);
        Self {
            link_key: root.array(),
            nat_key: root.array(),
            default_link: LinkConfig::default(),
            configs: BTreeMap::new(),
            links: BTreeMap::new(),
            nats: Vec::new(),
            nat_by_public: BTreeMap::new(),
            nat_by_private: BTreeMap::new(),
            in_flight: BinaryHeap::new(),
            next_seq: 0,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            stats: Stats::default(),
            recorder: Recorder::default(),
            filter: None,
        }
    }

    /// The link used between hosts with no link of their own.
    pub fn set_default_link(&mut self, config: LinkConfig) {
        self.default_link = config;
    }

    /// Configures the directed link from host `from` to host `to`. May be called mid-run (to
    /// cut or heal a path); datagrams already in flight keep their schedule.
    pub fn set_link(&mut self, from: IpAddr, to: IpAddr, config: LinkConfig) {
        self.configs.insert((from, to), config);
    }

    /// Configures both directions between `a` and `b` alike.
    pub fn set_links(&mut self, a: IpAddr, b: IpAddr, config: LinkConfig) {
        self.set_link(a, b, config.clone());
        self.set_link(b, a, config);
    }

    /// The configuration of the directed link from `from` to `to`.
    pub fn link(&self, from: IpAddr, to: IpAddr) -> &LinkConfig {
        self.configs.get(&(from, to)).unwrap_or(&self.default_link)
    }

    /// Installs a rule every datagram passes through first, as the sender sent it: `keep(now,
    /// &transmit)` returning `false` drops it (counted in `dropped_filter`). For scripted
    /// scenarios: "lose the first two ServerHello flights", "cut the path at t = 5 s".
    /// Replaces any previous filter.
    ///
    /// ```
    /// use muon_netsim::Network;
    ///
    /// let mut net = Network::new(1);
    /// let mut seen = 0;
    /// // Drop every third datagram.
    /// net.set_filter(move |_now, _t| {
    ///     seen += 1;
    ///     seen % 3 != 0
    /// });
    /// ```
    pub fn set_filter(&mut self, keep: impl FnMut(Instant, &Transmit) -> bool + 'static) {
        self.filter = Some(Filter(Box::new(keep)));
    }

    /// Removes the filter.
    pub fn clear_filter(&mut self) {
        self.filter = None;
    }

    /// Caps the number of datagrams in flight network-wide (a memory bound).
    pub fn set_max_in_flight(&mut self, max: usize) {
        self.max_in_flight = max;
    }

    /// Adds a NAT with public address `public_ip`, of `kind`, whose mappings expire
    /// `mapping_timeout` after their last outbound datagram. Place hosts behind it with
    /// [`add_private_host`](Network::add_private_host).
    pub fn add_nat(
        &mut self,
        public_ip: IpAddr,
        kind: NatKind,
        mapping_timeout: Duration,
    ) -> NatId {
        self.add_nat_with(public_ip, NatConfig::new(kind, mapping_timeout))
    }

    /// Adds a NAT with a full configuration (hairpinning, table size).
    pub fn add_nat_with(&mut self, public_ip: IpAddr, config: NatConfig) -> NatId {
        let id = self.nats.len();
        let rng = Rng::from_seed(stream_seed(&self.nat_key, public_ip, public_ip));
        self.nats.push(Nat::new(public_ip, config, rng));
        self.nat_by_public.insert(public_ip, id);
        NatId(id)
    }

    /// Puts the host `private_ip` behind `nat`: its datagrams to the outside are translated and
    /// only reach it back through the NAT's mappings. Ignored for an unknown `nat`.
    pub fn add_private_host(&mut self, nat: NatId, private_ip: IpAddr) {
        if nat.0 < self.nats.len() {
            self.nat_by_private.insert(private_ip, nat.0);
        }
    }

    /// The public IP of `nat`.
    pub fn nat_public_ip(&self, nat: NatId) -> Option<IpAddr> {
        self.nats.get(nat.0).map(|n| n.public_ip)
    }

    /// The external address `nat` currently uses for `private` talking to `remote` (what a
    /// STUN server would report), if a live mapping exists at `now`.
    pub fn nat_mapping(
        &self,
        nat: NatId,
        now: Instant,
        private: SocketAddr,
        remote: SocketAddr,
    ) -> Option<SocketAddr> {
        self.nats.get(nat.0)?.mapping(now, private, remote)
    }

    /// Number of live mappings in `nat` at `now`.
    pub fn nat_live_mappings(&self, nat: NatId, now: Instant) -> usize {
        self.nats.get(nat.0).map_or(0, |n| n.live_mappings(now))
    }

    /// Hands a datagram to the network at `now`. It is delivered later by
    /// [`poll_deliver`](Network::poll_deliver), or dropped and counted in [`stats`](Network::stats).
    pub fn send(&mut self, now: Instant, transmit: Transmit) {
        let mut transmit = transmit;
        self.recorder.push(now, RecordKind::Sent, &transmit);
        let src_ip = transmit.source.ip();
        let dst_ip = transmit.destination.ip();
        // The link runs between the real hosts.
        let key = (src_ip, self.resolve_host(transmit.destination));
        self.stats.sent += 1;
        self.link_state(key).stats.sent += 1;

        if let Some(Filter(keep)) = &mut self.filter
            && !keep(now, &transmit)
        {
            return self.dropped(now, key, DropReason::Filter, &transmit);
        }

        // Routing and outbound NAT (RFC 4787 section 4).
        let src_nat = self.nat_by_private.get(&src_ip).copied();
        if let Some(&dst_nat) = self.nat_by_private.get(&dst_ip) {
            if src_nat != Some(dst_nat) {
                return self.dropped(now, key, DropReason::NoRoute, &transmit);
            }
            // Same LAN: no translation.
        } else if let Some(nat) = src_nat.and_then(|n| self.nats.get_mut(n)) {
            let translated = if nat.public_ip == dst_ip && !nat.config.hairpinning {
                Err(NatRefusal::NoHairpin)
            } else {
                nat.outbound(now, transmit.source, transmit.destination)
            };
            match translated {
                Ok(public) => transmit.source = public,
                Err(why) => return self.dropped(now, key, DropReason::Nat(why), &transmit),
            }
        }

        let config = self.configs.get(&key).unwrap_or(&self.default_link).clone();
        let link = self.link_state(key);
        let arrival = match link.transmit(&config, now, transmit.contents.len()) {
            Ok(a) => a,
            Err(drop) => {
                let reason = match drop {
                    LinkDrop::Mtu => DropReason::Mtu,
                    LinkDrop::Queue => DropReason::Queue,
                    LinkDrop::Loss => DropReason::Loss,
                };
                return self.dropped(now, key, reason, &transmit);
            }
        };
        if arrival.reordered {
            link.stats.reordered += 1;
            self.stats.reordered += 1;
        }
        let copy = arrival.duplicate.then(|| transmit.clone());
        self.schedule(now, arrival.at, key, transmit);
        if let Some(copy) = copy {
            self.stats.duplicated += 1;
            self.link_state(key).stats.duplicated += 1;
            self.schedule(now, arrival.at, key, copy);
        }
    }

    /// The next datagram due at or before `now`, with its addresses as the receiver sees them
    /// (source translated by the sender's NAT, destination translated by the receiver's).
    /// Call until `None`.
    pub fn poll_deliver(&mut self, now: Instant) -> Option<Transmit> {
        loop {
            let Reverse(next) = self.in_flight.peek()?;
            if next.at > now {
                return None;
            }
            let Reverse(Scheduled {
                at,
                link,
                mut transmit,
                ..
            }) = self.in_flight.pop()?;
            // Inbound NAT, judged when the datagram reaches it (RFC 4787 section 5).
            let dst = transmit.destination;
            if let Some(nat) = self
                .nat_by_public
                .get(&dst.ip())
                .and_then(|&n| self.nats.get_mut(n))
            {
                match nat.inbound(at, transmit.source, dst.port()) {
                    Ok(private) => transmit.destination = private,
                    Err(why) => {
                        self.dropped(at, link, DropReason::Nat(why), &transmit);
                        continue;
                    }
                }
            }
            let len = transmit.contents.len() as u64;
            let link_stats = &mut link_entry(&mut self.links, &self.link_key, link).stats;
            for stats in [&mut self.stats, link_stats] {
                stats.delivered += 1;
                stats.bytes_delivered += len;
            }
            self.recorder.push(at, RecordKind::Delivered, &transmit);
            return Some(transmit);
        }
    }

    /// Starts keeping a log of every datagram sent, delivered and dropped, up to `max_records`
    /// entries ([`DEFAULT_MAX_RECORDS`](crate::DEFAULT_MAX_RECORDS) if `None`); entries beyond
    /// are counted in [`records_overflow`](Network::records_overflow) and not kept.
    pub fn record(&mut self, max_records: Option<usize>) {
        self.recorder
            .start(max_records.unwrap_or(crate::record::DEFAULT_MAX_RECORDS));
    }

    /// Stops the log (what was recorded stays until taken).
    pub fn stop_recording(&mut self) {
        self.recorder.stop();
    }

    /// Whether the log is on.
    pub fn is_recording(&self) -> bool {
        self.recorder.is_on()
    }

    /// Takes the log recorded so far, oldest first, freeing room for more.
    pub fn take_records(&mut self) -> Vec<Record> {
        self.recorder.take()
    }

    /// Entries not recorded because the log was full.
    pub fn records_overflow(&self) -> u64 {
        self.recorder.overflow()
    }

    /// When the next datagram in flight is due, if any.
    pub fn next_delivery(&self) -> Option<Instant> {
        self.in_flight.peek().map(|Reverse(s)| s.at)
    }

    /// Datagrams currently in flight.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// Network-wide counters.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Counters of the directed link from `from` to `to` (zero if it never carried anything).
    pub fn link_stats(&self, from: IpAddr, to: IpAddr) -> Stats {
        self.links
            .get(&(from, to))
            .map(|l| l.stats)
            .unwrap_or_default()
    }

    fn schedule(&mut self, now: Instant, at: Instant, link: Link, transmit: Transmit) {
        if self.in_flight.len() >= self.max_in_flight {
            return self.dropped(now, link, DropReason::Queue, &transmit);
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.in_flight.push(Reverse(Scheduled {
            at,
            seq,
            link,
            transmit,
        }));
    }

    /// The host a datagram to `dst` is headed for: through a NAT's current mapping if `dst`
    /// is a NAT's public address.
    fn resolve_host(&self, dst: SocketAddr) -> IpAddr {
        self.nat_by_public
            .get(&dst.ip())
            .and_then(|&n| self.nats.get(n))
            .and_then(|nat| nat.peek(dst.port()))
            .map_or(dst.ip(), |private| private.ip())
    }

    /// Counts (network-wide and on `link`) and records a drop.
    fn dropped(&mut self, at: Instant, link: Link, reason: DropReason, transmit: &Transmit) {
        self.stats.count_drop(reason);
        self.link_state(link).stats.count_drop(reason);
        self.recorder
            .push(at, RecordKind::Dropped(reason), transmit);
    }

    fn link_state(&mut self, link: Link) -> &mut LinkState {
        link_entry(&mut self.links, &self.link_key, link)
    }
}

/// The state of `link`, created on first use with its own random stream keyed by the network
/// key and the two addresses, so a link's randomness never depends on other links.
fn link_entry<'a>(
    links: &'a mut BTreeMap<Link, LinkState>,
    key: &[u8; 32],
    (from, to): Link,
) -> &'a mut LinkState {
    links
        .entry((from, to))
        .or_insert_with(|| LinkState::new(Rng::from_seed(stream_seed(key, from, to))))
}

/// The seed of the random stream for the (directed) address pair `a`, `b` under `key`.
///
/// Both addresses fill the 32 bytes (IPv4 as IPv4-mapped IPv6), so the address families are
/// mixed in separately: an IPv4 host and its IPv4-mapped IPv6 form get unrelated streams.
fn stream_seed(key: &[u8; 32], a: IpAddr, b: IpAddr) -> [u8; 32] {
    let family = u8::from(a.is_ipv4()) | (u8::from(b.is_ipv4()) << 1);
    let mut keyed = Rng::from_seed(xor(*key, pair_bytes(a, b)));
    xor(keyed.array(), [family; 32])
}

/// The two addresses as 32 bytes (IPv4 as IPv4-mapped IPv6), to derive a per-link seed.
fn pair_bytes(a: IpAddr, b: IpAddr) -> [u8; 32] {
    let v6 = |ip: IpAddr| match ip {
        IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
        IpAddr::V6(v6) => v6.octets(),
    };
    let mut out = [0u8; 32];
    out[..16].copy_from_slice(&v6(a));
    out[16..].copy_from_slice(&v6(b));
    out
}

fn xor(mut a: [u8; 32], b: [u8; 32]) -> [u8; 32] {
    for (x, y) in a.iter_mut().zip(b) {
        *x ^= y;
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Clock, LinkConfig};

    fn t(src: &str, dst: &str, n: u8) -> Transmit {
        Transmit {
            source: src.parse().unwrap(),
            destination: dst.parse().unwrap(),
            contents: vec![n],
        }
    }

    #[test]
    fn perfect_link_delivers_after_default_delay() {
        let mut clock = Clock::new();
        let mut net = Network::new(1);
        net.send(clock.now(), t("192.0.2.1:1", "192.0.2.2:2", 7));
        assert_eq!(net.poll_deliver(clock.now()), None);
        assert_eq!(
            net.next_delivery(),
            Some(clock.now() + crate::link::DEFAULT_DELAY)
        );
        clock.advance(crate::link::DEFAULT_DELAY);
        assert_eq!(
            net.poll_deliver(clock.now()),
            Some(t("192.0.2.1:1", "192.0.2.2:2", 7))
        );
        assert_eq!(net.stats().delivered, 1);
        let ls = net.link_stats("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        assert_eq!((ls.sent, ls.delivered), (1, 1));
    }

    #[test]
    fn ipv6_hosts_and_links_work_alike() {
        let mut clock = Clock::new();
        let mut net = Network::new(1);
        let (a, b) = (
            "2001:db8::1".parse().unwrap(),
            "2001:db8::2".parse().unwrap(),
        );
        net.set_link(
            a,
            b,
            LinkConfig::default().with_delay(Duration::from_millis(7)),
        );
        net.send(clock.now(), t("[2001:db8::1]:1", "[2001:db8::2]:2", 1));
        clock.advance(Duration::from_millis(7));
        assert_eq!(
            net.poll_deliver(clock.now()),
            Some(t("[2001:db8::1]:1", "[2001:db8::2]:2", 1))
        );
        // An IPv4 host and its IPv4-mapped IPv6 form get unrelated random streams.
        let key = [3; 32];
        let v4 = "192.0.2.1".parse().unwrap();
        let mapped = "::ffff:192.0.2.1".parse().unwrap();
        assert_eq!(pair_bytes(v4, v4), pair_bytes(mapped, mapped));
        assert_ne!(stream_seed(&key, v4, v4), stream_seed(&key, mapped, mapped));
        assert_ne!(stream_seed(&key, v4, a), stream_seed(&key, mapped, a));
        assert_ne!(stream_seed(&key, a, b), stream_seed(&key, b, a));
    }

    #[test]
    fn private_hosts_of_other_nats_are_unreachable() {
        let now = Clock::new().now();
        let mut net = Network::new(1);
        let n1 = net.add_nat(
            "203.0.113.1".parse().unwrap(),
            NatKind::FullCone,
            Duration::from_secs(60),
        );
        let n2 = net.add_nat(
            "203.0.113.2".parse().unwrap(),
            NatKind::FullCone,
            Duration::from_secs(60),
        );
        net.add_private_host(n1, "10.0.0.1".parse().unwrap());
        net.add_private_host(n2, "10.0.1.1".parse().unwrap());
        net.add_private_host(n1, "10.0.0.2".parse().unwrap());
        net.send(now, t("10.0.0.1:1", "10.0.1.1:1", 0));
        net.send(now, t("192.0.2.9:1", "10.0.1.1:1", 0));
        assert_eq!(net.stats().dropped_no_route, 2);
        // Same LAN goes direct, untranslated.
        net.send(now, t("10.0.0.1:1", "10.0.0.2:1", 0));
        let d = net.poll_deliver(now + Duration::from_secs(1)).unwrap();
        assert_eq!(d, t("10.0.0.1:1", "10.0.0.2:1", 0));
    }
}
