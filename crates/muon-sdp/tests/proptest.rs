//! Property tests: arbitrary input never panics, mutated real SDP either fails with an error
//! or round-trips, and generated sessions round-trip through `Display` and `parse`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::IpAddr;

use muon_sdp::{
    AddressType, Attribute, Attributes, Bandwidth, BandwidthType, Candidate, CandidateAddress,
    CandidateExtension, CandidateType, Connection, Direction, Extmap, Fingerprint, Fmtp, Group,
    GroupSemantics, HashFunction, IceOption, Media, MediaKind, Msid, MsidSemantic, Origin, Proto,
    Rid, RidDirection, Rtcp, RtcpFb, Rtpmap, Sctpmap, Session, Setup, Simulcast, SimulcastList,
    SimulcastRid, Ssrc, SsrcGroup, TcpType, Timing, Transport,
};
use proptest::collection::vec;
use proptest::option::of;
use proptest::prelude::*;

/// Parse must not panic; whatever parses must round-trip.
fn check_round_trip(data: &[u8]) {
    if let Ok(s) = Session::parse_bytes(data) {
        let written = s.to_string();
        assert_eq!(Session::parse(&written).as_ref(), Ok(&s), "{written}");
    }
}

// ---------------------------------------------------------------- arbitrary input

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(data in vec(any::<u8>(), 0..2048)) {
        check_round_trip(&data);
    }

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,512}") {
        check_round_trip(text.as_bytes());
        if let Ok(c) = Candidate::parse(&text) {
            prop_assert_eq!(Candidate::parse(&c.to_string()), Ok(c));
        }
    }

    /// Lines built from SDP's own vocabulary reach deep into every attribute parser.
    #[test]
    fn sdp_shaped_lines_never_panic_and_round_trip(lines in vec(sdp_line(), 0..40)) {
        const HEAD: &str = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";
        // Each line alone (most parse, so the round trip is exercised), then all together.
        for line in &lines {
            check_round_trip(format!("{HEAD}m=video 9 RTP/AVP 96\r\n{line}\r\n").as_bytes());
        }
        check_round_trip(format!("{HEAD}{}", lines.join("\r\n")).as_bytes());
    }

    #[test]
    fn candidate_shaped_text_never_panics(
        fields in vec(prop_oneof![
            Just("typ".to_owned()), Just("raddr".to_owned()), Just("rport".to_owned()),
            Just("host".to_owned()), Just("generation".to_owned()), Just("tcptype".to_owned()),
            Just("udp".to_owned()), "[0-9]{1,12}", "[a-z0-9.:-]{1,12}", Just(String::new()),
        ], 0..16)
    ) {
        let text = format!("candidate:{}", fields.join(" "));
        if let Ok(c) = Candidate::parse(&text) {
            prop_assert_eq!(Candidate::parse(&c.to_string()), Ok(c));
        }
    }
}

fn sdp_line() -> impl Strategy<Value = String> {
    let names = prop::sample::select(vec![
        "group",
        "msid-semantic",
        "mid",
        "msid",
        "ice-ufrag",
        "ice-pwd",
        "ice-options",
        "ice-lite",
        "fingerprint",
        "setup",
        "candidate",
        "end-of-candidates",
        "rtcp",
        "rtcp-mux",
        "rtcp-mux-only",
        "rtcp-rsize",
        "rtpmap",
        "fmtp",
        "rtcp-fb",
        "extmap",
        "extmap-allow-mixed",
        "ssrc",
        "ssrc-group",
        "rid",
        "simulcast",
        "sendrecv",
        "sendonly",
        "recvonly",
        "inactive",
        "sctp-port",
        "max-message-size",
        "sctpmap",
        "x-other",
    ]);
    let piece = prop_oneof![
        "[0-9]{1,6}",
        "[0-9]{15,25}",
        "[A-Za-z0-9-]{1,8}",
        "[0-9A-F]{2}(:[0-9A-F]{2}){0,40}",
        "[a-z0-9]{1,6}/[0-9]{1,6}(/[0-9])?",
        "(send|recv) ~?[a-z](,[a-z])*(;~?[a-z])*",
        "[ -~]{0,12}",
        Just("typ host".to_owned()),
        Just("IN IP4 0.0.0.0".to_owned()),
        Just("*".to_owned()),
    ];
    let other_line = prop_oneof![
        "[a-z]=[ -~]{0,30}",
        Just("m=audio 9 UDP/TLS/RTP/SAVPF 111".to_owned()),
        Just("m=application 9 UDP/DTLS/SCTP webrtc-datachannel".to_owned()),
        Just("c=IN IP6 ::1".to_owned()),
        Just("b=AS:30".to_owned()),
        Just(String::new()),
    ];
    prop_oneof![
        4 => (names, of(vec(piece, 0..5))).prop_map(|(n, v)| match v {
            Some(v) => format!("a={n}:{}", v.join(" ")),
            None => format!("a={n}"),
        }),
        1 => other_line,
    ]
}

