//! The STUN messages ICE sends, built with muon-stun.
//! [RFC 8445 section 7.1.1](https://www.rfc-editor.org/rfc/rfc8445#section-7.1.1),
//! [section 7.3.1](https://www.rfc-editor.org/rfc/rfc8445#section-7.3.1).

use std::net::SocketAddr;

use muon_stun::{
    AttrType, Attribute, Class, ErrorCode, IntegrityKey, MessageEncoder, MessageType, Method,
    StunError, TransactionId, UnknownAttributes,
};

use crate::config::IceRole;

/// Most unknown attribute types echoed in a 420 answer.
const MAX_UNKNOWN_ECHOED: usize = 8;

/// What a connectivity or consent check carries.
pub(crate) struct Check<'a> {
    pub(crate) username: &'a str,
    pub(crate) priority: u32,
    pub(crate) role: IceRole,
    pub(crate) tie_breaker: u64,
    pub(crate) nominate: bool,
    pub(crate) key: &'a IntegrityKey,
}

/// A Binding request for a connectivity check (RFC 8445 section 7.1.1): USERNAME, PRIORITY,
/// the role attribute, USE-CANDIDATE when nominating, MESSAGE-INTEGRITY with the remote
/// password and FINGERPRINT.
pub(crate) fn check_request(txid: TransactionId, c: &Check<'_>) -> Result<Vec<u8>, StunError> {
    let mut buf = Vec::with_capacity(128);
    let role = match c.role {
        IceRole::Controlling => Attribute::IceControlling(c.tie_breaker),
        IceRole::Controlled => Attribute::IceControlled(c.tie_breaker),
    };
    let mut enc = MessageEncoder::new(&mut buf, MessageType::BINDING_REQUEST, txid);
    enc.attribute(&Attribute::Username(c.username))?
        .attribute(&Attribute::Priority(c.priority))?
        .attribute(&role)?;
    if c.nominate {
        enc.attribute(&Attribute::UseCandidate)?;
    }
    enc.message_integrity(c.key)?.fingerprint()?;
    Ok(buf)
}

/// A plain Binding request to a STUN server (RFC 8489 section 6.1), with FINGERPRINT.
pub(crate) fn server_request(txid: TransactionId) -> Result<Vec<u8>, StunError> {
    let mut buf = Vec::with_capacity(28);
    MessageEncoder::new(&mut buf, MessageType::BINDING_REQUEST, txid).fingerprint()?;
    Ok(buf)
}

/// A Binding indication: the keepalive of RFC 8445 section 11.
pub(crate) fn keepalive(txid: TransactionId) -> Result<Vec<u8>, StunError> {
    let mut buf = Vec::with_capacity(28);
    MessageEncoder::new(
        &mut buf,
        MessageType::new(Method::BINDING, Class::Indication),
        txid,
    )
    .fingerprint()?;
    Ok(buf)
}

/// A Binding success response with XOR-MAPPED-ADDRESS, signed with `key` when given
/// (RFC 8445 section 7.3.1.3).
pub(crate) fn success(
    txid: TransactionId,
    mapped: SocketAddr,
    key: Option<&IntegrityKey>,
) -> Result<Vec<u8>, StunError> {
    let mut buf = Vec::with_capacity(64);
    let mut enc = MessageEncoder::new(&mut buf, MessageType::BINDING_SUCCESS, txid);
    enc.attribute(&Attribute::XorMappedAddress(mapped))?;
    if let Some(key) = key {
        enc.message_integrity(key)?;
    }
    enc.fingerprint()?;
    Ok(buf)
}

/// A Binding error response (400, 420 with UNKNOWN-ATTRIBUTES, 487), signed with `key`.
pub(crate) fn error(
    txid: TransactionId,
    code: u16,
    unknown: &[AttrType],
    key: &IntegrityKey,
) -> Result<Vec<u8>, StunError> {
    let reason = match code {
        ErrorCode::ROLE_CONFLICT => "Role Conflict",
        ErrorCode::UNKNOWN_ATTRIBUTE => "Unknown Attribute",
        _ => "Bad Request",
    };
    let mut buf = Vec::with_capacity(96);
    let mut enc = MessageEncoder::new(
        &mut buf,
        MessageType::new(Method::BINDING, Class::Error),
        txid,
    );
    enc.attribute(&Attribute::ErrorCode(ErrorCode::new(code, reason)))?;
    if !unknown.is_empty() {
        let n = unknown.len().min(MAX_UNKNOWN_ECHOED);
        enc.attribute(&Attribute::UnknownAttributes(UnknownAttributes::new(
            unknown.get(..n).unwrap_or_default(),
        )))?;
    }
    enc.message_integrity(key)?.fingerprint()?;
    Ok(buf)
}

/// Splits an ICE USERNAME `recipient-ufrag:sender-ufrag` (RFC 8445 section 7.2.2).
pub(crate) fn split_username(username: &str) -> Option<(&str, &str)> {
    username.split_once(':')
}

#[cfg(test)]
mod tests {
    use muon_stun::Message;

    use super::*;

    #[test]
    fn check_request_carries_the_rfc8445_attributes() {
        let key = IntegrityKey::short_term("0123456789012345678901");
        let bytes = check_request(
            TransactionId::from_bytes([7; 12]),
            &Check {
                username: "remote:local",
                priority: 1_862_270_975,
                role: IceRole::Controlling,
                tie_breaker: 99,
                nominate: true,
                key: &key,
            },
        )
        .unwrap();
        let m = Message::decode(&bytes).unwrap();
        m.verify_integrity(&key).unwrap();
        assert!(m.has_fingerprint());
        assert_eq!(m.username(), Some("remote:local"));
        assert_eq!(m.priority(), Some(1_862_270_975));
        assert_eq!(m.ice_controlling(), Some(99));
        assert_eq!(m.ice_controlled(), None);
        assert!(m.use_candidate());
    }

    #[test]
    fn error_response_echoes_unknown_attributes() {
        let key = IntegrityKey::short_term("0123456789012345678901");
        let unknown = [AttrType::new(0x7F01); 12];
        let bytes = error(
            TransactionId::from_bytes([1; 12]),
            ErrorCode::UNKNOWN_ATTRIBUTE,
            &unknown,
            &key,
        )
        .unwrap();
        let m = Message::decode(&bytes).unwrap();
        m.verify_integrity(&key).unwrap();
        assert_eq!(m.error_code().map(|e| e.code), Some(420));
        let Some(Attribute::UnknownAttributes(list)) = m.get(AttrType::UNKNOWN_ATTRIBUTES) else {
            panic!("no UNKNOWN-ATTRIBUTES");
        };
        assert_eq!(list.iter().count(), MAX_UNKNOWN_ECHOED);
    }

    #[test]
    fn username_split() {
        assert_eq!(split_username("a:b"), Some(("a", "b")));
        assert_eq!(split_username("a:b:c"), Some(("a", "b:c")));
        assert_eq!(split_username("ab"), None);
    }
}
