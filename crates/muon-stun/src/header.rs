//! The 20-byte STUN header: message type (method and class), magic cookie, transaction id.
//! [RFC 8489 section 5](https://www.rfc-editor.org/rfc/rfc8489#section-5).

use std::fmt;

use muon_proto::Rng;

/// The fixed value in bytes 4..8 of every RFC 5389/8489 message.
pub const MAGIC_COOKIE: u32 = 0x2112_A442;

/// Size of the STUN header.
pub const HEADER_LEN: usize = 20;

/// A STUN method (12 bits). Unknown methods round-trip through the raw value.
///
/// [RFC 8489 section 18.2](https://www.rfc-editor.org/rfc/rfc8489#section-18.2) and
/// [RFC 8656 section 17](https://www.rfc-editor.org/rfc/rfc8656#section-17).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Method(u16);

impl Method {
    /// Binding (STUN, ICE connectivity checks).
    pub const BINDING: Self = Self(0x001);
    /// Allocate (TURN).
    pub const ALLOCATE: Self = Self(0x003);
    /// Refresh (TURN).
    pub const REFRESH: Self = Self(0x004);
    /// Send (TURN, indication only).
    pub const SEND: Self = Self(0x006);
    /// Data (TURN, indication only).
    pub const DATA: Self = Self(0x007);
    /// CreatePermission (TURN).
    pub const CREATE_PERMISSION: Self = Self(0x008);
    /// ChannelBind (TURN).
    pub const CHANNEL_BIND: Self = Self(0x009);

    /// A method from its 12-bit number; `None` above 0xFFF.
    pub const fn new(value: u16) -> Option<Self> {
        if value <= 0x0FFF {
            Some(Self(value))
        } else {
            None
        }
    }

    /// The 12-bit method number.
    pub const fn value(self) -> u16 {
        self.0
    }

    fn name(self) -> Option<&'static str> {
        Some(match self {
            Self::BINDING => "Binding",
            Self::ALLOCATE => "Allocate",
            Self::REFRESH => "Refresh",
            Self::SEND => "Send",
            Self::DATA => "Data",
            Self::CREATE_PERMISSION => "CreatePermission",
            Self::CHANNEL_BIND => "ChannelBind",
            _ => return None,
        })
    }
}

impl fmt::Debug for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "Method({:#05x})", self.0),
        }
    }
}

/// The class of a message: the two C bits of the message type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// A request (0b00), answered by a success or error response.
    Request,
    /// An indication (0b01), never answered.
    Indication,
    /// A success response (0b10).
    Success,
    /// An error response (0b11), carrying ERROR-CODE.
    Error,
}

impl Class {
    const fn bits(self) -> u16 {
        match self {
            Self::Request => 0b00,
            Self::Indication => 0b01,
            Self::Success => 0b10,
            Self::Error => 0b11,
        }
    }
}

/// Method and class together, as packed in the first 14 bits of the header.
///
/// ```text
///  0                 1
///  2  3  4 5 6 7 8 9 0 1 2 3 4 5
/// +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
/// |M |M |M|M|M|C|M|M|M|C|M|M|M|M|
/// |11|10|9|8|7|1|6|5|4|0|3|2|1|0|
/// +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MessageType {
    /// The method.
    pub method: Method,
    /// The class.
    pub class: Class,
}

impl MessageType {
    /// A Binding request, the ICE connectivity check.
    pub const BINDING_REQUEST: Self = Self::new(Method::BINDING, Class::Request);
    /// A Binding success response.
    pub const BINDING_SUCCESS: Self = Self::new(Method::BINDING, Class::Success);

    /// Method and class.
    pub const fn new(method: Method, class: Class) -> Self {
        Self { method, class }
    }

    /// The 16-bit wire value (top two bits zero).
    pub const fn to_u16(self) -> u16 {
        let m = self.method.0;
        let c = self.class.bits();
        (m & 0x000F) | ((m & 0x0070) << 1) | ((m & 0x0F80) << 2) | ((c & 1) << 4) | ((c & 2) << 7)
    }

    /// Parses the 16-bit wire value; `None` when either of the top two bits is set.
    pub const fn from_u16(v: u16) -> Option<Self> {
        if v & 0xC000 != 0 {
            return None;
        }
        let method = (v & 0x000F) | ((v >> 1) & 0x0070) | ((v >> 2) & 0x0F80);
        let class = match ((v >> 4) & 1) | ((v >> 7) & 2) {
            0 => Class::Request,
            1 => Class::Indication,
            2 => Class::Success,
            _ => Class::Error,
        };
        Some(Self {
            method: Method(method),
            class,
        })
    }
}

/// The 96-bit transaction id that pairs a response with its request.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransactionId([u8; 12]);

impl TransactionId {
    /// A fresh id drawn from the machine's RNG (RFC 8489 section 5: "uniformly and randomly
    /// chosen from the interval 0 .. 2**96-1, and MUST be cryptographically random").
    pub fn random(rng: &mut Rng) -> Self {
        Self(rng.array())
    }

