//! [`UdpMux`]: one UDP port (per local address) shared by many peer connections, as a server
//! behind a firewall wants: `muon serve --udp-port 3478` answers every session there.
//!
//! One task reads the sockets and routes each datagram with [`muon_ice::UdpMux`]: by source
//! address once it is known, otherwise only for an authenticated ICE check naming a peer's
//! ufrag, or for the response to a request that peer sent. Each peer connection gets its
//! datagrams through a bounded queue (a peer that does not keep up loses datagrams, counted
//! in [`MuxStats::dropped_queue_full`], and never grows memory) and sends on the shared
//! sockets directly.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use bytes::Bytes;
use muon_ice::{AgentId, Credentials, MuxConfig};
use muon_proto::Transmit;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use crate::config::InterfaceFilter;
use crate::error::Error;
use crate::gather::local_ips;
use crate::io::{Batch, SocketSet};

/// Datagrams queued for one peer connection before further ones are dropped.
const PEER_QUEUE: usize = 1024;

/// Bytes queued for one peer connection before further datagrams are dropped: a peer sending
/// large datagrams faster than its connection reads them cannot hold more than this.
const PEER_QUEUE_BYTES: usize = 1024 * 1024;

/// One UDP port shared by many [`crate::PeerConnection`]s: give it to each in
/// [`crate::Config::with_mux`]. Cloning shares the port; the sockets close when the last clone
/// and the last peer connection using it are gone.
///
/// ```
/// use muon::{Config, InterfaceFilter, PeerConnection, UdpMux};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), muon::Error> {
/// let mux = UdpMux::bind_interfaces(&InterfaceFilter::loopback_only(), 0).await?;
/// let port = mux.local_addresses()[0].port();
/// let config = Config::default().with_mux(mux.clone());
/// let a = PeerConnection::new(config.clone()).await?;
/// let b = PeerConnection::new(config).await?;
/// assert_eq!(a.local_addresses(), b.local_addresses());
/// assert_eq!(a.local_addresses()[0].port(), port);
/// assert_eq!(mux.stats().peers, 2);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct UdpMux {
    handle: Arc<MuxHandle>,
}

/// Counters of a [`UdpMux`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MuxStats {
    /// Peer connections registered (gauge).
    pub peers: usize,
    /// Datagrams handed to a peer connection.
    pub delivered: u64,
    /// Datagrams that matched no peer connection (unknown source, unauthenticated check).
    pub unrouted: u64,
    /// Datagrams dropped because their peer connection's queue was full.
    pub dropped_queue_full: u64,
    /// The router's own counts.
    pub router: muon_ice::MuxStats,
}

/// Ends the reading task when the last user of the mux is gone.
struct MuxHandle {
    shared: Arc<Shared>,
    reader: AbortHandle,
}

impl Drop for MuxHandle {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

/// What the reading task, the handles and the peers share.
struct Shared {
    sockets: SocketSet,
    table: Mutex<Table>,
}

struct Table {
    router: muon_ice::UdpMux,
    peers: HashMap<AgentId, PeerQueue>,
    stats: MuxStats,
}

/// The sending end of one peer connection's queue, with its byte count.
struct PeerQueue {
    tx: mpsc::Sender<Datagram>,
    bytes: Arc<AtomicUsize>,
}

/// A datagram routed to one peer connection.
#[derive(Debug)]
pub(crate) struct Datagram {
    pub(crate) source: SocketAddr,
    pub(crate) destination: SocketAddr,
    pub(crate) contents: Bytes,
}

impl Shared {
    fn table(&self) -> MutexGuard<'_, Table> {
        // Every table update is a single insert or remove: a panic cannot leave it half-done.
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for UdpMux {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UdpMux")
            .field("addresses", &self.local_addresses())
            .finish_non_exhaustive()
    }
}

impl UdpMux {
    /// Binds these exact addresses (one socket each; port 0 picks a free port per address)
    /// and starts routing. Fails if any cannot be bound, e.g. the port is taken.
    pub async fn bind(addrs: impl IntoIterator<Item = SocketAddr>) -> Result<Self, Error> {
        let sockets = SocketSet::bind_exact(addrs)?;
        if sockets.is_empty() {
            return Err(Error::NoLocalAddress);
        }
        Ok(Self::start(sockets))
    }

