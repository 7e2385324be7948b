//! The UDP sockets of one peer connection: binding with larger kernel buffers, reading in
//! batches (one wake-up and one engine lock for many datagrams), and sending without an
//! `.await` per datagram unless the socket is full.

use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;
use std::task::Poll;

use muon_proto::{Receive, Transmit};
use tokio::net::UdpSocket;

use crate::mux::{Datagram, MuxPort};

/// Largest UDP payload: a read always has this much room, so nothing is truncated.
const MAX_DATAGRAM: usize = 65_536;

/// Datagrams read per batch at most; the engine lock is held while a batch is handled.
const MAX_BATCH: usize = 64;

/// Bytes of one batch buffer. Pages are touched only as datagrams arrive, so an idle
/// connection keeps just the first ones resident.
const BATCH_BYTES: usize = 2 * MAX_DATAGRAM;

/// Kernel buffer asked for each socket (the kernel caps it at `net.core.rmem_max` /
/// `wmem_max`). At the default of about 200 KiB, a burst of one SCTP window from a sender on
/// a faster core overflows the receiver's socket and costs retransmissions.
const SOCKET_BUFFER: usize = 4 * 1024 * 1024;

/// Where a peer connection's datagrams come from and go: sockets of its own, or its place in
/// a shared [`crate::UdpMux`].
#[derive(Debug)]
pub(crate) enum PeerIo {
    Own(SocketSet, Batch),
    Muxed(MuxPort, Vec<Datagram>),
}

impl PeerIo {
    /// Waits for datagrams and hands each to `handle` (source, local destination, bytes).
    pub(crate) async fn recv(&mut self) {
        match self {
            Self::Own(sockets, batch) => sockets.recv_batch(batch).await,
            Self::Muxed(port, queue) => {
                queue.clear();
                port.recv(queue, MAX_BATCH).await;
            }
        }
    }

    /// The datagrams the last [`recv`](Self::recv) brought.
    pub(crate) fn for_each_received(&self, mut handle: impl FnMut(Receive<'_>)) {
        match self {
            Self::Own(_, batch) => {
                batch.iter().for_each(handle);
            }
            Self::Muxed(_, queue) => {
                for d in queue {
                    handle(Receive {
                        source: d.source,
                        destination: d.destination,
                        contents: &d.contents,
                    });
                }
            }
        }
    }

    /// Sends every datagram (see [`SocketSet::send_all`]).
    pub(crate) async fn send_all(&self, transmits: &mut Vec<Transmit>) {
        match self {
            Self::Own(sockets, _) => sockets.send_all(transmits).await,
            Self::Muxed(port, _) => port.send_all(transmits).await,
        }
    }
}

/// One socket per local address.
#[derive(Debug)]
pub(crate) struct SocketSet {
    sockets: Vec<(SocketAddr, UdpSocket)>,
}

/// One datagram of a [`Batch`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Received {
    source: SocketAddr,
    destination: SocketAddr,
    start: usize,
    len: usize,
}

/// Datagrams read in one go, stored back to back.
#[derive(Debug)]
pub(crate) struct Batch {
    buf: Vec<u8>,
    used: usize,
    items: Vec<Received>,
}

impl Batch {
    pub(crate) fn new() -> Self {
        Self {
            buf: vec![0; BATCH_BYTES],
            used: 0,
            items: Vec::with_capacity(MAX_BATCH),
        }
    }

    /// The datagrams read.
    pub(crate) fn iter(&self) -> impl Iterator<Item = Receive<'_>> {
        self.items.iter().filter_map(|r| {
            let contents = self.buf.get(r.start..r.start + r.len)?;
            Some(Receive {
                source: r.source,
                destination: r.destination,
                contents,
            })
        })
    }

    fn clear(&mut self) {
        self.used = 0;
        self.items.clear();
    }

    fn is_full(&self) -> bool {
        self.items.len() >= MAX_BATCH || self.buf.len() - self.used < MAX_DATAGRAM
    }
}

impl SocketSet {
    /// Binds one socket on an ephemeral port of each address; addresses that cannot be
    /// bound are skipped.
    pub(crate) fn bind(ips: impl IntoIterator<Item = std::net::IpAddr>) -> Self {
        let sockets = ips
            .into_iter()
            .filter_map(|ip| bind_one(SocketAddr::new(ip, 0)).ok())
            .filter_map(|s| Some((s.local_addr().ok()?, s)))
            .collect();
        Self { sockets }
    }

