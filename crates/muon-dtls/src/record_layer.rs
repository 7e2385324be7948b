//! The record layer: epochs, sequence numbers, AEAD protection, replay detection and the
//! bounded buffer of records for the next epoch (RFC 6347 section 4.1).

use std::collections::VecDeque;

use crate::crypto::aead::{AEAD_OVERHEAD, RecordCipher};
use crate::error::{DtlsError, Limit};
use crate::replay::ReplayWindow;
use crate::wire::record::{
    ContentType, DTLS_1_0, DTLS_1_2, MAX_SEQ, RECORD_HEADER_LEN, RecordHeader,
};

/// What became of an incoming record.
#[derive(Debug)]
pub(crate) enum Opened {
    /// The record's plaintext.
    Plain(Vec<u8>),
    /// A record of the next epoch, kept until its keys exist.
    Buffered,
}

/// Both directions' record state. Renegotiation is refused, so epochs are 0 and 1 only.
#[derive(Debug)]
pub(crate) struct RecordLayer {
    write_seq: [u64; 2],
    write: Option<RecordCipher>,
    read: Option<RecordCipher>,
    replay: ReplayWindow,
    future: VecDeque<Vec<u8>>,
    max_future: usize,
}

impl RecordLayer {
    pub(crate) fn new(max_future: usize) -> Self {
        Self {
            write_seq: [0; 2],
            write: None,
            read: None,
            replay: ReplayWindow::default(),
            future: VecDeque::new(),
            max_future,
        }
    }

    /// Installs epoch-1 keys.
    pub(crate) fn install(&mut self, write: RecordCipher, read: RecordCipher) {
        self.write = Some(write);
        self.read = Some(read);
    }

    /// True once epoch-1 keys exist.
    pub(crate) fn has_keys(&self) -> bool {
        self.read.is_some()
    }

    /// Makes the next epoch-0 record use at least sequence number `seq` (a stateless server
    /// continues from the ClientHello's record number, RFC 6347 section 4.2.1).
    pub(crate) fn bump_epoch0_seq(&mut self, seq: u64) {
        self.write_seq[0] = self.write_seq[0].max(seq);
    }

    /// Bytes a record of `epoch` adds around its plaintext.
    pub(crate) fn overhead(epoch: u16) -> usize {
        RECORD_HEADER_LEN + if epoch == 0 { 0 } else { AEAD_OVERHEAD }
    }

    /// Appends one record to `out`, protecting it in epoch 1.
    pub(crate) fn write(
        &mut self,
        epoch: u16,
        content_type: ContentType,
        plaintext: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), DtlsError> {
        let slot = usize::from(epoch.min(1));
        let seq = self.write_seq[slot];
        if seq > MAX_SEQ {
            return Err(DtlsError::LimitExceeded(Limit::SequenceNumbers));
        }
        self.write_seq[slot] = seq + 1;
        let mut header = RecordHeader {
            content_type,
            version: DTLS_1_2,
            epoch,
            seq,
            length: 0,
        };
        if epoch == 0 {
            header.length = plaintext.len() as u16;
            header.encode(out);
            out.extend_from_slice(plaintext);
            return Ok(());
        }
        let cipher = self.write.as_ref().ok_or(DtlsError::NotConnected)?;
        header.length = (plaintext.len() + AEAD_OVERHEAD) as u16;
        header.encode(out);
        cipher.seal(&header, plaintext, out)
    }

    /// Writes an epoch-0 record with an explicit sequence number (the stateless
    /// HelloVerifyRequest echoes the ClientHello's).
    pub(crate) fn write_plain_with_seq(
        seq: u64,
        content_type: ContentType,
        payload: &[u8],
        out: &mut Vec<u8>,
    ) {
        let header = RecordHeader {
            content_type,
            version: DTLS_1_2,
            epoch: 0,
            seq,
            length: payload.len() as u16,
        };
        header.encode(out);
        out.extend_from_slice(payload);
    }