    fn start(sockets: SocketSet) -> Self {
        let shared = Arc::new(Shared {
            sockets,
            table: Mutex::new(Table {
                router: muon_ice::UdpMux::new(MuxConfig::default()),
                peers: HashMap::new(),
                stats: MuxStats::default(),
            }),
        });
        let reader = tokio::spawn(read(Arc::clone(&shared))).abort_handle();
        Self {
            handle: Arc::new(MuxHandle { shared, reader }),
        }
    }

    /// Binds `port` on every local address the filter gives (the same port on each; with
    /// port 0 the first address picks one and the others follow it).
    pub async fn bind_interfaces(filter: &InterfaceFilter, port: u16) -> Result<Self, Error> {
        let ips = local_ips(filter);
        let (first, rest) = ips.split_first().ok_or(Error::NoLocalAddress)?;
        let mut sockets = SocketSet::bind_exact([SocketAddr::new(*first, port)])?;
        // With port 0 the OS picked one for the first address; the others take the same.
        let port = sockets.addresses().next().map_or(port, |a| a.port());
        sockets.bind_more(rest.iter().map(|ip| SocketAddr::new(*ip, port)))?;
        Ok(Self::start(sockets))
    }

    /// The bound addresses: every peer connection's host candidates.
    pub fn local_addresses(&self) -> Vec<SocketAddr> {
        self.handle.shared.sockets.addresses().collect()
    }

    /// What was routed and dropped so far.
    pub fn stats(&self) -> MuxStats {
        let table = self.handle.shared.table();
        MuxStats {
            peers: table.peers.len(),
            router: table.router.stats(),
            ..table.stats
        }
    }

    /// Registers a peer connection by its ICE credentials.
    pub(crate) fn register(&self, credentials: &Credentials) -> Result<MuxPort, Error> {
        let (tx, rx) = mpsc::channel(PEER_QUEUE);
        let bytes = Arc::new(AtomicUsize::new(0));
        let id = {
            let mut table = self.handle.shared.table();
            let id = table
                .router
                .add_agent(credentials)
                .map_err(|_| Error::MuxFull)?;
            let queue = PeerQueue {
                tx,
                bytes: Arc::clone(&bytes),
            };
            table.peers.insert(id, queue);
            id
        };
        Ok(MuxPort {
            mux: Arc::clone(&self.handle),
            id,
            rx,
            bytes,
        })
    }
}

/// Reads every socket of the mux and hands each datagram to its peer connection.
async fn read(shared: Arc<Shared>) {
    let mut batch = Batch::new();
    loop {
        shared.sockets.recv_batch(&mut batch).await;
        let mut table = shared.table();
        let Table {
            router,
            peers,
            stats,
        } = &mut *table;
        for rx in batch.iter() {
            let Some(peer) = router.route(rx).ok().and_then(|id| peers.get(&id)) else {
                stats.unrouted += 1;
                continue;
            };
            let len = rx.contents.len();
            if peer.bytes.load(Ordering::Relaxed) + len > PEER_QUEUE_BYTES {
                stats.dropped_queue_full += 1;
                continue;
            }
            // A copy per datagram, on purpose: slices of a shared batch buffer would let one
            // small queued datagram keep a whole batch alive, beyond the per-peer byte bound.
            let datagram = Datagram {
                source: rx.source,
                destination: rx.destination,
                contents: Bytes::copy_from_slice(rx.contents),
            };
            match peer.tx.try_send(datagram) {
                Ok(()) => {
                    peer.bytes.fetch_add(len, Ordering::Relaxed);
                    stats.delivered += 1;
                }
                // A closed queue is a peer going away; its entry goes with it.
                Err(_) => stats.dropped_queue_full += 1,
            }
        }
    }
}

/// One peer connection's place in a [`UdpMux`]: its queue of datagrams and the shared
/// sockets to send on. Dropping it unregisters the peer.
pub(crate) struct MuxPort {
    mux: Arc<MuxHandle>,
    id: AgentId,
    rx: mpsc::Receiver<Datagram>,
    /// Bytes in `rx`, shared with the reading task.
    bytes: Arc<AtomicUsize>,
}

impl fmt::Debug for MuxPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MuxPort").field("id", &self.id).finish()
    }
}

