//! Real-world round trips: every fixture parses, exposes the typed fields JSEP needs, and is
//! written back byte for byte. See `fixtures/README.md` for where each file comes from.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::PathBuf;

use muon_sdp::{
    Attribute, Candidate, CandidateAddress, CandidateType, Direction, HashFunction, MediaKind,
    Proto, Session, Setup,
};

fn dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"))
}

fn load(name: &str) -> (String, Session) {
    let text = fs::read_to_string(dir().join(name)).unwrap();
    let session = Session::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    (text, session)
}

/// The values after `prefix` on the lines that start with it: a naive reading of the text
/// to check the typed parse against.
fn raw<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
    text.lines()
        .filter_map(|l| l.trim_end_matches('\r').strip_prefix(prefix))
        .collect()
}

fn all_fixtures() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".sdp"))
        .collect();
    names.sort();
    names
}

#[test]
fn there_are_captured_and_hand_written_fixtures() {
    let names = all_fixtures();
    for prefix in ["chromium-", "pion-", "handwritten-"] {
        assert!(
            names.iter().filter(|n| n.starts_with(prefix)).count() >= 1,
            "{prefix}"
        );
    }
    assert!(names.len() >= 13, "{names:?}");
}

#[test]
fn every_fixture_round_trips_byte_for_byte_and_from_lf() {
    for name in all_fixtures() {
        let (text, session) = load(&name);
        assert!(text.ends_with("\r\n"), "{name} is not CRLF");
        assert_eq!(session.to_string(), text, "{name}");
        let lf = text.replace("\r\n", "\n");
        assert_eq!(Session::parse(&lf).unwrap(), session, "{name} (LF)");
        // No attribute of a real SDP falls back to Other if this crate types its name.
        for a in session
            .attributes
            .iter()
            .chain(session.media.iter().flat_map(|m| m.attributes.iter()))
        {
            if let Attribute::Other { name: n, .. } = a {
                assert!(
                    ["rtcp-xr", "cryptex", "tls-id", "maxptime"].contains(&n.as_str()),
                    "{name}: untyped a={n}"
                );
            }
        }
    }
}

/// The JSEP-relevant checks every WebRTC description must pass, against the raw text.
#[test]
fn every_fixture_exposes_what_jsep_needs() {
    for name in all_fixtures() {
        let (text, s) = load(&name);
        // mids and BUNDLE.
        let mids: Vec<&str> = s.media.iter().map(|m| m.mid().unwrap()).collect();
        assert_eq!(mids, raw(&text, "a=mid:"), "{name}");
        let bundle = s.attributes.bundle().unwrap();
        assert_eq!(bundle.mids, mids, "{name}");
        assert_eq!(
            s.attributes.extmap_allow_mixed(),
            text.contains("a=extmap-allow-mixed\r\n")
        );
        for m in &s.media {
            // ICE credentials: at media level, or at session level.
            let ufrag = m
                .attributes
                .ice_ufrag()
                .or(s.attributes.ice_ufrag())
                .unwrap();
            let pwd = m.attributes.ice_pwd().or(s.attributes.ice_pwd()).unwrap();
            assert!(raw(&text, "a=ice-ufrag:").contains(&ufrag), "{name}");
            assert!(raw(&text, "a=ice-pwd:").contains(&pwd), "{name}");
            assert!(
                ufrag.len() >= 4 && pwd.len() >= 22,
                "{name}: RFC 8839 5.4 lengths"
            );
            // DTLS: a SHA-256 fingerprint of 32 bytes, and a setup role.
            let fp = m
                .attributes
                .fingerprints()
                .chain(s.attributes.fingerprints())
                .find(|f| f.hash == HashFunction::Sha256)
                .unwrap();
            assert_eq!(fp.value.len(), 32, "{name}");
            let setup = m.attributes.setup().unwrap();
            let expect = if name.contains("offer") {
                Setup::Actpass
            } else {
                Setup::Active
            };
            if !name.contains("legacy") {
                assert_eq!(setup, expect, "{name}");
            }
            // Codecs: every RTP payload type has an rtpmap, whose text matches the raw line.
            if m.proto.is_rtp() {
                assert_eq!(m.proto, Proto::UdpTlsRtpSavpf, "{name}");
                assert!(m.attributes.rtcp_mux(), "{name}");
                for pt in m.payload_types() {
                    let map = m.rtpmap(pt).unwrap_or_else(|| panic!("{name}: pt {pt}"));
                    let line = format!("a=rtpmap:{map}");
                    assert!(text.contains(&format!("{line}\r\n")), "{name}: {line}");
                }
            }
            if m.kind == MediaKind::Application && m.proto != Proto::DtlsSctp {
                assert_eq!(m.proto, Proto::UdpDtlsSctp, "{name}");
                assert_eq!(m.formats, ["webrtc-datachannel"], "{name}");
                assert_eq!(m.attributes.sctp_port(), Some(5000), "{name}");
                let mms = raw(&text, "a=max-message-size:");
                assert!(
                    mms.contains(
                        &m.attributes
                            .max_message_size()
                            .unwrap()
                            .to_string()
                            .as_str()
                    )
                );
            }
        }
        // Candidates: as many as lines, each re-parsable alone.
        let candidates: Vec<&Candidate> = s
            .media
            .iter()
            .flat_map(|m| m.attributes.candidates())
            .collect();
        assert_eq!(candidates.len(), raw(&text, "a=candidate:").len(), "{name}");
        assert!(!candidates.is_empty(), "{name}");
        for c in candidates {
            assert_eq!(&Candidate::parse(&c.to_string()).unwrap(), c);
            assert!(c.component == 1 || c.component == 2, "{name}");
        }
    }
}