// ---------------------------------------------------------------- mutated fixtures

fn fixtures() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "sdp"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    v.sort();
    v
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize),
    Duplicate(usize),
    Swap(usize, usize),
    Truncate(usize, usize),
    Insert(usize, String),
    FlipByte(usize, u8),
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn mutated_real_sdp_errors_or_round_trips(
        which in any::<prop::sample::Index>(),
        muts in vec(prop_oneof![
            any::<usize>().prop_map(Mutation::Delete),
            any::<usize>().prop_map(Mutation::Duplicate),
            (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
            (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Truncate(a, b)),
            (any::<usize>(), sdp_line()).prop_map(|(a, l)| Mutation::Insert(a, l)),
            (any::<usize>(), any::<u8>()).prop_map(|(a, b)| Mutation::FlipByte(a, b)),
        ], 1..6)
    ) {
        let all = fixtures();
        let text = which.get(&all);
        let mut lines: Vec<Vec<u8>> = text.split("\r\n").map(|l| l.as_bytes().to_vec()).collect();
        for m in muts {
            let n = lines.len().max(1);
            match m {
                Mutation::Delete(i) if !lines.is_empty() => { lines.remove(i % n); }
                Mutation::Duplicate(i) if !lines.is_empty() => {
                    let l = lines[i % n].clone();
                    lines.insert(i % n, l);
                }
                Mutation::Swap(a, b) if !lines.is_empty() => lines.swap(a % n, b % n),
                Mutation::Truncate(i, at) if !lines.is_empty() => {
                    let l = &mut lines[i % n];
                    let keep = at % (l.len() + 1);
                    l.truncate(keep);
                }
                Mutation::Insert(i, l) => lines.insert(i % (lines.len() + 1), l.into_bytes()),
                Mutation::FlipByte(i, b) if !lines.is_empty() => {
                    let l = &mut lines[i % n];
                    if !l.is_empty() {
                        let j = i % l.len();
                        l[j] ^= b;
                    }
                }
                _ => {}
            }
        }
        check_round_trip(&lines.join(&b"\r\n"[..]));
    }
}

// ---------------------------------------------------------------- generated sessions

/// No spaces, no control characters.
fn word() -> impl Strategy<Value = String> {
    "[!-~]{1,10}"
}

/// Verbatim text that does not start with a space.
fn rest() -> impl Strategy<Value = String> {
    "([!-~][ -~]{0,15})?"
}

fn token() -> impl Strategy<Value = String> {
    "[a-z0-9][a-z0-9.-]{0,7}"
}

fn direction() -> impl Strategy<Value = Direction> {
    prop_oneof![
        Just(Direction::SendRecv),
        Just(Direction::SendOnly),
        Just(Direction::RecvOnly),
        Just(Direction::Inactive)
    ]
}

fn address_type() -> impl Strategy<Value = AddressType> {
    prop_oneof![Just(AddressType::Ip4), Just(AddressType::Ip6)]
}

fn candidate_address() -> impl Strategy<Value = CandidateAddress> {
    prop_oneof![
        any::<IpAddr>().prop_map(CandidateAddress::Ip),
        "[a-f0-9-]{1,36}\\.local".prop_map(CandidateAddress::Name),
    ]
}

