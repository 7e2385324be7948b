//! Stateless HelloVerifyRequest cookies (RFC 6347 section 4.2.1).
//!
//! Cookie = HMAC-SHA256(secret, ClientHello fields other than the cookie). A server machine
//! serves one peer (the layer below demultiplexes by address), so the cookie binds the
//! ClientHello's parameters; the server keeps nothing but its secret until a ClientHello comes
//! back with a valid cookie.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::wire::messages::ClientHello;

/// Bytes of cookie we send.
pub(crate) const COOKIE_LEN: usize = 32;

fn mac(secret: &[u8; 32], ch: &ClientHello) -> [u8; COOKIE_LEN] {
    let mut without_cookie = ch.clone();
    without_cookie.cookie.clear();
    let Ok(mut m) = <Hmac<Sha256> as KeyInit>::new_from_slice(secret) else {
        return [0; COOKIE_LEN];
    };
    m.update(&without_cookie.encode());
    m.finalize().into_bytes().into()
}

/// The cookie for this ClientHello.
pub(crate) fn make(secret: &[u8; 32], ch: &ClientHello) -> [u8; COOKIE_LEN] {
    mac(secret, ch)
}

/// True when the ClientHello carries the cookie we would have made for it (constant time).
pub(crate) fn check(secret: &[u8; 32], ch: &ClientHello) -> bool {
    ch.cookie.len() == COOKIE_LEN && bool::from(mac(secret, ch).ct_eq(&ch.cookie))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::extensions::Extensions;

    fn hello() -> ClientHello {
        ClientHello {
            version: 0xFEFD,
            random: [1; 32],
            session_id: vec![],
            cookie: vec![],
            cipher_suites: vec![0xC02B],
            compression_methods: vec![0],
            extensions: Extensions::default(),
        }
    }

    #[test]
    fn cookie_binds_the_hello_and_the_secret() {
        let mut ch = hello();
        assert!(!check(&[7; 32], &ch));
        ch.cookie = make(&[7; 32], &ch).to_vec();
        assert!(check(&[7; 32], &ch));
        assert!(!check(&[8; 32], &ch));
        let mut other = ch.clone();
        other.random[0] ^= 1;
        assert!(!check(&[7; 32], &other));
    }
}