    /// An id with the given bytes.
    pub const fn from_bytes(bytes: [u8; 12]) -> Self {
        Self(bytes)
    }

    /// The id's bytes, as on the wire.
    pub const fn as_bytes(&self) -> &[u8; 12] {
        &self.0
    }
}

impl fmt::Debug for TransactionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TransactionId(")?;
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

/// A quick demultiplexing test: could `bytes` be a STUN message?
///
/// Checks what [RFC 7983 section 7](https://www.rfc-editor.org/rfc/rfc7983#section-7) uses
/// (first byte in 0..=3) plus what RFC 8489 guarantees: a full header, the magic cookie, and a
/// length field that is a multiple of 4 and matches the datagram. It does not decode
/// attributes; [`crate::Message::decode`] does. As in RFC 7983, methods 0x100 and above (no
/// WebRTC protocol uses them) put a larger value in the first byte and are not recognised.
pub fn is_stun(bytes: &[u8]) -> bool {
    match bytes {
        [b0, _, l0, l1, 0x21, 0x12, 0xA4, 0x42, ..] if *b0 <= 3 && bytes.len() >= HEADER_LEN => {
            let len = usize::from(u16::from_be_bytes([*l0, *l1]));
            len.is_multiple_of(4) && len + HEADER_LEN == bytes.len()
        }
        _ => false,
    }
}

/// The length of the STUN message at the start of a stream (header included), from its
/// header: `None` until 20 bytes have arrived or when they are not a STUN header. Use it to
/// cut messages out of a TCP or TLS stream (RFC 8489 section 6.2.2).
pub fn message_len(stream: &[u8]) -> Option<usize> {
    match stream {
        [b0, _, l0, l1, 0x21, 0x12, 0xA4, 0x42, ..] if *b0 < 0x40 && stream.len() >= HEADER_LEN => {
            Some(HEADER_LEN + usize::from(u16::from_be_bytes([*l0, *l1])))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_type_bits_match_rfc_examples() {
        // RFC 8489 section 5: Binding request 0x0001, success 0x0101, error 0x0111.
        assert_eq!(MessageType::BINDING_REQUEST.to_u16(), 0x0001);
        assert_eq!(MessageType::BINDING_SUCCESS.to_u16(), 0x0101);
        assert_eq!(
            MessageType::new(Method::BINDING, Class::Error).to_u16(),
            0x0111
        );
        // TURN: Send indication 0x0016, Data indication 0x0017, Allocate error 0x0113.
        assert_eq!(
            MessageType::new(Method::SEND, Class::Indication).to_u16(),
            0x0016
        );
        assert_eq!(
            MessageType::new(Method::DATA, Class::Indication).to_u16(),
            0x0017
        );
        assert_eq!(
            MessageType::new(Method::ALLOCATE, Class::Error).to_u16(),
            0x0113
        );
    }

    #[test]
    fn every_type_value_round_trips() {
        for v in 0..=0x3FFFu16 {
            let t = MessageType::from_u16(v).unwrap();
            assert_eq!(t.to_u16(), v);
        }
        assert_eq!(MessageType::from_u16(0x4001), None);
        assert_eq!(MessageType::from_u16(0x8001), None);
    }

    #[test]
    fn method_range_is_12_bits() {
        assert_eq!(Method::new(0xFFF).map(Method::value), Some(0xFFF));
        assert_eq!(Method::new(0x1000), None);
        assert_eq!(format!("{:?}", Method::CHANNEL_BIND), "ChannelBind");
        assert_eq!(
            format!("{:?}", Method::new(0x00A).unwrap()),
            "Method(0x00a)"
        );
    }

    #[test]
    fn transaction_ids_come_from_the_rng() {
        let mut a = Rng::from_seed([9; 32]);
        let mut b = Rng::from_seed([9; 32]);
        let x = TransactionId::random(&mut a);
        assert_eq!(x, TransactionId::random(&mut b));
        assert_ne!(x, TransactionId::random(&mut a));
    }

    #[test]
    fn is_stun_checks_first_byte_cookie_and_length() {
        let mut m = [0u8; 24];
        m[1] = 1;
        m[3] = 4;
        m[4..8].copy_from_slice(&MAGIC_COOKIE.to_be_bytes());
        assert!(is_stun(&m));
        assert!(!is_stun(&m[..20]));
        let mut bad = m;
        bad[0] = 0x40;
        assert!(!is_stun(&bad));
        let mut bad = m;
        bad[7] = 0;
        assert!(!is_stun(&bad));
        let mut bad = m;
        bad[3] = 2;
        assert!(!is_stun(&bad));
        assert_eq!(message_len(&m[..20]), Some(24));
        assert_eq!(message_len(&m[..19]), None);
    }
}
