//! The transport stack: ICE below, the RFC 7983 demux, DTLS (whose certificate check leaves
//! the proof the data path needs), SCTP inside DTLS (RFC 8261).

use std::net::SocketAddr;
use std::time::Instant;

use muon_dtls::{
    CloseReason as DtlsClose, Config as DtlsConfig, Dtls, DtlsError, DtlsEvent, Fingerprint, Role,
};
use muon_ice::{IceConnectionState, IceEvent, Incoming};
use muon_proto::Receive;
use muon_sctp::{Association, Config as SctpConfig};
use muon_sdp::Setup;

use super::Rtc;
use crate::demux::{Kind, classify};
use crate::error::{DropReason, RtcError};
use crate::event::{FailReason, RtcEvent};
use crate::state::DtlsTransportState;

/// Largest SCTP packet: a 1200-byte datagram minus DTLS 1.2 AEAD record overhead (13-byte
/// header, 8-byte explicit nonce, 16-byte tag) and some room.
const SCTP_MTU: usize = 1200 - 13 - 8 - 16 - 13;

/// Most passes of [`Rtc::pump`] per call: each pass moves everything it can, so a handful
/// suffices; the bound keeps a misbehaving layer from spinning.
const MAX_PUMP_PASSES: usize = 8;

/// A DTLS datagram waiting for its source to be validated by ICE, or for DTLS to exist.
#[derive(Debug, Clone)]
pub(crate) struct Early {
    source: SocketAddr,
    destination: SocketAddr,
    contents: Vec<u8>,
}

/// Proof that the peer's DTLS certificate matched a fingerprint from its SDP. Only
/// [`FingerprintVerified::check`] makes one, and the SCTP data path cannot be built without
/// it: no application data moves before the check.
#[derive(Debug)]
pub(crate) struct FingerprintVerified(());

impl FingerprintVerified {
    /// RFC 8122 section 5 / RFC 8827 section 6.5: the certificate must hash to one of the
    /// signalled fingerprints.
    fn check(expected: &[Fingerprint], certificate_der: &[u8]) -> Option<Self> {
        expected
            .iter()
            .any(|f| f.matches(certificate_der))
            .then_some(Self(()))
    }
}

/// The SCTP association, built only with a [`FingerprintVerified`].
#[derive(Debug)]
pub(crate) struct DataPath {
    pub(crate) sctp: Association,
    _proof: FingerprintVerified,
}

impl Rtc {
    /// Demultiplexes one datagram (RFC 7983) and gives it to its layer.
    pub(super) fn receive(&mut self, now: Instant, rx: Receive<'_>) -> Result<(), RtcError> {
        if self.closed {
            return Err(RtcError::Dropped(DropReason::NotReady));
        }
        let Some(ice) = &mut self.ice else {
            return Err(RtcError::Dropped(DropReason::NotReady));
        };
        let kind = classify(rx.contents);
        if kind == Kind::Rtp {
            return Err(RtcError::Dropped(DropReason::Media));
        }
        if kind == Kind::Unknown {
            return Err(RtcError::Dropped(DropReason::UnknownProtocol));
        }
        // ICE consumes STUN and refuses anything from an address it never heard of.
        let data = match ice.handle_receive(now, rx) {
            Ok(Incoming::Stun) => return Ok(()),
            Ok(Incoming::Data(d)) => d,
            Err(e) => return Err(RtcError::Dropped(DropReason::Ice(e))),
        };
        // DTLS only from the pair ICE validated (with a full request/response) and selected;
        // anything else waits, bounded, until it is (or is evicted).
        let validated = ice
            .selected_pair()
            .is_some_and(|p| p.remote == rx.source && p.local == rx.destination);
        match &mut self.dtls {
            Some(dtls) if validated => dtls
                .handle_receive(now, data)
                .map_err(|e| RtcError::Dropped(DropReason::Dtls(e))),
            _ => self.hold_early(rx.source, rx.destination, data),
        }
    }

    fn hold_early(
        &mut self,
        source: SocketAddr,
        destination: SocketAddr,
        data: &[u8],
    ) -> Result<(), RtcError> {
        let limits = self.config.limits;
        if data.len() > limits.max_early_bytes || limits.max_early_datagrams == 0 {
            self.stats.early_datagrams_dropped += 1;
            return Err(RtcError::Dropped(DropReason::EarlyQueueFull));
        }
        while self.early.len() >= limits.max_early_datagrams
            || self.early_bytes + data.len() > limits.max_early_bytes
        {
            let Some(old) = self.early.pop_front() else {
                break;
            };
            self.early_bytes -= old.contents.len();
            self.stats.early_datagrams_dropped += 1;
        }
        self.early_bytes += data.len();
        self.stats.early_datagrams_queued += 1;
        self.early.push_back(Early {
            source,
            destination,
            contents: data.to_vec(),
        });
        Ok(())
    }

