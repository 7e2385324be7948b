//! Serial-number arithmetic done once: TSNs are unwrapped into `u64` on entry, so the rest of
//! the crate compares plain integers (RFC 9260 section 1.6, RFC 1982).

/// Unwrapped TSNs start at `2^32 + initial`, so a reference minus 2^31 never underflows.
pub(crate) const BASE: u64 = 1 << 32;

/// The unwrapped value of the first TSN, given its wire value.
pub(crate) fn initial(wire: u32) -> u64 {
    BASE + u64::from(wire)
}

/// The unwrapped TSN nearest to `reference` whose low 32 bits are `wire`.
pub(crate) fn unwrap(reference: u64, wire: u32) -> u64 {
    let delta = i64::from(wire.wrapping_sub(reference as u32) as i32);
    reference.saturating_add_signed(delta)
}

/// The wire value of an unwrapped TSN.
pub(crate) fn wire(tsn: u64) -> u32 {
    tsn as u32
}

/// Same arithmetic for 16-bit stream sequence numbers: true when `a` comes after `b`.
pub(crate) fn ssn_after(a: u16, b: u16) -> bool {
    a != b && a.wrapping_sub(b) < 0x8000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unwrap_crosses_the_32_bit_boundary() {
        let r = initial(u32::MAX - 1);
        assert_eq!(unwrap(r, u32::MAX), r + 1);
        assert_eq!(unwrap(r, 0), r + 2);
        assert_eq!(unwrap(r, 5), r + 7);
        assert_eq!(unwrap(r, u32::MAX - 10), r - 9);
        assert_eq!(wire(unwrap(r, 3)), 3);
    }

    #[test]
    fn ssn_order_wraps() {
        assert!(ssn_after(1, 0));
        assert!(ssn_after(0, u16::MAX));
        assert!(!ssn_after(0, 0));
        assert!(!ssn_after(0, 1));
    }
}
