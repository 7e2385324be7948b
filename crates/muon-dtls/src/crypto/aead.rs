//! AES-GCM record protection (RFC 5288 section 3, RFC 6347 section 4.1.2.1).
//!
//! The 12-byte nonce is the 4-byte implicit salt from the key block followed by an 8-byte
//! explicit part that travels in the record. We set the explicit part to the record's
//! `epoch || sequence_number`, which never repeats under one key, so the nonce is never reused
//! and never drawn at random.

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes128Gcm, Aes256Gcm};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::error::DtlsError;
use crate::wire::record::{ContentType, RecordHeader};

/// Bytes of explicit nonce in front of the ciphertext.
pub(crate) const EXPLICIT_NONCE_LEN: usize = 8;
/// Bytes of GCM tag behind the ciphertext.
pub(crate) const TAG_LEN: usize = 16;
/// What protection adds to a record's payload.
pub(crate) const AEAD_OVERHEAD: usize = EXPLICIT_NONCE_LEN + TAG_LEN;

enum Gcm {
    Aes128(Box<Aes128Gcm>),
    Aes256(Box<Aes256Gcm>),
}

/// One direction's AES-GCM key and salt.
///
/// Wiped on drop: the AES round keys and the GHASH key by aes-gcm (its `zeroize` feature), the
/// implicit nonce salt here.
pub(crate) struct RecordCipher {
    gcm: Gcm,
    salt: [u8; 4],
}

impl Drop for RecordCipher {
    fn drop(&mut self) {
        self.salt.zeroize();
    }
}

// The `Gcm` boxes zeroize themselves; `tests::secrets_zeroize_on_drop` checks they do.
impl ZeroizeOnDrop for RecordCipher {}

impl std::fmt::Debug for RecordCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecordCipher(<key>)")
    }
}

impl RecordCipher {
    /// A cipher for a 16- or 32-byte key; other lengths are a programming error reported as
    /// a bad key.
    pub(crate) fn new(key: &[u8], salt: [u8; 4]) -> Result<Self, DtlsError> {
        let gcm = match key.len() {
            16 => Gcm::Aes128(Box::new(
                Aes128Gcm::new_from_slice(key).map_err(|_| DtlsError::BadRecordMac)?,
            )),
            32 => Gcm::Aes256(Box::new(
                Aes256Gcm::new_from_slice(key).map_err(|_| DtlsError::BadRecordMac)?,
            )),
            _ => return Err(DtlsError::BadRecordMac),
        };
        Ok(Self { gcm, salt })
    }

    fn nonce(&self, explicit: &[u8; 8]) -> [u8; 12] {
        let mut n = [0u8; 12];
        n[..4].copy_from_slice(&self.salt);
        n[4..].copy_from_slice(explicit);
        n
    }

    /// additional_data = seq_num(8) + type + version + length (RFC 5246 section 6.2.3.3,
    /// with DTLS's epoch-prefixed sequence number).
    fn aad(epoch_seq: u64, content_type: ContentType, version: u16, len: usize) -> [u8; 13] {
        let mut a = [0u8; 13];
        a[..8].copy_from_slice(&epoch_seq.to_be_bytes());
        a[8] = content_type.0;
        a[9..11].copy_from_slice(&version.to_be_bytes());
        a[11..].copy_from_slice(&(len as u16).to_be_bytes());
        a
    }

    /// Protects `plaintext` for a record with this header (its `length` is ignored) and
    /// appends explicit nonce, ciphertext and tag to `out`.
    pub(crate) fn seal(
        &self,
        header: &RecordHeader,
        plaintext: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), DtlsError> {
        let explicit = header.epoch_seq().to_be_bytes();
        let nonce = self.nonce(&explicit);
        let aad = Self::aad(
            header.epoch_seq(),
            header.content_type,
            header.version,
            plaintext.len(),
        );
        out.extend_from_slice(&explicit);
        let start = out.len();
        out.extend_from_slice(plaintext);
        let buf = &mut out[start..];
        let tag = match &self.gcm {
            Gcm::Aes128(c) => c.encrypt_inout_detached(&nonce.into(), &aad, buf.into()),
            Gcm::Aes256(c) => c.encrypt_inout_detached(&nonce.into(), &aad, buf.into()),
        }
        .map_err(|_| DtlsError::PayloadTooLarge)?;
        out.extend_from_slice(&tag);
        Ok(())
    }

