//! Entry points for the fuzz targets (not part of the API).

/// Parses `data` as a DCEP message and, when it parses, checks it re-encodes to a message
/// that parses the same (the `dcep` fuzz target).
pub fn dcep(data: &[u8]) {
    if let Ok(msg) = crate::dcep::Dcep::parse(data) {
        let again = crate::dcep::Dcep::parse(&msg.encode());
        assert_eq!(
            again.as_ref(),
            Ok(&msg),
            "DCEP re-encoding changed the message"
        );
    }
}
