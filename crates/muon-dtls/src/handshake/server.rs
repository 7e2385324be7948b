//! The server's side of the handshake, with the stateless cookie exchange
//! (RFC 6347 section 4.2.1) unless [`Config::cookie_exchange`](crate::Config) is off, and a
//! required client certificate.

use std::time::Instant;

use muon_proto::Reader;
use subtle::ConstantTimeEq;

use super::client::expect_epoch;
use super::{Established, OutMessage, State};
use crate::auth::{self, FingerprintVerified, PeerAuthenticated};
use crate::conn::Dtls;
use crate::cookie;
use crate::crypto::kx::KeyShare;
use crate::crypto::sign::{PeerKey, sign_ecdsa};
use crate::crypto::suite::{CipherSuite, EMPTY_RENEGOTIATION_INFO_SCSV, cert_type, group, scheme};
use crate::error::{DtlsError, Misbehavior};
use crate::reassembly::Message;
use crate::record_layer::RecordLayer;
use crate::session::Session;
use crate::srtp::SrtpProfile;
use crate::wire::extensions::{Extensions, UseSrtp};
use crate::wire::handshake::{HandshakeHeader, HandshakeType, encode_whole};
use crate::wire::messages::{
    CertificateMsg, CertificateRequest, CertificateVerify, ClientHello, ClientKeyExchange,
    Finished, HelloVerifyRequest, ServerHello, ServerKeyExchange,
};
use crate::wire::record::{ContentType, DTLS_1_0, DTLS_1_2, RecordHeader};

/// Flight 4 is out; reading the client's flight 5.
#[derive(Debug)]
pub(crate) struct ClientFlight {
    client_random: [u8; 32],
    server_random: [u8; 32],
    suite: CipherSuite,
    srtp: Option<SrtpProfile>,
    share: KeyShare,
    transcript: Vec<u8>,
    first_seq: Option<u16>,
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
    Verify {
        leaf: Vec<u8>,
        fingerprint: FingerprintVerified,
        key: PeerKey,
        session: Session,
    },
    Finished {
        leaf: Vec<u8>,
        auth: PeerAuthenticated,
        session: Session,
    },
}

/// The largest ClientHello a listening server reassembles from fragments before a cookie
/// returns (RFC 6347 section 4.2.3 lets a ClientHello be fragmented). Browsers' hellos are
/// 0.2 to 1.5 KiB; whole hellos in one record are not subject to this limit.
pub(crate) const MAX_LISTEN_CLIENT_HELLO: usize = 4096;

/// What the server chose from a ClientHello.
struct Choice {
    suite: CipherSuite,
    group: u16,
    srtp: Option<SrtpProfile>,
}

