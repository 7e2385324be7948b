//! The peer's certificate must match a fingerprint from SDP, in both directions; keys and the
//! exporter are unreachable otherwise. SHA-256, SHA-384 and SHA-512 fingerprints work.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use muon_dtls::{Certificate, CloseReason, Config, DtlsError, DtlsEvent, HashAlg};
use muon_proto::Rng;

fn closed_with(events: &[DtlsEvent]) -> Option<CloseReason> {
    events.iter().find_map(|e| match e {
        DtlsEvent::Closed(r) => Some(*r),
        _ => None,
    })
}

#[test]
fn client_rejects_a_server_with_the_wrong_certificate() {
    let now = common::t0();
    let mut rng = Rng::from_seed([1; 32]);
    let (mut client, server) = common::configs(&mut rng, 1200);
    let impostor = Certificate::generate(&mut rng);
    client.remote_fingerprints = vec![impostor.fingerprint(HashAlg::Sha256)];
    let (mut c, mut s) = common::machines(1, client, server, now);
    common::shuttle(&mut c, &mut s, now);
    let ce = common::events(&mut c);
    let se = common::events(&mut s);
    assert_eq!(
        closed_with(&ce),
        Some(CloseReason::Error(DtlsError::FingerprintMismatch))
    );
    assert!(!ce.iter().any(|e| matches!(e, DtlsEvent::Connected(_))));
    // The server learns why: a fatal bad_certificate (42) alert.
    assert_eq!(
        closed_with(&se),
        Some(CloseReason::Error(DtlsError::Alert(42)))
    );
    let mut out = [0u8; 16];
    assert_eq!(
        c.export_keying_material(b"x", None, &mut out),
        Err(DtlsError::NotConnected)
    );
    assert_eq!(c.srtp_profile(), None);
}

#[test]
fn server_rejects_a_client_with_the_wrong_certificate() {
    let now = common::t0();
    let mut rng = Rng::from_seed([2; 32]);
    let (client, mut server) = common::configs(&mut rng, 1200);
    let impostor = Certificate::generate(&mut rng);
    server.remote_fingerprints = vec![impostor.fingerprint(HashAlg::Sha256)];
    let (mut c, mut s) = common::machines(2, client, server, now);
    common::shuttle(&mut c, &mut s, now);
    let se = common::events(&mut s);
    assert_eq!(
        closed_with(&se),
        Some(CloseReason::Error(DtlsError::FingerprintMismatch))
    );
    assert!(!se.iter().any(|e| matches!(e, DtlsEvent::Connected(_))));
    assert!(!c.is_connected() && !s.is_connected());
    let mut out = [0u8; 16];
    assert_eq!(
        s.export_keying_material(b"x", None, &mut out),
        Err(DtlsError::NotConnected)
    );
}

#[test]
fn any_listed_fingerprint_of_any_hash_matches() {
    for alg in [HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512] {
        let now = common::t0();
        let mut rng = Rng::from_seed([3; 32]);
        let cc = Certificate::generate(&mut rng);
        let sc = Certificate::generate(&mut rng);
        let other = Certificate::generate(&mut rng);
        // Several fingerprints in SDP: one of them must match.
        let client = Config::new(
            cc.clone(),
            vec![other.fingerprint(alg), sc.fingerprint(alg)],
        );
        let server = Config::new(sc, vec![cc.fingerprint(alg)]);
        let (mut c, mut s) = common::machines(3, client, server, now);
        common::shuttle(&mut c, &mut s, now);
        assert!(c.is_connected() && s.is_connected(), "{alg:?}");
        let connected = common::events(&mut c).into_iter().find_map(|e| match e {
            DtlsEvent::Connected(x) => Some(x),
            _ => None,
        });
        assert!(connected.unwrap().srtp.is_some());
    }
}

#[test]
fn no_fingerprint_is_a_config_error_unless_dangerously_skipped() {
    let mut rng = Rng::from_seed([4; 32]);
    let cert = Certificate::generate(&mut rng);
    let config = Config::new(cert.clone(), vec![]);
    assert!(
        muon_dtls::Dtls::new(muon_dtls::Role::Client, config, rng.fork(), common::t0()).is_err()
    );
    let config = Config::new(cert, vec![]).dangerous_skip_fingerprint_check();
    assert!(
        muon_dtls::Dtls::new(muon_dtls::Role::Client, config, rng.fork(), common::t0()).is_ok()
    );
}
