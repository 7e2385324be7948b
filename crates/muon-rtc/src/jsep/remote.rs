//! Reading a remote offer or answer: everything checked before anything is applied, so a
//! bad description leaves the engine as it was.

use std::net::SocketAddr;

use muon_dtls::{Fingerprint, HashAlg};
use muon_ice::{CandidateKind, Credentials};
use muon_sdp::{
    Attributes, CandidateAddress, CandidateType, Media, MediaKind, Proto, Session, Setup,
};

use super::Section;
use crate::error::SdpError;

/// What the engine takes from a remote description.
#[derive(Debug, Clone)]
pub(crate) struct RemoteParams {
    /// The remote's media sections in order (the application one accepted, others rejected).
    pub(crate) sections: Vec<Section>,
    pub(crate) credentials: Credentials,
    pub(crate) ice_lite: bool,
    pub(crate) fingerprints: Vec<Fingerprint>,
    pub(crate) setup: Setup,
    pub(crate) sctp_port: u16,
    /// `a=max-message-size`: 0 is "no limit", absent is 64 KiB (RFC 8841 section 6).
    pub(crate) max_message_size: u64,
    pub(crate) candidates: Vec<RemoteCandidate>,
    pub(crate) end_of_candidates: bool,
}

/// A remote candidate, by address or hidden behind an mDNS name.
#[derive(Debug, Clone)]
pub(crate) enum RemoteCandidate {
    Addr(muon_ice::Candidate),
    Mdns {
        name: String,
        port: u16,
        priority: u32,
        foundation: String,
    },
}

/// Reads a remote offer. Media sections other than the first usable data channel one are
/// kept as rejected (JSEP section 5.3.1: the answer gives them port 0).
pub(crate) fn read_offer(text: &str) -> Result<RemoteParams, SdpError> {
    let session = Session::parse(text).map_err(SdpError::Parse)?;
    let app = session
        .media
        .iter()
        .position(|m| {
            m.kind == MediaKind::Application && m.proto == Proto::UdpDtlsSctp && m.port != 0
        })
        .ok_or(SdpError::NoApplicationSection)?;
    let mut sections = Vec::with_capacity(session.media.len());
    for (i, m) in session.media.iter().enumerate() {
        let mid = m.mid().ok_or(SdpError::MissingMid)?.to_owned();
        sections.push(if i == app {
            Section::Application { mid }
        } else {
            Section::Rejected {
                mid,
                kind: m.kind.clone(),
                proto: m.proto.clone(),
                format: m.formats.first().cloned().unwrap_or_else(|| "0".to_owned()),
            }
        });
    }
    let params = read_section(&session, app, sections)?;
    match params.setup {
        // RFC 8842 section 5.2: offers say actpass; active/passive are tolerated (old peers).
        Setup::Actpass | Setup::Active | Setup::Passive => Ok(params),
        other => Err(SdpError::WrongSetup(other)),
    }
}

/// Reads a remote answer to our offer, whose sections were `ours`.
pub(crate) fn read_answer(text: &str, ours: &[Section]) -> Result<RemoteParams, SdpError> {
    let session = Session::parse(text).map_err(SdpError::Parse)?;
    if session.media.len() != ours.len() {
        return Err(SdpError::MediaSectionMismatch {
            index: session.media.len().min(ours.len()),
        });
    }
    let mut app = None;
    for (i, (m, our)) in session.media.iter().zip(ours).enumerate() {
        if m.mid() != Some(our.mid()) {
            return Err(SdpError::MediaSectionMismatch { index: i });
        }
        if let Section::Application { .. } = our {
            if m.kind != MediaKind::Application || !m.proto.is_sctp() {
                return Err(SdpError::MediaSectionMismatch { index: i });
            }
            if m.port == 0 {
                return Err(SdpError::ApplicationRejected);
            }
            app = Some(i);
        }
    }
    let app = app.ok_or(SdpError::NoApplicationSection)?;
    let params = read_section(&session, app, ours.to_vec())?;
    match params.setup {
        Setup::Active | Setup::Passive => Ok(params),
        other => Err(SdpError::WrongSetup(other)),
    }
}