impl Dtls {
    /// A handshake record while stateless: answer a ClientHello without a valid cookie with
    /// a HelloVerifyRequest and keep nothing; with a valid cookie, start the handshake.
    /// With `cookie_exchange` off, every ClientHello starts the handshake at once.
    ///
    /// Numbering: each side's first message has message_seq 0, each next one adds 1 (RFC
    /// 6347 section 4.2.2). Without the cookie exchange the ServerHello is our first message
    /// (0); with it, the stateless HelloVerifyRequest was (0) and the ServerHello is 1. Both
    /// equal the accepted ClientHello's message_seq, which is what we continue from.
    /// Transcript: the accepted ClientHello opens it; a first hello answered with a
    /// HelloVerifyRequest, and the HelloVerifyRequest, never enter it (section 4.2.1).
    pub(crate) fn server_listen(
        &mut self,
        now: Instant,
        record: &RecordHeader,
        payload: &[u8],
    ) -> Result<(), DtlsError> {
        let mut r = Reader::new(payload);
        let (h, fragment) = HandshakeHeader::decode(&mut r)?;
        if h.msg_type != HandshakeType::CLIENT_HELLO {
            return Err(DtlsError::PeerMisbehaved(Misbehavior::UnexpectedMessage));
        }
        let reassembled;
        let body = if h.fragment_offset == 0 && h.fragment_length == h.length {
            fragment
        } else {
            // Browsers' ClientHellos outgrow one record (Chromium 156: 1413 bytes with DTLS
            // 1.3 key shares). Fragments are gathered in the otherwise idle reassembler, for
            // one message at a time and at most MAX_LISTEN_CLIENT_HELLO bytes: a spoofed
            // fragment costs a fixed, small buffer and arms no timer.
            if h.length as usize > MAX_LISTEN_CLIENT_HELLO {
                return Err(DtlsError::PeerMisbehaved(Misbehavior::MessageTooLarge));
            }
            if self.reasm.next_seq() != h.message_seq {
                self.reasm.reset_to(h.message_seq);
            }
            self.reasm.insert(0, &h, fragment)?;
            match self.reasm.pop() {
                Some(msg) => {
                    reassembled = msg.body;
                    &reassembled[..]
                }
                None => return Ok(()),
            }
        };
        let hello = ClientHello::decode(body)?;
        if self.config.cookie_exchange && !cookie::check(&self.cookie_secret, &hello) {
            let hvr = HelloVerifyRequest {
                // RFC 6347 section 4.2.1: DTLS 1.0 here works with every client version.
                version: DTLS_1_0,
                cookie: cookie::make(&self.cookie_secret, &hello).to_vec(),
            };
            let mut msg = Vec::new();
            encode_whole(
                &mut msg,
                HandshakeType::HELLO_VERIFY_REQUEST,
                h.message_seq,
                &hvr.encode(),
            );
            let mut dgram = Vec::new();
            // The record number echoes the ClientHello's (RFC 6347 section 4.2.1).
            RecordLayer::write_plain_with_seq(record.seq, ContentType::HANDSHAKE, &msg, &mut dgram);
            self.queue_transmit(dgram);
            self.count_hello_verify_request();
            return Ok(());
        }
        self.records.bump_epoch0_seq(record.seq);
        self.reasm.reset_to(h.message_seq.wrapping_add(1));
        self.send_seq = h.message_seq;
        self.give_up_at = Some(now + self.config.handshake_timeout);
        let mut transcript = Vec::new();
        encode_whole(
            &mut transcript,
            HandshakeType::CLIENT_HELLO,
            h.message_seq,
            body,
        );
        match self.server_send_flight4(now, hello, transcript, h.message_seq) {
            Ok(state) => {
                self.state = state;
                Ok(())
            }
            Err(e) => {
                self.fail(e);
                Err(e)
            }
        }
    }

    fn server_choose(&self, hello: &ClientHello) -> Result<Choice, DtlsError> {
        // DTLS versions count down: 0xFEFD is 1.2, 0xFEFF is 1.0.
        if hello.version > DTLS_1_2 {
            return Err(DtlsError::PeerMisbehaved(Misbehavior::UnsupportedVersion));
        }
        if !hello.compression_methods.contains(&0) {
            return Err(DtlsError::PeerMisbehaved(Misbehavior::Compression));
        }
        let ext = &hello.extensions;
        super::check_initial_hello_extensions(ext)?;
        // Our certificate is ECDSA, so only ECDHE_ECDSA suites can be served.
        let suite = self
            .config
            .cipher_suites
            .iter()
            .copied()
            .filter(|s| s.is_ecdsa())
            .find(|s| hello.cipher_suites.contains(&s.code()))
            .ok_or(DtlsError::PeerMisbehaved(Misbehavior::NoCommonCipherSuite))?;
        // RFC 8422 section 5.1.1: without supported_groups, assume nothing beyond P-256.
        let offered_groups = ext
            .supported_groups
            .clone()
            .unwrap_or_else(|| vec![group::SECP256R1]);
        let group = group::OURS
            .into_iter()
            .find(|g| offered_groups.contains(g))
            .ok_or(DtlsError::PeerMisbehaved(Misbehavior::NoCommonGroup))?;
        if ext
            .ec_point_formats
            .as_ref()
            .is_some_and(|f| !f.contains(&0))
        {
            return Err(DtlsError::PeerMisbehaved(Misbehavior::NoCommonGroup));
        }
        if ext
            .signature_algorithms
            .as_ref()
            .is_some_and(|a| !a.contains(&scheme::ECDSA_SECP256R1_SHA256))
        {
            return Err(DtlsError::PeerMisbehaved(
                Misbehavior::UnsupportedSignatureScheme,
            ));
        }
        // RFC 5764 section 4.1.1: our most preferred profile the client offers; without one in
        // common, continue without SRTP (the caller sees `srtp: None`).
        let srtp = ext.use_srtp.as_ref().and_then(|u| {
            self.config
                .srtp_profiles
                .iter()
                .copied()
                .find(|p| u.profiles.contains(&p.code()))
        });
        Ok(Choice { suite, group, srtp })
    }

