//! Credentials and the two checksums: MESSAGE-INTEGRITY(-SHA256) keys and FINGERPRINT.
//!
//! - Short-term credentials (ICE): key = the password
//!   ([RFC 8489 section 9.1.1](https://www.rfc-editor.org/rfc/rfc8489#section-9.1.1)).
//! - Long-term credentials (TURN): key = MD5(username ":" realm ":" password), or SHA-256 of the
//!   same string when PASSWORD-ALGORITHM is SHA-256
//!   ([RFC 8489 section 9.2.2](https://www.rfc-editor.org/rfc/rfc8489#section-9.2.2)).
//!
//! **String preparation, a documented simplification:** RFC 8489 runs realm and password
//! through the OpaqueString profile (RFC 8265; RFC 5389 used SASLprep). This crate uses the
//! strings' UTF-8 bytes as given, which is exactly right for printable ASCII and for strings
//! already prepared. Callers with other non-ASCII passwords must prepare them first (RFC 5769's
//! "The\u{AD}M\u{AA}tr\u{2168}" becomes "TheMatrIX"), or derive the key themselves and use
//! [`IntegrityKey::from_key`].

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::attr::PasswordAlgorithmId;

/// XORed into the CRC-32 of FINGERPRINT (RFC 8489 section 14.7): "STUN" in ASCII.
const FINGERPRINT_XOR: u32 = 0x5354_554E;

/// HMAC block size of both SHA-1 and SHA-256.
const BLOCK: usize = 64;

/// A MESSAGE-INTEGRITY key, ready to sign and verify.
///
/// It holds the HMAC-SHA1 and HMAC-SHA256 states already keyed, so signing or verifying a
/// message costs only the hashing of the message itself. Create one per credential and reuse
/// it. `Debug` never prints the key, and the keyed states are wiped from memory on drop
/// ([`ZeroizeOnDrop`]; the key bytes passed in stay the caller's to wipe).
#[derive(Clone)]
pub struct IntegrityKey {
    sha1: Hmac<Sha1>,
    sha256: Hmac<Sha256>,
}

impl IntegrityKey {
    /// A short-term credential key: the password itself (ICE uses the remote or local
    /// `ice-pwd`).
    pub fn short_term(password: &str) -> Self {
        Self::from_key(password.as_bytes())
    }

    /// A long-term credential key with the MD5 password algorithm, the only one of RFC 5389
    /// and the default of RFC 8489: MD5(username ":" realm ":" password).
    pub fn long_term(username: &str, realm: &str, password: &str) -> Self {
        Self::from_key(&long_term_digest::<Md5>(username, realm, password))
    }

    /// A long-term credential key for a given PASSWORD-ALGORITHM (MD5 or SHA-256); `None` for
    /// an algorithm this crate does not know.
    pub fn long_term_with(
        algorithm: PasswordAlgorithmId,
        username: &str,
        realm: &str,
        password: &str,
    ) -> Option<Self> {
        match algorithm {
            PasswordAlgorithmId::MD5 => Some(Self::long_term(username, realm, password)),
            PasswordAlgorithmId::SHA256 => Some(Self::from_key(&long_term_digest::<Sha256>(
                username, realm, password,
            ))),
            _ => None,
        }
    }

    /// A key from raw bytes (for keys derived or stored elsewhere).
    pub fn from_key(key: &[u8]) -> Self {
        // HMAC pads keys up to the block size with zeros and hashes longer ones first
        // (RFC 2104 section 2); doing it here keeps construction infallible.
        let sha1 = Hmac::<Sha1>::new((&*block_key::<Sha1>(key)).into());
        let sha256 = Hmac::<Sha256>::new((&*block_key::<Sha256>(key)).into());
        Self { sha1, sha256 }
    }

    /// HMAC-SHA1 over the concatenation of `parts`.
    pub(crate) fn hmac_sha1(&self, parts: &[&[u8]]) -> [u8; 20] {
        let mut mac = self.sha1.clone();
        parts.iter().for_each(|p| mac.update(p));
        mac.finalize().into_bytes().into()
    }

    /// HMAC-SHA256 over the concatenation of `parts`.
    pub(crate) fn hmac_sha256(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut mac = self.sha256.clone();
        parts.iter().for_each(|p| mac.update(p));
        mac.finalize().into_bytes().into()
    }
}

// The SHA-1 and SHA-256 cores inside each `Hmac` (inner and outer keyed states) wipe
// themselves on drop with the `zeroize` features of sha1 and sha2, and the block buffers with
// digest's; `tests::integrity_key_zeroizes_on_drop` checks the cores.
impl ZeroizeOnDrop for IntegrityKey {}

impl fmt::Debug for IntegrityKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IntegrityKey(<redacted>)")
    }
}

/// USERHASH for a username in a realm: SHA-256(username ":" realm)
/// ([RFC 8489 section 14.4](https://www.rfc-editor.org/rfc/rfc8489#section-14.4)), with the
/// same string preparation caveat as the keys (see the module docs).
pub fn userhash(username: &str, realm: &str) -> [u8; 32] {
    Sha256::new()
        .chain_update(username)
        .chain_update(":")
        .chain_update(realm)
        .finalize()
        .into()
}

