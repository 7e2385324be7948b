//! The client's side of the handshake (RFC 5246 section 7.3, RFC 6347 section 4.2.1).

use std::time::Instant;

use subtle::ConstantTimeEq;

use super::{Established, OutMessage, State};
use crate::auth::{self, FingerprintVerified, PeerAuthenticated};
use crate::conn::Dtls;
use crate::crypto::kx::KeyShare;
use crate::crypto::sign::{PeerKey, sign_ecdsa};
use crate::crypto::suite::{CipherSuite, group, scheme};
use crate::error::{DtlsError, Misbehavior};
use crate::reassembly::Message;
use crate::session::Session;
use crate::srtp::SrtpProfile;
use crate::wire::extensions::{Extensions, UseSrtp};
use crate::wire::handshake::{HandshakeType, encode_whole};
use crate::wire::messages::{
    CertificateMsg, CertificateRequest, CertificateVerify, ClientHello, ClientKeyExchange,
    Finished, HelloVerifyRequest, ServerHello, ServerKeyExchange, decode_empty,
};
use crate::wire::record::DTLS_1_2;
use zeroize::Zeroizing;

/// How many HelloVerifyRequests we answer before giving up (a server sends one).
const MAX_HELLO_VERIFY_REQUESTS: u8 = 4;

/// ClientHello sent; waiting for HelloVerifyRequest or ServerHello.
#[derive(Debug)]
pub(crate) struct HelloSent {
    hello: ClientHello,
    /// The ClientHello as it enters the transcript (header included).
    hello_whole: Vec<u8>,
    verify_requests: u8,
}

/// ServerHello received; reading the rest of the server's flight.
#[derive(Debug)]
pub(crate) struct ServerFlight {
    client_random: [u8; 32],
    server_random: [u8; 32],
    suite: CipherSuite,
    srtp: Option<SrtpProfile>,
    transcript: Vec<u8>,
    server_hello_seq: u16,
    stage: Stage,
}

#[derive(Debug)]
enum Stage {
    Certificate,
    KeyExchange {
        leaf: Vec<u8>,
        fingerprint: FingerprintVerified,
        key: PeerKey,
    },
    RequestOrDone(Box<Keyed>),
    Requested(Box<Keyed>, Vec<u16>),
}

/// The server is authenticated and the ECDHE secret agreed.
struct Keyed {
    leaf: Vec<u8>,
    auth: PeerAuthenticated,
    share: KeyShare,
    /// Wiped on drop, as soon as the master secret is derived.
    pre_master: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for Keyed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keyed(<secret>)")
    }
}

/// Our last flight is out; waiting for the server's Finished.
#[derive(Debug)]
pub(crate) struct WaitFinished {
    session: Session,
    auth: PeerAuthenticated,
    srtp: Option<SrtpProfile>,
    transcript: Vec<u8>,
    leaf: Vec<u8>,
}

impl Dtls {
    fn client_hello(&mut self, random: [u8; 32], cookie: Vec<u8>) -> ClientHello {
        let profiles: Vec<u16> = self.config.srtp_profiles.iter().map(|p| p.code()).collect();
        ClientHello {
            version: DTLS_1_2,
            random,
            session_id: Vec::new(),
            cookie,
            cipher_suites: self.config.cipher_suites.iter().map(|s| s.code()).collect(),
            compression_methods: vec![0],
            extensions: Extensions {
                supported_groups: Some(group::OURS.to_vec()),
                ec_point_formats: Some(vec![0]),
                signature_algorithms: Some(scheme::VERIFY.to_vec()),
                use_srtp: (!profiles.is_empty()).then_some(UseSrtp {
                    profiles,
                    mki: Vec::new(),
                }),
                extended_master_secret: true,
                renegotiation_info: Some(Vec::new()),
                unknown: Vec::new(),
            },
        }
    }

    fn send_client_hello(
        &mut self,
        now: Instant,
        hello: ClientHello,
        verify_requests: u8,
    ) -> State {
        let mut hello_whole = Vec::new();
        let msg = self.out_message(
            0,
            HandshakeType::CLIENT_HELLO,
            hello.encode(),
            &mut hello_whole,
        );
        self.send_flight(now, vec![msg], true);
        State::ClientHelloSent(HelloSent {
            hello,
            hello_whole,
            verify_requests,
        })
    }

    /// Flight 1.
    pub(crate) fn client_start(&mut self, now: Instant) -> State {
        let random = self.rng.array();
        let hello = self.client_hello(random, Vec::new());
        self.send_client_hello(now, hello, 0)
    }

