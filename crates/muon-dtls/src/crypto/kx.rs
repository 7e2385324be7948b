//! Ephemeral ECDH over X25519 (RFC 7748) and P-256 (RFC 8422 section 5.10).

use muon_proto::Rng;
use p256::elliptic_curve::sec1::ToSec1Point;
use zeroize::{ZeroizeOnDrop, Zeroizing};

use super::suite::group;
use crate::error::{DtlsError, Misbehavior};

/// Upper bound on draws when a random P-256 scalar is out of range (probability ~2^-32 each).
const MAX_SCALAR_DRAWS: usize = 16;

/// One ephemeral key pair for a single handshake.
///
/// Both secrets wipe themselves on drop: x25519-dalek's `StaticSecret` with its `zeroize`
/// feature, p256's `SecretKey` always (elliptic-curve).
pub(crate) enum KeyShare {
    X25519(x25519_dalek::StaticSecret),
    P256(p256::SecretKey),
}

// Every variant is `ZeroizeOnDrop`; `tests::secrets_zeroize_on_drop` checks it.
impl ZeroizeOnDrop for KeyShare {}

impl std::fmt::Debug for KeyShare {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyShare(<secret>)")
    }
}

impl KeyShare {
    /// A fresh key pair for `group`, from the machine's RNG. None for a group we do not know.
    pub(crate) fn generate(group_id: u16, rng: &mut Rng) -> Option<Self> {
        // The random bytes are the private key: drawn into a buffer wiped afterwards.
        let mut seed = Zeroizing::new([0u8; 32]);
        match group_id {
            group::X25519 => {
                rng.fill(seed.as_mut_slice());
                Some(KeyShare::X25519(x25519_dalek::StaticSecret::from(*seed)))
            }
            group::SECP256R1 => (0..MAX_SCALAR_DRAWS)
                .find_map(|_| {
                    rng.fill(seed.as_mut_slice());
                    p256::SecretKey::from_slice(seed.as_slice()).ok()
                })
                .map(KeyShare::P256),
            _ => None,
        }
    }

    /// Our public value as it goes on the wire (32 bytes, or an uncompressed SEC1 point).
    pub(crate) fn public(&self) -> Vec<u8> {
        match self {
            KeyShare::X25519(s) => x25519_dalek::PublicKey::from(s).as_bytes().to_vec(),
            KeyShare::P256(s) => s.public_key().to_sec1_point(false).as_bytes().to_vec(),
        }
    }

    /// The pre-master secret shared with the peer's public value, wiped when dropped (the
    /// libraries' own shared-secret values wipe themselves too).
    pub(crate) fn agree(&self, peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, DtlsError> {
        let bad = DtlsError::PeerMisbehaved(Misbehavior::BadKeyShare);
        match self {
            KeyShare::X25519(s) => {
                let peer: [u8; 32] = peer.try_into().map_err(|_| bad)?;
                let shared = s.diffie_hellman(&x25519_dalek::PublicKey::from(peer));
                // RFC 7748 section 6.1 / RFC 8422 section 5.11: reject the all-zero output
                // of a low-order point.
                if !shared.was_contributory() {
                    return Err(bad);
                }
                Ok(Zeroizing::new(shared.as_bytes().to_vec()))
            }
            KeyShare::P256(s) => {
                // Only uncompressed points (RFC 8422 section 5.1.2, the only format offered).
                if peer.len() != 65 || peer.first() != Some(&4) {
                    return Err(bad);
                }
                let pk = p256::PublicKey::from_sec1_bytes(peer).map_err(|_| bad)?;
                Ok(Zeroizing::new(
                    s.diffie_hellman(&pk).raw_secret_bytes().to_vec(),
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_zod<T: ZeroizeOnDrop>() {}

    /// Compile-time: the key share and the library secrets inside it wipe themselves on drop.
    #[test]
    fn secrets_zeroize_on_drop() {
        assert_zod::<KeyShare>();
        assert_zod::<x25519_dalek::StaticSecret>();
        assert_zod::<x25519_dalek::SharedSecret>();
        assert_zod::<p256::SecretKey>();
        assert_zod::<p256::ecdh::SharedSecret>();
        assert_zod::<Zeroizing<Vec<u8>>>();
    }

    #[test]
    fn both_groups_agree() {
        let mut rng = Rng::from_seed([1; 32]);
        for g in group::OURS {
            let a = KeyShare::generate(g, &mut rng).unwrap();
            let b = KeyShare::generate(g, &mut rng).unwrap();
            let s1 = a.agree(&b.public()).unwrap();
            let s2 = b.agree(&a.public()).unwrap();
            assert_eq!(s1, s2);
            assert_eq!(s1.len(), 32);
        }
        assert!(KeyShare::generate(24, &mut rng).is_none());
    }

    #[test]
    fn invalid_peer_values_are_rejected() {
        let mut rng = Rng::from_seed([2; 32]);
        let x = KeyShare::generate(group::X25519, &mut rng).unwrap();
        assert!(x.agree(&[0; 31]).is_err());
        // The all-zero point has small order: the shared secret would be zero.
        assert!(x.agree(&[0; 32]).is_err());
        let p = KeyShare::generate(group::SECP256R1, &mut rng).unwrap();
        assert!(p.agree(&[4; 65]).is_err());
        let mut compressed = p.public();
        compressed.truncate(33);
        compressed[0] = 2;
        assert!(p.agree(&compressed).is_err());
    }

    /// RFC 7748 section 6.1 Diffie-Hellman test vector.
    #[test]
    fn x25519_rfc7748_vector() {
        let alice: [u8; 32] =
            hex::decode("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
                .unwrap()
                .try_into()
                .unwrap();
        let bob_pub =
            hex::decode("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
                .unwrap();
        let share = KeyShare::X25519(x25519_dalek::StaticSecret::from(alice));
        assert_eq!(
            hex::encode(share.public()),
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
        );
        assert_eq!(
            hex::encode(share.agree(&bob_pub).unwrap()),
            "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"
        );
    }
}
