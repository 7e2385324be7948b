//! Cipher suites, groups and signature schemes we speak, as code points.

use super::prf::PrfHash;

/// A cipher suite (RFC 5289 section 3.2, RFC 8422 section 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CipherSuite {
    /// TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (0xC02B), preferred.
    EcdheEcdsaAes128GcmSha256,
    /// TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 (0xC02C).
    EcdheEcdsaAes256GcmSha384,
    /// TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (0xC02F), for peers with RSA certificates.
    EcdheRsaAes128GcmSha256,
}

impl CipherSuite {
    /// Every suite, in our order of preference.
    pub const ALL: [CipherSuite; 3] = [
        CipherSuite::EcdheEcdsaAes128GcmSha256,
        CipherSuite::EcdheEcdsaAes256GcmSha384,
        CipherSuite::EcdheRsaAes128GcmSha256,
    ];

    /// The IANA code point.
    pub fn code(self) -> u16 {
        match self {
            CipherSuite::EcdheEcdsaAes128GcmSha256 => 0xC02B,
            CipherSuite::EcdheEcdsaAes256GcmSha384 => 0xC02C,
            CipherSuite::EcdheRsaAes128GcmSha256 => 0xC02F,
        }
    }

    /// The suite with this code point, if we implement it.
    pub fn from_code(code: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The PRF hash (RFC 5246 section 5; SHA-384 for the AES-256 suite, RFC 5289).
    pub(crate) fn prf_hash(self) -> PrfHash {
        match self {
            CipherSuite::EcdheEcdsaAes256GcmSha384 => PrfHash::Sha384,
            _ => PrfHash::Sha256,
        }
    }

    /// AES key length in bytes.
    pub(crate) fn key_len(self) -> usize {
        match self {
            CipherSuite::EcdheEcdsaAes256GcmSha384 => 32,
            _ => 16,
        }
    }

    /// True when the server authenticates with an ECDSA certificate.
    pub(crate) fn is_ecdsa(self) -> bool {
        !matches!(self, CipherSuite::EcdheRsaAes128GcmSha256)
    }
}

/// TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 section 3.3).
pub(crate) const EMPTY_RENEGOTIATION_INFO_SCSV: u16 = 0x00FF;

/// Named groups (RFC 8422 section 5.1.1, RFC 7748).
pub(crate) mod group {
    pub(crate) const SECP256R1: u16 = 23;
    pub(crate) const X25519: u16 = 29;
    /// Ours, in order of preference.
    pub(crate) const OURS: [u16; 2] = [X25519, SECP256R1];
}

/// Signature schemes (RFC 5246 section 7.4.1.4.1 hash/signature pairs, RFC 8446 names).
pub(crate) mod scheme {
    pub(crate) const ECDSA_SECP256R1_SHA256: u16 = 0x0403;
    pub(crate) const RSA_PKCS1_SHA256: u16 = 0x0401;
    pub(crate) const RSA_PSS_RSAE_SHA256: u16 = 0x0804;
    /// What we accept from the peer, in order of preference.
    pub(crate) const VERIFY: [u16; 3] = [
        ECDSA_SECP256R1_SHA256,
        RSA_PSS_RSAE_SHA256,
        RSA_PKCS1_SHA256,
    ];
}

/// ClientCertificateType values for CertificateRequest (RFC 5246 7.4.4, RFC 8422 5.5).
pub(crate) mod cert_type {
    pub(crate) const RSA_SIGN: u8 = 1;
    pub(crate) const ECDSA_SIGN: u8 = 64;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_points_round_trip() {
        for s in CipherSuite::ALL {
            assert_eq!(CipherSuite::from_code(s.code()), Some(s));
        }
        assert_eq!(
            CipherSuite::from_code(0xC02B),
            Some(CipherSuite::EcdheEcdsaAes128GcmSha256)
        );
        assert_eq!(CipherSuite::from_code(0x002F), None);
        assert_eq!(CipherSuite::EcdheEcdsaAes256GcmSha384.key_len(), 32);
    }
}