    /// HelloVerifyRequest (answer with flight 3) or ServerHello.
    pub(crate) fn client_on_hello_reply(
        &mut self,
        now: Instant,
        st: HelloSent,
        msg: Message,
    ) -> Result<State, DtlsError> {
        expect_epoch(&msg, 0)?;
        match msg.msg_type {
            HandshakeType::HELLO_VERIFY_REQUEST => {
                let hvr = HelloVerifyRequest::decode(&msg.body)?;
                if st.verify_requests >= MAX_HELLO_VERIFY_REQUESTS {
                    return Err(DtlsError::PeerMisbehaved(Misbehavior::UnexpectedMessage));
                }
                // RFC 6347 section 4.2.1: same parameters, now with the cookie; the first
                // ClientHello and the HelloVerifyRequest stay out of the transcript.
                let mut hello = st.hello;
                hello.cookie = hvr.cookie;
                self.peer_flight_start = Some(msg.seq);
                Ok(self.send_client_hello(now, hello, st.verify_requests + 1))
            }
            HandshakeType::SERVER_HELLO => self.client_on_server_hello(st, msg),
            _ => Err(DtlsError::PeerMisbehaved(Misbehavior::UnexpectedMessage)),
        }
    }

    fn client_on_server_hello(&mut self, st: HelloSent, msg: Message) -> Result<State, DtlsError> {
        let sh = ServerHello::decode(&msg.body)?;
        if sh.version != DTLS_1_2 {
            return Err(DtlsError::PeerMisbehaved(Misbehavior::UnsupportedVersion));
        }
        let suite = CipherSuite::from_code(sh.cipher_suite)
            .filter(|s| self.config.cipher_suites.contains(s))
            .ok_or(DtlsError::PeerMisbehaved(Misbehavior::UnsolicitedChoice))?;
        if sh.compression_method != 0 {
            return Err(DtlsError::PeerMisbehaved(Misbehavior::Compression));
        }
        let ext = &sh.extensions;
        // RFC 5246 section 7.4.1.4: an extension we did not offer is fatal (we offer only
        // the typed ones).
        if !ext.unknown.is_empty() {
            return Err(DtlsError::PeerMisbehaved(Misbehavior::UnsolicitedChoice));
        }
        super::check_initial_hello_extensions(ext)?;
        let srtp = match &ext.use_srtp {
            None => None,
            // RFC 5764 section 4.1.1: exactly one profile, one we offered; MKI as sent (empty).
            Some(UseSrtp { profiles, mki }) => match profiles.as_slice() {
                [code] if mki.is_empty() => Some(
                    SrtpProfile::from_code(*code)
                        .filter(|p| self.config.srtp_profiles.contains(p))
                        .ok_or(DtlsError::PeerMisbehaved(Misbehavior::NoCommonSrtpProfile))?,
                ),
                _ => return Err(DtlsError::PeerMisbehaved(Misbehavior::NoCommonSrtpProfile)),
            },
        };
        let mut transcript = st.hello_whole;
        encode_whole(&mut transcript, msg.msg_type, msg.seq, &msg.body);
        Ok(State::ClientServerFlight(ServerFlight {
            client_random: st.hello.random,
            server_random: sh.random,
            suite,
            srtp,
            transcript,
            server_hello_seq: msg.seq,
            stage: Stage::Certificate,
        }))
    }

    /// Certificate, ServerKeyExchange, CertificateRequest, ServerHelloDone (flight 4).
    pub(crate) fn client_on_server_flight(
        &mut self,
        now: Instant,
        mut st: ServerFlight,
        msg: Message,
    ) -> Result<State, DtlsError> {
        expect_epoch(&msg, 0)?;
        let unexpected = DtlsError::PeerMisbehaved(Misbehavior::UnexpectedMessage);
        encode_whole(&mut st.transcript, msg.msg_type, msg.seq, &msg.body);
        let stage = std::mem::replace(&mut st.stage, Stage::Certificate);
        st.stage = match (stage, msg.msg_type) {
            (Stage::Certificate, HandshakeType::CERTIFICATE) => {
                let chain = CertificateMsg::decode(&msg.body)?.chain;
                let leaf = chain
                    .into_iter()
                    .next()
                    .ok_or(DtlsError::PeerMisbehaved(Misbehavior::NoCertificate))?;
                let (fingerprint, key) = auth::check_fingerprint(&self.config, &leaf)?;
                if key.is_ecdsa() != st.suite.is_ecdsa() {
                    return Err(DtlsError::BadCertificate);
                }
                Stage::KeyExchange {
                    leaf,
                    fingerprint,
                    key,
                }
            }
            (
                Stage::KeyExchange {
                    leaf,
                    fingerprint,
                    key,
                },
                HandshakeType::SERVER_KEY_EXCHANGE,
            ) => {
                let ske = ServerKeyExchange::decode(&msg.body)?;
                if !scheme::VERIFY.contains(&ske.scheme) {
                    return Err(DtlsError::PeerMisbehaved(
                        Misbehavior::UnsupportedSignatureScheme,
                    ));
                }
                // RFC 8422 section 5.4: signed over client_random + server_random + params.
                let mut signed = Vec::with_capacity(64 + 4 + ske.public.len());
                signed.extend_from_slice(&st.client_random);
                signed.extend_from_slice(&st.server_random);
                signed.extend_from_slice(&ServerKeyExchange::params(ske.group, &ske.public));
                let auth =
                    auth::authenticate(fingerprint, &key, ske.scheme, &signed, &ske.signature)?;
                if !group::OURS.contains(&ske.group) {
                    return Err(DtlsError::PeerMisbehaved(Misbehavior::NoCommonGroup));
                }
                let share = KeyShare::generate(ske.group, &mut self.rng)
                    .ok_or(DtlsError::PeerMisbehaved(Misbehavior::NoCommonGroup))?;
                let pre_master = share.agree(&ske.public)?;
                Stage::RequestOrDone(Box::new(Keyed {
                    leaf,
                    auth,
                    share,
                    pre_master,
                }))
            }
            (Stage::RequestOrDone(keyed), HandshakeType::CERTIFICATE_REQUEST) => {
                let cr = CertificateRequest::decode(&msg.body)?;
                Stage::Requested(keyed, cr.schemes)
            }
            (Stage::RequestOrDone(keyed), HandshakeType::SERVER_HELLO_DONE) => {
                decode_empty(msg.msg_type, &msg.body)?;
                return self.client_send_flight5(now, st, *keyed, None);
            }
            (Stage::Requested(keyed, schemes), HandshakeType::SERVER_HELLO_DONE) => {
                decode_empty(msg.msg_type, &msg.body)?;
                return self.client_send_flight5(now, st, *keyed, Some(schemes));
            }
            _ => return Err(unexpected),
        };
        Ok(State::ClientServerFlight(st))
    }

