//! Self-signed ECDSA P-256 certificates and their fingerprints (RFC 8122 section 5, as used
//! by WebRTC's `a=fingerprint`, RFC 8827 section 6.5).

use std::fmt;
use std::str::FromStr;

use muon_proto::Rng;
use p256::pkcs8::{DecodePrivateKey, EncodePublicKey};
use sha2::{Digest, Sha256, Sha384, Sha512};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::der::{
    self, TAG_CONTEXT_0, TAG_GENERALIZED_TIME, TAG_OID, TAG_SEQUENCE, TAG_SET, TAG_UTC_TIME,
    TAG_UTF8_STRING,
};
use crate::error::{ConfigError, DtlsError};

/// ecdsa-with-SHA256, 1.2.840.10045.4.3.2 (RFC 5758 section 3.2), content octets.
const OID_ECDSA_WITH_SHA256: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02];
/// commonName, 2.5.4.3.
const OID_COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];
/// Subject and issuer common name of generated certificates.
const COMMON_NAME: &[u8] = b"muon";
/// notBefore of generated certificates: 2025-01-01. WebRTC peers authenticate by fingerprint,
/// not by validity period, and a sans-IO crate has no clock to read.
const NOT_BEFORE: &[u8] = b"250101000000Z";
/// notAfter: "no well-defined expiration date" (RFC 5280 section 4.1.2.5).
const NOT_AFTER: &[u8] = b"99991231235959Z";

/// A hash function for certificate fingerprints (the "hash-func" of RFC 8122).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HashAlg {
    /// SHA-256, what browsers use.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlg {
    /// The name used in SDP (`sha-256`, ...).
    pub fn sdp_name(self) -> &'static str {
        match self {
            HashAlg::Sha256 => "sha-256",
            HashAlg::Sha384 => "sha-384",
            HashAlg::Sha512 => "sha-512",
        }
    }

    /// The algorithm named in SDP (case-insensitive), if we support it.
    pub fn from_sdp_name(name: &str) -> Option<Self> {
        [HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512]
            .into_iter()
            .find(|a| a.sdp_name().eq_ignore_ascii_case(name))
    }

    fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            HashAlg::Sha256 => Sha256::digest(data).to_vec(),
            HashAlg::Sha384 => Sha384::digest(data).to_vec(),
            HashAlg::Sha512 => Sha512::digest(data).to_vec(),
        }
    }
}

/// A certificate fingerprint: a hash of the DER certificate (RFC 8122 section 5).
///
/// `Display` and `FromStr` use the SDP attribute value form, `sha-256 AB:CD:...`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Fingerprint {
    alg: HashAlg,
    digest: Vec<u8>,
}

impl Fingerprint {
    /// The fingerprint of a DER certificate.
    pub fn of(alg: HashAlg, der: &[u8]) -> Self {
        Self {
            alg,
            digest: alg.digest(der),
        }
    }

    /// A fingerprint from its parts (`digest` must have the hash's length).
    pub fn new(alg: HashAlg, digest: Vec<u8>) -> Result<Self, DtlsError> {
        if digest.len() != alg.digest(&[]).len() {
            return Err(DtlsError::Config(ConfigError::BadFingerprint));
        }
        Ok(Self { alg, digest })
    }

    /// The hash function.
    pub fn alg(&self) -> HashAlg {
        self.alg
    }

    /// The digest bytes.
    pub fn digest(&self) -> &[u8] {
        &self.digest
    }

