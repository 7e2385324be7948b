//! One demo peer: a DTLS connection carrying an SCTP association, stacked as WebRTC data
//! channels stack them (RFC 8261), driven as one sans-IO machine on the simulated network.
//!
//! This is the layering `muon-rtc` will own; the demo wires it by hand to show the crates
//! working together.

use std::time::Instant;

use bytes::Bytes;
use muon_dtls::{CipherSuite, Dtls, DtlsEvent};
use muon_netsim::DatagramMachine;
use muon_sctp::{Association, Event as SctpEvent, Ppid, Reliability};
use sha2::{Digest, Sha256};

/// The stream the demo's "bench" channel uses.
const STREAM: u16 = 1;

/// What the sending side has left to send.
pub(crate) struct Upload {
    pub(crate) remaining: u64,
    pub(crate) message_size: usize,
    /// Keep at most this much queued in SCTP (the data channel `bufferedAmount` bound).
    pub(crate) high_water: usize,
    /// The first `send` call's time.
    pub(crate) started: Option<Instant>,
    hasher: Sha256,
    counter: u64,
}

impl Upload {
    pub(crate) fn new(total: u64, message_size: usize, high_water: usize) -> Self {
        Self {
            remaining: total,
            message_size,
            high_water,
            started: None,
            hasher: Sha256::new(),
            counter: 0,
        }
    }

    /// The next message: a counter-derived pattern, so every byte is checkable.
    fn next_message(&mut self) -> Bytes {
        let len = self.message_size.min(self.remaining as usize);
        let mut msg = vec![0u8; len];
        for (i, chunk) in msg.chunks_mut(8).enumerate() {
            let word = (self.counter.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ i as u64).to_be_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
        self.counter += 1;
        self.hasher.update(&msg);
        Bytes::from(msg)
    }

    /// SHA-256 of everything sent.
    pub(crate) fn digest(&self) -> [u8; 32] {
        self.hasher.clone().finalize().into()
    }
}

/// What the receiving side has seen.
#[derive(Default)]
pub(crate) struct Download {
    pub(crate) bytes: u64,
    pub(crate) messages: u64,
    pub(crate) finished: Option<Instant>,
    pub(crate) expected: u64,
    hasher: Sha256,
}

impl Download {
    /// SHA-256 of everything received, in order.
    pub(crate) fn digest(&self) -> [u8; 32] {
        self.hasher.clone().finalize().into()
    }
}

/// Something that ended the demo early.
#[derive(Debug, Clone)]
pub(crate) enum Failure {
    Dtls(String),
    Sctp(String),
}

/// A DTLS connection with an SCTP association inside.
pub(crate) struct Peer {
    pub(crate) dtls: Dtls,
    pub(crate) sctp: Association,
    pub(crate) dtls_connected: Option<Instant>,
    pub(crate) cipher_suite: Option<CipherSuite>,
    pub(crate) sctp_connected: Option<Instant>,
    pub(crate) upload: Option<Upload>,
    pub(crate) download: Download,
    pub(crate) failure: Option<Failure>,
    /// Starts the SCTP association once DTLS is up (the DTLS client's side does this).
    initiates_sctp: bool,
    /// The latest time the harness gave us (SCTP's poll_transmit wants one).
    now: Instant,
    dropped_datagrams: u64,
}

impl Peer {
    pub(crate) fn new(dtls: Dtls, sctp: Association, initiates_sctp: bool, now: Instant) -> Self {
        Self {
            initiates_sctp,
            dtls,
            sctp,
            dtls_connected: None,
            cipher_suite: None,
            sctp_connected: None,
            upload: None,
            download: Download::default(),
            failure: None,
            now,
            dropped_datagrams: 0,
        }
    }

    /// Datagrams DTLS refused (malformed, replayed, undecryptable); counted, not fatal.
    pub(crate) fn dropped_datagrams(&self) -> u64 {
        self.dropped_datagrams
    }

    /// Moves events up the stack and packets down it until nothing is left to do.
    fn pump(&mut self) {
        let now = self.now;
        while let Some(event) = self.dtls.poll_event() {
            match event {
                DtlsEvent::Connected(connected) => {
                    self.dtls_connected.get_or_insert(now);
                    self.cipher_suite = Some(connected.cipher_suite);
                    if self.initiates_sctp {
                        self.sctp.connect(now);
                    }
                }
                // A bad SCTP packet is the peer's fault: count it, keep going.
                DtlsEvent::ApplicationData(packet)
                    if self.sctp.handle_receive(now, &packet).is_err() =>
                {
                    self.dropped_datagrams += 1;
                }
                DtlsEvent::Closed(reason) => {
                    self.failure = Some(Failure::Dtls(format!("{reason:?}")));
                }
                _ => {}
            }
        }
        while let Some(event) = self.sctp.poll_event() {
            match event {
                SctpEvent::Connected => {
                    self.sctp_connected.get_or_insert(now);
                }
                SctpEvent::Message { data, .. } => {
                    let d = &mut self.download;
                    d.bytes += data.len() as u64;
                    d.messages += 1;
                    d.hasher.update(&data);
                    if d.expected > 0 && d.bytes >= d.expected {
                        d.finished.get_or_insert(now);
                    }
                }
                SctpEvent::Closed { reason } => {
                    self.failure = Some(Failure::Sctp(format!("{reason:?}")));
                }
                _ => {}
            }
        }
        self.fill_send_queue();
        if self.dtls.is_connected() {
            while let Some(packet) = self.sctp.poll_transmit(now) {
                if let Err(e) = self.dtls.send_application_data(&packet) {
                    self.failure = Some(Failure::Dtls(e.to_string()));
                    break;
                }
            }
        }
    }

    /// Keeps SCTP's queue topped up to the high-water mark, as a data channel user does.
    fn fill_send_queue(&mut self) {
        if !self.sctp.is_established() {
            return;
        }
        let Some(upload) = self.upload.as_mut() else {
            return;
        };
        while upload.remaining > 0 && self.sctp.buffered_amount(STREAM) < upload.high_water {
            let msg = upload.next_message();
            let len = msg.len() as u64;
            let sent = self.sctp.send(
                self.now,
                STREAM,
                Ppid::BINARY,
                true,
                Reliability::Reliable,
                msg,
            );
            if let Err(e) = sent {
                self.failure = Some(Failure::Sctp(e.to_string()));
                return;
            }
            upload.started.get_or_insert(self.now);
            upload.remaining -= len;
        }
    }
}

impl DatagramMachine for Peer {
    fn handle_datagram(&mut self, now: Instant, datagram: &[u8]) {
        self.now = now;
        if self.dtls.handle_receive(now, datagram).is_err() {
            self.dropped_datagrams += 1;
        }
        self.pump();
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.now = now;
        self.dtls.handle_timeout(now);
        self.sctp.handle_timeout(now);
        self.pump();
    }

    fn poll_datagram(&mut self) -> Option<Vec<u8>> {
        if let Some(d) = self.dtls.poll_transmit() {
            return Some(d);
        }
        self.pump();
        self.dtls.poll_transmit()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        match (self.dtls.poll_timeout(), self.sctp.poll_timeout()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}