    /// Both descriptions are in: create DTLS in the role `a=setup` gave (RFC 8842 section 5:
    /// active is the client).
    pub(super) fn start_transport(&mut self, now: Instant) {
        if self.dtls.is_some() || self.closed {
            return;
        }
        let Some(remote) = &self.remote else {
            return;
        };
        let role = match self.local_setup {
            Some(Setup::Active) => Role::Client,
            _ => Role::Server,
        };
        let mut config = DtlsConfig::new(self.certificate.clone(), remote.fingerprints.clone());
        // No HelloVerifyRequest when we are the DTLS server: one round trip less. `receive`
        // hands DTLS only datagrams from the pair ICE validated with an authenticated check
        // (RFC 8445 section 7.2.5) and keeps checking consent (RFC 7675), so a spoofed source
        // never reaches DTLS and the cookie would prove nothing more; RFC 6347 section 4.2.1
        // lets a server skip it where amplification is not a problem.
        config.cookie_exchange = false;
        match Dtls::new(role, config, self.rng.fork(), now) {
            Ok(dtls) => {
                self.dtls = Some(dtls);
                self.set_dtls_state(DtlsTransportState::Connecting);
            }
            Err(e) => self.fail(FailReason::Dtls(e)),
        }
        self.update_pc_state();
    }

    /// Moves events up and packets down every layer until nothing moves.
    pub(crate) fn pump(&mut self, now: Instant) {
        for _ in 0..MAX_PUMP_PASSES {
            let before = (self.events.len(), self.transmits.len());
            self.pump_ice(now);
            self.release_early(now);
            self.pump_dtls(now);
            self.pump_sctp(now);
            self.flush_output(now);
            self.update_pc_state();
            if (self.events.len(), self.transmits.len()) == before {
                break;
            }
        }
    }

    /// Gives the peer's end-of-candidates to ICE, once ICE exists. (muon-ice keeps a valid
    /// pair that waits for the peer's nomination out of `Failed`, so both roles get it at once.)
    fn pass_remote_end(&mut self, now: Instant) {
        let Some(ice) = &mut self.ice else {
            return;
        };
        if self.remote_end_pending {
            self.remote_end_pending = false;
            ice.end_of_remote_candidates(now);
        }
    }

    fn pump_ice(&mut self, now: Instant) {
        self.pass_remote_end(now);
        let mid = self.app_mid();
        while let Some(ev) = self.ice.as_mut().and_then(muon_ice::IceAgent::poll_event) {
            match ev {
                IceEvent::StateChanged(s) => {
                    self.ice_state = s;
                    self.push_event(RtcEvent::IceConnectionState(s));
                    if s == IceConnectionState::Failed {
                        self.fail(FailReason::Ice);
                    }
                }
                IceEvent::LocalCandidate(c) => self.push_event(RtcEvent::IceCandidate {
                    candidate: c.to_sdp(),
                    mid: mid.clone(),
                }),
                IceEvent::GatheringComplete => self.push_event(RtcEvent::IceGatheringComplete),
                IceEvent::ResolveMdns(name) => self.push_event(RtcEvent::ResolveMdns(name)),
                _ => {}
            }
        }
    }

    /// Feeds held DTLS datagrams whose 5-tuple is now the validated, selected one.
    fn release_early(&mut self, now: Instant) {
        if self.early.is_empty() || self.dtls.is_none() {
            return;
        }
        let Some(pair) = self
            .ice
            .as_ref()
            .and_then(muon_ice::IceAgent::selected_pair)
        else {
            return;
        };
        let held = std::mem::take(&mut self.early);
        for e in held {
            if e.source == pair.remote && e.destination == pair.local {
                self.early_bytes -= e.contents.len();
                if let Some(dtls) = &mut self.dtls
                    && dtls.handle_receive(now, &e.contents).is_err()
                {
                    self.stats.dropped_datagrams += 1;
                }
            } else {
                self.early.push_back(e);
            }
        }
    }