fn read_section(
    session: &Session,
    app: usize,
    sections: Vec<Section>,
) -> Result<RemoteParams, SdpError> {
    let media: &Media = session
        .media
        .get(app)
        .ok_or(SdpError::NoApplicationSection)?;
    let m = &media.attributes;
    let s = &session.attributes;
    media.mid().ok_or(SdpError::MissingMid)?;
    let ufrag = m
        .ice_ufrag()
        .or(s.ice_ufrag())
        .ok_or(SdpError::MissingIceUfrag)?;
    let pwd = m.ice_pwd().or(s.ice_pwd()).ok_or(SdpError::MissingIcePwd)?;
    let credentials = Credentials::new(ufrag, pwd).map_err(|_| SdpError::InvalidIceCredentials)?;
    let fingerprints = read_fingerprints(m, s)?;
    let setup = m.setup().or(s.setup()).ok_or(SdpError::MissingSetup)?;
    let candidates = m.candidates().filter_map(convert_candidate).collect();
    Ok(RemoteParams {
        sections,
        credentials,
        ice_lite: s.ice_lite() || m.ice_lite(),
        fingerprints,
        setup,
        sctp_port: m
            .sctp_port()
            .or_else(|| m.sctpmap().map(|map| map.port))
            .unwrap_or(crate::config::DEFAULT_SCTP_PORT),
        max_message_size: m.max_message_size().unwrap_or(65_536),
        candidates,
        end_of_candidates: m.end_of_candidates() || s.end_of_candidates(),
    })
}

/// RFC 8122 section 5: media-level fingerprints win; session-level ones apply otherwise.
fn read_fingerprints(
    media: &Attributes,
    session: &Attributes,
) -> Result<Vec<Fingerprint>, SdpError> {
    let listed: Vec<&muon_sdp::Fingerprint> = if media.fingerprints().next().is_some() {
        media.fingerprints().collect()
    } else {
        session.fingerprints().collect()
    };
    if listed.is_empty() {
        return Err(SdpError::MissingFingerprint);
    }
    let usable: Vec<Fingerprint> = listed
        .into_iter()
        .filter_map(|f| {
            let alg = HashAlg::from_sdp_name(f.hash.as_str())?;
            Fingerprint::new(alg, f.value.clone()).ok()
        })
        .collect();
    if usable.is_empty() {
        return Err(SdpError::UnsupportedFingerprint);
    }
    Ok(usable)
}

/// Parses a trickled `candidate:...` (with or without `a=`).
pub(crate) fn parse_candidate(text: &str) -> Option<RemoteCandidate> {
    let c = muon_sdp::Candidate::parse(text).ok()?;
    convert_candidate(&c)
}

