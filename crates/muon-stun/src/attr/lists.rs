//! List-valued attributes: UNKNOWN-ATTRIBUTES, PASSWORD-ALGORITHMS and PASSWORD-ALGORITHM.
//!
//! Decoded lists borrow the wire bytes (validated once, iterated without allocating); lists to
//! encode borrow a caller's slice. Both compare equal when they hold the same items.

use super::AttrType;

/// UNKNOWN-ATTRIBUTES: the comprehension-required types a request carried that the responder
/// did not understand. [RFC 8489 section 14.9](https://www.rfc-editor.org/rfc/rfc8489#section-14.9).
#[derive(Debug, Clone, Copy)]
pub struct UnknownAttributes<'a>(TypeList<'a>);

#[derive(Debug, Clone, Copy)]
enum TypeList<'a> {
    Wire(&'a [u8]),
    List(&'a [AttrType]),
}

impl<'a> UnknownAttributes<'a> {
    /// A list to encode.
    pub const fn new(types: &'a [AttrType]) -> Self {
        Self(TypeList::List(types))
    }

    /// The attribute types, in order.
    pub fn iter(&self) -> impl Iterator<Item = AttrType> + 'a {
        let (wire, list): (&'a [u8], &'a [AttrType]) = match self.0 {
            TypeList::Wire(w) => (w, &[]),
            TypeList::List(l) => (&[], l),
        };
        wire.chunks_exact(2)
            .map(|c| AttrType::new(u16::from_be_bytes([c[0], c[1]])))
            .chain(list.iter().copied())
    }

    pub(crate) fn decode(value: &'a [u8]) -> Option<Self> {
        value
            .len()
            .is_multiple_of(2)
            .then_some(Self(TypeList::Wire(value)))
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        for t in self.iter() {
            out.extend_from_slice(&t.value().to_be_bytes());
        }
    }
}

impl PartialEq for UnknownAttributes<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for UnknownAttributes<'_> {}

/// A password algorithm number (RFC 8489 section 18.5). Unknown numbers round-trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PasswordAlgorithmId(pub u16);

impl PasswordAlgorithmId {
    /// MD5 (key = MD5(username:realm:password)), RFC 8489 section 18.5.1.1.
    pub const MD5: Self = Self(0x0001);
    /// SHA-256 (key = SHA-256(username:realm:password)), RFC 8489 section 18.5.1.2.
    pub const SHA256: Self = Self(0x0002);
}

/// One password algorithm with its parameters (empty for MD5 and SHA-256).
/// [RFC 8489 section 14.12](https://www.rfc-editor.org/rfc/rfc8489#section-14.12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PasswordAlgorithm<'a> {
    /// The algorithm.
    pub id: PasswordAlgorithmId,
    /// Its parameters (at most 65531 bytes).
    pub params: &'a [u8],
}

impl<'a> PasswordAlgorithm<'a> {
    /// An algorithm without parameters.
    pub const fn new(id: PasswordAlgorithmId) -> Self {
        Self { id, params: &[] }
    }

    /// Parses one entry from the front of `wire`, returning it and the rest (after padding).
    fn split(wire: &'a [u8]) -> Option<(Self, &'a [u8])> {
        let (&[a0, a1, l0, l1], rest) = wire.split_first_chunk::<4>()?;
        let len = usize::from(u16::from_be_bytes([l0, l1]));
        let params = rest.get(..len)?;
        let padded = len.next_multiple_of(4);
        let rest = rest.get(padded..).unwrap_or(&[]);
        let id = PasswordAlgorithmId(u16::from_be_bytes([a0, a1]));
        Some((Self { id, params }, rest))
    }

    /// PASSWORD-ALGORITHM: exactly one entry (its padding may be cut by the attribute's end).
    pub(crate) fn decode(value: &'a [u8]) -> Option<Self> {
        let (alg, rest) = Self::split(value)?;
        rest.is_empty().then_some(alg)
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>, pad: bool) -> Option<()> {
        let len = u16::try_from(self.params.len())
            .ok()
            .filter(|l| *l <= 0xFFFB)?;
        out.extend_from_slice(&self.id.0.to_be_bytes());
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(self.params);
        if pad {
            out.resize(out.len() + (4 - self.params.len() % 4) % 4, 0);
        }
        Some(())
    }
}

