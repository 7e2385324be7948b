//! Records that arrive ahead of their epoch's keys are kept (within a bound) and processed
//! once the keys exist; application data that overtakes the peer's Finished is delivered
//! after `Connected`; floods of empty fragments cannot loop.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use muon_dtls::{Dtls, DtlsError, DtlsEvent, Limit};
use muon_proto::Rng;

/// Splits a datagram into its records (13-byte header + payload each).
fn split(datagram: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = datagram;
    while rest.len() >= 13 {
        let len = usize::from(u16::from_be_bytes([rest[11], rest[12]]));
        let (record, tail) = rest.split_at(13 + len);
        out.push(record.to_vec());
        rest = tail;
    }
    out
}

fn epoch(record: &[u8]) -> u16 {
    u16::from_be_bytes([record[3], record[4]])
}

/// Runs until the client has sent flight 5, returning its records without delivering them.
fn flight5(seed: u8) -> (Dtls, Dtls, Vec<Vec<u8>>, std::time::Instant) {
    let now = common::t0();
    let mut rng = Rng::from_seed([seed; 32]);
    let (client, server) = common::configs(&mut rng, 1200);
    let (mut c, mut s) = common::machines(u64::from(seed), client, server, now);
    for _ in 0..2 {
        while let Some(d) = c.poll_transmit() {
            s.handle_receive(now, &d).unwrap();
        }
        while let Some(d) = s.poll_transmit() {
            c.handle_receive(now, &d).unwrap();
        }
    }
    let records: Vec<Vec<u8>> = std::iter::from_fn(|| c.poll_transmit())
        .flat_map(|d| split(&d))
        .collect();
    (c, s, records, now)
}

#[test]
fn finished_ahead_of_its_keys_is_buffered_then_processed() {
    let (_c, mut s, records, now) = flight5(1);
    // Deliver the epoch-1 Finished first, then the rest in order.
    let (protected, plain): (Vec<_>, Vec<_>) = records.into_iter().partition(|r| epoch(r) == 1);
    assert_eq!(protected.len(), 1);
    s.handle_receive(now, &protected[0]).unwrap();
    assert!(!s.is_connected());
    for r in &plain {
        s.handle_receive(now, r).unwrap();
    }
    assert!(
        s.is_connected(),
        "the buffered Finished completed the handshake"
    );
}

#[test]
fn future_epoch_buffer_is_bounded() {
    let (_c, mut s, records, now) = flight5(2);
    let protected = records.iter().find(|r| epoch(r) == 1).unwrap();
    for _ in 0..16 {
        s.handle_receive(now, protected).unwrap();
    }
    assert_eq!(
        s.handle_receive(now, protected),
        Err(DtlsError::LimitExceeded(Limit::FutureRecords))
    );
}

#[test]
fn data_overtaking_the_servers_finished_is_delivered_after_connected() {
    let (mut c, mut s, records, now) = flight5(3);
    for r in &records {
        s.handle_receive(now, r).unwrap();
    }
    assert!(s.is_connected());
    let flight6: Vec<Vec<u8>> = std::iter::from_fn(|| s.poll_transmit()).collect();
    s.send_application_data(b"early").unwrap();
    let data = s.poll_transmit().unwrap();
    c.handle_receive(now, &data).unwrap();
    assert!(!c.is_connected());
    for d in &flight6 {
        c.handle_receive(now, d).unwrap();
    }
    let events = common::events(&mut c);
    assert!(
        matches!(events.first(), Some(DtlsEvent::Connected(_))),
        "{events:?}"
    );
    assert_eq!(
        events.get(1),
        Some(&DtlsEvent::ApplicationData(b"early".to_vec()))
    );
}

#[test]
fn a_record_full_of_empty_fragments_is_harmless() {
    let (_c, mut s, _, now) = flight5(4);
    // One epoch-0 handshake record of 1000 zero-length fragments of a 5-byte message.
    let fragment = [1u8, 0, 0, 5, 0, 9, 0, 0, 0, 0, 0, 0];
    let body: Vec<u8> = fragment.iter().copied().cycle().take(12 * 1000).collect();
    let mut record = vec![22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 50];
    record.extend_from_slice(&(body.len() as u16).to_be_bytes());
    record.extend_from_slice(&body);
    let _ = s.handle_receive(now, &record);
    assert!(!s.is_connected());
}
