//! Two machines on a network.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use crate::harness::{Engine, Harness, Nodes, Until, drive};
use crate::{Addressed, Clock, DatagramMachine, LinkConfig, Machine, Network, RunError};

/// Address of `a` in [`Pair::datagram`] (TEST-NET-1, RFC 5737).
pub const PAIR_ADDR_A: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)), 4000);
/// Address of `b` in [`Pair::datagram`] (TEST-NET-1, RFC 5737).
pub const PAIR_ADDR_B: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2)), 4000);

/// Two machines, `a` and `b`, on a [`Network`] under a virtual [`Clock`].
///
/// Each [`step`](Pair::step) polls every transmit of both machines into the network, delivers
/// every datagram due now, and fires every timeout due now. [`run_until`](Pair::run_until)
/// steps until a condition holds, jumping the clock to the next event whenever nothing is left
/// to do at the current instant.
///
/// ```
/// use std::time::Duration;
/// use muon_netsim::{DatagramMachine, LinkConfig, Pair};
/// # use std::time::Instant;
///
/// /// Sends one datagram at start; counts what it receives.
/// struct Hello { to_send: Option<Vec<u8>>, got: usize }
/// impl DatagramMachine for Hello {
///     fn handle_datagram(&mut self, _now: Instant, _d: &[u8]) { self.got += 1; }
///     fn handle_timeout(&mut self, _now: Instant) {}
///     fn poll_datagram(&mut self) -> Option<Vec<u8>> { self.to_send.take() }
///     fn poll_timeout(&self) -> Option<Instant> { None }
/// }
///
/// let hello = || Hello { to_send: Some(b"hi".to_vec()), got: 0 };
/// let link = LinkConfig::default().with_delay(Duration::from_millis(30));
/// let mut pair = Pair::datagram(7, hello(), hello(), link.clone(), link);
/// let at = pair.run_until(Duration::from_secs(1), |a, b| a.got == 1 && b.got == 1).unwrap();
/// assert_eq!(at - pair.clock().epoch(), Duration::from_millis(30));
/// ```
#[derive(Debug)]
pub struct Pair<A: Machine, B: Machine> {
    /// The first machine.
    pub a: A,
    /// The second machine.
    pub b: B,
    addr_a: SocketAddr,
    addr_b: SocketAddr,
    engine: Engine,
}

impl<A: Machine, B: Machine> Pair<A, B> {
    /// Puts `a` at `addr_a` and `b` at `addr_b` on a fresh network seeded with `seed`, with
    /// `link_ab` carrying datagrams from `a`'s host to `b`'s and `link_ba` the reverse.
    pub fn new(
        seed: u64,
        a: A,
        addr_a: SocketAddr,
        b: B,
        addr_b: SocketAddr,
        link_ab: LinkConfig,
        link_ba: LinkConfig,
    ) -> Self {
        let mut engine = Engine::new(seed);
        engine.network.set_link(addr_a.ip(), addr_b.ip(), link_ab);
        engine.network.set_link(addr_b.ip(), addr_a.ip(), link_ba);
        engine.bind(addr_a, 0);
        engine.bind(addr_b, 1);
        Self {
            a,
            b,
            addr_a,
            addr_b,
            engine,
        }
    }