/// The FINGERPRINT value for `bytes` (the message up to the FINGERPRINT attribute, with the
/// header length already covering it): CRC-32 XOR 0x5354554E.
pub(crate) fn fingerprint(parts: &[&[u8]]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    parts.iter().for_each(|p| h.update(p));
    h.finalize() ^ FINGERPRINT_XOR
}

/// The long-term key, wiped when dropped (the hasher wipes its own state).
fn long_term_digest<D: Digest>(username: &str, realm: &str, password: &str) -> Zeroizing<Vec<u8>> {
    let mut digest = D::new()
        .chain_update(username)
        .chain_update(":")
        .chain_update(realm)
        .chain_update(":")
        .chain_update(password)
        .finalize();
    let key = Zeroizing::new(digest.to_vec());
    digest.as_mut_slice().zeroize();
    key
}

/// The HMAC key padded to the block size, wiped when dropped.
fn block_key<D: Digest>(key: &[u8]) -> Zeroizing<[u8; BLOCK]> {
    let mut block = Zeroizing::new([0u8; BLOCK]);
    if key.len() > BLOCK {
        let mut digest = D::digest(key);
        block
            .iter_mut()
            .zip(digest.iter())
            .for_each(|(b, d)| *b = *d);
        digest.as_mut_slice().zeroize();
    } else {
        block.iter_mut().zip(key).for_each(|(b, k)| *b = *k);
    }
    block
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_zod<T: ZeroizeOnDrop>() {}

    /// Compile-time: the key and the hash cores holding its keyed states wipe themselves on
    /// drop (this fails to build without the `zeroize` features of sha1 and sha2).
    #[test]
    fn integrity_key_zeroizes_on_drop() {
        assert_zod::<IntegrityKey>();
        assert_zod::<<Sha1 as hmac::EagerHash>::Core>();
        assert_zod::<<Sha256 as hmac::EagerHash>::Core>();
    }

    #[test]
    fn long_term_md5_key_matches_rfc5769() {
        // RFC 5769 section 2.4: MD5("<username>:example.org:TheMatrIX").
        let key = long_term_digest::<Md5>(
            "\u{30DE}\u{30C8}\u{30EA}\u{30C3}\u{30AF}\u{30B9}",
            "example.org",
            "TheMatrIX",
        );
        // Cross-checked against MD5 computed independently (coreutils md5sum).
        assert_eq!(
            *key,
            [
                0xe8, 0xca, 0x7a, 0xd5, 0x9d, 0x5e, 0xb0, 0x51, 0x8e, 0x31, 0x29, 0x11, 0xd2, 0xda,
                0xb2, 0xa9
            ]
        );
        let short = IntegrityKey::from_key(&key);
        let again = IntegrityKey::long_term(
            "\u{30DE}\u{30C8}\u{30EA}\u{30C3}\u{30AF}\u{30B9}",
            "example.org",
            "TheMatrIX",
        );
        assert_eq!(short.hmac_sha1(&[b"x"]), again.hmac_sha1(&[b"x"]));
    }

    #[test]
    fn hmac_matches_rfc2202_and_rfc4231() {
        // RFC 2202 test case 2: key "Jefe", data "what do ya want for nothing?".
        let k = IntegrityKey::from_key(b"Jefe");
        let mac = k.hmac_sha1(&[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            mac,
            [
                0xef, 0xfc, 0xdf, 0x6a, 0xe5, 0xeb, 0x2f, 0xa2, 0xd2, 0x74, 0x16, 0xd5, 0xf1, 0x84,
                0xdf, 0x9c, 0x25, 0x9a, 0x7c, 0x79
            ]
        );
        // RFC 4231 test case 2, same key and data, HMAC-SHA-256 (first 8 bytes checked).
        let mac = k.hmac_sha256(&[b"what do ya want for nothing?"]);
        assert_eq!(mac[..8], [0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e]);
        // RFC 2202 test case 6: an 80-byte key (longer than a block) is hashed first.
        let k = IntegrityKey::from_key(&[0xaa; 80]);
        let mac = k.hmac_sha1(&[b"Test Using Larger Than Block-Size Key - Hash Key First"]);
        assert_eq!(mac[..4], [0xaa, 0x4a, 0xe5, 0xe1]);
    }

    #[test]
    fn crc32_is_the_ieee_polynomial() {
        // The standard CRC-32 check value of "123456789" is 0xCBF43926.
        assert_eq!(
            fingerprint(&[b"1234", b"56789"]) ^ FINGERPRINT_XOR,
            0xCBF4_3926
        );
    }

    #[test]
    fn debug_hides_the_key() {
        assert_eq!(
            format!("{:?}", IntegrityKey::short_term("secret")),
            "IntegrityKey(<redacted>)"
        );
    }
}
