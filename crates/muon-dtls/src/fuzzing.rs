//! Entry points for the fuzz target and its corpus replay test (not a stable API).

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use muon_proto::{Reader, Rng};

use crate::wire::extensions::Extensions;
use crate::wire::handshake::{HandshakeHeader, HandshakeType};
use crate::wire::messages::{
    CertificateMsg, CertificateRequest, CertificateVerify, ClientHello, ClientKeyExchange,
    Finished, HelloVerifyRequest, ServerHello, ServerKeyExchange,
};
use crate::wire::record::records;
use crate::{Certificate, Config, Dtls, Role};

/// Parses `data` as a datagram with every parser (records, handshake headers, each message
/// body, re-encoding what parses and checking it parses back the same), then feeds it to a
/// fresh client and server. Must never panic.
pub fn dtls_record(data: &[u8]) {
    for (header, payload) in records(data).flatten() {
        let _ = header;
        let mut r = Reader::new(payload);
        while let Ok((h, fragment)) = HandshakeHeader::decode(&mut r) {
            check_body(h.msg_type, fragment);
        }
    }
    // Also try the whole input as one message body of each type.
    for ty in [1u8, 2, 3, 11, 12, 13, 15, 16, 20] {
        check_body(HandshakeType(ty), data);
    }
    let _ = Extensions::decode(&mut Reader::new(data));
    feed_machines(data);
}

fn check_body(ty: HandshakeType, body: &[u8]) {
    macro_rules! round_trip {
        ($t:ty) => {
            if let Ok(m) = <$t>::decode(body) {
                let again = <$t>::decode(&m.encode());
                assert_eq!(
                    again.as_ref().ok(),
                    Some(&m),
                    "re-encoding must parse back the same"
                );
            }
        };
    }
    match ty {
        HandshakeType::CLIENT_HELLO => round_trip!(ClientHello),
        HandshakeType::SERVER_HELLO => round_trip!(ServerHello),
        HandshakeType::HELLO_VERIFY_REQUEST => round_trip!(HelloVerifyRequest),
        HandshakeType::CERTIFICATE => round_trip!(CertificateMsg),
        HandshakeType::SERVER_KEY_EXCHANGE => round_trip!(ServerKeyExchange),
        HandshakeType::CERTIFICATE_REQUEST => round_trip!(CertificateRequest),
        HandshakeType::CERTIFICATE_VERIFY => round_trip!(CertificateVerify),
        HandshakeType::CLIENT_KEY_EXCHANGE => round_trip!(ClientKeyExchange),
        HandshakeType::FINISHED => round_trip!(Finished),
        _ => {}
    }
}

fn feed_machines(data: &[u8]) {
    // Generating a certificate costs a millisecond; build the configuration once.
    static CONFIG: OnceLock<Config> = OnceLock::new();
    let config = CONFIG.get_or_init(|| {
        let cert = Certificate::generate(&mut Rng::from_seed([9; 32]));
        Config::new(cert, Vec::new()).dangerous_skip_fingerprint_check()
    });
    let mut rng = Rng::from_seed([10; 32]);
    // The harness needs some instant to pass in; the machines never read the clock.
    #[allow(clippy::disallowed_methods)]
    let now = Instant::now();
    for role in [Role::Client, Role::Server] {
        let Ok(mut m) = Dtls::new(role, config.clone(), rng.fork(), now) else {
            continue;
        };
        let _ = m.handle_receive(now, data);
        m.handle_timeout(now + Duration::from_secs(2));
        while m.poll_transmit().is_some() {}
        while m.poll_event().is_some() {}
    }
}
