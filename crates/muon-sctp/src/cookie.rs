//! The state cookie (RFC 9260 section 5.1.3): everything needed to create the association,
//! sealed with an HMAC-SHA256 under a per-association secret, so a listener keeps no state
//! for an INIT until a valid COOKIE-ECHO proves the peer's address (section 5.1.3, 5.1.5).

use hmac::{Hmac, KeyInit, Mac};
use muon_proto::Reader;
use sha2::Sha256;

use crate::SctpError;

const MAC_LEN: usize = 32;
const BODY_LEN: usize = 4 * 5 + 2 * 2 + 1 + 8;
/// Encoded size of a cookie.
pub(crate) const COOKIE_LEN: usize = BODY_LEN + MAC_LEN;

/// What the cookie carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CookieData {
    pub(crate) local_tag: u32,
    pub(crate) peer_tag: u32,
    pub(crate) local_tsn: u32,
    pub(crate) peer_tsn: u32,
    pub(crate) peer_rwnd: u32,
    pub(crate) peer_outbound: u16,
    pub(crate) peer_inbound: u16,
    pub(crate) peer_forward_tsn: bool,
    pub(crate) peer_reconfig: bool,
    pub(crate) peer_zero_checksum: bool,
    /// Milliseconds since the association's epoch when the cookie was made.
    pub(crate) created_ms: u64,
}

impl CookieData {
    pub(crate) fn seal(&self, key: &[u8; 32]) -> Vec<u8> {
        let mut out = Vec::with_capacity(COOKIE_LEN);
        for v in [
            self.local_tag,
            self.peer_tag,
            self.local_tsn,
            self.peer_tsn,
            self.peer_rwnd,
        ] {
            out.extend_from_slice(&v.to_be_bytes());
        }
        out.extend_from_slice(&self.peer_outbound.to_be_bytes());
        out.extend_from_slice(&self.peer_inbound.to_be_bytes());
        out.push(
            u8::from(self.peer_forward_tsn)
                | u8::from(self.peer_reconfig) << 1
                | u8::from(self.peer_zero_checksum) << 2,
        );
        out.extend_from_slice(&self.created_ms.to_be_bytes());
        let tag = mac(key, &out);
        out.extend_from_slice(&tag);
        out
    }

    /// Verifies the MAC (in constant time) and decodes.
    pub(crate) fn open(key: &[u8; 32], cookie: &[u8]) -> Result<Self, SctpError> {
        if cookie.len() != COOKIE_LEN {
            return Err(SctpError::BadCookie);
        }
        let (body, tag) = cookie.split_at(BODY_LEN);
        let mut m =
            <Hmac<Sha256> as KeyInit>::new_from_slice(key).map_err(|_| SctpError::BadCookie)?;
        m.update(body);
        m.verify_slice(tag).map_err(|_| SctpError::BadCookie)?;
        let mut r = Reader::new(body);
        let data = Self {
            local_tag: r.u32()?,
            peer_tag: r.u32()?,
            local_tsn: r.u32()?,
            peer_tsn: r.u32()?,
            peer_rwnd: r.u32()?,
            peer_outbound: r.u16()?,
            peer_inbound: r.u16()?,
            peer_forward_tsn: false,
            peer_reconfig: false,
            peer_zero_checksum: false,
            created_ms: 0,
        };
        let flags = r.u8()?;
        Ok(Self {
            peer_forward_tsn: flags & 1 != 0,
            peer_reconfig: flags & 2 != 0,
            peer_zero_checksum: flags & 4 != 0,
            created_ms: r.u64()?,
            ..data
        })
    }
}

fn mac(key: &[u8; 32], body: &[u8]) -> [u8; MAC_LEN] {
    let mut out = [0u8; MAC_LEN];
    if let Ok(mut m) = <Hmac<Sha256> as KeyInit>::new_from_slice(key) {
        m.update(body);
        out.copy_from_slice(&m.finalize().into_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> CookieData {
        CookieData {
            local_tag: 1,
            peer_tag: 2,
            local_tsn: 3,
            peer_tsn: 4,
            peer_rwnd: 5,
            peer_outbound: 6,
            peer_inbound: 7,
            peer_forward_tsn: true,
            peer_reconfig: false,
            peer_zero_checksum: true,
            created_ms: 99,
        }
    }

    #[test]
    fn sealed_cookie_opens_with_the_same_key_only() {
        let c = sample();
        let sealed = c.seal(&[7; 32]);
        assert_eq!(sealed.len(), COOKIE_LEN);
        assert_eq!(CookieData::open(&[7; 32], &sealed), Ok(c));
        assert_eq!(
            CookieData::open(&[8; 32], &sealed),
            Err(SctpError::BadCookie)
        );
    }

    #[test]
    fn any_flipped_bit_is_rejected() {
        let sealed = sample().seal(&[7; 32]);
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 0x10;
            assert_eq!(CookieData::open(&[7; 32], &bad), Err(SctpError::BadCookie));
        }
        assert_eq!(
            CookieData::open(&[7; 32], &sealed[..10]),
            Err(SctpError::BadCookie)
        );
    }
}
