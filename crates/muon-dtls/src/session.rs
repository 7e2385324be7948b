//! The negotiated session: suite, randoms and master secret (RFC 5246 section 8.1, RFC 7627).

use crate::crypto::aead::RecordCipher;
use crate::crypto::prf::{self, PrfHash};
use crate::crypto::suite::CipherSuite;
use crate::error::DtlsError;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// What both sides agreed on once the pre-master secret is known.
///
/// The master secret lives on the heap, so moving a `Session` between handshake states copies
/// a pointer, not the secret, and the one copy is wiped on drop.
pub(crate) struct Session {
    pub(crate) suite: CipherSuite,
    pub(crate) client_random: [u8; 32],
    pub(crate) server_random: [u8; 32],
    master: Box<[u8; 48]>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("suite", &self.suite)
            .finish_non_exhaustive()
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.master.zeroize();
    }
}

impl ZeroizeOnDrop for Session {}

impl Session {
    /// Derives the extended master secret from the pre-master secret and the transcript up to
    /// and including ClientKeyExchange (RFC 7627 section 4).
    pub(crate) fn new(
        suite: CipherSuite,
        client_random: [u8; 32],
        server_random: [u8; 32],
        pre_master: &[u8],
        transcript_through_cke: &[u8],
    ) -> Self {
        let hash = suite.prf_hash();
        let session_hash = hash.digest(transcript_through_cke);
        let mut master = Box::new([0u8; 48]);
        prf::extended_master_secret(hash, pre_master, &session_hash, &mut master);
        Self {
            suite,
            client_random,
            server_random,
            master,
        }
    }

    pub(crate) fn prf_hash(&self) -> PrfHash {
        self.suite.prf_hash()
    }

    /// Record ciphers for (client write, server write).
    pub(crate) fn ciphers(&self) -> Result<(RecordCipher, RecordCipher), DtlsError> {
        let kb = prf::key_block(
            self.prf_hash(),
            self.master.as_slice(),
            &self.client_random,
            &self.server_random,
            self.suite.key_len(),
        );
        Ok((
            RecordCipher::new(&kb.client_key, kb.client_salt)?,
            RecordCipher::new(&kb.server_key, kb.server_salt)?,
        ))
    }

    /// verify_data for the given side over `transcript`.
    pub(crate) fn verify_data(&self, client: bool, transcript: &[u8]) -> [u8; 12] {
        prf::verify_data(self.prf_hash(), self.master.as_slice(), client, transcript)
    }

    /// RFC 5705 exporter.
    pub(crate) fn export(&self, label: &[u8], context: Option<&[u8]>, out: &mut [u8]) {
        prf::export(
            self.prf_hash(),
            self.master.as_slice(),
            label,
            &self.client_random,
            &self.server_random,
            context,
            out,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_zod<T: ZeroizeOnDrop>() {}

    #[test]
    fn session_zeroizes_on_drop() {
        assert_zod::<Session>();
    }
}
