//! An offer built from scratch with the public API, as `muon-rtc` will build one, pinned as
//! `fixtures/muon-built-offer.sdp`. `scripts/capture-sdp.sh` feeds that file to Chromium's
//! `setRemoteDescription` and `createAnswer` to check Chromium accepts what muon writes.
//! Regenerate the file with `MUON_SDP_BLESS=1 cargo test -p muon-sdp --test built`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use muon_sdp::{
    AddressType, Attribute, Candidate, CandidateAddress, CandidateExtension, CandidateType,
    Connection, Direction, Extmap, Fingerprint, Fmtp, Group, GroupSemantics, HashFunction,
    IceOption, Media, MediaKind, Msid, MsidSemantic, Origin, Proto, RtcpFb, Rtpmap, Session, Setup,
    Ssrc, SsrcGroup, Transport,
};

const STREAM: &str = "muon-stream";

/// Transport attributes every section carries (RFC 8829 section 5.2.1).
fn transport(mid: &str, port: u16) -> Vec<Attribute> {
    vec![
        Attribute::Candidate(Candidate {
            foundation: "1".into(),
            component: 1,
            transport: Transport::new("udp"),
            priority: 2_130_706_431,
            address: CandidateAddress::Ip([127, 0, 0, 1].into()),
            port,
            kind: CandidateType::Host,
            related_address: None,
            related_port: None,
            extensions: vec![CandidateExtension::Generation(0)],
        }),
        Attribute::EndOfCandidates,
        Attribute::IceUfrag("mUoN".into()),
        Attribute::IcePwd("muonmuonmuonmuonmuonmuon".into()),
        Attribute::IceOptions(vec![IceOption::Trickle]),
        Attribute::Fingerprint(Fingerprint {
            hash: HashFunction::Sha256,
            value: (0u8..32)
                .map(|i| i.wrapping_mul(7).wrapping_add(3))
                .collect(),
        }),
        Attribute::Setup(Setup::Actpass),
        Attribute::Mid(mid.into()),
    ]
}

fn rtp_section(kind: MediaKind, mid: &str, codecs: &[(u8, &str, u32, Option<u16>)]) -> Media {
    let formats = codecs.iter().map(|c| c.0.to_string()).collect();
    let mut m = Media::new(kind, 9, Proto::UdpTlsRtpSavpf, formats);
    m.connection = Some(Connection {
        address_type: AddressType::Ip4,
        address: "127.0.0.1".into(),
    });
    m.attributes.extend(transport(mid, 50000));
    m.attributes.push(Attribute::Extmap(Extmap {
        id: 1,
        direction: None,
        uri: "urn:ietf:params:rtp-hdrext:sdes:mid".into(),
        attributes: None,
    }));
    m.attributes.push(Attribute::Direction(Direction::SendRecv));
    m.attributes.push(Attribute::Msid(Msid {
        stream_id: STREAM.into(),
        track_id: Some(format!("track-{mid}")),
    }));
    m.attributes.push(Attribute::RtcpMux);
    m.attributes.push(Attribute::RtcpRsize);
    for &(pt, enc, rate, channels) in codecs {
        m.attributes.push(Attribute::Rtpmap(Rtpmap {
            payload_type: pt,
            encoding: enc.into(),
            clock_rate: rate,
            channels,
        }));
        if enc == "rtx" {
            m.attributes.push(Attribute::Fmtp(Fmtp {
                payload_type: pt,
                params: format!("apt={}", pt - 1),
            }));
        } else if enc == "VP8" {
            for (kind, param) in [("nack", None), ("nack", Some("pli")), ("ccm", Some("fir"))] {
                m.attributes.push(Attribute::RtcpFb(RtcpFb {
                    payload_type: Some(pt),
                    kind: kind.into(),
                    param: param.map(str::to_owned),
                }));
            }
        }
    }
    m
}

fn build() -> Session {
    let mut s = Session::new(Origin {
        username: "-".into(),
        session_id: 1_234_567_890_123_456_789,
        session_version: 2,
        address_type: AddressType::Ip4,
        address: "127.0.0.1".into(),
    });
    s.attributes.push(Attribute::Group(Group {
        semantics: GroupSemantics::Bundle,
        mids: vec!["0".into(), "1".into(), "2".into()],
    }));
    s.attributes.push(Attribute::ExtmapAllowMixed);
    s.attributes.push(Attribute::MsidSemantic(MsidSemantic {
        space_after_colon: false,
        semantic: "WMS".into(),
        ids: vec![STREAM.into()],
    }));

    let mut audio = rtp_section(MediaKind::Audio, "0", &[(111, "opus", 48000, Some(2))]);
    audio.attributes.push(Attribute::Fmtp(Fmtp {
        payload_type: 111,
        params: "minptime=10;useinbandfec=1".into(),
    }));
    audio.attributes.push(Attribute::Ssrc(Ssrc {
        ssrc: 1001,
        attribute: "cname".into(),
        value: Some("muon".into()),
    }));
    s.media.push(audio);

    let mut video = rtp_section(
        MediaKind::Video,
        "1",
        &[(96, "VP8", 90000, None), (97, "rtx", 90000, None)],
    );
    video.attributes.push(Attribute::SsrcGroup(SsrcGroup {
        semantics: "FID".into(),
        ssrcs: vec![2001, 2002],
    }));
    for ssrc in [2001, 2002] {
        video.attributes.push(Attribute::Ssrc(Ssrc {
            ssrc,
            attribute: "cname".into(),
            value: Some("muon".into()),
        }));
    }
    s.media.push(video);

    let mut data = Media::new(
        MediaKind::Application,
        9,
        Proto::UdpDtlsSctp,
        vec!["webrtc-datachannel".into()],
    );
    data.connection = Some(Connection {
        address_type: AddressType::Ip4,
        address: "127.0.0.1".into(),
    });
    data.attributes.extend(transport("2", 50000));
    data.attributes.push(Attribute::SctpPort(5000));
    data.attributes.push(Attribute::MaxMessageSize(262_144));
    s.media.push(data);
    s
}

#[test]
fn built_offer_matches_the_fixture_chromium_accepted() {
    let written = build().to_string();
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/muon-built-offer.sdp"
    );
    if std::env::var_os("MUON_SDP_BLESS").is_some() {
        std::fs::write(path, &written).unwrap();
    }
    assert_eq!(written, std::fs::read_to_string(path).unwrap());
    assert_eq!(Session::parse(&written).unwrap(), build());
}