    /// Runs on `clock` instead of a fresh one. Machines are often built before the pair and
    /// need a `now` for that: take it from a [`Clock`] and hand the same clock here, so every
    /// instant of the run is an offset from one epoch and the run replays exactly.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.engine.clock = clock;
        self
    }

    /// `a`'s address.
    pub fn addr_a(&self) -> SocketAddr {
        self.addr_a
    }

    /// `b`'s address.
    pub fn addr_b(&self) -> SocketAddr {
        self.addr_b
    }

    /// Also delivers datagrams addressed to `addr` to `a` (a second local address).
    pub fn bind_a(&mut self, addr: SocketAddr) {
        self.engine.bind(addr, 0);
    }

    /// Also delivers datagrams addressed to `addr` to `b`.
    pub fn bind_b(&mut self, addr: SocketAddr) {
        self.engine.bind(addr, 1);
    }

    /// The virtual clock.
    pub fn clock(&self) -> &Clock {
        &self.engine.clock
    }

    /// The current virtual time.
    pub fn now(&self) -> Instant {
        self.engine.clock.now()
    }

    /// The network.
    pub fn network(&self) -> &Network {
        &self.engine.network
    }

    /// The network, to change links or add NATs mid-run.
    pub fn network_mut(&mut self) -> &mut Network {
        &mut self.engine.network
    }

    /// Datagrams delivered to an address neither machine is bound to.
    pub fn undeliverable(&self) -> u64 {
        self.engine.undeliverable
    }

    /// Sets the livelock limit (default
    /// [`DEFAULT_MAX_STEPS_PER_INSTANT`](crate::DEFAULT_MAX_STEPS_PER_INSTANT)).
    pub fn set_max_steps_per_instant(&mut self, max: usize) {
        self.engine.max_steps_per_instant = max;
    }

    /// One step at the current instant (the clock does not move). Returns whether anything
    /// happened.
    pub fn step(&mut self) -> bool {
        self.engine.step(&mut Both(&mut self.a, &mut self.b))
    }

    /// Runs until `cond(a, b)` holds (checked before every step) and returns the virtual time
    /// it first held, or fails when `max` of virtual time has passed, nothing is left to
    /// happen, or time cannot advance. A `max` too long to represent means no deadline.
    pub fn run_until(
        &mut self,
        max: Duration,
        mut cond: impl FnMut(&mut A, &mut B) -> bool,
    ) -> Result<Instant, RunError> {
        drive(self, max, Until::Condition, |p| cond(&mut p.a, &mut p.b))
    }

    /// Runs for `duration` of virtual time; the clock ends exactly `duration` later. Fails only
    /// on a livelock. A `duration` too long to represent as an `Instant` means "until nothing is
    /// left to happen" (which never comes if a machine keeps a periodic timer).
    pub fn run_for(&mut self, duration: Duration) -> Result<Instant, RunError> {
        drive(self, duration, Until::Deadline, |_| false)
    }
}

impl<A: DatagramMachine, B: DatagramMachine> Pair<Addressed<A>, Addressed<B>> {
    /// Two [`DatagramMachine`]s talking to each other, at [`PAIR_ADDR_A`] and [`PAIR_ADDR_B`].
    pub fn datagram(seed: u64, a: A, b: B, link_ab: LinkConfig, link_ba: LinkConfig) -> Self {
        Self::new(
            seed,
            Addressed::new(a, PAIR_ADDR_A, PAIR_ADDR_B),
            PAIR_ADDR_A,
            Addressed::new(b, PAIR_ADDR_B, PAIR_ADDR_A),
            PAIR_ADDR_B,
            link_ab,
            link_ba,
        )
    }
}

struct Both<'a, A, B>(&'a mut A, &'a mut B);

impl<A: Machine, B: Machine> Nodes for Both<'_, A, B> {
    fn count(&self) -> usize {
        2
    }
    fn node(&mut self, i: usize) -> Option<&mut dyn Machine> {
        match i {
            0 => Some(self.0),
            1 => Some(self.1),
            _ => None,
        }
    }
    fn node_ref(&self, i: usize) -> Option<&dyn Machine> {
        match i {
            0 => Some(&*self.0),
            1 => Some(&*self.1),
            _ => None,
        }
    }
}

impl<A: Machine, B: Machine> Harness for Pair<A, B> {
    fn with_parts<R>(&mut self, f: impl FnOnce(&mut Engine, &mut dyn Nodes) -> R) -> R {
        f(&mut self.engine, &mut Both(&mut self.a, &mut self.b))
    }

    fn clock(&self) -> &Clock {
        &self.engine.clock
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sends one datagram when its timer (set from the construction instant) fires.
    struct TimerSender {
        due: Instant,
        sent: bool,
    }

    impl DatagramMachine for TimerSender {
        fn handle_datagram(&mut self, _: Instant, _: &[u8]) {}
        fn handle_timeout(&mut self, now: Instant) {
            self.sent |= now >= self.due;
        }
        fn poll_datagram(&mut self) -> Option<Vec<u8>> {
            None
        }
        fn poll_timeout(&self) -> Option<Instant> {
            (!self.sent).then_some(self.due)
        }
    }

    #[test]
    fn with_clock_keeps_timers_set_before_the_pair_on_its_epoch() {
        let clock = Clock::new();
        let due = clock.now() + Duration::from_millis(250);
        let machine = || TimerSender { due, sent: false };
        let mut pair = Pair::datagram(
            1,
            machine(),
            machine(),
            LinkConfig::perfect(),
            LinkConfig::perfect(),
        )
        .with_clock(clock);
        assert_eq!(pair.clock().epoch(), clock.epoch());
        let at = pair
            .run_until(Duration::from_secs(1), |a, _| a.sent)
            .unwrap();
        assert_eq!(at - clock.epoch(), Duration::from_millis(250));
    }
}
