//! DTLS-SRTP: protection profiles and the keying material exported for SRTP (RFC 5764).

use crate::auth::PeerAuthenticated;
use crate::config::Role;
use crate::session::Session;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// The exporter label for DTLS-SRTP (RFC 5764 section 4.2).
pub(crate) const EXPORTER_LABEL: &[u8] = b"EXTRACTOR-dtls_srtp";

/// An SRTP protection profile (RFC 5764 section 4.1.2, RFC 7714 section 14.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SrtpProfile {
    /// SRTP_AES128_CM_HMAC_SHA1_80 (0x0001).
    Aes128CmHmacSha1_80,
    /// SRTP_AEAD_AES_128_GCM (0x0007).
    AeadAes128Gcm,
}

impl SrtpProfile {
    /// The IANA code point.
    pub fn code(self) -> u16 {
        match self {
            SrtpProfile::Aes128CmHmacSha1_80 => 0x0001,
            SrtpProfile::AeadAes128Gcm => 0x0007,
        }
    }

    /// The profile with this code point, if we implement it.
    pub fn from_code(code: u16) -> Option<Self> {
        [SrtpProfile::Aes128CmHmacSha1_80, SrtpProfile::AeadAes128Gcm]
            .into_iter()
            .find(|p| p.code() == code)
    }

    /// Master key length in bytes.
    pub fn key_len(self) -> usize {
        16
    }

    /// Master salt length in bytes (14 for AES-CM, 12 for AEAD GCM, RFC 7714 section 12).
    pub fn salt_len(self) -> usize {
        match self {
            SrtpProfile::Aes128CmHmacSha1_80 => 14,
            SrtpProfile::AeadAes128Gcm => 12,
        }
    }
}

/// SRTP master keys and salts for both directions (RFC 5764 section 4.2).
///
/// Only reachable from a [`crate::Connected`] event, which exists only once the peer's
/// certificate matched the SDP fingerprint and its signature verified.
///
/// The keys and salts are wiped from memory when a value is dropped ([`ZeroizeOnDrop`]);
/// copies the caller makes from the slices are the caller's to wipe.
#[derive(Clone, PartialEq, Eq)]
pub struct SrtpKeyingMaterial {
    profile: SrtpProfile,
    local_key: Vec<u8>,
    local_salt: Vec<u8>,
    remote_key: Vec<u8>,
    remote_salt: Vec<u8>,
}

impl SrtpKeyingMaterial {
    /// Splits the exporter output client_key | server_key | client_salt | server_salt.
    pub(crate) fn derive(
        session: &Session,
        _proof: &PeerAuthenticated,
        role: Role,
        profile: SrtpProfile,
    ) -> Self {
        let (k, s) = (profile.key_len(), profile.salt_len());
        let mut block = Zeroizing::new(vec![0u8; 2 * (k + s)]);
        session.export(EXPORTER_LABEL, None, &mut block);
        let (client_key, rest) = block.split_at(k);
        let (server_key, rest) = rest.split_at(k);
        let (client_salt, server_salt) = rest.split_at(s);
        let (local, remote) = match role {
            Role::Client => ((client_key, client_salt), (server_key, server_salt)),
            Role::Server => ((server_key, server_salt), (client_key, client_salt)),
        };
        Self {
            profile,
            local_key: local.0.to_vec(),
            local_salt: local.1.to_vec(),
            remote_key: remote.0.to_vec(),
            remote_salt: remote.1.to_vec(),
        }
    }

    /// The negotiated profile.
    pub fn profile(&self) -> SrtpProfile {
        self.profile
    }

    /// Master key for what we send.
    pub fn local_key(&self) -> &[u8] {
        &self.local_key
    }

    /// Master salt for what we send.
    pub fn local_salt(&self) -> &[u8] {
        &self.local_salt
    }

    /// Master key for what the peer sends.
    pub fn remote_key(&self) -> &[u8] {
        &self.remote_key
    }

    /// Master salt for what the peer sends.
    pub fn remote_salt(&self) -> &[u8] {
        &self.remote_salt
    }
}

impl Drop for SrtpKeyingMaterial {
    /// Wipes the keys and salts (each allocated once at its exact size, never grown, so no
    /// stale copy is left by a reallocation).
    fn drop(&mut self) {
        self.local_key.zeroize();
        self.local_salt.zeroize();
        self.remote_key.zeroize();
        self.remote_salt.zeroize();
    }
}

impl ZeroizeOnDrop for SrtpKeyingMaterial {}

impl std::fmt::Debug for SrtpKeyingMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SrtpKeyingMaterial")
            .field("profile", &self.profile)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_zod<T: ZeroizeOnDrop>() {}

    #[test]
    fn keying_material_zeroizes_on_drop() {
        assert_zod::<SrtpKeyingMaterial>();
    }

    #[test]
    fn profile_codes_and_lengths() {
        assert_eq!(
            SrtpProfile::from_code(1),
            Some(SrtpProfile::Aes128CmHmacSha1_80)
        );
        assert_eq!(SrtpProfile::from_code(7), Some(SrtpProfile::AeadAes128Gcm));
        assert_eq!(SrtpProfile::from_code(2), None);
        // RFC 5764: 2 * (16 + 14) = 60 bytes exported for AES-CM.
        assert_eq!(
            2 * (SrtpProfile::Aes128CmHmacSha1_80.key_len()
                + SrtpProfile::Aes128CmHmacSha1_80.salt_len()),
            60
        );
        assert_eq!(SrtpProfile::AeadAes128Gcm.salt_len(), 12);
    }
}
