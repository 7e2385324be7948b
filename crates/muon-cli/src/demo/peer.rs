//! One demo peer: a `muon_rtc::Rtc` engine on the simulated network, as an application
//! drives it. It logs every state change with its virtual time, sends the bulk upload with
//! back-pressure (the channel's buffered amount and its buffered-amount-low event), and
//! checks what arrives.

use std::time::Instant;

use bytes::Bytes;
use muon::rtc::{ChannelId, DtlsTransportState, FailReason, IceConnectionState, Rtc, RtcEvent};
use muon_netsim::Machine;
use muon_proto::{Receive, Transmit};
use sha2::{Digest, Sha256};

/// The label of the demo's channel.
pub(crate) const LABEL: &str = "demo";
/// The sender stops queueing at this buffered amount (bytes not yet sent on the channel)...
pub(crate) const HIGH_WATER: usize = 1 << 20;
/// ...and resumes when the buffered-amount-low event says it fell to this.
pub(crate) const LOW_WATER: usize = HIGH_WATER / 2;

/// One state change, stamped with the virtual time it was seen.
pub(crate) struct LogLine {
    pub(crate) at: Instant,
    pub(crate) who: &'static str,
    pub(crate) what: String,
}

/// What the sending side has left to send.
pub(crate) struct Upload {
    remaining: u64,
    message_size: usize,
    /// The first message's queueing time.
    pub(crate) started: Option<Instant>,
    /// Waiting for the buffered-amount-low event.
    paused: bool,
    /// Times the upload paused at the high-water mark and the event resumed it.
    pub(crate) resumed: u64,
    hasher: Sha256,
    counter: u64,
}

impl Upload {
    pub(crate) fn new(total: u64, message_size: usize) -> Self {
        Self {
            remaining: total,
            message_size,
            started: None,
            paused: false,
            resumed: 0,
            hasher: Sha256::new(),
            counter: 0,
        }
    }

