//! Keeping personal data out of logs.

use std::fmt;

/// Wraps a value (an IP address, a ufrag, a username) so that `Debug` and `Display` print
/// `<redacted>` unless the `MUON_LOG_PII` environment variable is read by the driver and it
/// chooses to unwrap. Protocol crates log addresses only through this wrapper.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Redacted<T>(pub T);

impl<T> fmt::Debug for Redacted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T> fmt::Display for Redacted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_the_value() {
        let addr: std::net::SocketAddr = "192.0.2.1:3478".parse().unwrap();
        assert_eq!(
            format!("{:?} {}", Redacted(addr), Redacted(addr)),
            "<redacted> <redacted>"
        );
    }
}