    /// ServerHello, Certificate, ServerKeyExchange, CertificateRequest, ServerHelloDone.
    fn server_send_flight4(
        &mut self,
        now: Instant,
        hello: ClientHello,
        mut transcript: Vec<u8>,
        hello_seq: u16,
    ) -> Result<State, DtlsError> {
        let choice = self.server_choose(&hello)?;
        let server_random = self.rng.array();
        let secure_reneg = hello.extensions.renegotiation_info.is_some()
            || hello.cipher_suites.contains(&EMPTY_RENEGOTIATION_INFO_SCSV);
        let sh = ServerHello {
            version: DTLS_1_2,
            random: server_random,
            session_id: Vec::new(),
            cipher_suite: choice.suite.code(),
            compression_method: 0,
            extensions: Extensions {
                ec_point_formats: hello.extensions.ec_point_formats.as_ref().map(|_| vec![0]),
                // RFC 5764 section 4.1.1: one profile, and the client's MKI echoed.
                use_srtp: choice.srtp.map(|p| UseSrtp {
                    profiles: vec![p.code()],
                    mki: hello
                        .extensions
                        .use_srtp
                        .as_ref()
                        .map(|u| u.mki.clone())
                        .unwrap_or_default(),
                }),
                extended_master_secret: true,
                renegotiation_info: secure_reneg.then(Vec::new),
                ..Extensions::default()
            },
        };
        let share = KeyShare::generate(choice.group, &mut self.rng)
            .ok_or(DtlsError::PeerMisbehaved(Misbehavior::NoCommonGroup))?;
        let public = share.public();
        let mut signed = Vec::with_capacity(64 + 4 + public.len());
        signed.extend_from_slice(&hello.random);
        signed.extend_from_slice(&server_random);
        signed.extend_from_slice(&ServerKeyExchange::params(choice.group, &public));
        let ske = ServerKeyExchange {
            group: choice.group,
            signature: sign_ecdsa(self.config.certificate.signing_key(), &signed),
            public,
            scheme: scheme::ECDSA_SECP256R1_SHA256,
        };
        let cert = CertificateMsg {
            chain: vec![self.config.certificate.der().to_vec()],
        };
        let cr = CertificateRequest {
            certificate_types: vec![cert_type::ECDSA_SIGN, cert_type::RSA_SIGN],
            schemes: scheme::VERIFY.to_vec(),
            authorities: Vec::new(),
        };
        let flight = vec![
            self.out_message(0, HandshakeType::SERVER_HELLO, sh.encode(), &mut transcript),
            self.out_message(
                0,
                HandshakeType::CERTIFICATE,
                cert.encode(),
                &mut transcript,
            ),
            self.out_message(
                0,
                HandshakeType::SERVER_KEY_EXCHANGE,
                ske.encode(),
                &mut transcript,
            ),
            self.out_message(
                0,
                HandshakeType::CERTIFICATE_REQUEST,
                cr.encode(),
                &mut transcript,
            ),
            self.out_message(
                0,
                HandshakeType::SERVER_HELLO_DONE,
                Vec::new(),
                &mut transcript,
            ),
        ];
        self.peer_flight_start = Some(hello_seq);
        self.send_flight(now, flight, true);
        Ok(State::ServerClientFlight(ClientFlight {
            client_random: hello.random,
            server_random,
            suite: choice.suite,
            srtp: choice.srtp,
            share,
            transcript,
            first_seq: None,
            stage: Stage::Certificate,
        }))
    }

