//! Handshake message bodies (RFC 5246 section 7.4, RFC 6347 section 4.3.2, RFC 8422 section 5).

use muon_proto::{Reader, Truncated};

use super::extensions::{Extensions, put_u16_list, u16_list};
use super::handshake::HandshakeType;
use super::{put_vec, with_len};
use crate::error::{DtlsError, Wire};

/// ECCurveType named_curve (RFC 8422 section 5.4).
const NAMED_CURVE: u8 = 3;
/// Bytes of verify_data in Finished (RFC 5246 section 7.4.9).
pub(crate) const VERIFY_DATA_LEN: usize = 12;

fn malformed(ty: HandshakeType) -> impl Fn(Truncated) -> DtlsError {
    move |_| DtlsError::Malformed(Wire::HandshakeBody(ty.0))
}

fn finish(r: &Reader<'_>) -> Result<(), Truncated> {
    if r.is_empty() { Ok(()) } else { Err(Truncated) }
}

/// ClientHello (RFC 6347 section 4.2.1: with a cookie).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClientHello {
    pub(crate) version: u16,
    pub(crate) random: [u8; 32],
    pub(crate) session_id: Vec<u8>,
    pub(crate) cookie: Vec<u8>,
    pub(crate) cipher_suites: Vec<u16>,
    pub(crate) compression_methods: Vec<u8>,
    pub(crate) extensions: Extensions,
}

impl ClientHello {
    pub(crate) fn decode(body: &[u8]) -> Result<Self, DtlsError> {
        let ty = HandshakeType::CLIENT_HELLO;
        let mut r = Reader::new(body);
        let (version, random, session_id, cookie, suites, compression) = (|| {
            let version = r.u16()?;
            let random = r.array()?;
            let session_id = r.vec8()?;
            let cookie = r.vec8()?;
            let suites = u16_list(r.vec16()?)?;
            let compression = r.vec8()?;
            if session_id.len() > 32 || suites.is_empty() || compression.is_empty() {
                return Err(Truncated);
            }
            Ok((
                version,
                random,
                session_id.to_vec(),
                cookie.to_vec(),
                suites,
                compression.to_vec(),
            ))
        })()
        .map_err(malformed(ty))?;
        let extensions = Extensions::decode(&mut r)?;
        Ok(Self {
            version,
            random,
            session_id,
            cookie,
            cipher_suites: suites,
            compression_methods: compression,
            extensions,
        })
    }

    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128);
        out.extend_from_slice(&self.version.to_be_bytes());
        out.extend_from_slice(&self.random);
        put_vec(&mut out, 1, &self.session_id);
        put_vec(&mut out, 1, &self.cookie);
        put_u16_list(&mut out, &self.cipher_suites);
        put_vec(&mut out, 1, &self.compression_methods);
        self.extensions.encode(&mut out);
        out
    }
}

/// HelloVerifyRequest (RFC 6347 section 4.2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HelloVerifyRequest {
    pub(crate) version: u16,
    pub(crate) cookie: Vec<u8>,
}

impl HelloVerifyRequest {
    pub(crate) fn decode(body: &[u8]) -> Result<Self, DtlsError> {
        let mut r = Reader::new(body);
        (|| {
            let version = r.u16()?;
            let cookie = r.vec8()?.to_vec();
            finish(&r)?;
            Ok(Self { version, cookie })
        })()
        .map_err(malformed(HandshakeType::HELLO_VERIFY_REQUEST))
    }

    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = self.version.to_be_bytes().to_vec();
        put_vec(&mut out, 1, &self.cookie);
        out
    }
}

/// ServerHello (RFC 5246 section 7.4.1.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServerHello {
    pub(crate) version: u16,
    pub(crate) random: [u8; 32],
    pub(crate) session_id: Vec<u8>,
    pub(crate) cipher_suite: u16,
    pub(crate) compression_method: u8,
    pub(crate) extensions: Extensions,
}