    /// Unprotects one record. Epoch 0 passes through; epoch 1 is buffered until keys exist,
    /// then replay-checked and authenticated; other epochs are dropped.
    pub(crate) fn open(
        &mut self,
        header: &RecordHeader,
        payload: &[u8],
    ) -> Result<Opened, DtlsError> {
        if header.version != DTLS_1_2 && !(header.epoch == 0 && header.version == DTLS_1_0) {
            return Err(DtlsError::Malformed(crate::error::Wire::Record));
        }
        match header.epoch {
            0 => Ok(Opened::Plain(payload.to_vec())),
            1 => {
                let Some(cipher) = &self.read else {
                    if self.future.len() >= self.max_future {
                        return Err(DtlsError::LimitExceeded(Limit::FutureRecords));
                    }
                    let mut raw = Vec::with_capacity(RECORD_HEADER_LEN + payload.len());
                    header.encode(&mut raw);
                    raw.extend_from_slice(payload);
                    self.future.push_back(raw);
                    return Ok(Opened::Buffered);
                };
                if !self.replay.is_fresh(header.seq) {
                    return Err(DtlsError::Replayed);
                }
                let plain = cipher.open(header, payload)?;
                self.replay.mark(header.seq);
                Ok(Opened::Plain(plain))
            }
            _ => Err(DtlsError::BadRecordMac),
        }
    }

    /// Buffered next-epoch records, once their keys exist.
    pub(crate) fn take_future(&mut self) -> Vec<Vec<u8>> {
        if self.read.is_none() {
            return Vec::new();
        }
        self.future.drain(..).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::record::records;

    fn pair() -> (RecordLayer, RecordLayer) {
        let mut a = RecordLayer::new(2);
        let mut b = RecordLayer::new(2);
        let k1 = || RecordCipher::new(&[1; 16], [1; 4]).unwrap();
        let k2 = || RecordCipher::new(&[2; 16], [2; 4]).unwrap();
        a.install(k1(), k2());
        b.install(k2(), k1());
        (a, b)
    }

    fn open_all(rl: &mut RecordLayer, dgram: &[u8]) -> Vec<Result<Vec<u8>, DtlsError>> {
        records(dgram)
            .map(|r| {
                let (h, p) = r.unwrap();
                match rl.open(&h, p)? {
                    Opened::Plain(v) => Ok(v),
                    Opened::Buffered => Ok(b"buffered".to_vec()),
                }
            })
            .collect()
    }

    #[test]
    fn protected_records_round_trip_and_replays_are_dropped() {
        let (mut a, mut b) = pair();
        let mut d = Vec::new();
        a.write(1, ContentType::APPLICATION_DATA, b"one", &mut d)
            .unwrap();
        assert_eq!(open_all(&mut b, &d), vec![Ok(b"one".to_vec())]);
        assert_eq!(open_all(&mut b, &d), vec![Err(DtlsError::Replayed)]);
        let mut d2 = Vec::new();
        a.write(1, ContentType::APPLICATION_DATA, b"two", &mut d2)
            .unwrap();
        d2[RECORD_HEADER_LEN + 9] ^= 1;
        assert_eq!(open_all(&mut b, &d2), vec![Err(DtlsError::BadRecordMac)]);
    }

    #[test]
    fn sequence_numbers_count_per_epoch() {
        let (mut a, _) = pair();
        let mut d = Vec::new();
        a.bump_epoch0_seq(5);
        a.write(0, ContentType::HANDSHAKE, b"x", &mut d).unwrap();
        a.write(1, ContentType::HANDSHAKE, b"y", &mut d).unwrap();
        a.write(0, ContentType::HANDSHAKE, b"z", &mut d).unwrap();
        let seqs: Vec<(u16, u64)> = records(&d)
            .map(|r| r.unwrap().0)
            .map(|h| (h.epoch, h.seq))
            .collect();
        assert_eq!(seqs, vec![(0, 5), (1, 0), (0, 6)]);
    }

    #[test]
    fn next_epoch_records_are_buffered_with_a_bound() {
        let (mut a, _) = pair();
        let mut plain = RecordLayer::new(2);
        let mut d = Vec::new();
        a.write(1, ContentType::HANDSHAKE, b"fin", &mut d).unwrap();
        for _ in 0..2 {
            assert_eq!(open_all(&mut plain, &d), vec![Ok(b"buffered".to_vec())]);
        }
        assert_eq!(
            open_all(&mut plain, &d),
            vec![Err(DtlsError::LimitExceeded(Limit::FutureRecords))]
        );
        assert!(plain.take_future().is_empty(), "no keys yet");
        let mut d3 = Vec::new();
        a.write(2, ContentType::HANDSHAKE, b"x", &mut d3).unwrap();
        assert_eq!(
            open_all(&mut plain, &d3),
            vec![Err(DtlsError::BadRecordMac)]
        );
    }
}
