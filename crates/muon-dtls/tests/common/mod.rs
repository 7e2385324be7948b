//! Shared scaffolding for the scenario tests: a [`Dtls`] as a netsim `DatagramMachine`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use muon_dtls::{
    Certificate, CloseReason, Config, Connected, Dtls, DtlsError, DtlsEvent, HashAlg, Role,
};
use muon_netsim::{DatagramMachine, LinkConfig, Pair};
use muon_proto::Rng;

/// A DTLS endpoint plus everything it reported. Created unstarted so that its first
/// instant is the simulator's.
pub(crate) struct Peer {
    pending: Option<(Role, Config, Rng)>,
    pub(crate) dtls: Option<Dtls>,
    pub(crate) connected: Option<Connected>,
    pub(crate) received: Vec<Vec<u8>>,
    pub(crate) closed: Option<CloseReason>,
    pub(crate) errors: Vec<DtlsError>,
    pub(crate) datagrams_sent: Vec<usize>,
}

impl Peer {
    pub(crate) fn new(role: Role, config: Config, rng: Rng) -> Self {
        Self {
            pending: Some((role, config, rng)),
            dtls: None,
            connected: None,
            received: Vec::new(),
            closed: None,
            errors: Vec::new(),
            datagrams_sent: Vec::new(),
        }
    }

    pub(crate) fn start(&mut self, now: Instant) {
        if let Some((role, config, rng)) = self.pending.take() {
            self.dtls = Some(Dtls::new(role, config, rng, now).unwrap());
        }
    }

    pub(crate) fn dtls(&mut self) -> &mut Dtls {
        self.dtls.as_mut().expect("started")
    }

    fn drain_events(&mut self) {
        let Some(d) = self.dtls.as_mut() else { return };
        while let Some(ev) = d.poll_event() {
            match ev {
                DtlsEvent::Connected(c) => {
                    assert!(self.connected.is_none(), "Connected reported twice");
                    self.connected = Some(c);
                }
                DtlsEvent::ApplicationData(data) => self.received.push(data),
                DtlsEvent::Closed(reason) => self.closed = Some(reason),
                _ => {}
            }
        }
    }
}

impl DatagramMachine for Peer {
    fn handle_datagram(&mut self, now: Instant, datagram: &[u8]) {
        if let Some(d) = self.dtls.as_mut()
            && let Err(e) = d.handle_receive(now, datagram)
        {
            self.errors.push(e);
        }
        self.drain_events();
    }

    fn handle_timeout(&mut self, now: Instant) {
        if let Some(d) = self.dtls.as_mut() {
            d.handle_timeout(now);
        }
        self.drain_events();
    }

    fn poll_datagram(&mut self) -> Option<Vec<u8>> {
        let d = self.dtls.as_mut()?.poll_transmit()?;
        self.datagrams_sent.push(d.len());
        Some(d)
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.dtls.as_ref()?.poll_timeout()
    }
}

/// Certificates and configs for a client and a server that expect each other.
pub(crate) fn configs(rng: &mut Rng, mtu: usize) -> (Config, Config) {
    let client_cert = Certificate::generate(rng);
    let server_cert = Certificate::generate(rng);
    let mut client = Config::new(
        client_cert.clone(),
        vec![server_cert.fingerprint(HashAlg::Sha256)],
    );
    let mut server = Config::new(server_cert, vec![client_cert.fingerprint(HashAlg::Sha256)]);
    client.mtu = mtu;
    server.mtu = mtu;
    (client, server)
}

pub(crate) type DtlsPair = Pair<muon_netsim::Addressed<Peer>, muon_netsim::Addressed<Peer>>;

/// A started client (`a`) and server (`b`) over `link` in both directions.
pub(crate) fn pair(seed: u64, client: Config, server: Config, link: LinkConfig) -> DtlsPair {
    let mut rng = Rng::from_seed(seed_bytes(seed));
    let a = Peer::new(Role::Client, client, rng.fork());
    let b = Peer::new(Role::Server, server, rng.fork());
    let mut p = Pair::datagram(seed, a, b, link.clone(), link);
    let now = p.now();
    p.a.start(now);
    p.b.start(now);
    p
}

pub(crate) fn seed_bytes(seed: u64) -> [u8; 32] {
    let mut s = [0u8; 32];
    s[..8].copy_from_slice(&seed.to_le_bytes());
    s
}