    /// Certificate, ClientKeyExchange, CertificateVerify, ChangeCipherSpec, Finished.
    fn client_send_flight5(
        &mut self,
        now: Instant,
        st: ServerFlight,
        keyed: Keyed,
        requested: Option<Vec<u16>>,
    ) -> Result<State, DtlsError> {
        let mut transcript = st.transcript;
        let mut flight = Vec::new();
        if requested.is_some() {
            let cert = CertificateMsg {
                chain: vec![self.config.certificate.der().to_vec()],
            };
            flight.push(self.out_message(
                0,
                HandshakeType::CERTIFICATE,
                cert.encode(),
                &mut transcript,
            ));
        }
        let cke = ClientKeyExchange {
            public: keyed.share.public(),
        };
        flight.push(self.out_message(
            0,
            HandshakeType::CLIENT_KEY_EXCHANGE,
            cke.encode(),
            &mut transcript,
        ));
        let session = Session::new(
            st.suite,
            st.client_random,
            st.server_random,
            &keyed.pre_master,
            &transcript,
        );
        // The ECDHE private key and the pre-master secret are done with: wipe them now.
        drop(keyed.pre_master);
        drop(keyed.share);
        if let Some(schemes) = requested {
            if !schemes.contains(&scheme::ECDSA_SECP256R1_SHA256) {
                return Err(DtlsError::PeerMisbehaved(
                    Misbehavior::UnsupportedSignatureScheme,
                ));
            }
            // RFC 5246 section 7.4.8: signed over every handshake message so far.
            let cv = CertificateVerify {
                scheme: scheme::ECDSA_SECP256R1_SHA256,
                signature: sign_ecdsa(self.config.certificate.signing_key(), &transcript),
            };
            flight.push(self.out_message(
                0,
                HandshakeType::CERTIFICATE_VERIFY,
                cv.encode(),
                &mut transcript,
            ));
        }
        let (client_write, server_write) = session.ciphers()?;
        self.records.install(client_write, server_write);
        flight.push(OutMessage::ChangeCipherSpec);
        let fin = Finished {
            verify_data: session.verify_data(true, &transcript),
        };
        flight.push(self.out_message(1, HandshakeType::FINISHED, fin.encode(), &mut transcript));
        self.peer_flight_start = Some(st.server_hello_seq);
        self.send_flight(now, flight, true);
        Ok(State::ClientWaitFinished(WaitFinished {
            session,
            auth: keyed.auth,
            srtp: st.srtp,
            transcript,
            leaf: keyed.leaf,
        }))
    }

    /// The server's Finished (flight 6) completes the handshake.
    pub(crate) fn client_on_finished(
        &mut self,
        st: WaitFinished,
        msg: Message,
    ) -> Result<State, DtlsError> {
        if msg.msg_type != HandshakeType::FINISHED {
            return Err(DtlsError::PeerMisbehaved(Misbehavior::UnexpectedMessage));
        }
        expect_epoch(&msg, 1)?;
        let fin = Finished::decode(&msg.body)?;
        let expected = st.session.verify_data(false, &st.transcript);
        if !bool::from(expected.ct_eq(&fin.verify_data)) {
            return Err(DtlsError::PeerMisbehaved(Misbehavior::BadFinished));
        }
        self.flight.clear();
        let established = Established {
            session: st.session,
            auth: st.auth,
            srtp: st.srtp,
        };
        Ok(self.establish(established, st.leaf))
    }
}

/// Finished must be protected (epoch 1); everything before it must not be.
pub(crate) fn expect_epoch(msg: &Message, epoch: u16) -> Result<(), DtlsError> {
    if msg.epoch == epoch {
        Ok(())
    } else {
        Err(DtlsError::PeerMisbehaved(Misbehavior::UnexpectedMessage))
    }
}