impl MuxPort {
    /// The mux's addresses.
    pub(crate) fn addresses(&self) -> impl Iterator<Item = SocketAddr> + '_ {
        self.mux.shared.sockets.addresses()
    }

    /// Waits for datagrams and moves up to `limit` of them into `into`. Never returns while
    /// the mux is gone (the connection then ends by its own timers).
    pub(crate) async fn recv(&mut self, into: &mut Vec<Datagram>, limit: usize) {
        let before = into.len();
        if self.rx.recv_many(into, limit).await == 0 {
            std::future::pending::<()>().await;
        }
        let taken = into
            .get(before..)
            .map_or(0, |new| new.iter().map(|d| d.contents.len()).sum());
        self.bytes.fetch_sub(taken, Ordering::Relaxed);
    }

    /// Sends on the shared sockets. Requests to addresses not yet bound to this peer are
    /// told to the router first, so their responses find the way back.
    pub(crate) async fn send_all(&self, transmits: &mut Vec<Transmit>) {
        if transmits.iter().any(|t| maybe_stun_request(&t.contents)) {
            let mut table = self.mux.shared.table();
            for t in transmits.iter().filter(|t| maybe_stun_request(&t.contents)) {
                table
                    .router
                    .handle_transmit(self.id, t.destination, &t.contents);
            }
        }
        self.mux.shared.sockets.send_all(transmits).await;
    }
}

/// RFC 7983: STUN starts with 0-3; a request has both class bits clear (RFC 8489 s5).
fn maybe_stun_request(contents: &[u8]) -> bool {
    matches!(contents, [b0, b1, ..] if *b0 < 4 && b1 & 0x10 == 0 && b0 & 0x01 == 0)
}

impl Drop for MuxPort {
    fn drop(&mut self) {
        let mut table = self.mux.shared.table();
        table.peers.remove(&self.id);
        // Already gone only if never registered; nothing else to undo.
        let _ = table.router.remove_agent(self.id);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use muon_proto::Rng;
    use muon_stun::{Attribute, IntegrityKey, MessageEncoder, MessageType, TransactionId};

    use super::*;

    /// An authenticated check for `creds`, as a remote peer sends it.
    fn check(creds: &Credentials) -> Vec<u8> {
        let mut buf = Vec::new();
        let mut enc = MessageEncoder::new(
            &mut buf,
            MessageType::BINDING_REQUEST,
            TransactionId::from_bytes([9; 12]),
        );
        let user = format!("{}:remote", creds.ufrag());
        enc.attribute(&Attribute::Username(&user)).unwrap();
        enc.message_integrity(&IntegrityKey::short_term(creds.pwd()))
            .unwrap();
        enc.fingerprint().unwrap();
        buf
    }

    #[tokio::test]
    async fn a_peer_that_does_not_read_holds_at_most_its_byte_bound() {
        let mux = UdpMux::bind_interfaces(&InterfaceFilter::loopback_only(), 0)
            .await
            .unwrap();
        let addr = mux.local_addresses()[0];
        let creds = Credentials::random(&mut Rng::from_seed([4; 32]));
        let mut port = mux.register(&creds).unwrap();
        let remote = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        remote.send_to(&check(&creds), addr).await.unwrap();
        // Large datagrams from the now bound address, none read by the peer.
        let big = vec![0x17u8; 60_000];
        for _ in 0..100 {
            remote.send_to(&big, addr).await.unwrap();
            // Let the mux read it: the kernel's buffer may be small (Debian: 208 KiB).
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let mut stats = mux.stats();
        for _ in 0..200 {
            stats = mux.stats();
            if stats.delivered + stats.dropped_queue_full >= 101 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(stats.delivered + stats.dropped_queue_full, 101, "{stats:?}");
        let held = stats.delivered as usize - 1;
        assert!(held * big.len() <= PEER_QUEUE_BYTES, "{stats:?}");
        assert!(stats.dropped_queue_full > 0, "{stats:?}");
        // Reading makes room again.
        let mut got = Vec::new();
        while port.bytes.load(Ordering::Relaxed) > 0 {
            port.recv(&mut got, 64).await;
        }
        remote.send_to(&big, addr).await.unwrap();
        let mut more = Vec::new();
        port.recv(&mut more, 64).await;
        assert_eq!(more.len(), 1);
        assert_eq!(more[0].contents.len(), big.len());
    }

    #[test]
    fn only_stun_requests_are_told_to_the_router() {
        // Binding request 0x0001, success 0x0101, error 0x0111, indication 0x0011.
        assert!(maybe_stun_request(&[0x00, 0x01, 0, 0]));
        assert!(!maybe_stun_request(&[0x01, 0x01, 0, 0]));
        assert!(!maybe_stun_request(&[0x01, 0x11, 0, 0]));
        assert!(!maybe_stun_request(&[0x00, 0x11, 0, 0]));
        assert!(!maybe_stun_request(&[0x16, 0xfe, 0xfd]));
        assert!(!maybe_stun_request(&[]));
    }
}