impl ServerHello {
    pub(crate) fn decode(body: &[u8]) -> Result<Self, DtlsError> {
        let mut r = Reader::new(body);
        let (version, random, session_id, cipher_suite, compression_method) = (|| {
            let version = r.u16()?;
            let random = r.array()?;
            let session_id = r.vec8()?;
            if session_id.len() > 32 {
                return Err(Truncated);
            }
            Ok((version, random, session_id.to_vec(), r.u16()?, r.u8()?))
        })()
        .map_err(malformed(HandshakeType::SERVER_HELLO))?;
        let extensions = Extensions::decode(&mut r)?;
        Ok(Self {
            version,
            random,
            session_id,
            cipher_suite,
            compression_method,
            extensions,
        })
    }

    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(96);
        out.extend_from_slice(&self.version.to_be_bytes());
        out.extend_from_slice(&self.random);
        put_vec(&mut out, 1, &self.session_id);
        out.extend_from_slice(&self.cipher_suite.to_be_bytes());
        out.push(self.compression_method);
        self.extensions.encode(&mut out);
        out
    }
}

/// Certificate (RFC 5246 section 7.4.2): a chain of DER certificates, leaf first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CertificateMsg {
    pub(crate) chain: Vec<Vec<u8>>,
}

impl CertificateMsg {
    pub(crate) fn decode(body: &[u8]) -> Result<Self, DtlsError> {
        let mut r = Reader::new(body);
        (|| {
            let mut list = Reader::new(r.vec24()?);
            finish(&r)?;
            let mut chain = Vec::new();
            while !list.is_empty() {
                let cert = list.vec24()?;
                if cert.is_empty() {
                    return Err(Truncated);
                }
                chain.push(cert.to_vec());
            }
            Ok(Self { chain })
        })()
        .map_err(malformed(HandshakeType::CERTIFICATE))
    }

    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        with_len(&mut out, 3, |o| {
            for cert in &self.chain {
                put_vec(o, 3, cert);
            }
        });
        out
    }
}

/// ServerKeyExchange for ECDHE (RFC 8422 section 5.4) with a TLS 1.2 signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServerKeyExchange {
    pub(crate) group: u16,
    pub(crate) public: Vec<u8>,
    pub(crate) scheme: u16,
    pub(crate) signature: Vec<u8>,
}

impl ServerKeyExchange {
    pub(crate) fn decode(body: &[u8]) -> Result<Self, DtlsError> {
        let mut r = Reader::new(body);
        (|| {
            if r.u8()? != NAMED_CURVE {
                return Err(Truncated);
            }
            let group = r.u16()?;
            let public = r.vec8()?.to_vec();
            let scheme = r.u16()?;
            let signature = r.vec16()?.to_vec();
            finish(&r)?;
            Ok(Self {
                group,
                public,
                scheme,
                signature,
            })
        })()
        .map_err(malformed(HandshakeType::SERVER_KEY_EXCHANGE))
    }

    /// The ServerECDHParams, which the signature covers after the two randoms.
    pub(crate) fn params(group: u16, public: &[u8]) -> Vec<u8> {
        let mut out = vec![NAMED_CURVE];
        out.extend_from_slice(&group.to_be_bytes());
        put_vec(&mut out, 1, public);
        out
    }

    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Self::params(self.group, &self.public);
        out.extend_from_slice(&self.scheme.to_be_bytes());
        put_vec(&mut out, 2, &self.signature);
        out
    }
}

/// CertificateRequest (RFC 5246 section 7.4.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CertificateRequest {
    pub(crate) certificate_types: Vec<u8>,
    pub(crate) schemes: Vec<u16>,
    /// DistinguishedName list, kept raw (WebRTC peers send none).
    pub(crate) authorities: Vec<u8>,
}

