//! JSEP ([RFC 8829](https://www.rfc-editor.org/rfc/rfc8829)): offers, answers, rollback and
//! trickled candidates. Every remote description is fully checked before anything changes.

use std::time::Instant;

use muon_ice::{IceAgent, IceConfig, IceRole};
use muon_sdp::Setup;

use super::Rtc;
use crate::error::{RtcError, SdpError};
use crate::jsep::{
    LocalParams, RemoteCandidate, RemoteParams, SdpType, Section, SessionDescription,
    parse_candidate, read_answer, read_offer, write_description,
};
use crate::state::SignalingState;

impl Rtc {
    /// Creates an offer (JSEP section 5.2) with the data channel section, `a=setup:actpass`,
    /// and the candidates gathered so far. Apply it with
    /// [`set_local_description`](Self::set_local_description).
    pub fn create_offer(&mut self, now: Instant) -> Result<SessionDescription, RtcError> {
        self.now = now;
        self.check_open()?;
        if !matches!(
            self.signaling,
            SignalingState::Stable | SignalingState::HaveLocalOffer
        ) {
            return Err(RtcError::InvalidState(self.signaling));
        }
        let sections = if self.sections.is_empty() {
            vec![Section::Application { mid: "0".into() }]
        } else {
            self.sections.clone()
        };
        self.ensure_ice(now, IceRole::Controlling);
        let sdp = self.write(&sections, Setup::Actpass);
        self.created_offer = Some(sections);
        self.pump(now);
        Ok(SessionDescription::offer(sdp))
    }

    /// Creates the answer to the remote offer (JSEP section 5.3): the data channel section
    /// accepted with `a=setup:active` (we become the DTLS client, as browsers do), every
    /// other section rejected with port 0.
    pub fn create_answer(&mut self, now: Instant) -> Result<SessionDescription, RtcError> {
        self.now = now;
        self.check_open()?;
        let Some(remote) = &self.pending_remote else {
            return Err(RtcError::InvalidState(self.signaling));
        };
        // RFC 8842 section 5.3: answer actpass with active; the opposite of active/passive.
        let setup = match (self.local_setup, remote.setup) {
            (Some(ours), _) if self.dtls.is_some() => ours,
            (_, Setup::Active) => Setup::Passive,
            _ => Setup::Active,
        };
        let sections = remote.sections.clone();
        let sdp = self.write(&sections, setup);
        self.created_answer = Some(setup);
        Ok(SessionDescription::answer(sdp))
    }

    /// The current local description, regenerated with every candidate gathered so far (what
    /// non-trickle signaling sends once [`crate::RtcEvent::IceGatheringComplete`] came).
    pub fn local_description(&self) -> Option<SessionDescription> {
        match self.signaling {
            SignalingState::HaveLocalOffer => {
                let sections = self.local_offer.as_ref()?;
                Some(SessionDescription::offer(
                    self.write(sections, Setup::Actpass),
                ))
            }
            SignalingState::Stable => {
                let setup = self.local_setup?;
                Some(if self.answered_last {
                    SessionDescription::answer(self.write(&self.sections, setup))
                } else {
                    SessionDescription::offer(self.write(&self.sections, Setup::Actpass))
                })
            }
            _ => None,
        }
    }

