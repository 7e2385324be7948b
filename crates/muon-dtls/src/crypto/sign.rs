//! Handshake signatures: ECDSA P-256 with SHA-256 to sign (RFC 6979 deterministic nonces);
//! ECDSA P-256, RSA PKCS#1 v1.5 and RSA-PSS with SHA-256 to verify (RFC 5246 section 4.7,
//! RFC 8446 section 4.2.3 code points).

use p256::ecdsa::signature::{Signer, Verifier};
use p256::pkcs8::DecodePublicKey;
use sha2::Sha256;

use super::suite::scheme;
use crate::error::{DtlsError, Misbehavior};

/// Smallest RSA modulus we accept from a peer, in bits.
pub(crate) const MIN_RSA_BITS: usize = 2048;

/// A peer's public key, taken from its certificate's SubjectPublicKeyInfo.
#[derive(Debug, Clone)]
pub(crate) enum PeerKey {
    EcdsaP256(p256::ecdsa::VerifyingKey),
    Rsa(Box<rsa::PublicKey>),
}

impl PeerKey {
    /// Reads a DER SubjectPublicKeyInfo (P-256 or RSA).
    pub(crate) fn from_spki(spki: &[u8]) -> Result<Self, DtlsError> {
        if let Ok(pk) = p256::PublicKey::from_public_key_der(spki) {
            return Ok(PeerKey::EcdsaP256(p256::ecdsa::VerifyingKey::from(&pk)));
        }
        let rsa =
            rsa::PublicKey::from_public_key_der(spki).map_err(|_| DtlsError::BadCertificate)?;
        if rsa::traits::PublicKeyParts::size(&rsa) * 8 < MIN_RSA_BITS {
            return Err(DtlsError::BadCertificate);
        }
        Ok(PeerKey::Rsa(Box::new(rsa)))
    }

    /// True for an ECDSA key (which ECDHE_ECDSA suites need), false for RSA.
    pub(crate) fn is_ecdsa(&self) -> bool {
        matches!(self, PeerKey::EcdsaP256(_))
    }

    /// Checks `signature` over `message` under `scheme`; a scheme that does not fit the key
    /// type is an error.
    pub(crate) fn verify(
        &self,
        sig_scheme: u16,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), DtlsError> {
        let bad = DtlsError::PeerMisbehaved(Misbehavior::BadSignature);
        match (self, sig_scheme) {
            (PeerKey::EcdsaP256(vk), scheme::ECDSA_SECP256R1_SHA256) => {
                let sig = p256::ecdsa::Signature::from_der(signature).map_err(|_| bad)?;
                vk.verify(message, &sig).map_err(|_| bad)
            }
            (PeerKey::Rsa(pk), scheme::RSA_PKCS1_SHA256) => {
                let vk = rsa::pkcs1v15::VerifyingKey::<Sha256>::new((**pk).clone());
                let sig = rsa::pkcs1v15::Signature::try_from(signature).map_err(|_| bad)?;
                vk.verify(message, &sig).map_err(|_| bad)
            }
            (PeerKey::Rsa(pk), scheme::RSA_PSS_RSAE_SHA256) => {
                let vk = rsa::pss::VerifyingKey::<Sha256>::new((**pk).clone());
                let sig = rsa::pss::Signature::try_from(signature).map_err(|_| bad)?;
                vk.verify(message, &sig).map_err(|_| bad)
            }
            _ => Err(DtlsError::PeerMisbehaved(
                Misbehavior::UnsupportedSignatureScheme,
            )),
        }
    }
}

/// Signs `message` with ECDSA P-256 / SHA-256, DER-encoded (RFC 8422 section 5.4).
pub(crate) fn sign_ecdsa(key: &p256::ecdsa::SigningKey, message: &[u8]) -> Vec<u8> {
    let sig: p256::ecdsa::Signature = key.sign(message);
    sig.to_der().as_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::pkcs8::EncodePublicKey;

    #[test]
    fn ecdsa_sign_verify_and_reject() {
        let key = p256::ecdsa::SigningKey::from_slice(&[5; 32]).unwrap();
        let spki = key.verifying_key().to_public_key_der().unwrap();
        let peer = PeerKey::from_spki(spki.as_bytes()).unwrap();
        assert!(peer.is_ecdsa());
        let sig = sign_ecdsa(&key, b"transcript");
        // RFC 6979: deterministic.
        assert_eq!(sig, sign_ecdsa(&key, b"transcript"));
        peer.verify(scheme::ECDSA_SECP256R1_SHA256, b"transcript", &sig)
            .unwrap();
        assert_eq!(
            peer.verify(scheme::ECDSA_SECP256R1_SHA256, b"transcripT", &sig),
            Err(DtlsError::PeerMisbehaved(Misbehavior::BadSignature))
        );
        assert_eq!(
            peer.verify(scheme::RSA_PKCS1_SHA256, b"transcript", &sig),
            Err(DtlsError::PeerMisbehaved(
                Misbehavior::UnsupportedSignatureScheme
            ))
        );
    }

    #[test]
    fn garbage_spki_is_a_bad_certificate() {
        assert_eq!(
            PeerKey::from_spki(&[0x30, 0]).err(),
            Some(DtlsError::BadCertificate)
        );
    }
}