impl CertificateRequest {
    pub(crate) fn decode(body: &[u8]) -> Result<Self, DtlsError> {
        let mut r = Reader::new(body);
        (|| {
            let certificate_types = r.vec8()?.to_vec();
            let schemes = u16_list(r.vec16()?)?;
            let authorities = r.vec16()?.to_vec();
            finish(&r)?;
            Ok(Self {
                certificate_types,
                schemes,
                authorities,
            })
        })()
        .map_err(malformed(HandshakeType::CERTIFICATE_REQUEST))
    }

    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        put_vec(&mut out, 1, &self.certificate_types);
        put_u16_list(&mut out, &self.schemes);
        put_vec(&mut out, 2, &self.authorities);
        out
    }
}

/// ClientKeyExchange for ECDHE (RFC 8422 section 5.7): the client's public value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClientKeyExchange {
    pub(crate) public: Vec<u8>,
}

impl ClientKeyExchange {
    pub(crate) fn decode(body: &[u8]) -> Result<Self, DtlsError> {
        let mut r = Reader::new(body);
        (|| {
            let public = r.vec8()?.to_vec();
            finish(&r)?;
            if public.is_empty() {
                return Err(Truncated);
            }
            Ok(Self { public })
        })()
        .map_err(malformed(HandshakeType::CLIENT_KEY_EXCHANGE))
    }

    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.public.len() + 1);
        put_vec(&mut out, 1, &self.public);
        out
    }
}

/// CertificateVerify (RFC 5246 section 7.4.8) and the signature part of ServerKeyExchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CertificateVerify {
    pub(crate) scheme: u16,
    pub(crate) signature: Vec<u8>,
}

impl CertificateVerify {
    pub(crate) fn decode(body: &[u8]) -> Result<Self, DtlsError> {
        let mut r = Reader::new(body);
        (|| {
            let scheme = r.u16()?;
            let signature = r.vec16()?.to_vec();
            finish(&r)?;
            Ok(Self { scheme, signature })
        })()
        .map_err(malformed(HandshakeType::CERTIFICATE_VERIFY))
    }

    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = self.scheme.to_be_bytes().to_vec();
        put_vec(&mut out, 2, &self.signature);
        out
    }
}

/// Finished (RFC 5246 section 7.4.9): 12 bytes of verify_data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finished {
    pub(crate) verify_data: [u8; VERIFY_DATA_LEN],
}

impl Finished {
    pub(crate) fn decode(body: &[u8]) -> Result<Self, DtlsError> {
        let verify_data = body
            .try_into()
            .map_err(|_| DtlsError::Malformed(Wire::HandshakeBody(HandshakeType::FINISHED.0)))?;
        Ok(Self { verify_data })
    }

    pub(crate) fn encode(&self) -> Vec<u8> {
        self.verify_data.to_vec()
    }
}

