//! Hostile input: malformed chunks, lying SACKs, FORWARD-TSN far ahead, floods of INITs and
//! reassemblies that never complete. Nothing panics, memory stays within the documented
//! bounds, and the association either drops the input and carries on or aborts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use bytes::Bytes;
use muon_proto::Rng;
use muon_sctp::wire::{Chunk, DataChunk, ForwardTsnChunk, GapBlock, InitChunk, Packet, SackChunk};
use muon_sctp::{Association, Config, Event, Ppid, Reliability, SctpError};

struct Two {
    a: Association,
    b: Association,
    /// The verification tag packets to `a` carry.
    tag_a: u32,
    /// The verification tag packets to `b` carry.
    tag_b: u32,
    now: Instant,
}

fn tag_of(p: &[u8]) -> u32 {
    u32::from_be_bytes(p[4..8].try_into().unwrap())
}

impl Two {
    fn new(config: Config) -> Self {
        let now = muon_netsim::Clock::new().now();
        let a = Association::client(config.clone(), Rng::from_seed([1; 32]), now);
        let b = Association::server(config, Rng::from_seed([2; 32]));
        let mut t = Self {
            a,
            b,
            tag_a: 0,
            tag_b: 0,
            now,
        };
        t.exchange(10);
        assert!(t.a.is_established() && t.b.is_established());
        t
    }

    /// Moves packets both ways until quiet (bounded).
    fn exchange(&mut self, rounds: usize) {
        for _ in 0..rounds {
            let mut moved = false;
            while let Some(p) = self.a.poll_transmit(self.now) {
                if tag_of(&p) != 0 {
                    self.tag_b = tag_of(&p);
                }
                let _ = self.b.handle_receive(self.now, &p);
                moved = true;
            }
            while let Some(p) = self.b.poll_transmit(self.now) {
                self.tag_a = tag_of(&p);
                let _ = self.a.handle_receive(self.now, &p);
                moved = true;
            }
            if !moved {
                self.now += Duration::from_millis(50);
                self.a.handle_timeout(self.now);
                self.b.handle_timeout(self.now);
            }
        }
    }

    fn events(a: &mut Association) -> Vec<Event> {
        std::iter::from_fn(|| a.poll_event()).collect()
    }

    /// Sends a message a -> b and checks it arrives: the association still works.
    fn still_works(&mut self) {
        Self::events(&mut self.b);
        let msg = Bytes::from_static(b"still alive");
        self.a
            .send(
                self.now,
                9,
                Ppid::STRING,
                true,
                Reliability::Reliable,
                msg.clone(),
            )
            .unwrap();
        self.exchange(200);
        let got: Vec<_> = Self::events(&mut self.b)
            .into_iter()
            .filter_map(|e| match e {
                Event::Message { data, .. } => Some(data),
                _ => None,
            })
            .collect();
        assert_eq!(got, [msg]);
    }
}