fn candidate() -> impl Strategy<Value = Candidate> {
    let kind = prop_oneof![
        Just(CandidateType::Host),
        Just(CandidateType::Srflx),
        Just(CandidateType::Prflx),
        Just(CandidateType::Relay),
        "x[a-z]{1,5}".prop_map(CandidateType::Other),
    ];
    let transport = prop_oneof![
        Just(Transport::UDP),
        Just(Transport::TCP),
        Just(Transport::new("udp")),
        token().prop_map(Transport::new),
    ];
    let ext = prop_oneof![
        prop_oneof![
            Just(TcpType::Active),
            Just(TcpType::Passive),
            Just(TcpType::So)
        ]
        .prop_map(CandidateExtension::TcpType),
        any::<u32>().prop_map(CandidateExtension::Generation),
        word().prop_map(CandidateExtension::Ufrag),
        any::<u32>().prop_map(CandidateExtension::NetworkId),
        any::<u32>().prop_map(CandidateExtension::NetworkCost),
        ("x-[a-z]{1,6}", word())
            .prop_map(|(name, value)| CandidateExtension::Other { name, value }),
    ];
    (
        (
            word(),
            any::<u16>(),
            transport,
            any::<u32>(),
            candidate_address(),
        ),
        (
            any::<u16>(),
            kind,
            of(candidate_address()),
            of(any::<u16>()),
            vec(ext, 0..5),
        ),
    )
        .prop_map(
            |((foundation, component, transport, priority, address), (port, kind, ra, rp, ex))| {
                Candidate {
                    foundation,
                    component,
                    transport,
                    priority,
                    address,
                    port,
                    kind,
                    related_address: ra,
                    related_port: rp,
                    extensions: ex,
                }
            },
        )
}

fn fingerprint() -> impl Strategy<Value = Fingerprint> {
    let hash = prop_oneof![
        Just(HashFunction::Sha1),
        Just(HashFunction::Sha224),
        Just(HashFunction::Sha256),
        Just(HashFunction::Sha384),
        Just(HashFunction::Sha512),
        Just(HashFunction::Md5),
        Just(HashFunction::Md2),
        "x-[a-z0-9]{1,6}".prop_map(HashFunction::Other),
    ];
    (hash, vec(any::<u8>(), 1..=64)).prop_map(|(hash, value)| Fingerprint { hash, value })
}

fn simulcast() -> impl Strategy<Value = Simulcast> {
    let rid =
        ("[a-zA-Z0-9_-]{1,4}", any::<bool>()).prop_map(|(id, paused)| SimulcastRid { id, paused });
    let streams = vec(vec(rid, 1..3), 1..4);
    (streams.clone(), of(streams), any::<bool>()).prop_map(|(a, b, recv_first)| {
        let (d1, d2) = if recv_first {
            (RidDirection::Recv, RidDirection::Send)
        } else {
            (RidDirection::Send, RidDirection::Recv)
        };
        let mut lists = vec![SimulcastList {
            direction: d1,
            streams: a,
        }];
        if let Some(b) = b {
            lists.push(SimulcastList {
                direction: d2,
                streams: b,
            });
        }
        Simulcast { lists }
    })
}