    /// Certificate, ClientKeyExchange, CertificateVerify, Finished (flight 5).
    pub(crate) fn server_on_client_flight(
        &mut self,
        mut st: ClientFlight,
        msg: Message,
    ) -> Result<State, DtlsError> {
        let unexpected = DtlsError::PeerMisbehaved(Misbehavior::UnexpectedMessage);
        st.first_seq.get_or_insert(msg.seq);
        let stage = std::mem::replace(&mut st.stage, Stage::Certificate);
        let stage = match (stage, msg.msg_type) {
            (Stage::Certificate, HandshakeType::CERTIFICATE) => {
                expect_epoch(&msg, 0)?;
                let leaf = CertificateMsg::decode(&msg.body)?
                    .chain
                    .into_iter()
                    .next()
                    .ok_or(DtlsError::PeerMisbehaved(Misbehavior::NoCertificate))?;
                let (fingerprint, key) = auth::check_fingerprint(&self.config, &leaf)?;
                Stage::KeyExchange {
                    leaf,
                    fingerprint,
                    key,
                }
            }
            // Client certificates are required: a ClientKeyExchange first is refused.
            (Stage::Certificate, HandshakeType::CLIENT_KEY_EXCHANGE) => {
                return Err(DtlsError::PeerMisbehaved(Misbehavior::NoCertificate));
            }
            (
                Stage::KeyExchange {
                    leaf,
                    fingerprint,
                    key,
                },
                HandshakeType::CLIENT_KEY_EXCHANGE,
            ) => {
                expect_epoch(&msg, 0)?;
                let cke = ClientKeyExchange::decode(&msg.body)?;
                let pre_master = st.share.agree(&cke.public)?;
                encode_whole(&mut st.transcript, msg.msg_type, msg.seq, &msg.body);
                let session = Session::new(
                    st.suite,
                    st.client_random,
                    st.server_random,
                    &pre_master,
                    &st.transcript,
                );
                // The pre-master secret is no longer needed: wipe it now.
                drop(pre_master);
                let (client_write, server_write) = session.ciphers()?;
                // Read keys now: the client's Finished may already be waiting.
                self.records.install(server_write, client_write);
                st.stage = Stage::Verify {
                    leaf,
                    fingerprint,
                    key,
                    session,
                };
                return Ok(State::ServerClientFlight(st));
            }
            (
                Stage::Verify {
                    leaf,
                    fingerprint,
                    key,
                    session,
                },
                HandshakeType::CERTIFICATE_VERIFY,
            ) => {
                expect_epoch(&msg, 0)?;
                let cv = CertificateVerify::decode(&msg.body)?;
                if !scheme::VERIFY.contains(&cv.scheme) {
                    return Err(DtlsError::PeerMisbehaved(
                        Misbehavior::UnsupportedSignatureScheme,
                    ));
                }
                // The signature covers every message before this one.
                let auth = auth::authenticate(
                    fingerprint,
                    &key,
                    cv.scheme,
                    &st.transcript,
                    &cv.signature,
                )?;
                Stage::Finished {
                    leaf,
                    auth,
                    session,
                }
            }
            (
                Stage::Finished {
                    leaf,
                    auth,
                    session,
                },
                HandshakeType::FINISHED,
            ) => {
                expect_epoch(&msg, 1)?;
                let fin = Finished::decode(&msg.body)?;
                let expected = session.verify_data(true, &st.transcript);
                if !bool::from(expected.ct_eq(&fin.verify_data)) {
                    return Err(DtlsError::PeerMisbehaved(Misbehavior::BadFinished));
                }
                encode_whole(&mut st.transcript, msg.msg_type, msg.seq, &msg.body);
                let ours = Finished {
                    verify_data: session.verify_data(false, &st.transcript),
                };
                let mut scratch = Vec::new();
                let fin_msg =
                    self.out_message(1, HandshakeType::FINISHED, ours.encode(), &mut scratch);
                // Flight 6 has no timer: it is resent when flight 5 is (RFC 6347 4.2.4).
                self.peer_flight_start = st.first_seq;
                self.send_final_flight(vec![OutMessage::ChangeCipherSpec, fin_msg]);
                let established = Established {
                    session,
                    auth,
                    srtp: st.srtp,
                };
                return Ok(self.establish(established, leaf));
            }
            _ => return Err(unexpected),
        };
        encode_whole(&mut st.transcript, msg.msg_type, msg.seq, &msg.body);
        st.stage = stage;
        Ok(State::ServerClientFlight(st))
    }
}
