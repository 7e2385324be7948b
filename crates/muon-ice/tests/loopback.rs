//! Real UDP sockets on 127.0.0.1: two agents connect, and a STUN Binding against a local
//! coturn (`turnserver --stun-only`, started by the test) yields a server-reflexive candidate
//! the peer connects through. Every wait is bounded; the child is killed on drop.
#![allow(clippy::disallowed_methods)] // real sockets and the real clock, by design
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::ErrorKind;
use std::net::{SocketAddr, UdpSocket};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use muon_ice::{
    Candidate, CandidateKind, HostFilter, IceAgent, IceConfig, IceEvent, IceRole, Incoming,
};
use muon_proto::{Receive, Rng, Transmit};

/// One agent with its socket. `private` is the address the agent believes it has; when it
/// differs from the socket's, the driver plays a full-cone NAT: everything the agent sends
/// leaves from the socket, everything the socket receives is handed in as addressed to
/// `private`.
struct Side {
    agent: IceAgent,
    socket: UdpSocket,
    private: SocketAddr,
    events: Vec<IceEvent>,
    data: Vec<Vec<u8>>,
}

impl Side {
    fn new(config: IceConfig, seed: u8, private: Option<SocketAddr>) -> Self {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket.set_nonblocking(true).unwrap();
        let private = private.unwrap_or_else(|| socket.local_addr().unwrap());
        Self {
            agent: IceAgent::new(config, Rng::from_seed([seed; 32])),
            socket,
            private,
            events: Vec::new(),
            data: Vec::new(),
        }
    }