#[test]
fn chromium_av_offer() {
    let (text, s) = load("chromium-av-offer.sdp");
    let kinds: Vec<&MediaKind> = s.media.iter().map(|m| &m.kind).collect();
    assert_eq!(
        kinds,
        [
            &MediaKind::Audio,
            &MediaKind::Video,
            &MediaKind::Application
        ]
    );
    let ms = s.attributes.msid_semantic().unwrap();
    assert!(ms.space_after_colon);
    assert_eq!(ms.semantic, "WMS");
    let audio = &s.media[0];
    assert_eq!(audio.rtpmap(111).unwrap().encoding, "opus");
    assert_eq!(audio.rtpmap(111).unwrap().channels, Some(2));
    assert_eq!(
        audio.fmtp(111).unwrap().parameter("useinbandfec"),
        Some("1")
    );
    assert_eq!(audio.attributes.direction(), Some(Direction::SendRecv));
    assert!(
        audio
            .attributes
            .ice_options()
            .any(|o| o.as_str() == "trickle")
    );
    let msid = audio.attributes.msids().next().unwrap();
    assert_eq!(
        Some(msid.stream_id.as_str()),
        ms.ids.first().map(String::as_str)
    );
    let video = &s.media[1];
    assert_eq!(video.rtpmap(96).unwrap().encoding, "VP8");
    assert!(
        video
            .rtcp_fbs(96)
            .any(|f| f.kind == "nack" && f.param.as_deref() == Some("pli"))
    );
    let fid = video.attributes.ssrc_groups().next().unwrap();
    assert_eq!(fid.semantics, "FID");
    assert_eq!(fid.ssrcs.len(), 2);
    assert!(
        video
            .attributes
            .ssrcs()
            .any(|x| x.ssrc == fid.ssrcs[1] && x.attribute == "cname")
    );
    let c = audio.attributes.candidates().next().unwrap();
    assert_eq!(c.kind, CandidateType::Host);
    assert!(c.transport.is_udp());
    assert_eq!(c.network_cost(), Some(50));
    assert_eq!(c.generation(), Some(0));
    assert_eq!(
        c.port, audio.port,
        "Chromium puts the default candidate's port on m="
    );
    assert!(
        audio
            .attributes
            .candidates()
            .any(|c| c.transport.is_tcp() && c.tcp_type().is_some())
    );
    assert!(
        raw(&text, "a=rtcp:")
            .iter()
            .all(|r| *r == "9 IN IP4 0.0.0.0")
    );
}

#[test]
fn pion_av_answer() {
    let (_, s) = load("pion-av-answer.sdp");
    assert!(s.attributes.other("cryptex").is_some());
    assert!(!s.attributes.msid_semantic().unwrap().space_after_colon);
    let f = s.attributes.fingerprints().next().unwrap();
    assert_eq!(f.hash, HashFunction::Sha256);
    for m in &s.media {
        assert_eq!(m.attributes.setup(), Some(Setup::Active));
    }
    let c = s.media[0].attributes.candidates().next().unwrap();
    assert_eq!(
        c.address,
        CandidateAddress::Ip("127.0.0.1".parse().unwrap())
    );
    assert_eq!(c.ufrag(), s.media[0].attributes.ice_ufrag());
    assert!(s.media[0].attributes.end_of_candidates());
    assert_eq!(s.media[2].attributes.max_message_size(), Some(1073741823));
}