/// Runs the handshake to completion on both sides (bounded by `max` virtual time).
pub(crate) fn connect(p: &mut DtlsPair, max: Duration) {
    p.run_until(max, |a, b| a.connected.is_some() && b.connected.is_some())
        .unwrap_or_else(|e| {
            panic!(
                "handshake did not finish: {e}; client closed={:?} errors={:?}, server closed={:?} errors={:?}",
                p_closed(&p.a),
                p.a.errors,
                p_closed(&p.b),
                p.b.errors
            )
        });
}

fn p_closed(p: &Peer) -> Option<CloseReason> {
    p.closed
}

/// Sends `n` numbered messages each way and runs until all arrived (the application
/// retransmits nothing, so on lossy links this sends each message until it is seen).
pub(crate) fn exchange(p: &mut DtlsPair, n: usize, max: Duration) {
    for i in 0..n {
        let msg_a = format!("client {i}").into_bytes();
        let msg_b = format!("server {i}").into_bytes();
        for _ in 0..50 {
            if !p.b.received.contains(&msg_a) {
                p.a.dtls().send_application_data(&msg_a).unwrap();
            }
            if !p.a.received.contains(&msg_b) {
                p.b.dtls().send_application_data(&msg_b).unwrap();
            }
            let _ = p.run_until(max, |a, b| {
                b.received.contains(&msg_a) && a.received.contains(&msg_b)
            });
            if p.b.received.contains(&msg_a) && p.a.received.contains(&msg_b) {
                break;
            }
        }
        assert!(p.b.received.contains(&msg_a), "server never got {i}");
        assert!(p.a.received.contains(&msg_b), "client never got {i}");
    }
}

/// Both sides derived the same SRTP keys, mirrored, and the same exporter output.
pub(crate) fn assert_same_keys(p: &mut DtlsPair) {
    let c = p.a.connected.clone().unwrap();
    let s = p.b.connected.clone().unwrap();
    let (cs, ss) = (c.srtp.unwrap(), s.srtp.unwrap());
    assert_eq!(cs.profile(), ss.profile());
    assert_eq!(cs.local_key(), ss.remote_key());
    assert_eq!(cs.local_salt(), ss.remote_salt());
    assert_eq!(cs.remote_key(), ss.local_key());
    assert_ne!(cs.local_key(), cs.remote_key());
    let mut x = [0u8; 40];
    let mut y = [0u8; 40];
    p.a.dtls()
        .export_keying_material(b"EXPERIMENTAL-muon", Some(b"ctx"), &mut x)
        .unwrap();
    p.b.dtls()
        .export_keying_material(b"EXPERIMENTAL-muon", Some(b"ctx"), &mut y)
        .unwrap();
    assert_eq!(x, y);
}

/// A client and a server as bare machines (no simulator), for tests that handle datagrams
/// themselves.
pub(crate) fn machines(seed: u64, client: Config, server: Config, now: Instant) -> (Dtls, Dtls) {
    let mut rng = Rng::from_seed(seed_bytes(seed));
    let c = Dtls::new(Role::Client, client, rng.fork(), now).unwrap();
    let s = Dtls::new(Role::Server, server, rng.fork(), now).unwrap();
    (c, s)
}

/// Moves datagrams between two machines at one instant until neither sends (bounded).
pub(crate) fn shuttle(a: &mut Dtls, b: &mut Dtls, now: Instant) {
    for _ in 0..32 {
        let mut moved = false;
        while let Some(d) = a.poll_transmit() {
            let _ = b.handle_receive(now, &d);
            moved = true;
        }
        while let Some(d) = b.poll_transmit() {
            let _ = a.handle_receive(now, &d);
            moved = true;
        }
        if !moved {
            return;
        }
    }
    panic!("machines kept talking at one instant");
}

/// Every event a machine has queued.
pub(crate) fn events(d: &mut Dtls) -> Vec<DtlsEvent> {
    std::iter::from_fn(|| d.poll_event()).collect()
}

/// An arbitrary origin for virtual time. The machines only ever compare instants they are
/// given, so which instant this is does not matter; it is read once, never waited on.
pub(crate) fn t0() -> Instant {
    #[allow(clippy::disallowed_methods)]
    Instant::now()
}