    /// Applies our own offer, answer, or a rollback of our pending offer.
    pub fn set_local_description(
        &mut self,
        now: Instant,
        desc: &SessionDescription,
    ) -> Result<(), RtcError> {
        self.now = now;
        self.check_open()?;
        match desc.kind {
            SdpType::Rollback => {
                if self.signaling != SignalingState::HaveLocalOffer {
                    return Err(RtcError::InvalidState(self.signaling));
                }
                self.local_offer = None;
                self.forget_unused_ice();
                self.set_signaling(SignalingState::Stable);
            }
            SdpType::Offer => {
                if !matches!(
                    self.signaling,
                    SignalingState::Stable | SignalingState::HaveLocalOffer
                ) {
                    return Err(RtcError::InvalidState(self.signaling));
                }
                let sections = self
                    .created_offer
                    .clone()
                    .ok_or(RtcError::Sdp(SdpError::WrongType))?;
                self.local_offer = Some(sections);
                self.set_signaling(SignalingState::HaveLocalOffer);
            }
            SdpType::Answer => {
                if self.signaling != SignalingState::HaveRemoteOffer {
                    return Err(RtcError::InvalidState(self.signaling));
                }
                let setup = self
                    .created_answer
                    .ok_or(RtcError::Sdp(SdpError::WrongType))?;
                let Some(remote) = self.pending_remote.take() else {
                    return Err(RtcError::InvalidState(self.signaling));
                };
                self.sections = remote.sections.clone();
                self.remote = Some(remote);
                self.local_setup = Some(setup);
                self.answered_last = true;
                self.set_signaling(SignalingState::Stable);
                self.start_transport(now);
            }
        }
        self.pump(now);
        Ok(())
    }

    /// Applies the peer's offer, answer, or a rollback of its pending offer. A description
    /// that does not fit is an error naming the problem; the engine is then unchanged.
    pub fn set_remote_description(
        &mut self,
        now: Instant,
        desc: &SessionDescription,
    ) -> Result<(), RtcError> {
        self.now = now;
        self.check_open()?;
        match desc.kind {
            SdpType::Rollback => {
                if self.signaling != SignalingState::HaveRemoteOffer {
                    return Err(RtcError::InvalidState(self.signaling));
                }
                self.pending_remote = None;
                self.forget_unused_ice();
                self.set_signaling(SignalingState::Stable);
            }
            SdpType::Offer => {
                if self.signaling != SignalingState::Stable {
                    // Glare: the application rolls back its own offer first (JSEP 4.1.10.2).
                    return Err(RtcError::InvalidState(self.signaling));
                }
                let params = read_offer(&desc.sdp)?;
                self.check_renegotiation(&params)?;
                self.ensure_ice(now, IceRole::Controlled);
                self.apply_remote_ice(now, &params);
                self.pending_remote = Some(params);
                self.set_signaling(SignalingState::HaveRemoteOffer);
            }
            SdpType::Answer => {
                if self.signaling != SignalingState::HaveLocalOffer {
                    return Err(RtcError::InvalidState(self.signaling));
                }
                let Some(ours) = self.local_offer.clone() else {
                    return Err(RtcError::InvalidState(self.signaling));
                };
                let params = read_answer(&desc.sdp, &ours)?;
                self.check_renegotiation(&params)?;
                self.apply_remote_ice(now, &params);
                self.local_setup = Some(match params.setup {
                    Setup::Active => Setup::Passive,
                    _ => Setup::Active,
                });
                self.sections = ours;
                self.local_offer = None;
                self.answered_last = false;
                self.remote = Some(params);
                self.set_signaling(SignalingState::Stable);
                self.start_transport(now);
            }
        }
        self.pump(now);
        Ok(())
    }

    /// Adds a trickled remote candidate (`candidate:...`, with or without `a=`); an empty
    /// string or `end-of-candidates` signals the end (RFC 8838 section 8.2).
    pub fn add_ice_candidate(&mut self, now: Instant, candidate: &str) -> Result<(), RtcError> {
        self.now = now;
        self.check_open()?;
        if self.remote.is_none() && self.pending_remote.is_none() {
            return Err(RtcError::InvalidState(self.signaling));
        }
        let Some(ice) = &mut self.ice else {
            return Err(RtcError::InvalidState(self.signaling));
        };
        let text = candidate.trim();
        let text = text.strip_prefix("a=").unwrap_or(text);
        if text.is_empty() || text == "end-of-candidates" {
            self.remote_end_pending = true;
        } else {
            let c = parse_candidate(text).ok_or(RtcError::BadCandidate)?;
            add_remote_candidate(ice, now, c).map_err(|_| RtcError::BadCandidate)?;
        }
        self.pump(now);
        Ok(())
    }