    /// Authenticates and decrypts a protected record payload, returning the plaintext.
    pub(crate) fn open(&self, header: &RecordHeader, payload: &[u8]) -> Result<Vec<u8>, DtlsError> {
        if payload.len() < AEAD_OVERHEAD {
            return Err(DtlsError::BadRecordMac);
        }
        let (explicit, rest) = payload.split_at(EXPLICIT_NONCE_LEN);
        let (ciphertext, tag) = rest.split_at(rest.len() - TAG_LEN);
        let mut explicit_arr = [0u8; 8];
        explicit_arr.copy_from_slice(explicit);
        let nonce = self.nonce(&explicit_arr);
        let aad = Self::aad(
            header.epoch_seq(),
            header.content_type,
            header.version,
            ciphertext.len(),
        );
        let mut buf = ciphertext.to_vec();
        let mut tag_arr = [0u8; TAG_LEN];
        tag_arr.copy_from_slice(tag);
        match &self.gcm {
            Gcm::Aes128(c) => c.decrypt_inout_detached(
                &nonce.into(),
                &aad,
                buf.as_mut_slice().into(),
                &tag_arr.into(),
            ),
            Gcm::Aes256(c) => c.decrypt_inout_detached(
                &nonce.into(),
                &aad,
                buf.as_mut_slice().into(),
                &tag_arr.into(),
            ),
        }
        .map_err(|_| DtlsError::BadRecordMac)?;
        Ok(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_zod<T: ZeroizeOnDrop>() {}

    /// Compile-time: the record cipher and the aes-gcm key schedules it boxes wipe themselves
    /// (this fails to build without aes-gcm's `zeroize` feature).
    #[test]
    fn secrets_zeroize_on_drop() {
        assert_zod::<RecordCipher>();
        assert_zod::<Aes128Gcm>();
        assert_zod::<Aes256Gcm>();
    }
    use crate::wire::record::DTLS_1_2;

    fn header(seq: u64) -> RecordHeader {
        RecordHeader {
            content_type: ContentType::APPLICATION_DATA,
            version: DTLS_1_2,
            epoch: 1,
            seq,
            length: 0,
        }
    }

    #[test]
    fn seal_open_round_trip_and_explicit_nonce_is_epoch_and_seq() {
        for key_len in [16, 32] {
            let c = RecordCipher::new(&vec![7; key_len], [1, 2, 3, 4]).unwrap();
            let mut out = Vec::new();
            c.seal(&header(5), b"hello", &mut out).unwrap();
            assert_eq!(out.len(), 5 + AEAD_OVERHEAD);
            assert_eq!(&out[..8], &[0, 1, 0, 0, 0, 0, 0, 5]);
            assert_eq!(c.open(&header(5), &out).unwrap(), b"hello");
        }
    }

    #[test]
    fn tampering_or_wrong_header_fails_authentication() {
        let c = RecordCipher::new(&[7; 16], [1, 2, 3, 4]).unwrap();
        let mut out = Vec::new();
        c.seal(&header(5), b"hello", &mut out).unwrap();
        // The header is authenticated through the additional data.
        assert_eq!(c.open(&header(6), &out), Err(DtlsError::BadRecordMac));
        let mut bad = out.clone();
        bad[10] ^= 1;
        assert_eq!(c.open(&header(5), &bad), Err(DtlsError::BadRecordMac));
        assert_eq!(c.open(&header(5), &out[..20]), Err(DtlsError::BadRecordMac));
        let other = RecordCipher::new(&[8; 16], [1, 2, 3, 4]).unwrap();
        assert_eq!(other.open(&header(5), &out), Err(DtlsError::BadRecordMac));
    }

    /// GCM test case 3 of McGrew and Viega's GCM specification (also NIST's), expressed as a
    /// record: key feffe9..., nonce cafebabefacedbaddecaf888, empty AAD is not expressible,
    /// so this checks the primitive wiring through `Aes128Gcm` directly.
    #[test]
    fn aes128_gcm_spec_test_case_3() {
        let key = hex::decode("feffe9928665731c6d6a8f9467308308").unwrap();
        let nonce: [u8; 12] = hex::decode("cafebabefacedbaddecaf888")
            .unwrap()
            .try_into()
            .unwrap();
        let mut pt = hex::decode(
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72\
             1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
        )
        .unwrap();
        let gcm = Aes128Gcm::new_from_slice(&key).unwrap();
        let tag = gcm
            .encrypt_inout_detached(&nonce.into(), &[], pt.as_mut_slice().into())
            .unwrap();
        assert_eq!(
            hex::encode(&pt),
            "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e\
             21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985"
        );
        assert_eq!(hex::encode(tag), "4d5c2af327cd64a62cf35abd2ba6fab4");
    }
}