    /// True when `der` hashes to this fingerprint, compared in constant time.
    pub fn matches(&self, der: &[u8]) -> bool {
        let actual = self.alg.digest(der);
        actual.ct_eq(&self.digest).into()
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.alg.sdp_name())?;
        for (i, b) in self.digest.iter().enumerate() {
            f.write_str(if i == 0 { " " } else { ":" })?;
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for Fingerprint {
    type Err = DtlsError;

    /// Parses `sha-256 AB:CD:...` (the value of SDP's `a=fingerprint`).
    fn from_str(s: &str) -> Result<Self, DtlsError> {
        let bad = DtlsError::Config(ConfigError::BadFingerprint);
        let (name, hex) = s.trim().split_once(' ').ok_or(bad)?;
        let alg = HashAlg::from_sdp_name(name).ok_or(bad)?;
        let digest = hex
            .trim()
            .split(':')
            .map(|pair| {
                if pair.len() == 2 {
                    u8::from_str_radix(pair, 16).map_err(|_| bad)
                } else {
                    Err(bad)
                }
            })
            .collect::<Result<Vec<u8>, _>>()?;
        Self::new(alg, digest)
    }
}

/// Our certificate: DER plus its ECDSA P-256 private key. Cloning copies the key; every copy
/// wipes its key on drop (p256's `SigningKey` zeroizes itself).
#[derive(Clone)]
pub struct Certificate {
    der: Vec<u8>,
    key: p256::ecdsa::SigningKey,
}

impl Certificate {
    /// Generates a self-signed ECDSA P-256 certificate (serial and key from `rng`).
    pub fn generate(rng: &mut Rng) -> Self {
        // The random bytes are the private key: drawn into a buffer wiped afterwards.
        let mut seed = Zeroizing::new([0u8; 32]);
        let key = loop {
            // A random 32-byte string is a valid scalar with probability 1 - 2^-32.
            rng.fill(seed.as_mut_slice());
            if let Ok(k) = p256::ecdsa::SigningKey::from_slice(seed.as_slice()) {
                break k;
            }
        };
        let mut serial: [u8; 16] = rng.array();
        serial[0] = (serial[0] & 0x7F) | 0x01;
        let spki = key
            .verifying_key()
            .to_public_key_der()
            .map(|d| d.as_bytes().to_vec())
            .unwrap_or_default();
        let name = |out: &mut Vec<u8>| {
            der::nested(out, TAG_SEQUENCE, |o| {
                der::nested(o, TAG_SET, |o| {
                    der::nested(o, TAG_SEQUENCE, |o| {
                        der::tlv(o, TAG_OID, OID_COMMON_NAME);
                        der::tlv(o, TAG_UTF8_STRING, COMMON_NAME);
                    });
                });
            });
        };
        let sig_alg = |out: &mut Vec<u8>| {
            der::nested(out, TAG_SEQUENCE, |o| {
                der::tlv(o, TAG_OID, OID_ECDSA_WITH_SHA256)
            });
        };
        let mut tbs = Vec::new();
        der::nested(&mut tbs, TAG_SEQUENCE, |o| {
            der::nested(o, TAG_CONTEXT_0, |o| der::unsigned_integer(o, &[2])); // v3
            der::unsigned_integer(o, &serial);
            sig_alg(o);
            name(o);
            der::nested(o, TAG_SEQUENCE, |o| {
                der::tlv(o, TAG_UTC_TIME, NOT_BEFORE);
                der::tlv(o, TAG_GENERALIZED_TIME, NOT_AFTER);
            });
            name(o);
            o.extend_from_slice(&spki);
        });
        let signature = crate::crypto::sign::sign_ecdsa(&key, &tbs);
        let mut der_out = Vec::new();
        der::nested(&mut der_out, TAG_SEQUENCE, |o| {
            o.extend_from_slice(&tbs);
            sig_alg(o);
            der::bit_string(o, &signature);
        });
        Self { der: der_out, key }
    }

    /// A certificate from DER and its PKCS#8 DER private key (ECDSA P-256 only). The key
    /// must match the certificate's public key.
    pub fn from_der(der: Vec<u8>, pkcs8_private_key: &[u8]) -> Result<Self, DtlsError> {
        let bad = DtlsError::Config(ConfigError::BadCertificate);
        let secret = p256::SecretKey::from_pkcs8_der(pkcs8_private_key).map_err(|_| bad)?;
        let key = p256::ecdsa::SigningKey::from(&secret);
        let spki = der::certificate_spki(&der).map_err(|_| bad)?;
        let ours = key.verifying_key().to_public_key_der().map_err(|_| bad)?;
        if ours.as_bytes() != spki {
            return Err(bad);
        }
        Ok(Self { der, key })
    }

    /// The DER encoding, as sent in the Certificate message.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The fingerprint to put in SDP's `a=fingerprint`.
    pub fn fingerprint(&self, alg: HashAlg) -> Fingerprint {
        Fingerprint::of(alg, &self.der)
    }

    pub(crate) fn signing_key(&self) -> &p256::ecdsa::SigningKey {
        &self.key
    }
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("fingerprint", &self.fingerprint(HashAlg::Sha256))
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::sign::PeerKey;
    use crate::crypto::suite::scheme;

    /// Compile-time: the private key, as stored in a certificate, wipes itself on drop.
    #[test]
    fn private_key_zeroizes_on_drop() {
        fn assert_zod<T: zeroize::ZeroizeOnDrop>(_: &T) {}
        let cert = Certificate::generate(&mut Rng::from_seed([3; 32]));
        assert_zod(&cert.key);
        assert_zod(cert.signing_key());
    }

    #[test]
    fn generated_certificate_carries_its_key_and_verifies() {
        let cert = Certificate::generate(&mut Rng::from_seed([1; 32]));
        let spki = der::certificate_spki(cert.der()).unwrap();
        let peer = PeerKey::from_spki(spki).unwrap();
        let sig = crate::crypto::sign::sign_ecdsa(cert.signing_key(), b"m");
        peer.verify(scheme::ECDSA_SECP256R1_SHA256, b"m", &sig)
            .unwrap();
    }

    #[test]
    fn generation_is_reproducible_from_the_seed() {
        let a = Certificate::generate(&mut Rng::from_seed([1; 32]));
        let b = Certificate::generate(&mut Rng::from_seed([1; 32]));
        let c = Certificate::generate(&mut Rng::from_seed([2; 32]));
        assert_eq!(a.der(), b.der());
        assert_ne!(a.der(), c.der());
    }

    #[test]
    fn fingerprint_formats_parses_and_matches() {
        let cert = Certificate::generate(&mut Rng::from_seed([3; 32]));
        for alg in [HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512] {
            let fp = cert.fingerprint(alg);
            let text = fp.to_string();
            assert!(text.starts_with(alg.sdp_name()));
            assert_eq!(text.split(':').count(), fp.digest().len());
            let back: Fingerprint = text.parse().unwrap();
            assert_eq!(back, fp);
            assert!(back.matches(cert.der()));
            assert!(!back.matches(&cert.der()[1..]));
        }
    }

    #[test]
    fn sha256_fingerprint_is_the_sha256_of_the_der() {
        let fp = Fingerprint::of(HashAlg::Sha256, b"abc");
        assert_eq!(
            hex::encode(fp.digest()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(fp.to_string().starts_with("sha-256 BA:78:16:BF"));
    }

    #[test]
    fn bad_fingerprint_strings_are_rejected() {
        for s in [
            "",
            "sha-256",
            "md5 AB:CD",
            "sha-256 AB:CD",
            "sha-256 ZZ",
            "sha-256 ABC:D",
        ] {
            assert!(s.parse::<Fingerprint>().is_err(), "{s}");
        }
    }

    #[test]
    fn from_der_requires_the_matching_key() {
        use p256::pkcs8::EncodePrivateKey;
        let a = Certificate::generate(&mut Rng::from_seed([4; 32]));
        let b = Certificate::generate(&mut Rng::from_seed([5; 32]));
        let key_a = p256::SecretKey::from(a.signing_key().as_nonzero_scalar())
            .to_pkcs8_der()
            .unwrap();
        let back = Certificate::from_der(a.der().to_vec(), key_a.as_bytes()).unwrap();
        assert_eq!(back.der(), a.der());
        assert!(Certificate::from_der(b.der().to_vec(), key_a.as_bytes()).is_err());
    }
}
