//! The TLS 1.2 PRF and the key schedule built on it (RFC 5246 section 5, RFC 7627, RFC 5705).

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256, Sha384};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// The hash behind the PRF, fixed by the cipher suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PrfHash {
    Sha256,
    Sha384,
}

impl PrfHash {
    /// Hashes `data` (the handshake transcript for Finished and the session hash).
    pub(crate) fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            PrfHash::Sha256 => Sha256::digest(data).to_vec(),
            PrfHash::Sha384 => Sha384::digest(data).to_vec(),
        }
    }
}

/// P_hash (RFC 5246 section 5): A(i) = HMAC(secret, A(i-1)), out = HMAC(secret, A(i) + seed)...
fn p_hash<M: Mac + KeyInit + Clone>(secret: &[u8], seed: &[&[u8]], out: &mut [u8]) {
    let Ok(keyed) = <M as KeyInit>::new_from_slice(secret) else {
        // HMAC takes keys of any length; this branch is unreachable in practice.
        out.fill(0);
        return;
    };
    // A(1) = HMAC(secret, seed)
    let mut a = {
        let mut m = keyed.clone();
        for part in seed {
            m.update(part);
        }
        m.finalize().into_bytes()
    };
    for chunk in out.chunks_mut(a.len()) {
        let mut m = keyed.clone();
        m.update(&a);
        for part in seed {
            m.update(part);
        }
        let mut block = m.finalize().into_bytes();
        chunk.copy_from_slice(&block[..chunk.len()]);
        block.as_mut_slice().zeroize();
        let mut next = keyed.clone();
        next.update(&a);
        a = next.finalize().into_bytes();
    }
    // A(i) is HMAC output keyed by the secret: wipe the last one too.
    a.as_mut_slice().zeroize();
}

/// PRF(secret, label, seed) = P_<hash>(secret, label + seed), filling `out`.
pub(crate) fn prf(hash: PrfHash, secret: &[u8], label: &[u8], seed: &[&[u8]], out: &mut [u8]) {
    let mut parts: Vec<&[u8]> = Vec::with_capacity(seed.len() + 1);
    parts.push(label);
    parts.extend_from_slice(seed);
    match hash {
        PrfHash::Sha256 => p_hash::<Hmac<Sha256>>(secret, &parts, out),
        PrfHash::Sha384 => p_hash::<Hmac<Sha384>>(secret, &parts, out),
    }
}

/// The 48-byte master secret with the extended master secret (RFC 7627 section 4):
/// PRF(pre_master_secret, "extended master secret", session_hash), written into `master`
/// (the caller's buffer, so no copy of it is left behind).
pub(crate) fn extended_master_secret(
    hash: PrfHash,
    pre_master: &[u8],
    session_hash: &[u8],
    master: &mut [u8; 48],
) {
    prf(
        hash,
        pre_master,
        b"extended master secret",
        &[session_hash],
        master,
    );
}

/// The key block (RFC 5246 section 6.3): PRF(master, "key expansion", server_random + client_random).
/// For AEAD suites it holds client key, server key, client IV salt, server IV salt.
pub(crate) fn key_block(
    hash: PrfHash,
    master: &[u8],
    client_random: &[u8; 32],
    server_random: &[u8; 32],
    key_len: usize,
) -> KeyBlock {
    let mut block = Zeroizing::new(vec![0u8; 2 * key_len + 8]);
    prf(
        hash,
        master,
        b"key expansion",
        &[server_random, client_random],
        &mut block,
    );
    let (client_key, rest) = block.split_at(key_len);
    let (server_key, rest) = rest.split_at(key_len);
    let (client_salt, server_salt) = rest.split_at(4);
    let mut out = KeyBlock {
        client_key: client_key.to_vec(),
        server_key: server_key.to_vec(),
        client_salt: [0; 4],
        server_salt: [0; 4],
    };
    out.client_salt.copy_from_slice(client_salt);
    out.server_salt.copy_from_slice(server_salt);
    out
}

/// Keys for AES-GCM record protection, one set per direction. Wiped on drop.
pub(crate) struct KeyBlock {
    pub(crate) client_key: Vec<u8>,
    pub(crate) server_key: Vec<u8>,
    pub(crate) client_salt: [u8; 4],
    pub(crate) server_salt: [u8; 4],
}

impl Drop for KeyBlock {
    fn drop(&mut self) {
        self.client_key.zeroize();
        self.server_key.zeroize();
        self.client_salt.zeroize();
        self.server_salt.zeroize();
    }
}

impl ZeroizeOnDrop for KeyBlock {}

/// verify_data of Finished (RFC 5246 section 7.4.9).
pub(crate) fn verify_data(
    hash: PrfHash,
    master: &[u8],
    is_client: bool,
    transcript: &[u8],
) -> [u8; 12] {
    let label: &[u8] = if is_client {
        b"client finished"
    } else {
        b"server finished"
    };
    let mut out = [0u8; 12];
    prf(hash, master, label, &[&hash.digest(transcript)], &mut out);
    out
}