/// UDP candidates of component 1 only: WebRTC bundles and muxes RTCP (RFC 8843, 5761).
fn convert_candidate(c: &muon_sdp::Candidate) -> Option<RemoteCandidate> {
    if !c.transport.is_udp() || c.component != muon_ice::COMPONENT_ID {
        return None;
    }
    let kind = match c.kind {
        CandidateType::Host => CandidateKind::Host,
        CandidateType::Srflx => CandidateKind::ServerReflexive,
        CandidateType::Prflx => CandidateKind::PeerReflexive,
        CandidateType::Relay => CandidateKind::Relayed,
        CandidateType::Other(_) => return None,
    };
    match &c.address {
        CandidateAddress::Ip(ip) => Some(RemoteCandidate::Addr(muon_ice::Candidate::remote(
            kind,
            SocketAddr::new(*ip, c.port),
            c.priority,
            &c.foundation,
        ))),
        CandidateAddress::Name(name) => Some(RemoteCandidate::Mdns {
            name: name.clone(),
            port: c.port,
            priority: c.priority,
            foundation: c.foundation.clone(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFER: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n\
        m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n\
        a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n\
        a=fingerprint:sha-256 00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:16:17:18:19:1A:1B:1C:1D:1E:1F\r\n\
        a=setup:actpass\r\na=mid:0\r\na=sctp-port:5000\r\n\
        a=candidate:1 1 udp 2122260223 127.0.0.1 5000 typ host\r\n\
        a=candidate:2 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active\r\n\
        a=candidate:3 1 udp 2122260223 0f1e2d3c-aaaa-bbbb-cccc-0123456789ab.local 5001 typ host\r\n";

    #[test]
    fn reads_a_data_offer() {
        let p = read_offer(OFFER).unwrap();
        assert_eq!(p.sections, vec![Section::Application { mid: "0".into() }]);
        assert_eq!(p.credentials.ufrag(), "abcd");
        assert_eq!(p.setup, Setup::Actpass);
        assert_eq!(p.fingerprints.len(), 1);
        assert_eq!(p.max_message_size, 65_536, "RFC 8841 default when absent");
        // The TCP candidate is skipped; the mDNS one is kept by name.
        assert_eq!(p.candidates.len(), 2);
        assert!(matches!(
            p.candidates[1],
            RemoteCandidate::Mdns { port: 5001, .. }
        ));
    }

    #[test]
    fn each_missing_piece_is_named() {
        let without = |line: &str| OFFER.replace(line, "");
        assert_eq!(
            read_offer(&without("a=ice-ufrag:abcd\r\n")).unwrap_err(),
            SdpError::MissingIceUfrag
        );
        assert_eq!(
            read_offer(&without("a=ice-pwd:abcdefghijklmnopqrstuvwx\r\n")).unwrap_err(),
            SdpError::MissingIcePwd
        );
        assert_eq!(
            read_offer(&OFFER.replace("a=fingerprint:", "a=x-fingerprint:")).unwrap_err(),
            SdpError::MissingFingerprint
        );
        assert_eq!(
            read_offer(&without("a=setup:actpass\r\n")).unwrap_err(),
            SdpError::MissingSetup
        );
        assert_eq!(
            read_offer(&OFFER.replace("actpass", "holdconn")).unwrap_err(),
            SdpError::WrongSetup(Setup::Holdconn)
        );
        assert_eq!(
            read_offer(&without("a=mid:0\r\n")).unwrap_err(),
            SdpError::MissingMid
        );
        assert_eq!(
            read_offer(&OFFER.replace("ice-ufrag:abcd", "ice-ufrag:ab")).unwrap_err(),
            SdpError::InvalidIceCredentials
        );
        assert_eq!(
            read_offer(&OFFER.replace("sha-256", "sha-1")).unwrap_err(),
            SdpError::UnsupportedFingerprint
        );
        assert_eq!(
            read_offer(&OFFER.replace("UDP/DTLS/SCTP", "RTP/AVP")).unwrap_err(),
            SdpError::NoApplicationSection
        );
        assert!(matches!(
            read_offer("v=0\r\nnonsense").unwrap_err(),
            SdpError::Parse(_)
        ));
    }

    #[test]
    fn answers_must_match_the_offer_and_choose_a_role() {
        let ours = [Section::Application { mid: "0".into() }];
        assert_eq!(
            read_answer(OFFER, &ours).unwrap_err(),
            SdpError::WrongSetup(Setup::Actpass)
        );
        let answer = OFFER.replace("actpass", "active");
        assert_eq!(read_answer(&answer, &ours).unwrap().setup, Setup::Active);
        assert_eq!(
            read_answer(&answer.replace("a=mid:0", "a=mid:1"), &ours).unwrap_err(),
            SdpError::MediaSectionMismatch { index: 0 }
        );
        assert_eq!(
            read_answer(&answer.replace("application 9", "application 0"), &ours).unwrap_err(),
            SdpError::ApplicationRejected
        );
        let two = [ours[0].clone(), Section::Application { mid: "1".into() }];
        assert_eq!(
            read_answer(&answer, &two).unwrap_err(),
            SdpError::MediaSectionMismatch { index: 1 }
        );
    }
}
