//! The SCTP checksum: CRC32c (RFC 9260 Appendix A), hardware-accelerated by the `crc32c` crate
//! where the CPU offers it (SSE 4.2, ARMv8 CRC).

/// Offset of the checksum field in the common header.
pub(crate) const CHECKSUM_OFFSET: usize = 8;

/// CRC32c (Castagnoli) of `data`, as defined in RFC 3309 / RFC 9260 Appendix A.
pub fn crc32c(data: &[u8]) -> u32 {
    crc32c::crc32c(data)
}

/// The checksum of a whole SCTP packet, computed as if its checksum field were zero.
/// Returns `None` when the packet is shorter than the common header.
pub(crate) fn packet_checksum(packet: &[u8]) -> Option<u32> {
    let head = packet.get(..CHECKSUM_OFFSET)?;
    let tail = packet.get(CHECKSUM_OFFSET + 4..)?;
    let crc = crc32c::crc32c_append(0, head);
    let crc = crc32c::crc32c_append(crc, &[0; 4]);
    Some(crc32c::crc32c_append(crc, tail))
}

/// Writes the checksum into a finished packet. The field holds the CRC in little-endian order
/// (the bit-reflected CRC of RFC 9260 Appendix A transmitted least significant byte first).
pub(crate) fn seal(packet: &mut [u8], zero: bool) {
    let sum = if zero {
        0
    } else {
        packet_checksum(packet).unwrap_or(0)
    };
    if let Some(field) = packet.get_mut(CHECKSUM_OFFSET..CHECKSUM_OFFSET + 4) {
        field.copy_from_slice(&sum.to_le_bytes());
    }
}

/// The checksum field as stored in `packet`.
#[allow(dead_code)] // used by the association (next step)
pub(crate) fn stored_checksum(packet: &[u8]) -> Option<u32> {
    let field = packet.get(CHECKSUM_OFFSET..CHECKSUM_OFFSET + 4)?;
    let mut b = [0u8; 4];
    b.copy_from_slice(field);
    Some(u32::from_le_bytes(b))
}

/// True when the packet's stored checksum matches its contents.
#[allow(dead_code)] // used by the association (next step)
pub(crate) fn verify(packet: &[u8]) -> bool {
    matches!((stored_checksum(packet), packet_checksum(packet)), (Some(a), Some(b)) if a == b)
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 3720 Appendix B.4 (iSCSI CRC32c examples). The RFC lists the CRC bytes as they are
    // sent, least significant byte first; `u32::from_le_bytes` of them is the CRC value.
    #[test]
    fn rfc3720_b4_32_bytes_of_zeroes() {
        assert_eq!(crc32c(&[0u8; 32]).to_le_bytes(), [0xaa, 0x36, 0x91, 0x8a]);
    }

    #[test]
    fn rfc3720_b4_32_bytes_of_ones() {
        assert_eq!(
            crc32c(&[0xffu8; 32]).to_le_bytes(),
            [0x43, 0xab, 0xa8, 0x62]
        );
    }

    #[test]
    fn rfc3720_b4_32_bytes_incrementing() {
        let data: Vec<u8> = (0u8..32).collect();
        assert_eq!(crc32c(&data).to_le_bytes(), [0x4e, 0x79, 0xdd, 0x46]);
    }

    #[test]
    fn rfc3720_b4_32_bytes_decrementing() {
        let data: Vec<u8> = (0u8..32).rev().collect();
        assert_eq!(crc32c(&data).to_le_bytes(), [0x5c, 0xdb, 0x3f, 0x11]);
    }

    #[test]
    fn rfc3720_b4_iscsi_read_pdu() {
        #[rustfmt::skip]
        let pdu: [u8; 48] = [
            0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
            0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ];
        // This example's CRC is printed most significant byte first in the RFC.
        assert_eq!(crc32c(&pdu), 0xd996_3a56);
    }

    #[test]
    fn sealed_packet_verifies_and_corruption_is_detected() {
        let mut p = vec![0x13, 0x88, 0x13, 0x88, 1, 2, 3, 4, 0, 0, 0, 0, 11, 0, 0, 4];
        seal(&mut p, false);
        assert!(verify(&p));
        assert_eq!(stored_checksum(&p), packet_checksum(&p));
        p[13] ^= 1;
        assert!(!verify(&p));
        assert!(!verify(&p[..10]));
    }
}