    /// Binds exactly these addresses; fails on the first that cannot be bound.
    pub(crate) fn bind_exact(addrs: impl IntoIterator<Item = SocketAddr>) -> io::Result<Self> {
        let mut set = Self {
            sockets: Vec::new(),
        };
        set.bind_more(addrs)?;
        Ok(set)
    }

    /// Binds more addresses exactly; fails on the first that cannot be bound.
    pub(crate) fn bind_more(
        &mut self,
        addrs: impl IntoIterator<Item = SocketAddr>,
    ) -> io::Result<()> {
        for addr in addrs {
            let socket = bind_one(addr)?;
            self.sockets.push((socket.local_addr()?, socket));
        }
        Ok(())
    }

    /// Binds one socket per address on the first free port of `ports`, trying them from
    /// `start` onwards (wrapping); addresses with no free port in the range are skipped.
    pub(crate) fn bind_in_range(
        ips: impl IntoIterator<Item = std::net::IpAddr>,
        ports: (u16, u16),
        start: u16,
    ) -> Self {
        let (low, high) = (ports.0.min(ports.1), ports.0.max(ports.1));
        let span = u32::from(high - low) + 1;
        let sockets = ips
            .into_iter()
            .filter_map(|ip| {
                (0..span).find_map(|i| {
                    let offset = (u32::from(start) + i) % span;
                    let port = u16::try_from(u32::from(low) + offset).ok()?;
                    let socket = bind_one(SocketAddr::new(ip, port)).ok()?;
                    Some((socket.local_addr().ok()?, socket))
                })
            })
            .collect();
        Self { sockets }
    }

    /// The bound local addresses.
    pub(crate) fn addresses(&self) -> impl Iterator<Item = SocketAddr> + '_ {
        self.sockets.iter().map(|(a, _)| *a)
    }

    /// Keeps only the sockets whose address passes `keep`.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(SocketAddr) -> bool) {
        self.sockets.retain(|(a, _)| keep(*a));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.sockets.is_empty()
    }

    /// Waits until a socket is readable, then reads what is queued (up to a batch) from
    /// every socket. Errors of a read (an ICMP unreachable surfacing) skip that read.
    pub(crate) async fn recv_batch(&self, batch: &mut Batch) {
        batch.clear();
        poll_fn(|cx| {
            for (local, socket) in &self.sockets {
                // Readiness first, so that a wake-up is registered when nothing is queued.
                while !batch.is_full() && socket.poll_recv_ready(cx).is_ready() {
                    let room = batch.buf.get_mut(batch.used..).unwrap_or_default();
                    match socket.try_recv_from(room) {
                        Ok((len, source)) => {
                            batch.items.push(Received {
                                source,
                                destination: *local,
                                start: batch.used,
                                len,
                            });
                            batch.used += len;
                        }
                        // Readiness is now cleared: the next poll registers the wake-up.
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                        Err(e) => tracing::trace!(error = %e, "receive error skipped"),
                    }
                }
            }
            if batch.items.is_empty() {
                Poll::Pending
            } else {
                Poll::Ready(())
            }
        })
        .await;
    }

    /// Sends every datagram, from the socket bound to its source address; waits only when
    /// a socket's buffer is full. Datagrams from an address we do not own, or refused by
    /// the OS, are dropped (logged).
    pub(crate) async fn send_all(&self, transmits: &mut Vec<Transmit>) {
        for t in transmits.drain(..) {
            let Some((_, socket)) = self.sockets.iter().find(|(a, _)| *a == t.source) else {
                tracing::debug!(source = %t.source, "no socket for a transmit");
                continue;
            };
            loop {
                match socket.try_send_to(&t.contents, t.destination) {
                    Ok(_) => break,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        if socket.writable().await.is_err() {
                            break;
                        }
                    }
                    Err(e) => {
                        tracing::debug!(error = %e, destination = %t.destination, "send failed");
                        break;
                    }
                }
            }
        }
    }
}