    pub(crate) fn check_open(&self) -> Result<(), RtcError> {
        if self.closed {
            Err(RtcError::Closed)
        } else {
            Ok(())
        }
    }

    fn write(&self, sections: &[Section], setup: Setup) -> String {
        let (candidates, end) = match &self.ice {
            Some(ice) => (
                ice.local_candidates().iter().map(|c| c.to_sdp()).collect(),
                ice.is_gathering_complete(),
            ),
            None => (Vec::new(), false),
        };
        write_description(&LocalParams {
            session_id: self.session_id,
            session_version: self.session_version,
            sections,
            ufrag: self.credentials.ufrag(),
            pwd: self.credentials.pwd(),
            fingerprint: &self.fingerprint,
            setup,
            sctp_port: self.config.sctp_port,
            max_message_size: self.config.max_message_size,
            candidates,
            end_of_candidates: end,
        })
    }

    /// Creates the ICE agent on the first offer or answer, in the role JSEP gives (section
    /// 5.2.1: the offerer controls), with the host addresses known so far.
    fn ensure_ice(&mut self, now: Instant, role: IceRole) {
        if self.ice.is_some() {
            return;
        }
        let config = IceConfig::default()
            .with_role(role)
            .with_host_filter(self.config.host_filter);
        let mut ice = IceAgent::with_credentials(config, self.rng.fork(), self.credentials.clone());
        for &server in &self.config.stun_servers {
            let _ = ice.add_stun_server(now, server);
        }
        for &host in &self.hosts {
            // Refusals (filter, duplicates) only mean the address brings nothing.
            let _ = ice.add_host_candidate(now, host);
        }
        if self.local_end {
            ice.end_of_local_candidates(now);
        }
        self.session_version += 1;
        self.ice = Some(ice);
    }

    /// After a rollback of the first offer, the agent's role may be wrong for what comes
    /// next: drop it (it is recreated with the same credentials).
    fn forget_unused_ice(&mut self) {
        if self.remote.is_none() && self.dtls.is_none() {
            self.ice = None;
        }
    }

    /// A renegotiation may not change the transport: ICE restart and a new certificate are
    /// not supported yet.
    fn check_renegotiation(&self, params: &RemoteParams) -> Result<(), SdpError> {
        let Some(old) = &self.remote else {
            return Ok(());
        };
        if old.credentials != params.credentials {
            return Err(SdpError::IceRestartUnsupported);
        }
        if old.fingerprints != params.fingerprints {
            return Err(SdpError::FingerprintChanged);
        }
        Ok(())
    }

    fn apply_remote_ice(&mut self, now: Instant, params: &RemoteParams) {
        let Some(ice) = &mut self.ice else {
            return;
        };
        // Same credentials on a renegotiation: accepted as a no-op by the agent.
        if ice
            .set_remote_credentials(now, params.credentials.clone())
            .is_err()
        {
            return;
        }
        ice.set_remote_lite(params.ice_lite);
        for c in &params.candidates {
            // Duplicates from a renegotiation, filtered or unusable ones: skipped.
            let _ = add_remote_candidate(ice, now, c.clone());
        }
        if params.end_of_candidates {
            self.remote_end_pending = true;
        }
    }
}

fn add_remote_candidate(
    ice: &mut IceAgent,
    now: Instant,
    c: RemoteCandidate,
) -> Result<(), muon_ice::IceError> {
    match c {
        RemoteCandidate::Addr(c) => ice.add_remote_candidate(now, c),
        RemoteCandidate::Mdns {
            name,
            port,
            priority,
            foundation,
        } => ice.add_remote_mdns_candidate(now, &name, port, priority, &foundation),
    }
}