fn packet(tag: u32, chunks: &[Chunk<'_>]) -> Vec<u8> {
    let mut p = Vec::new();
    Packet::encode_header(&mut p, 5000, 5000, tag);
    for c in chunks {
        c.encode(&mut p);
    }
    Packet::seal(&mut p);
    p
}

fn raw(tag: u32, body: &[u8]) -> Vec<u8> {
    let mut p = Vec::new();
    Packet::encode_header(&mut p, 5000, 5000, tag);
    p.extend_from_slice(body);
    Packet::seal(&mut p);
    p
}

#[test]
fn chunk_length_beyond_the_packet_is_dropped() {
    let mut t = Two::new(Config::default());
    let p = raw(t.tag_b, &[0, 3, 0x40, 0, 1, 2, 3, 4]);
    assert_eq!(
        t.b.handle_receive(t.now, &p),
        Err(SctpError::ChunkLength(0x4000))
    );
    assert_eq!(t.b.stats().dropped_malformed, 1);
    t.still_works();
}

#[test]
fn zero_length_chunks_are_dropped() {
    let mut t = Two::new(Config::default());
    for kind in [0u8, 3, 4, 192, 130, 200] {
        let p = raw(t.tag_b, &[kind, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            t.b.handle_receive(t.now, &p),
            Err(SctpError::ChunkLength(0))
        );
    }
    t.still_works();
}

#[test]
fn wrong_tag_or_checksum_is_dropped_and_counted() {
    let mut t = Two::new(Config::default());
    let mut p = packet(
        t.tag_b ^ 1,
        &[Chunk::Abort {
            reflected: false,
            causes: &[],
        }],
    );
    assert_eq!(
        t.b.handle_receive(t.now, &p),
        Err(SctpError::BadVerificationTag)
    );
    p = packet(
        t.tag_b,
        &[Chunk::Abort {
            reflected: false,
            causes: &[],
        }],
    );
    let last = p.len() - 1;
    p[last] ^= 0xff;
    assert_eq!(t.b.handle_receive(t.now, &p), Err(SctpError::BadChecksum));
    let s = t.b.stats();
    assert_eq!((s.dropped_bad_tag, s.dropped_bad_checksum), (1, 1));
    assert!(t.b.is_established());
    t.still_works();
}

#[test]
fn gap_blocks_covering_the_whole_tsn_space_do_not_lose_data() {
    let mut t = Two::new(Config::default());
    // Put data in flight from a, but do not deliver it.
    for i in 0..50u8 {
        let m = Bytes::from(vec![i; 1000]);
        t.a.send(t.now, 1, Ppid::BINARY, true, Reliability::Reliable, m)
            .unwrap();
    }
    let mut in_flight = Vec::new();
    while let Some(p) = t.a.poll_transmit(t.now) {
        in_flight.push(p);
    }
    let first_tsn = in_flight
        .iter()
        .find_map(|p| {
            Packet::parse(p).unwrap().chunks().find_map(|c| match c {
                Ok(Chunk::Data(d)) => Some(d.tsn),
                _ => None,
            })
        })
        .unwrap();
    // The "peer" claims everything after the first TSN arrived, across the whole offset space,
    // with many overlapping blocks and duplicate reports.
    let gaps: Vec<GapBlock> = (0..300)
        .map(|i| GapBlock {
            start: 1 + i,
            end: u16::MAX,
        })
        .collect();
    let lie = packet(
        t.tag_a,
        &[Chunk::Sack(SackChunk {
            cum_tsn: first_tsn.wrapping_sub(1),
            a_rwnd: u32::MAX,
            gaps,
            dups: vec![7; 100],
        })],
    );
    t.a.handle_receive(t.now, &lie).unwrap();
    // Now deliver only some of the real packets; the lie must not stop a from retransmitting
    // what b never got.
    for p in in_flight.iter().step_by(3) {
        let _ = t.b.handle_receive(t.now, p);
    }
    for _ in 0..100 {
        t.exchange(5);
        t.now += Duration::from_secs(1);
        t.a.handle_timeout(t.now);
        t.b.handle_timeout(t.now);
    }
    let got = Two::events(&mut t.b)
        .into_iter()
        .filter(|e| matches!(e, Event::Message { .. }))
        .count();
    assert_eq!(got, 50);
}

/// Sends one message a -> b, delivers it, and returns its TSN.
fn next_tsn(t: &mut Two) -> u32 {
    t.a.send(
        t.now,
        0,
        Ppid::BINARY,
        true,
        Reliability::Reliable,
        Bytes::from_static(b"x"),
    )
    .unwrap();
    let p = t.a.poll_transmit(t.now).unwrap();
    t.b.handle_receive(t.now, &p).unwrap();
    Packet::parse(&p)
        .unwrap()
        .chunks()
        .find_map(|c| match c {
            Ok(Chunk::Data(d)) => Some(d.tsn),
            _ => None,
        })
        .unwrap()
}

#[test]
fn forward_tsn_far_ahead_is_dropped() {
    let mut t = Two::new(Config::default());
    let tsn = next_tsn(&mut t);
    let p = packet(
        t.tag_b,
        &[Chunk::ForwardTsn(ForwardTsnChunk {
            new_cum_tsn: tsn.wrapping_add(0x7fff_0000),
            streams: vec![(1, 0x7fff), (65535, 3)],
        })],
    );
    t.b.handle_receive(t.now, &p).unwrap();
    assert_eq!(t.b.stats().dropped_out_of_window, 1);
    t.still_works();
}

#[test]
fn a_flood_of_inits_keeps_no_state() {
    let now = muon_netsim::Clock::new().now();
    let mut server = Association::server(Config::default(), Rng::from_seed([5; 32]));
    for i in 0..10_000u32 {
        let init = packet(
            0,
            &[Chunk::Init(InitChunk {
                initiate_tag: i + 1,
                a_rwnd: 1 << 20,
                outbound_streams: 10,
                inbound_streams: 10,
                initial_tsn: i,
                cookie: None,
                forward_tsn: true,
                reconfig: true,
                zero_checksum: false,
            })],
        );
        server.handle_receive(now, &init).unwrap();
    }
    // Answers queue up to a fixed bound while nobody polls; the rest are dropped.
    let answers = std::iter::from_fn(|| server.poll_transmit(now)).count();
    assert!(answers <= 64, "{answers}");
    assert!(answers > 0);
    assert!(!server.is_established());
    assert_eq!(server.buffered_bytes(), 0);
    assert_eq!(server.send_buffered_bytes(), 0);
    // A real client still gets in.
    let mut client = Association::client(Config::default(), Rng::from_seed([6; 32]), now);
    for _ in 0..4 {
        while let Some(p) = client.poll_transmit(now) {
            let _ = server.handle_receive(now, &p);
        }
        while let Some(p) = server.poll_transmit(now) {
            let _ = client.handle_receive(now, &p);
        }
    }
    assert!(client.is_established() && server.is_established());
}

#[test]
fn forged_and_stale_cookies_are_refused() {
    let now = muon_netsim::Clock::new().now();
    let mut server = Association::server(Config::default(), Rng::from_seed([7; 32]));
    let echo = packet(5, &[Chunk::CookieEcho(&[0u8; 65])]);
    assert_eq!(server.handle_receive(now, &echo), Err(SctpError::BadCookie));
    // A genuine cookie presented after its lifetime.
    let mut client = Association::client(Config::default(), Rng::from_seed([8; 32]), now);
    let init = client.poll_transmit(now).unwrap();
    server.handle_receive(now, &init).unwrap();
    let init_ack = server.poll_transmit(now).unwrap();
    client.handle_receive(now, &init_ack).unwrap();
    let cookie_echo = client.poll_transmit(now).unwrap();
    let late = now + Duration::from_secs(61);
    assert_eq!(
        server.handle_receive(late, &cookie_echo),
        Err(SctpError::StaleCookie)
    );
    assert!(!server.is_established());
    assert_eq!(server.stats().dropped_bad_cookie, 2);
}

#[test]
fn a_message_that_never_completes_stays_within_the_receive_buffer() {
    let mut config = Config::default();
    config.receive_buffer = 64 * 1024;
    let mut t = Two::new(config.clone());
    let tsn = next_tsn(&mut t);
    // A beginning fragment then endless middle fragments; the end never comes.
    let payload = [0xabu8; 1000];
    for i in 1..=1000u32 {
        let d = packet(
            t.tag_b,
            &[Chunk::Data(DataChunk {
                tsn: tsn.wrapping_add(i),
                stream: 1,
                ssn: 0,
                ppid: 53,
                unordered: false,
                beginning: i == 1,
                ending: false,
                immediate: false,
                payload: &payload,
            })],
        );
        let _ = t.b.handle_receive(t.now, &d);
        assert!(t.b.buffered_bytes() <= config.receive_buffer as usize + config.max_message_size);
    }
    let s = t.b.stats();
    assert!(s.dropped_receive_buffer_full > 600, "{s:?}");
    // The same with a gap before the fragments (out of order, never completing).
    let d = packet(
        t.tag_b,
        &[Chunk::Data(DataChunk {
            tsn: tsn.wrapping_add(5000),
            stream: 2,
            ssn: 0,
            ppid: 53,
            unordered: true,
            beginning: true,
            ending: false,
            immediate: false,
            payload: &payload,
        })],
    );
    let _ = t.b.handle_receive(t.now, &d);
    assert!(t.b.buffered_bytes() <= config.receive_buffer as usize + config.max_message_size);
}

#[test]
fn random_chunks_with_valid_framing_never_panic() {
    let mut t = Two::new(Config::default());
    let mut rng = Rng::from_seed([9; 32]);
    for _ in 0..20_000 {
        let kind = [0u8, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14, 130, 192, 1, 2][rng.below(15) as usize];
        let len = rng.below(64) as usize;
        let mut body = vec![kind, rng.u32() as u8, 0, 0];
        body.extend((0..len).map(|_| rng.u32() as u8));
        let l = (body.len() as u16).to_be_bytes();
        body[2..4].copy_from_slice(&l);
        let p = raw(t.tag_b, &body);
        let _ = t.b.handle_receive(t.now, &p);
        while t.b.poll_transmit(t.now).is_some() {}
        while t.b.poll_event().is_some() {}
        assert!(
            t.b.buffered_bytes()
                <= Config::default().receive_buffer as usize + Config::default().max_message_size
        );
    }
}

#[test]
fn unknown_chunks_are_skipped_or_stop_the_packet_and_are_reported() {
    let mut t = Two::new(Config::default());
    // 0xC5: skip and report. 0x05 (HEARTBEAT-ACK-like known type) is not unknown, so use
    // 0x3F: stop processing, no report; the ABORT after it must then be ignored.
    let p = raw(
        t.tag_b,
        &[0xc5, 0, 0, 6, 1, 2, 0, 0, 0x3f, 0, 0, 4, 6, 0, 0, 4],
    );
    t.b.handle_receive(t.now, &p).unwrap();
    assert!(
        t.b.is_established(),
        "the ABORT after a stop-processing chunk is ignored"
    );
    assert_eq!(t.b.stats().dropped_unknown_chunks, 2);
    let report = t.b.poll_transmit(t.now).unwrap();
    let chunks: Vec<_> = Packet::parse(&report).unwrap().chunks().collect();
    assert_eq!(
        chunks,
        [Ok(Chunk::Error(&[0, 6, 0, 10, 0xc5, 0, 0, 6, 1, 2]))]
    );
    t.still_works();
}