/// The keying-material exporter (RFC 5705 section 4).
pub(crate) fn export(
    hash: PrfHash,
    master: &[u8],
    label: &[u8],
    client_random: &[u8; 32],
    server_random: &[u8; 32],
    context: Option<&[u8]>,
    out: &mut [u8],
) {
    match context {
        None => prf(hash, master, label, &[client_random, server_random], out),
        Some(ctx) => {
            let len = (ctx.len() as u16).to_be_bytes();
            prf(
                hash,
                master,
                label,
                &[client_random, server_random, &len, ctx],
                out,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_zod<T: ZeroizeOnDrop>() {}

    /// Compile-time: the key block and the keyed HMAC states of the PRF wipe themselves.
    #[test]
    fn secrets_zeroize_on_drop() {
        assert_zod::<KeyBlock>();
        assert_zod::<<Sha256 as hmac::EagerHash>::Core>();
        assert_zod::<<Sha384 as hmac::EagerHash>::Core>();
    }

    /// The TLS 1.2 PRF (SHA-256) vector posted to the IETF TLS list (msg03416) and used by
    /// many libraries; OpenSSL's `openssl kdf TLS1-PRF` gives the same output.
    #[test]
    fn prf_sha256_ietf_vector() {
        let secret = hex::decode("9bbe436ba940f017b17652849a71db35").unwrap();
        let seed = hex::decode("a0ba9f936cda311827a6f796ffd5198c").unwrap();
        let expected = hex::decode(
            "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a\
             6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab\
             4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701\
             87347b66",
        )
        .unwrap();
        let mut out = vec![0u8; 100];
        prf(PrfHash::Sha256, &secret, b"test label", &[&seed], &mut out);
        assert_eq!(out, expected);
    }

    /// The SHA-384 companion vector from the same list.
    #[test]
    fn prf_sha384_ietf_vector() {
        let secret = hex::decode("b80b733d6ceefcdc71566ea48e5567df").unwrap();
        let seed = hex::decode("cd665cf6a8447dd6ff8b27555edb7465").unwrap();
        let expected = hex::decode(
            "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cd\
             e9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd\
             8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d918425\
             9b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee6\
             91c8f3a26854308d5eaa3be85e0990703d73e56f",
        )
        .unwrap();
        let mut out = vec![0u8; 148];
        prf(PrfHash::Sha384, &secret, b"test label", &[&seed], &mut out);
        assert_eq!(out, expected);
    }

    #[test]
    fn seed_parts_concatenate() {
        let mut a = [0u8; 40];
        let mut b = [0u8; 40];
        prf(PrfHash::Sha256, b"k", b"lab", &[b"se", b"ed"], &mut a);
        prf(PrfHash::Sha256, b"k", b"labse", &[b"ed"], &mut b);
        assert_eq!(a, b);
    }

    #[test]
    fn key_block_splits_in_rfc_order() {
        let master = [1u8; 48];
        let (cr, sr) = ([2u8; 32], [3u8; 32]);
        let kb = key_block(PrfHash::Sha256, &master, &cr, &sr, 16);
        let mut full = [0u8; 40];
        prf(
            PrfHash::Sha256,
            &master,
            b"key expansion",
            &[&sr, &cr],
            &mut full,
        );
        assert_eq!(kb.client_key, &full[..16]);
        assert_eq!(kb.server_key, &full[16..32]);
        assert_eq!(kb.client_salt, full[32..36]);
        assert_eq!(kb.server_salt, full[36..40]);
    }

    #[test]
    fn exporter_context_changes_output() {
        let (cr, sr) = ([2u8; 32], [3u8; 32]);
        let mut a = [0u8; 60];
        let mut b = [0u8; 60];
        let mut c = [0u8; 60];
        export(
            PrfHash::Sha256,
            &[9; 48],
            b"EXTRACTOR-dtls_srtp",
            &cr,
            &sr,
            None,
            &mut a,
        );
        export(
            PrfHash::Sha256,
            &[9; 48],
            b"EXTRACTOR-dtls_srtp",
            &cr,
            &sr,
            Some(&[]),
            &mut b,
        );
        let mut d = [0u8; 60];
        prf(
            PrfHash::Sha256,
            &[9; 48],
            b"EXTRACTOR-dtls_srtp",
            &[&cr, &sr],
            &mut d,
        );
        export(
            PrfHash::Sha256,
            &[9; 48],
            b"EXTRACTOR-dtls_srtp",
            &cr,
            &sr,
            None,
            &mut c,
        );
        assert_eq!(a, d);
        assert_ne!(a, b);
        assert_eq!(a, c);
    }
}