    fn pump_dtls(&mut self, now: Instant) {
        while let Some(ev) = self.dtls.as_mut().and_then(Dtls::poll_event) {
            match ev {
                DtlsEvent::Connected(c) => self.dtls_connected(now, &c.peer_certificate),
                DtlsEvent::ApplicationData(packet) => {
                    if let Some(data) = &mut self.data
                        && let Err(e) = data.sctp.handle_receive(now, &packet)
                    {
                        self.stats.dropped_datagrams += 1;
                        tracing::debug!(error = %e, "SCTP packet dropped");
                    }
                }
                DtlsEvent::Closed(reason) => self.dtls_closed(reason),
                _ => {}
            }
        }
    }

    fn dtls_connected(&mut self, now: Instant, peer_certificate: &[u8]) {
        let proof = self
            .remote
            .as_ref()
            .and_then(|r| FingerprintVerified::check(&r.fingerprints, peer_certificate));
        let (Some(proof), Some(remote)) = (proof, &self.remote) else {
            // DTLS checks too; this is the engine's own line of defence.
            self.fail(FailReason::FingerprintMismatch);
            if let Some(dtls) = &mut self.dtls {
                dtls.close();
            }
            self.set_dtls_state(DtlsTransportState::Failed);
            return;
        };
        let mut config = SctpConfig::default();
        config.local_port = self.config.sctp_port;
        config.remote_port = remote.sctp_port;
        config.mtu = SCTP_MTU;
        config.max_message_size = self.config.max_message_size;
        let mut sctp = Association::server(config, self.rng.fork());
        // Browsers both send INIT; the simultaneous open is handled (RFC 9260 section 5.2.1).
        sctp.connect(now);
        self.data = Some(DataPath {
            sctp,
            _proof: proof,
        });
        self.set_dtls_state(DtlsTransportState::Connected);
        tracing::debug!("DTLS connected, fingerprint verified");
    }

    fn dtls_closed(&mut self, reason: DtlsClose) {
        match reason {
            DtlsClose::Error(DtlsError::FingerprintMismatch) => {
                self.fail(FailReason::FingerprintMismatch);
                self.set_dtls_state(DtlsTransportState::Failed);
            }
            DtlsClose::Error(e) => {
                self.fail(FailReason::Dtls(e));
                self.set_dtls_state(DtlsTransportState::Failed);
            }
            _ => self.set_dtls_state(DtlsTransportState::Closed),
        }
        if let Some(data) = &mut self.data {
            data.sctp.abort();
        }
        self.close_all_channels();
    }

    /// SCTP packets into DTLS records, DTLS datagrams onto the selected ICE pair, ICE's own
    /// datagrams out.
    pub(super) fn flush_output(&mut self, now: Instant) {
        if let (Some(data), Some(dtls)) = (&mut self.data, &mut self.dtls)
            && dtls.is_connected()
        {
            while let Some(packet) = data.sctp.poll_transmit(now) {
                if let Err(e) = dtls.send_application_data(&packet) {
                    tracing::debug!(error = %e, "SCTP packet not sent");
                    break;
                }
            }
        }
        if let Some(ice) = &mut self.ice {
            if ice.selected_pair().is_some()
                && let Some(dtls) = &mut self.dtls
            {
                while let Some(d) = dtls.poll_transmit() {
                    match ice.send(now, &d) {
                        Ok(t) => self.transmits.push_back(t),
                        Err(_) => break,
                    }
                }
            }
            while let Some(t) = ice.poll_transmit() {
                self.transmits.push_back(t);
            }
        }
    }

    /// Reports a failure once.
    pub(crate) fn fail(&mut self, reason: FailReason) {
        if !self.failed {
            self.failed = true;
            self.push_event(RtcEvent::Failed(reason));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use muon_dtls::{Certificate, HashAlg};
    use muon_proto::Rng;

    #[test]
    fn proof_only_for_a_matching_certificate() {
        let mut rng = Rng::from_seed([5; 32]);
        let a = Certificate::generate(&mut rng);
        let b = Certificate::generate(&mut rng);
        let fa = a.fingerprint(HashAlg::Sha256);
        assert!(FingerprintVerified::check(std::slice::from_ref(&fa), a.der()).is_some());
        assert!(FingerprintVerified::check(std::slice::from_ref(&fa), b.der()).is_none());
        assert!(FingerprintVerified::check(&[], a.der()).is_none());
    }
}