/// Checks that a ServerHelloDone (or HelloRequest) body is empty.
pub(crate) fn decode_empty(ty: HandshakeType, body: &[u8]) -> Result<(), DtlsError> {
    if body.is_empty() {
        Ok(())
    } else {
        Err(DtlsError::Malformed(Wire::HandshakeBody(ty.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::super::extensions::UseSrtp;
    use super::*;

    fn client_hello() -> ClientHello {
        ClientHello {
            version: 0xFEFD,
            random: [7; 32],
            session_id: vec![],
            cookie: vec![1, 2, 3],
            cipher_suites: vec![0xC02B, 0xC02F, 0x00FF],
            compression_methods: vec![0],
            extensions: Extensions {
                supported_groups: Some(vec![29, 23]),
                use_srtp: Some(UseSrtp {
                    profiles: vec![7, 1],
                    mki: vec![],
                }),
                extended_master_secret: true,
                ..Extensions::default()
            },
        }
    }

    #[test]
    fn client_hello_round_trips_and_has_rfc_layout() {
        let ch = client_hello();
        let bytes = ch.encode();
        // version, random, empty session id, cookie length 3 then the cookie.
        assert_eq!(&bytes[..2], &[0xFE, 0xFD]);
        assert_eq!(bytes[34], 0);
        assert_eq!(&bytes[35..39], &[3, 1, 2, 3]);
        assert_eq!(ClientHello::decode(&bytes).unwrap(), ch);
    }

    #[test]
    fn client_hello_without_suites_or_compression_is_malformed() {
        let mut ch = client_hello();
        ch.cipher_suites.clear();
        assert!(ClientHello::decode(&ch.encode()).is_err());
        let mut ch = client_hello();
        ch.compression_methods.clear();
        assert!(ClientHello::decode(&ch.encode()).is_err());
    }

    #[test]
    fn hello_verify_request_round_trips() {
        let hvr = HelloVerifyRequest {
            version: 0xFEFF,
            cookie: vec![9; 32],
        };
        let bytes = hvr.encode();
        assert_eq!(bytes.len(), 2 + 1 + 32);
        assert_eq!(HelloVerifyRequest::decode(&bytes).unwrap(), hvr);
        assert!(HelloVerifyRequest::decode(&bytes[..10]).is_err());
    }

    #[test]
    fn server_hello_round_trips() {
        let sh = ServerHello {
            version: 0xFEFD,
            random: [3; 32],
            session_id: vec![1; 32],
            cipher_suite: 0xC02B,
            compression_method: 0,
            extensions: Extensions {
                extended_master_secret: true,
                renegotiation_info: Some(vec![]),
                ..Extensions::default()
            },
        };
        assert_eq!(ServerHello::decode(&sh.encode()).unwrap(), sh);
    }

    #[test]
    fn certificate_round_trips_and_rejects_empty_entries() {
        let c = CertificateMsg {
            chain: vec![vec![0x30, 1, 2], vec![0x30]],
        };
        let bytes = c.encode();
        assert_eq!(&bytes[..3], &[0, 0, 10]);
        assert_eq!(CertificateMsg::decode(&bytes).unwrap(), c);
        assert!(CertificateMsg::decode(&[0, 0, 3, 0, 0, 0]).is_err());
        let empty = CertificateMsg { chain: vec![] };
        assert_eq!(CertificateMsg::decode(&empty.encode()).unwrap(), empty);
    }

    #[test]
    fn server_key_exchange_round_trips() {
        let ske = ServerKeyExchange {
            group: 29,
            public: vec![5; 32],
            scheme: 0x0403,
            signature: vec![0x30; 70],
        };
        let bytes = ske.encode();
        assert_eq!(&bytes[..4], &[3, 0, 29, 32]);
        assert_eq!(ServerKeyExchange::decode(&bytes).unwrap(), ske);
        let mut explicit_curve = bytes.clone();
        explicit_curve[0] = 1;
        assert!(ServerKeyExchange::decode(&explicit_curve).is_err());
    }

    #[test]
    fn certificate_request_round_trips() {
        let cr = CertificateRequest {
            certificate_types: vec![64, 1],
            schemes: vec![0x0403, 0x0401],
            authorities: vec![],
        };
        assert_eq!(CertificateRequest::decode(&cr.encode()).unwrap(), cr);
    }

    #[test]
    fn key_exchange_verify_and_finished_round_trip() {
        let cke = ClientKeyExchange {
            public: vec![4; 65],
        };
        assert_eq!(ClientKeyExchange::decode(&cke.encode()).unwrap(), cke);
        assert!(ClientKeyExchange::decode(&[0]).is_err());
        let cv = CertificateVerify {
            scheme: 0x0804,
            signature: vec![1; 256],
        };
        assert_eq!(CertificateVerify::decode(&cv.encode()).unwrap(), cv);
        let fin = Finished {
            verify_data: [0xAB; 12],
        };
        assert_eq!(Finished::decode(&fin.encode()).unwrap(), fin);
        assert!(Finished::decode(&[0; 11]).is_err());
        assert!(decode_empty(HandshakeType::SERVER_HELLO_DONE, &[]).is_ok());
        assert!(decode_empty(HandshakeType::SERVER_HELLO_DONE, &[0]).is_err());
    }
}
