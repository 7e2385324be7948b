//! What the harness drives: machines with the muon verbs.

use std::net::SocketAddr;
use std::ops::{Deref, DerefMut};
use std::time::Instant;

use muon_proto::{Receive, Transmit};

/// A sans-IO machine with addresses: anything that speaks the muon verbs (ICE agents, TURN
/// clients and servers, the `muon-rtc` engine, ...).
///
/// The harness calls, at each virtual instant: [`poll_transmit`](Machine::poll_transmit) until
/// it returns `None`, then [`handle_receive`](Machine::handle_receive) for every datagram due,
/// then [`handle_timeout`](Machine::handle_timeout) if [`poll_timeout`](Machine::poll_timeout)
/// is at or before now. Errors from the machine's own `handle_receive` are the adapter's to
/// count or record; the trait method is infallible.
pub trait Machine {
    /// A datagram arrived at one of this machine's addresses.
    fn handle_receive(&mut self, now: Instant, rx: Receive<'_>);
    /// The time returned by [`poll_timeout`](Machine::poll_timeout) has come.
    fn handle_timeout(&mut self, now: Instant);
    /// The next datagram to send, if any.
    fn poll_transmit(&mut self) -> Option<Transmit>;
    /// When [`handle_timeout`](Machine::handle_timeout) should next be called.
    fn poll_timeout(&self) -> Option<Instant>;
}

/// A sans-IO machine without addresses: the layers that run over an already-established
/// datagram path (DTLS, SCTP). Bytes in, bytes out. Wrap it in [`Addressed`] to put it on a
/// [`Network`](crate::Network).
pub trait DatagramMachine {
    /// A datagram arrived from the peer.
    fn handle_datagram(&mut self, now: Instant, datagram: &[u8]);
    /// The time returned by [`poll_timeout`](DatagramMachine::poll_timeout) has come.
    fn handle_timeout(&mut self, now: Instant);
    /// The next datagram to send to the peer, if any.
    fn poll_datagram(&mut self) -> Option<Vec<u8>>;
    /// When [`handle_timeout`](DatagramMachine::handle_timeout) should next be called.
    fn poll_timeout(&self) -> Option<Instant>;
}

impl<M: Machine + ?Sized> Machine for Box<M> {
    fn handle_receive(&mut self, now: Instant, rx: Receive<'_>) {
        (**self).handle_receive(now, rx);
    }
    fn handle_timeout(&mut self, now: Instant) {
        (**self).handle_timeout(now);
    }
    fn poll_transmit(&mut self) -> Option<Transmit> {
        (**self).poll_transmit()
    }
    fn poll_timeout(&self) -> Option<Instant> {
        (**self).poll_timeout()
    }
}

impl<M: DatagramMachine + ?Sized> DatagramMachine for Box<M> {
    fn handle_datagram(&mut self, now: Instant, datagram: &[u8]) {
        (**self).handle_datagram(now, datagram);
    }
    fn handle_timeout(&mut self, now: Instant) {
        (**self).handle_timeout(now);
    }
    fn poll_datagram(&mut self) -> Option<Vec<u8>> {
        (**self).poll_datagram()
    }
    fn poll_timeout(&self) -> Option<Instant> {
        (**self).poll_timeout()
    }
}

/// Adapts a [`DatagramMachine`] to a [`Machine`] bound to a fixed local address and talking to
/// one fixed peer address, like a connected UDP socket: everything it sends goes from `local` to
/// `peer`, and datagrams from any other source are ignored (and counted in
/// [`ignored`](Addressed::ignored)).
///
/// It dereferences to the inner machine, so `pair.a.some_inner_method()` works.
#[derive(Debug, Clone)]
pub struct Addressed<M> {
    inner: M,
    local: SocketAddr,
    peer: SocketAddr,
    ignored: u64,
}

impl<M: DatagramMachine> Addressed<M> {
    /// Binds `inner` to `local`, sending to and accepting from `peer`.
    pub fn new(inner: M, local: SocketAddr, peer: SocketAddr) -> Self {
        Self {
            inner,
            local,
            peer,
            ignored: 0,
        }
    }

    /// The local address.
    pub fn local(&self) -> SocketAddr {
        self.local
    }

    /// The peer address.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// Points the machine at a new peer address (a NAT rebinding, an ICE path switch).
    pub fn set_peer(&mut self, peer: SocketAddr) {
        self.peer = peer;
    }

    /// Datagrams dropped because they came from somewhere other than the peer.
    pub fn ignored(&self) -> u64 {
        self.ignored
    }

    /// The wrapped machine.
    pub fn inner(&self) -> &M {
        &self.inner
    }

    /// The wrapped machine, mutably.
    pub fn inner_mut(&mut self) -> &mut M {
        &mut self.inner
    }

    /// Unwraps the machine.
    pub fn into_inner(self) -> M {
        self.inner
    }
}

impl<M: DatagramMachine> Machine for Addressed<M> {
    fn handle_receive(&mut self, now: Instant, rx: Receive<'_>) {
        if rx.source != self.peer || rx.destination != self.local {
            self.ignored += 1;
            return;
        }
        self.inner.handle_datagram(now, rx.contents);
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.inner.handle_timeout(now);
    }

    fn poll_transmit(&mut self) -> Option<Transmit> {
        let contents = self.inner.poll_datagram()?;
        Some(Transmit {
            source: self.local,
            destination: self.peer,
            contents,
        })
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.inner.poll_timeout()
    }
}

impl<M> Deref for Addressed<M> {
    type Target = M;
    fn deref(&self) -> &M {
        &self.inner
    }
}

impl<M> DerefMut for Addressed<M> {
    fn deref_mut(&mut self) -> &mut M {
        &mut self.inner
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Clock;

    /// Echoes every datagram back.
    #[derive(Default)]
    struct Echo {
        out: Vec<Vec<u8>>,
    }

    impl DatagramMachine for Echo {
        fn handle_datagram(&mut self, _now: Instant, d: &[u8]) {
            self.out.push(d.to_vec());
        }
        fn handle_timeout(&mut self, _now: Instant) {}
        fn poll_datagram(&mut self) -> Option<Vec<u8>> {
            self.out.pop()
        }
        fn poll_timeout(&self) -> Option<Instant> {
            None
        }
    }

    #[test]
    fn addressed_filters_by_peer_and_stamps_addresses() {
        let local: SocketAddr = "10.0.0.1:1".parse().unwrap();
        let peer: SocketAddr = "10.0.0.2:2".parse().unwrap();
        let stranger: SocketAddr = "10.0.0.3:3".parse().unwrap();
        let now = Clock::new().now();
        let mut m = Addressed::new(Echo::default(), local, peer);
        m.handle_receive(
            now,
            Receive {
                source: stranger,
                destination: local,
                contents: b"x",
            },
        );
        assert_eq!(m.ignored(), 1);
        assert!(m.poll_transmit().is_none());
        m.handle_receive(
            now,
            Receive {
                source: peer,
                destination: local,
                contents: b"hi",
            },
        );
        let t = m.poll_transmit().unwrap();
        assert_eq!(
            (t.source, t.destination, &t.contents[..]),
            (local, peer, &b"hi"[..])
        );
        assert_eq!(m.ignored(), 1);
    }
}