    /// The next message: a counter-derived pattern, so every byte is checkable.
    fn next_message(&mut self) -> Bytes {
        let len =
            usize::try_from(self.remaining).map_or(self.message_size, |r| r.min(self.message_size));
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

/// What the receiving side has seen on the demo channel.
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

/// A peer connection engine and the application around it.
pub(crate) struct Peer {
    pub(crate) rtc: Rtc,
    who: &'static str,
    now: Instant,
    /// State changes not yet printed.
    pub(crate) log: Vec<LogLine>,
    /// The demo channel: created here (offerer) or announced by the peer (answerer).
    pub(crate) channel: Option<ChannelId>,
    pub(crate) ice_connected: Option<Instant>,
    pub(crate) dtls_connected: Option<Instant>,
    pub(crate) channel_open: Option<Instant>,
    pub(crate) upload: Option<Upload>,
    pub(crate) download: Download,
    /// Why the transport failed, or why the application gave up.
    pub(crate) failure: Option<String>,
    /// Datagrams the engine refused (each counted in its `RtcStats` too).
    pub(crate) refused: u64,
}

impl Peer {
    pub(crate) fn new(rtc: Rtc, who: &'static str, now: Instant) -> Self {
        Self {
            rtc,
            who,
            now,
            log: Vec::new(),
            channel: None,
            ice_connected: None,
            dtls_connected: None,
            channel_open: None,
            upload: None,
            download: Download::default(),
            failure: None,
            refused: 0,
        }
    }

    /// Whether the demo channel is open on this side.
    pub(crate) fn is_open(&self) -> bool {
        self.channel_open.is_some()
    }

    fn note(&mut self, what: String) {
        self.log.push(LogLine {
            at: self.now,
            who: self.who,
            what,
        });
    }

    /// Takes every event the engine has, then tops up the upload.
    fn drain(&mut self) {
        while let Some(event) = self.rtc.poll_event() {
            self.on_event(event);
        }
        self.fill();
    }

    fn on_event(&mut self, event: RtcEvent) {
        let now = self.now;
        match event {
            RtcEvent::IceConnectionState(s) => {
                if matches!(
                    s,
                    IceConnectionState::Connected | IceConnectionState::Completed
                ) && self.ice_connected.is_none()
                {
                    self.ice_connected = Some(now);
                    let pair = self
                        .rtc
                        .selected_pair()
                        .map_or_else(String::new, |(l, r)| format!(" (selected pair {l} -> {r})"));
                    self.note(format!("ICE {s:?}{pair}"));
                } else {
                    self.note(format!("ICE {s:?}"));
                }
            }
            RtcEvent::DtlsState(s) => {
                if s == DtlsTransportState::Connected {
                    self.dtls_connected.get_or_insert(now);
                    self.note(
                        "DTLS Connected (peer certificate matches the SDP fingerprint)".into(),
                    );
                } else {
                    self.note(format!("DTLS {s:?}"));
                }
            }
            RtcEvent::PeerConnectionState(s) => self.note(format!("peer connection {s:?}")),
            RtcEvent::IceGatheringComplete => self.note("ICE gathering complete".into()),
            RtcEvent::DataChannel(id) => {
                let label = self
                    .rtc
                    .channel(id)
                    .map(|c| c.label().to_owned())
                    .unwrap_or_default();
                self.note(format!(
                    "data channel {label:?} announced by the peer (DCEP OPEN)"
                ));
                if label == LABEL && self.channel.is_none() {
                    self.channel = Some(id);
                }
            }
            RtcEvent::ChannelOpen(id) if Some(id) == self.channel => {
                self.channel_open.get_or_insert(now);
                let what = self.rtc.channel(id).map_or_else(String::new, |c| {
                    let stream = c
                        .stream_id()
                        .map_or_else(|| "?".to_owned(), |s| s.to_string());
                    let reliable =
                        c.max_retransmits().is_none() && c.max_packet_lifetime().is_none();
                    format!(
                        " (SCTP stream {stream}, {}, {})",
                        if reliable {
                            "reliable"
                        } else {
                            "partially reliable"
                        },
                        if c.ordered() { "ordered" } else { "unordered" }
                    )
                });
                self.note(format!("channel {LABEL:?} open{what}"));
                if self.upload.is_some()
                    && let Some(mut ch) = self.rtc.channel(id)
                {
                    ch.set_buffered_amount_low_threshold(LOW_WATER);
                }
            }
            RtcEvent::ChannelMessage { id, data, .. } if Some(id) == self.channel => {
                let d = &mut self.download;
                d.bytes += data.len() as u64;
                d.messages += 1;
                d.hasher.update(&data);
                if d.expected > 0 && d.bytes >= d.expected {
                    d.finished.get_or_insert(now);
                }
            }
            RtcEvent::ChannelBufferedAmountLow(id) if Some(id) == self.channel => {
                if let Some(up) = &mut self.upload
                    && up.paused
                {
                    up.paused = false;
                    up.resumed += 1;
                }
            }
            RtcEvent::ChannelClosed(id) if Some(id) == self.channel => {
                self.note(format!("channel {LABEL:?} closed"));
                let finished = self.download.finished.is_some()
                    || self.upload.as_ref().is_some_and(|u| u.remaining == 0);
                if !finished {
                    self.failure
                        .get_or_insert_with(|| "the data channel closed mid-transfer".into());
                }
            }
            RtcEvent::Failed(reason) => {
                let why = describe(reason);
                self.note(format!("FAILED: {why}"));
                self.failure.get_or_insert(why);
            }
            _ => {}
        }
    }

    /// Queues messages until the channel's buffered amount reaches the high-water mark, then
    /// pauses until the buffered-amount-low event says it drained to the low-water mark.
    fn fill(&mut self) {
        let (Some(id), Some(up)) = (self.channel, self.upload.as_mut()) else {
            return;
        };
        if self.channel_open.is_none() {
            return;
        }
        let Some(mut ch) = self.rtc.channel(id) else {
            return;
        };
        while up.remaining > 0 && !up.paused {
            if ch.buffered_amount() >= HIGH_WATER {
                up.paused = true;
                break;
            }
            let msg = up.next_message();
            let len = msg.len() as u64;
            if let Err(e) = ch.send(msg) {
                self.failure = Some(format!("send on the data channel failed: {e}"));
                return;
            }
            up.started.get_or_insert(self.now);
            up.remaining -= len;
        }
    }
}

impl Machine for Peer {
    fn handle_receive(&mut self, now: Instant, rx: Receive<'_>) {
        self.now = now;
        // A refused datagram (malformed, unexpected source) is counted, not fatal.
        if self.rtc.handle_receive(now, rx).is_err() {
            self.refused += 1;
        }
        self.drain();
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.now = now;
        self.rtc.handle_timeout(now);
        self.drain();
    }

    fn poll_transmit(&mut self) -> Option<Transmit> {
        if let Some(t) = self.rtc.poll_transmit() {
            return Some(t);
        }
        self.drain();
        self.rtc.poll_transmit()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.rtc.poll_timeout()
    }
}

/// A sentence for a transport failure.
fn describe(reason: FailReason) -> String {
    match reason {
        FailReason::Ice => {
            "ICE failed: no candidate pair answered its connectivity checks (or consent expired)"
                .into()
        }
        FailReason::FingerprintMismatch => {
            "DTLS failed: the peer's certificate does not match the SDP fingerprint".into()
        }
        FailReason::Dtls(e) => format!("DTLS failed: {e}"),
        FailReason::Sctp(r) => format!("SCTP association ended: {r:?}"),
        other => format!("transport failed: {other:?}"),
    }
}
