//! DTLS attributes: `a=fingerprint`
//! ([RFC 8122 section 5](https://www.rfc-editor.org/rfc/rfc8122#section-5)) and `a=setup`
//! ([RFC 4145 section 4](https://www.rfc-editor.org/rfc/rfc4145#section-4)).

use std::fmt;

use crate::error::{Field, ParseErrorKind};
use crate::fields::{Fields, is_token};

/// The longest fingerprint accepted, in bytes (SHA-512's digest).
pub const MAX_FINGERPRINT_BYTES: usize = 64;

/// `a=fingerprint`: a certificate hash and its value as bytes.
///
/// Written as the hash name in lowercase and the value as colon-separated uppercase hex
/// ([RFC 8122](https://www.rfc-editor.org/rfc/rfc8122)'s `UHEX`), as every browser writes it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fingerprint {
    /// Hash function.
    pub hash: HashFunction,
    /// Digest bytes (32 for SHA-256), at most [`MAX_FINGERPRINT_BYTES`].
    pub value: Vec<u8>,
}

/// Hash function names from the IANA "Hash Function Textual Names" registry. Matched
/// ASCII-case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum HashFunction {
    /// `sha-1`.
    Sha1,
    /// `sha-224`.
    Sha224,
    /// `sha-256`.
    Sha256,
    /// `sha-384`.
    Sha384,
    /// `sha-512`.
    Sha512,
    /// `md5`.
    Md5,
    /// `md2`.
    Md2,
    /// Another token, lowercase; never one of the names above.
    Other(String),
}

/// `a=setup`: which side of the DTLS association connects
/// ([RFC 4145 section 4](https://www.rfc-editor.org/rfc/rfc4145#section-4),
/// [RFC 8842](https://www.rfc-editor.org/rfc/rfc8842)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Setup {
    /// `active`: this side is the DTLS client.
    Active,
    /// `passive`: this side is the DTLS server.
    Passive,
    /// `actpass`: either; offers must use this
    /// ([RFC 8842 section 5.2](https://www.rfc-editor.org/rfc/rfc8842#section-5.2)).
    Actpass,
    /// `holdconn`: no connection for now.
    Holdconn,
}

impl Fingerprint {
    pub(crate) fn parse(value: &str) -> Result<Self, ParseErrorKind> {
        let mut f = Fields::new(value);
        let hash = HashFunction::parse(f.next(Field::HashFunction)?)?;
        let hex = f.next(Field::Fingerprint)?;
        f.end()?;
        let mut bytes = Vec::new();
        for pair in hex.split(':') {
            let [hi, lo] = pair.as_bytes() else {
                return Err(ParseErrorKind::Invalid(Field::Fingerprint));
            };
            let (Some(hi), Some(lo)) = (hex_digit(*hi), hex_digit(*lo)) else {
                return Err(ParseErrorKind::Invalid(Field::Fingerprint));
            };
            if bytes.len() == MAX_FINGERPRINT_BYTES {
                return Err(ParseErrorKind::Invalid(Field::Fingerprint));
            }
            bytes.push(hi << 4 | lo);
        }
        Ok(Self { hash, value: bytes })
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ", self.hash)?;
        for (i, b) in self.value.iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

impl HashFunction {
    fn parse(s: &str) -> Result<Self, ParseErrorKind> {
        if !is_token(s) {
            return Err(ParseErrorKind::Invalid(Field::HashFunction));
        }
        let lower = s.to_ascii_lowercase();
        Ok(match lower.as_str() {
            "sha-1" => Self::Sha1,
            "sha-224" => Self::Sha224,
            "sha-256" => Self::Sha256,
            "sha-384" => Self::Sha384,
            "sha-512" => Self::Sha512,
            "md5" => Self::Md5,
            "md2" => Self::Md2,
            _ => Self::Other(lower),
        })
    }

    /// The registry name, lowercase.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Sha1 => "sha-1",
            Self::Sha224 => "sha-224",
            Self::Sha256 => "sha-256",
            Self::Sha384 => "sha-384",
            Self::Sha512 => "sha-512",
            Self::Md5 => "md5",
            Self::Md2 => "md2",
            Self::Other(s) => s,
        }
    }

    /// The digest length in bytes, for the functions this crate knows.
    pub fn digest_len(&self) -> Option<usize> {
        match self {
            Self::Sha1 => Some(20),
            Self::Sha224 => Some(28),
            Self::Sha256 => Some(32),
            Self::Sha384 => Some(48),
            Self::Sha512 => Some(64),
            Self::Md5 | Self::Md2 => Some(16),
            Self::Other(_) => None,
        }
    }
}

impl fmt::Display for HashFunction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Setup {
    pub(crate) fn parse(value: &str) -> Result<Self, ParseErrorKind> {
        match value {
            "active" => Ok(Self::Active),
            "passive" => Ok(Self::Passive),
            "actpass" => Ok(Self::Actpass),
            "holdconn" => Ok(Self::Holdconn),
            _ => Err(ParseErrorKind::Invalid(Field::Setup)),
        }
    }

    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Passive => "passive",
            Self::Actpass => "actpass",
            Self::Holdconn => "holdconn",
        }
    }
}

impl fmt::Display for Setup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 8122 section 5 example.
    #[test]
    fn rfc8122_sha1_example() {
        let text = "SHA-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB";
        let fp = Fingerprint::parse(text).unwrap();
        assert_eq!(fp.hash, HashFunction::Sha1);
        assert_eq!(fp.value.len(), HashFunction::Sha1.digest_len().unwrap());
        assert_eq!(&fp.value[..3], &[0x4A, 0xAD, 0xB9]);
        assert_eq!(fp.to_string(), text.replacen("SHA-1", "sha-1", 1));
    }

    #[test]
    fn lowercase_hex_is_read_and_written_upper() {
        let fp = Fingerprint::parse("sha-256 ab:0c").unwrap();
        assert_eq!(fp.value, vec![0xAB, 0x0C]);
        assert_eq!(fp.to_string(), "sha-256 AB:0C");
    }

    #[test]
    fn malformed_values_are_rejected() {
        let too_long = vec!["00"; MAX_FINGERPRINT_BYTES + 1].join(":");
        for bad in [
            "sha-256",
            "sha-256 A",
            "sha-256 ABC",
            "sha-256 AB:",
            "sha-256 :AB",
            "sha-256 G0",
            "sha-256 AB AB",
            &format!("sha-512 {too_long}"),
        ] {
            assert!(Fingerprint::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn setup_roles() {
        for s in ["active", "passive", "actpass", "holdconn"] {
            assert_eq!(Setup::parse(s).unwrap().as_str(), s);
        }
        assert_eq!(
            Setup::parse("ACTIVE"),
            Err(ParseErrorKind::Invalid(Field::Setup))
        );
    }
}
