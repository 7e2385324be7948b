//! Proof tokens of peer authentication (STYLE.md #4: a security step leaves a proof the next
//! state needs). Their fields are private to this module, so the only way to hold one is to
//! pass the check that creates it.

use subtle::ConstantTimeEq;

use crate::config::Config;
use crate::crypto::sign::PeerKey;
use crate::der;
use crate::error::DtlsError;

/// The peer's leaf certificate matched a fingerprint from the SDP (or the check was
/// dangerously disabled by configuration).
#[derive(Debug)]
pub(crate) struct FingerprintVerified {
    _private: (),
}

/// The peer proved possession of the key in that certificate (ServerKeyExchange or
/// CertificateVerify signature), on top of the fingerprint match.
#[derive(Debug)]
pub(crate) struct PeerAuthenticated {
    _private: (),
}

/// Checks the leaf certificate against the configured fingerprints in constant time and
/// extracts its public key.
pub(crate) fn check_fingerprint(
    config: &Config,
    leaf: &[u8],
) -> Result<(FingerprintVerified, PeerKey), DtlsError> {
    let key = PeerKey::from_spki(der::certificate_spki(leaf)?)?;
    if config.skips_fingerprint_check() {
        return Ok((FingerprintVerified { _private: () }, key));
    }
    // Evaluate every candidate so timing does not reveal which one matched.
    let mut matched = subtle::Choice::from(0u8);
    for fp in &config.remote_fingerprints {
        matched |= subtle::Choice::from(u8::from(fp.matches(leaf)));
    }
    if bool::from(matched.ct_eq(&subtle::Choice::from(1u8))) {
        Ok((FingerprintVerified { _private: () }, key))
    } else {
        Err(DtlsError::FingerprintMismatch)
    }
}

/// Verifies the peer's signature with the fingerprint-verified key.
pub(crate) fn authenticate(
    _fingerprint: FingerprintVerified,
    key: &PeerKey,
    scheme: u16,
    message: &[u8],
    signature: &[u8],
) -> Result<PeerAuthenticated, DtlsError> {
    key.verify(scheme, message, signature)?;
    Ok(PeerAuthenticated { _private: () })
}