/// PASSWORD-ALGORITHMS: the algorithms a server offers, in its order of preference.
/// [RFC 8489 section 14.11](https://www.rfc-editor.org/rfc/rfc8489#section-14.11).
#[derive(Debug, Clone, Copy)]
pub struct PasswordAlgorithms<'a>(AlgList<'a>);

#[derive(Debug, Clone, Copy)]
enum AlgList<'a> {
    Wire(&'a [u8]),
    List(&'a [PasswordAlgorithm<'a>]),
}

impl<'a> PasswordAlgorithms<'a> {
    /// A list to encode.
    pub const fn new(algorithms: &'a [PasswordAlgorithm<'a>]) -> Self {
        Self(AlgList::List(algorithms))
    }

    /// The algorithms, in order.
    pub fn iter(&self) -> impl Iterator<Item = PasswordAlgorithm<'a>> + 'a {
        let (mut wire, list): (&'a [u8], &'a [PasswordAlgorithm<'a>]) = match self.0 {
            AlgList::Wire(w) => (w, &[]),
            AlgList::List(l) => (&[], l),
        };
        std::iter::from_fn(move || {
            let (alg, rest) = PasswordAlgorithm::split(wire)?;
            wire = rest;
            Some(alg)
        })
        .chain(list.iter().copied())
    }

    pub(crate) fn decode(value: &'a [u8]) -> Option<Self> {
        // Validate once so `iter` sees exactly the entries there are. Each step consumes at
        // least 4 bytes, so this loop is bounded by the value's length.
        let mut rest = value;
        while !rest.is_empty() {
            rest = PasswordAlgorithm::split(rest)?.1;
        }
        Some(Self(AlgList::Wire(value)))
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>) -> Option<()> {
        for alg in self.iter() {
            alg.encode(out, true)?;
        }
        Some(())
    }
}

impl PartialEq for PasswordAlgorithms<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for PasswordAlgorithms<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_attributes_wire_and_list_agree() {
        let types = [AttrType::new(0x0003), AttrType::new(0x7FFF)];
        let list = UnknownAttributes::new(&types);
        let mut out = Vec::new();
        list.encode(&mut out);
        assert_eq!(out, [0x00, 0x03, 0x7F, 0xFF]);
        assert_eq!(UnknownAttributes::decode(&out), Some(list));
        assert!(UnknownAttributes::decode(&out[..3]).is_none());
    }

    #[test]
    fn password_algorithms_round_trip_with_params() {
        let algs = [
            PasswordAlgorithm::new(PasswordAlgorithmId::SHA256),
            PasswordAlgorithm {
                id: PasswordAlgorithmId(0x0077),
                params: &[1, 2, 3],
            },
            PasswordAlgorithm::new(PasswordAlgorithmId::MD5),
        ];
        let mut out = Vec::new();
        PasswordAlgorithms::new(&algs).encode(&mut out).unwrap();
        assert_eq!(out.len(), 4 + 8 + 4);
        let back = PasswordAlgorithms::decode(&out).unwrap();
        assert_eq!(back.iter().collect::<Vec<_>>(), algs);
        // A length running past the value is malformed.
        assert!(PasswordAlgorithms::decode(&[0, 1, 0, 9, 0, 0]).is_none());
    }

    #[test]
    fn password_algorithm_is_exactly_one_entry() {
        assert_eq!(
            PasswordAlgorithm::decode(&[0, 2, 0, 0]),
            Some(PasswordAlgorithm::new(PasswordAlgorithmId::SHA256))
        );
        assert!(PasswordAlgorithm::decode(&[0, 2, 0, 0, 0, 1, 0, 0]).is_none());
        assert!(PasswordAlgorithm::decode(&[0, 2, 0]).is_none());
    }
}