fn attribute() -> impl Strategy<Value = Attribute> {
    let pt = 0u8..=127;
    prop_oneof![
        (
            prop_oneof![
                Just(GroupSemantics::Bundle),
                Just(GroupSemantics::Ls),
                Just(GroupSemantics::Fid),
                "X[A-Z]{1,4}".prop_map(GroupSemantics::Other)
            ],
            vec(word(), 0..4)
        )
            .prop_map(|(semantics, mids)| Attribute::Group(Group { semantics, mids })),
        (any::<bool>(), word(), vec(word(), 0..3)).prop_map(
            |(space_after_colon, semantic, ids)| {
                Attribute::MsidSemantic(MsidSemantic {
                    space_after_colon,
                    semantic,
                    ids,
                })
            }
        ),
        word().prop_map(Attribute::Mid),
        (word(), of(word())).prop_map(|(stream_id, track_id)| Attribute::Msid(Msid {
            stream_id,
            track_id
        })),
        word().prop_map(Attribute::IceUfrag),
        word().prop_map(|p| Attribute::IcePwd(p.into())),
        vec(
            prop_oneof![
                Just(IceOption::Trickle),
                Just(IceOption::Ice2),
                "x[a-z+]{1,6}".prop_map(IceOption::Other)
            ],
            1..4
        )
        .prop_map(Attribute::IceOptions),
        Just(Attribute::IceLite),
        fingerprint().prop_map(Attribute::Fingerprint),
        prop_oneof![
            Just(Setup::Active),
            Just(Setup::Passive),
            Just(Setup::Actpass),
            Just(Setup::Holdconn)
        ]
        .prop_map(Attribute::Setup),
        candidate().prop_map(Attribute::Candidate),
        Just(Attribute::EndOfCandidates),
        (any::<u16>(), of((address_type(), word())))
            .prop_map(|(port, address)| Attribute::Rtcp(Rtcp { port, address })),
        Just(Attribute::RtcpMux),
        Just(Attribute::RtcpMuxOnly),
        Just(Attribute::RtcpRsize),
        (
            pt.clone(),
            "[A-Za-z0-9-]{1,8}",
            any::<u32>(),
            of(any::<u16>())
        )
            .prop_map(
                |(payload_type, encoding, clock_rate, channels)| Attribute::Rtpmap(Rtpmap {
                    payload_type,
                    encoding,
                    clock_rate,
                    channels
                })
            ),
        (pt.clone(), rest()).prop_map(|(payload_type, params)| Attribute::Fmtp(Fmtp {
            payload_type,
            params
        })),
        (of(pt), word(), of("[!-~][ -~]{0,10}")).prop_map(|(payload_type, kind, param)| {
            Attribute::RtcpFb(RtcpFb {
                payload_type,
                kind,
                param,
            })
        }),
        (
            any::<u16>(),
            of(direction()),
            word(),
            of("[!-~][ -~]{0,10}")
        )
            .prop_map(
                |(id, direction, uri, attributes)| Attribute::Extmap(Extmap {
                    id,
                    direction,
                    uri,
                    attributes
                })
            ),
        Just(Attribute::ExtmapAllowMixed),
        (any::<u32>(), "[a-z][a-z0-9-]{0,6}", of("[ -~]{0,12}")).prop_map(
            |(ssrc, attribute, value)| Attribute::Ssrc(Ssrc {
                ssrc,
                attribute,
                value
            })
        ),
        (word(), vec(any::<u32>(), 0..4))
            .prop_map(|(semantics, ssrcs)| Attribute::SsrcGroup(SsrcGroup { semantics, ssrcs })),
        (
            "[a-zA-Z0-9_-]{1,6}",
            prop_oneof![Just(RidDirection::Send), Just(RidDirection::Recv)],
            rest()
        )
            .prop_map(|(id, direction, params)| Attribute::Rid(Rid {
                id,
                direction,
                params
            })),
        simulcast().prop_map(Attribute::Simulcast),
        direction().prop_map(Attribute::Direction),
        any::<u16>().prop_map(Attribute::SctpPort),
        any::<u64>().prop_map(Attribute::MaxMessageSize),
        (any::<u16>(), word(), of(any::<u32>())).prop_map(|(port, protocol, streams)| {
            Attribute::Sctpmap(Sctpmap {
                port,
                protocol,
                streams,
            })
        }),
        ("x-[a-z0-9-]{1,8}", of("[ -~]{0,20}"))
            .prop_map(|(name, value)| Attribute::Other { name, value }),
    ]
}

fn connection() -> impl Strategy<Value = Connection> {
    (address_type(), word()).prop_map(|(address_type, address)| Connection {
        address_type,
        address,
    })
}

fn bandwidth() -> impl Strategy<Value = Bandwidth> {
    let kind = prop_oneof![
        Just(BandwidthType::As),
        Just(BandwidthType::Ct),
        Just(BandwidthType::Tias),
        "X-[A-Z]{1,4}".prop_map(BandwidthType::Other),
    ];
    (kind, any::<u64>()).prop_map(|(kind, value)| Bandwidth { kind, value })
}