#[test]
fn handwritten_jsep_offer() {
    let (_, s) = load("handwritten-jsep-offer.sdp");
    let opts: Vec<&str> = s.attributes.ice_options().map(|o| o.as_str()).collect();
    assert_eq!(opts, ["trickle", "ice2"]);
    assert_eq!(s.attributes.groups().count(), 2);
    let a1 = s.media_by_mid("a1").unwrap();
    assert!(a1.attributes.rtcp_mux_only());
    assert!(a1.attributes.rtcp_rsize());
    assert_eq!(a1.attributes.fingerprints().count(), 2);
    let sha384 = a1.attributes.fingerprints().nth(1).unwrap();
    assert_eq!(
        (sha384.hash.clone(), sha384.value.len()),
        (HashFunction::Sha384, 48)
    );
    let cands: Vec<&Candidate> = a1.attributes.candidates().collect();
    assert_eq!(
        cands[1].address,
        CandidateAddress::Ip("2001:db8::10".parse().unwrap())
    );
    assert_eq!(cands[2].kind, CandidateType::Srflx);
    assert_eq!(
        cands[2].related_address,
        Some(CandidateAddress::Ip("192.0.2.10".parse().unwrap()))
    );
    assert_eq!(cands[3].kind, CandidateType::Relay);
    assert_eq!(cands[3].related_port, Some(10100));
    assert!(a1.attributes.end_of_candidates());
    let v1 = s.media_by_mid("v1").unwrap();
    assert_eq!(v1.rtcp_fbs(100).count(), 4, "three for 100 and the * one");
    assert_eq!(v1.fmtp(102).unwrap().parameter("apt"), Some("100"));
    assert_eq!(
        s.media_by_mid("d1").unwrap().attributes.max_message_size(),
        Some(65536)
    );
}

#[test]
fn handwritten_firefox_offer() {
    let (_, s) = load("handwritten-firefox-offer.sdp");
    assert_eq!(s.origin.username, "mozilla...THIS_IS_SDPARTA-128.0");
    assert_eq!(
        s.attributes.fingerprints().count(),
        1,
        "session-level fingerprint"
    );
    let audio = &s.media[0];
    let csrc = audio.attributes.extmaps().find(|e| e.id == 2).unwrap();
    assert_eq!(csrc.direction, Some(Direction::RecvOnly));
    let c: Vec<&Candidate> = audio.attributes.candidates().collect();
    assert!(c[0].address.is_mdns());
    assert_eq!(c[0].transport.as_str(), "UDP");
    assert_eq!(c[1].tcp_type().map(|t| t.as_str()), Some("active"));
    assert_eq!(
        c[2].related_address,
        Some(CandidateAddress::Ip([0, 0, 0, 0].into()))
    );
    let video = &s.media[1];
    let rids: Vec<&str> = video.attributes.rids().map(|r| r.id.as_str()).collect();
    assert_eq!(rids, ["h", "m", "l"]);
    assert_eq!(
        video.attributes.rids().nth(2).unwrap().payload_types(),
        Some(vec![120])
    );
    let sim = video.attributes.simulcast().unwrap().send().unwrap();
    assert_eq!(sim.len(), 3);
    assert!(sim[2][0].paused);
    assert_eq!(video.rtpmap(121).unwrap().encoding, "VP9");
}

#[test]
fn handwritten_safari_and_legacy() {
    let (_, s) = load("handwritten-safari-offer.sdp");
    let video = &s.media[0];
    assert_eq!(video.attributes.direction(), Some(Direction::SendOnly));
    assert_eq!(video.rtpmap(96).unwrap().encoding, "H264");
    assert_eq!(
        video.connection.as_ref().unwrap().ip(),
        Some("2001:db8:4::5".parse().unwrap())
    );
    assert_eq!(
        video
            .attributes
            .candidates()
            .filter(|c| c.address.is_mdns())
            .count(),
        1
    );

    let (_, s) = load("handwritten-legacy-sctpmap.sdp");
    assert!(s.attributes.ice_lite());
    let data = &s.media[0];
    assert_eq!(data.proto, Proto::DtlsSctp);
    let map = data.attributes.sctpmap().unwrap();
    assert_eq!(
        (map.port, map.protocol.as_str(), map.streams),
        (5000, "webrtc-datachannel", Some(1024))
    );
    assert_eq!(data.attributes.setup(), Some(Setup::Passive));
}
