//! Address attributes: MAPPED-ADDRESS and ALTERNATE-SERVER in the clear, XOR-MAPPED-ADDRESS,
//! XOR-PEER-ADDRESS and XOR-RELAYED-ADDRESS obfuscated with the magic cookie and transaction id.
//! [RFC 8489 sections 14.1, 14.2](https://www.rfc-editor.org/rfc/rfc8489#section-14.1).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |0 0 0 0 0 0 0 0|    Family     |         (X-)Port              |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                 (X-)Address (32 bits or 128 bits)             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::header::{MAGIC_COOKIE, TransactionId};

const FAMILY_V4: u8 = 0x01;
const FAMILY_V6: u8 = 0x02;

/// The 16-byte mask for IPv6: magic cookie then transaction id.
fn mask(txid: &TransactionId) -> [u8; 16] {
    let mut m = [0u8; 16];
    m[..4].copy_from_slice(&MAGIC_COOKIE.to_be_bytes());
    m[4..].copy_from_slice(txid.as_bytes());
    m
}

/// Decodes an address value; `xor` undoes the XOR obfuscation. `None` when malformed.
pub(crate) fn decode(value: &[u8], xor: Option<&TransactionId>) -> Option<SocketAddr> {
    let (&[_, family, p0, p1], rest) = value.split_first_chunk::<4>()?;
    let mut port = u16::from_be_bytes([p0, p1]);
    let mask = xor.map(mask);
    if mask.is_some() {
        port ^= (MAGIC_COOKIE >> 16) as u16;
    }
    let ip = match family {
        FAMILY_V4 => {
            let mut a: [u8; 4] = rest.try_into().ok()?;
            if let Some(m) = mask {
                a.iter_mut().zip(m).for_each(|(b, m)| *b ^= m);
            }
            IpAddr::V4(Ipv4Addr::from(a))
        }
        FAMILY_V6 => {
            let mut a: [u8; 16] = rest.try_into().ok()?;
            if let Some(m) = mask {
                a.iter_mut().zip(m).for_each(|(b, m)| *b ^= m);
            }
            IpAddr::V6(Ipv6Addr::from(a))
        }
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

/// Appends an address value (8 bytes for IPv4, 20 for IPv6).
pub(crate) fn encode(addr: SocketAddr, xor: Option<&TransactionId>, out: &mut Vec<u8>) {
    let mask = xor.map(mask);
    let port = match mask {
        Some(_) => addr.port() ^ (MAGIC_COOKIE >> 16) as u16,
        None => addr.port(),
    };
    let family = if addr.is_ipv4() { FAMILY_V4 } else { FAMILY_V6 };
    out.extend_from_slice(&[0, family]);
    out.extend_from_slice(&port.to_be_bytes());
    let m = mask.unwrap_or([0; 16]);
    match addr.ip() {
        IpAddr::V4(v4) => out.extend(v4.octets().iter().zip(m).map(|(b, m)| b ^ m)),
        IpAddr::V6(v6) => out.extend(v6.octets().iter().zip(m).map(|(b, m)| b ^ m)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn txid() -> TransactionId {
        TransactionId::from_bytes([
            0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
        ])
    }

    #[test]
    fn rfc5769_xor_values() {
        // RFC 5769 section 2.2 and 2.3 XOR-MAPPED-ADDRESS values.
        let v4 = [0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43];
        let a: SocketAddr = "192.0.2.1:32853".parse().unwrap();
        assert_eq!(decode(&v4, Some(&txid())), Some(a));
        let mut out = Vec::new();
        encode(a, Some(&txid()), &mut out);
        assert_eq!(out, v4);

        let v6 = [
            0x00, 0x02, 0xa1, 0x47, 0x01, 0x13, 0xa9, 0xfa, 0xa5, 0xd3, 0xf1, 0x79, 0xbc, 0x25,
            0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9,
        ];
        let a: SocketAddr = "[2001:db8:1234:5678:11:2233:4455:6677]:32853"
            .parse()
            .unwrap();
        assert_eq!(decode(&v6, Some(&txid())), Some(a));
        let mut out = Vec::new();
        encode(a, Some(&txid()), &mut out);
        assert_eq!(out, v6);
    }

    #[test]
    fn plain_addresses_round_trip_and_bad_ones_fail() {
        for a in ["10.1.2.3:1", "[::1]:65535"] {
            let a: SocketAddr = a.parse().unwrap();
            let mut out = Vec::new();
            encode(a, None, &mut out);
            assert_eq!(decode(&out, None), Some(a));
        }
        assert_eq!(decode(&[0, 1, 0, 1, 1, 2, 3], None), None);
        assert_eq!(decode(&[0, 3, 0, 1, 1, 2, 3, 4], None), None);
        assert_eq!(decode(&[0, 2, 0, 1, 1, 2, 3, 4], None), None);
        assert_eq!(decode(&[], None), None);
    }
}