fn media() -> impl Strategy<Value = Media> {
    let kind = prop_oneof![
        Just(MediaKind::Audio),
        Just(MediaKind::Video),
        Just(MediaKind::Application),
        Just(MediaKind::Text),
        Just(MediaKind::Message),
        "x[a-z]{1,5}".prop_map(MediaKind::Other),
    ];
    let proto = prop_oneof![
        Just(Proto::UdpTlsRtpSavpf),
        Just(Proto::TcpTlsRtpSavpf),
        Just(Proto::RtpSavpf),
        Just(Proto::RtpSavp),
        Just(Proto::RtpAvpf),
        Just(Proto::RtpAvp),
        Just(Proto::UdpTlsRtpSavp),
        Just(Proto::UdpDtlsSctp),
        Just(Proto::TcpDtlsSctp),
        Just(Proto::DtlsSctp),
        "X-[A-Z]{1,4}/[A-Z]{1,4}".prop_map(Proto::Other),
    ];
    (
        (
            kind,
            any::<u16>(),
            of(any::<u32>()),
            proto,
            vec(word(), 0..5),
        ),
        (
            of("[ -~]{0,12}"),
            of(connection()),
            vec(bandwidth(), 0..2),
            of("[ -~]{0,8}"),
        ),
        vec(attribute(), 0..10),
    )
        .prop_map(
            |(
                (kind, port, port_count, proto, formats),
                (title, connection, bandwidths, key),
                attrs,
            )| {
                let mut m = Media::new(kind, port, proto, formats);
                m.port_count = port_count;
                m.title = title;
                m.connection = connection;
                m.bandwidths = bandwidths;
                m.key = key;
                m.attributes = Attributes(attrs);
                m
            },
        )
}

fn session() -> impl Strategy<Value = Session> {
    let origin = (word(), any::<u64>(), any::<u64>(), address_type(), word()).prop_map(
        |(username, session_id, session_version, address_type, address)| Origin {
            username,
            session_id,
            session_version,
            address_type,
            address,
        },
    );
    let timing = (any::<u64>(), any::<u64>(), vec("[ -~]{0,10}", 0..2)).prop_map(
        |(start, stop, repeats)| Timing {
            start,
            stop,
            repeats,
        },
    );
    (
        (origin, "[ -~]{0,10}", of("[ -~]{0,10}"), of("[ -~]{0,10}")),
        (
            vec("[ -~]{0,10}", 0..2),
            vec("[ -~]{0,10}", 0..2),
            of(connection()),
            vec(bandwidth(), 0..2),
        ),
        (vec(timing, 0..3), of("[ -~]{0,10}"), of("[ -~]{0,10}")),
        vec(attribute(), 0..8),
        vec(media(), 0..4),
    )
        .prop_map(
            |(
                (origin, name, info, uri),
                (emails, phones, connection, bandwidths),
                (timing, tz, key),
                attrs,
                media,
            )| {
                let mut s = Session::new(origin);
                s.name = name;
                s.info = info;
                s.uri = uri;
                s.emails = emails;
                s.phones = phones;
                s.connection = connection;
                s.bandwidths = bandwidths;
                s.timing = timing;
                s.time_zones = tz;
                s.key = key;
                s.attributes = Attributes(attrs);
                s.media = media;
                s
            },
        )
}

proptest! {
    #[test]
    fn generated_sessions_round_trip(s in session()) {
        let text = s.to_string();
        prop_assert!(text.ends_with("\r\n") && !text.replace("\r\n", "").contains('\n'));
        prop_assert_eq!(Session::parse(&text), Ok(s));
    }

    #[test]
    fn generated_candidates_round_trip_alone(c in candidate()) {
        let text = c.to_string();
        prop_assert_eq!(Candidate::parse(&text), Ok(c.clone()));
        prop_assert_eq!(Candidate::parse(&format!("a={text}\r\n")), Ok(c));
    }
}
