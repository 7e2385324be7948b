//! The `a=ice-pwd` value ([RFC 8839 section 5.4](https://www.rfc-editor.org/rfc/rfc8839#section-5.4)).

use std::fmt;

/// An ICE password. It keys the STUN MESSAGE-INTEGRITY of every connectivity check, so
/// `Debug` never prints it: logging a parsed [`Session`](crate::Session) does not leak it.
/// `Display` (and the SDP writer) write it as is.
///
/// ```
/// use muon_sdp::IcePassword;
/// let pwd = IcePassword::from("nJTHEdxTUJ25l05Rm3ve6tWR");
/// assert_eq!(format!("{pwd:?}"), "IcePassword(<redacted>)");
/// assert_eq!(pwd.as_str(), "nJTHEdxTUJ25l05Rm3ve6tWR");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IcePassword(String);

impl IcePassword {
    /// Wraps a password (22 to 256 `ice-char`s per RFC 8839; it must hold no space).
    pub fn new(pwd: impl Into<String>) -> Self {
        Self(pwd.into())
    }

    /// The password.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for IcePassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IcePassword(<redacted>)")
    }
}

impl fmt::Display for IcePassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for IcePassword {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

impl From<String> for IcePassword {
    fn from(s: String) -> Self {
        Self(s)
    }
}

#[cfg(test)]
mod tests {
    use crate::Session;

    #[test]
    fn a_parsed_session_debug_never_shows_the_password() {
        let text = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n\
                    a=ice-ufrag:abcd\r\na=ice-pwd:SECRETsecretSECRETsecret\r\n";
        let s = Session::parse(text).unwrap();
        let debug = format!("{s:?}");
        assert!(!debug.contains("SECRETsecret"), "{debug}");
        assert!(debug.contains("IcePassword(<redacted>)"));
        assert_eq!(s.attributes.ice_pwd(), Some("SECRETsecretSECRETsecret"));
        assert_eq!(s.to_string(), text);
    }
}