/// A non-blocking UDP socket with larger kernel buffers (best effort: a refused size keeps
/// the default).
fn bind_one(addr: SocketAddr) -> io::Result<UdpSocket> {
    let socket = std::net::UdpSocket::bind(addr)?;
    let sock = socket2::SockRef::from(&socket);
    let _ = sock.set_recv_buffer_size(SOCKET_BUFFER);
    let _ = sock.set_send_buffer_size(SOCKET_BUFFER);
    socket.set_nonblocking(true)?;
    UdpSocket::from_std(socket)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{IpAddr, Ipv4Addr};

    #[tokio::test]
    async fn a_batch_holds_every_queued_datagram_in_order() {
        let set = SocketSet::bind([IpAddr::V4(Ipv4Addr::LOCALHOST)]);
        let local = set.addresses().next().unwrap();
        let peer = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        for i in 0..10u8 {
            peer.send_to(&vec![i; 100 + usize::from(i)], local).unwrap();
        }
        let mut batch = Batch::new();
        let mut seen = Vec::new();
        while seen.len() < 10 {
            set.recv_batch(&mut batch).await;
            for rx in batch.iter() {
                assert_eq!(rx.source, peer.local_addr().unwrap());
                assert_eq!(rx.destination, local);
                seen.push(rx.contents.to_vec());
            }
        }
        for (i, d) in seen.iter().enumerate() {
            assert_eq!(d.len(), 100 + i);
            assert!(d.iter().all(|&b| usize::from(b) == i));
        }
    }

    #[tokio::test]
    async fn a_full_batch_stops_and_the_rest_comes_next_time() {
        let set = SocketSet::bind([IpAddr::V4(Ipv4Addr::LOCALHOST)]);
        let local = set.addresses().next().unwrap();
        let peer = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let n = MAX_BATCH + 20;
        for i in 0..n {
            peer.send_to(&(i as u32).to_be_bytes(), local).unwrap();
        }
        let mut batch = Batch::new();
        set.recv_batch(&mut batch).await;
        assert_eq!(batch.iter().count(), MAX_BATCH);
        let mut next = MAX_BATCH;
        while next < n {
            set.recv_batch(&mut batch).await;
            for rx in batch.iter() {
                assert_eq!(rx.contents, (next as u32).to_be_bytes());
                next += 1;
            }
        }
    }

    #[tokio::test]
    async fn a_port_range_gives_each_socket_a_free_port_inside_it() {
        let lo = [IpAddr::V4(Ipv4Addr::LOCALHOST)];
        // Two neighbouring ports: the first stays taken, the second is released.
        let (taken, free) = (0..50)
            .find_map(|_| {
                let a = std::net::UdpSocket::bind("127.0.0.1:0").ok()?;
                let port = a.local_addr().ok()?.port().checked_add(1)?;
                drop(std::net::UdpSocket::bind(("127.0.0.1", port)).ok()?);
                Some((a, port))
            })
            .unwrap();
        let taken_port = taken.local_addr().unwrap().port();
        let set = SocketSet::bind_in_range(lo, (taken_port, free), 0);
        let addrs: Vec<_> = set.addresses().collect();
        assert_eq!(addrs.len(), 1);
        assert_eq!(addrs[0].port(), free, "the taken port was skipped");
        // A range with no free port binds nothing.
        let none = SocketSet::bind_in_range(lo, (taken_port, taken_port), 7);
        assert!(none.is_empty());
    }

    #[test]
    fn exact_binding_fails_on_a_taken_port() {
        let taken = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        assert!(SocketSet::bind_exact([taken.local_addr().unwrap()]).is_err());
    }

    #[tokio::test]
    async fn sends_go_out_from_the_socket_of_their_source() {
        let set = SocketSet::bind([IpAddr::V4(Ipv4Addr::LOCALHOST)]);
        let local = set.addresses().next().unwrap();
        let peer = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let to = peer.local_addr().unwrap();
        let stranger: SocketAddr = "127.0.0.1:9".parse().unwrap();
        let mut out = vec![
            Transmit {
                source: local,
                destination: to,
                contents: b"one".to_vec(),
            },
            Transmit {
                source: stranger,
                destination: to,
                contents: b"lost".to_vec(),
            },
            Transmit {
                source: local,
                destination: to,
                contents: b"two".to_vec(),
            },
        ];
        set.send_all(&mut out).await;
        assert!(out.is_empty());
        let mut buf = [0u8; 16];
        let (n, from) = peer.recv_from(&mut buf).unwrap();
        assert_eq!((&buf[..n], from), (&b"one"[..], local));
        let (n, _) = peer.recv_from(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"two");
    }
}