    /// One pass: timers, transmits out, datagrams in.
    fn pump(&mut self) {
        let now = Instant::now();
        if self.agent.poll_timeout().is_some_and(|t| t <= now) {
            self.agent.handle_timeout(now);
        }
        while let Some(t) = self.agent.poll_transmit() {
            send(&self.socket, &t);
        }
        let mut buf = [0u8; 2048];
        for _ in 0..64 {
            match self.socket.recv_from(&mut buf) {
                Ok((n, from)) => {
                    let rx = Receive {
                        source: from,
                        destination: self.private,
                        contents: &buf[..n],
                    };
                    if let Ok(Incoming::Data(d)) = self.agent.handle_receive(Instant::now(), rx) {
                        self.data.push(d.to_vec());
                    }
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(_) => break,
            }
        }
        while let Some(e) = self.agent.poll_event() {
            self.events.push(e);
        }
    }
}

/// Sends only to loopback: nothing a test does may leave the machine.
fn send(socket: &UdpSocket, t: &Transmit) {
    if t.destination.ip().is_loopback() {
        let _ = socket.send_to(&t.contents, t.destination);
    }
}

/// Runs both sides until `cond` or the deadline; returns whether `cond` held.
fn pump_until(
    a: &mut Side,
    b: &mut Side,
    max: Duration,
    cond: impl Fn(&Side, &Side) -> bool,
) -> bool {
    let end = Instant::now() + max;
    while Instant::now() < end {
        a.pump();
        b.pump();
        if cond(a, b) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    false
}

fn loopback_config(role: IceRole) -> IceConfig {
    IceConfig::default()
        .with_role(role)
        .with_host_filter(HostFilter::all())
}

fn exchange(a: &mut Side, b: &mut Side) {
    let now = Instant::now();
    let t = a.agent.send(now, b"ping over loopback").unwrap();
    send(&a.socket, &t);
    let t = b.agent.send(now, b"pong over loopback").unwrap();
    send(&b.socket, &t);
    assert!(pump_until(a, b, Duration::from_secs(2), |a, b| {
        a.data.iter().any(|d| d == b"pong over loopback")
            && b.data.iter().any(|d| d == b"ping over loopback")
    }));
}

#[test]
fn two_agents_connect_over_loopback_sockets() {
    let mut a = Side::new(loopback_config(IceRole::Controlling), 1, None);
    let mut b = Side::new(loopback_config(IceRole::Controlled), 2, None);
    let now = Instant::now();
    a.agent
        .set_remote_credentials(now, b.agent.local_credentials().clone())
        .unwrap();
    b.agent
        .set_remote_credentials(now, a.agent.local_credentials().clone())
        .unwrap();
    let ca = a.agent.add_host_candidate(now, a.private).unwrap();
    let cb = b.agent.add_host_candidate(now, b.private).unwrap();
    a.agent.add_remote_candidate(now, cb).unwrap();
    b.agent.add_remote_candidate(now, ca).unwrap();
    assert!(pump_until(
        &mut a,
        &mut b,
        Duration::from_secs(10),
        |a, b| { a.agent.selected_pair().is_some() && b.agent.selected_pair().is_some() }
    ));
    assert_eq!(a.agent.selected_pair().unwrap().remote, b.private);
    exchange(&mut a, &mut b);
}

/// A `turnserver` child, killed on drop.
struct Coturn {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Coturn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_coturn() -> Coturn {
    // A free port: bind, read, release (a race with other tests is possible but harmless:
    // the readiness probe below would then fail loudly).
    let port = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let pidfile = std::env::temp_dir().join(format!("muon-ice-turnserver-{port}.pid"));
    let child = Command::new("turnserver")
        .args([
            "-n",
            "--listening-ip=127.0.0.1",
            &format!("--listening-port={port}"),
            "--no-tcp",
            "--no-tls",
            "--no-dtls",
            "--stun-only",
            "--no-cli",
            "--log-file=stdout",
            "--simple-log",
            &format!("--pidfile={}", pidfile.display()),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let child = match child {
        Ok(c) => c,
        Err(e) => panic!(
            "cannot start `turnserver` ({e}): install coturn with scripts/install-deps.sh \
             (Debian package `coturn`)"
        ),
    };
    let server = Coturn {
        child,
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
    };
    // Readiness: a raw Binding request every 100 ms, for at most 5 s.
    let probe = UdpSocket::bind("127.0.0.1:0").unwrap();
    probe
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let request = [
        0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
    ];
    let mut buf = [0u8; 512];
    for _ in 0..50 {
        let _ = probe.send_to(&request, server.addr);
        if let Ok((n, _)) = probe.recv_from(&mut buf)
            && n >= 20
            && buf[0..2] == [0x01, 0x01]
        {
            return server;
        }
    }
    panic!("turnserver did not answer on {} within 5 s", server.addr);
}

#[test]
fn coturn_binding_yields_a_server_reflexive_candidate_the_peer_connects_through() {
    let coturn = start_coturn();
    // a sits "behind a NAT" played by the driver: it thinks it is 10.0.0.1:5000, but its
    // packets leave from its loopback socket, whose address coturn reports back.
    let private: SocketAddr = "10.0.0.1:5000".parse().unwrap();
    let mut a = Side::new(loopback_config(IceRole::Controlling), 3, Some(private));
    let mut b = Side::new(loopback_config(IceRole::Controlled), 4, None);
    let outside = a.socket.local_addr().unwrap();
    let now = Instant::now();
    a.agent.add_host_candidate(now, private).unwrap();
    a.agent.add_stun_server(now, coturn.addr).unwrap();
    a.agent.end_of_local_candidates(now);
    assert!(pump_until(
        &mut a,
        &mut b,
        Duration::from_secs(10),
        |a, _| a.agent.is_gathering_complete()
    ));
    let srflx: Vec<Candidate> = a
        .agent
        .local_candidates()
        .iter()
        .filter(|c| c.kind() == CandidateKind::ServerReflexive)
        .cloned()
        .collect();
    assert_eq!(srflx.len(), 1, "{:?}", a.events);
    assert_eq!(
        srflx[0].address(),
        outside,
        "coturn saw the socket's address"
    );
    assert_eq!(srflx[0].related_address(), Some(private));
    assert!(
        a.events
            .contains(&IceEvent::LocalCandidate(srflx[0].clone()))
    );

    // Signal only the server-reflexive candidate (the host one is unreachable from b).
    let now = Instant::now();
    a.agent
        .set_remote_credentials(now, b.agent.local_credentials().clone())
        .unwrap();
    b.agent
        .set_remote_credentials(now, a.agent.local_credentials().clone())
        .unwrap();
    let cb = b.agent.add_host_candidate(now, b.private).unwrap();
    a.agent.add_remote_candidate(now, cb).unwrap();
    let s = &srflx[0];
    b.agent
        .add_remote_candidate(
            now,
            Candidate::remote(s.kind(), s.address(), s.priority(), s.foundation()),
        )
        .unwrap();
    assert!(pump_until(
        &mut a,
        &mut b,
        Duration::from_secs(10),
        |a, b| { a.agent.selected_pair().is_some() && b.agent.selected_pair().is_some() }
    ));
    assert_eq!(b.agent.selected_pair().unwrap().remote, outside);
    exchange(&mut a, &mut b);
    drop(coturn);
}
