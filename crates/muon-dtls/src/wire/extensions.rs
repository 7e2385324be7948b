//! Hello extensions (RFC 5246 section 7.4.1.4) that DTLS for WebRTC uses.

use muon_proto::{Reader, Truncated};

use super::{put_vec, with_len};
use crate::error::{DtlsError, Wire};

/// supported_groups (RFC 8422 section 5.1.1).
pub(crate) const EXT_SUPPORTED_GROUPS: u16 = 10;
/// ec_point_formats (RFC 8422 section 5.1.2).
pub(crate) const EXT_EC_POINT_FORMATS: u16 = 11;
/// signature_algorithms (RFC 5246 section 7.4.1.4.1).
pub(crate) const EXT_SIGNATURE_ALGORITHMS: u16 = 13;
/// use_srtp (RFC 5764 section 4.1.1).
pub(crate) const EXT_USE_SRTP: u16 = 14;
/// extended_master_secret (RFC 7627 section 5.1).
pub(crate) const EXT_EXTENDED_MASTER_SECRET: u16 = 23;
/// renegotiation_info (RFC 5746 section 3.2).
pub(crate) const EXT_RENEGOTIATION_INFO: u16 = 0xFF01;

/// The use_srtp extension body (RFC 5764 section 4.1.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UseSrtp {
    pub(crate) profiles: Vec<u16>,
    pub(crate) mki: Vec<u8>,
}

/// The extensions of a ClientHello or ServerHello, parsed into typed fields. Unknown
/// extensions are kept (type and body) so that an encode/decode round trip is exact.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Extensions {
    pub(crate) supported_groups: Option<Vec<u16>>,
    pub(crate) ec_point_formats: Option<Vec<u8>>,
    pub(crate) signature_algorithms: Option<Vec<u16>>,
    pub(crate) use_srtp: Option<UseSrtp>,
    pub(crate) extended_master_secret: bool,
    pub(crate) renegotiation_info: Option<Vec<u8>>,
    pub(crate) unknown: Vec<(u16, Vec<u8>)>,
}

impl Extensions {
    /// Parses the extensions block that ends a hello (absent block = no extensions).
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Self, DtlsError> {
        Self::decode_inner(r).map_err(|_: Truncated| DtlsError::Malformed(Wire::Extension))
    }

    fn decode_inner(r: &mut Reader<'_>) -> Result<Self, Truncated> {
        let mut ext = Extensions::default();
        if r.is_empty() {
            return Ok(ext);
        }
        let mut block = Reader::new(r.vec16()?);
        if !r.is_empty() {
            return Err(Truncated);
        }
        let mut seen: Vec<u16> = Vec::new();
        while !block.is_empty() {
            let ty = block.u16()?;
            let mut body = Reader::new(block.vec16()?);
            // RFC 5246 section 7.4.1.4: no extension type may appear twice.
            if seen.contains(&ty) {
                return Err(Truncated);
            }
            seen.push(ty);
            match ty {
                EXT_SUPPORTED_GROUPS => ext.supported_groups = Some(u16_list(body.vec16()?)?),
                EXT_EC_POINT_FORMATS => ext.ec_point_formats = Some(body.vec8()?.to_vec()),
                EXT_SIGNATURE_ALGORITHMS => {
                    ext.signature_algorithms = Some(u16_list(body.vec16()?)?);
                }
                EXT_USE_SRTP => {
                    let profiles = u16_list(body.vec16()?)?;
                    let mki = body.vec8()?.to_vec();
                    ext.use_srtp = Some(UseSrtp { profiles, mki });
                }
                EXT_EXTENDED_MASTER_SECRET => ext.extended_master_secret = true,
                EXT_RENEGOTIATION_INFO => ext.renegotiation_info = Some(body.vec8()?.to_vec()),
                _ => {
                    ext.unknown.push((ty, body.rest().to_vec()));
                }
            }
            if !body.is_empty() {
                return Err(Truncated);
            }
        }
        Ok(ext)
    }

    /// Appends the extensions block (nothing at all when there are no extensions).
    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        if *self == Extensions::default() {
            return;
        }
        with_len(out, 2, |out| {
            if let Some(groups) = &self.supported_groups {
                ext(out, EXT_SUPPORTED_GROUPS, |o| put_u16_list(o, groups));
            }
            if let Some(formats) = &self.ec_point_formats {
                ext(out, EXT_EC_POINT_FORMATS, |o| put_vec(o, 1, formats));
            }
            if let Some(algs) = &self.signature_algorithms {
                ext(out, EXT_SIGNATURE_ALGORITHMS, |o| put_u16_list(o, algs));
            }
            if let Some(srtp) = &self.use_srtp {
                ext(out, EXT_USE_SRTP, |o| {
                    put_u16_list(o, &srtp.profiles);
                    put_vec(o, 1, &srtp.mki);
                });
            }
            if self.extended_master_secret {
                ext(out, EXT_EXTENDED_MASTER_SECRET, |_| {});
            }
            if let Some(info) = &self.renegotiation_info {
                ext(out, EXT_RENEGOTIATION_INFO, |o| put_vec(o, 1, info));
            }
            for (ty, body) in &self.unknown {
                ext(out, *ty, |o| o.extend_from_slice(body));
            }
        });
    }
}

fn ext(out: &mut Vec<u8>, ty: u16, body: impl FnOnce(&mut Vec<u8>)) {
    out.extend_from_slice(&ty.to_be_bytes());
    with_len(out, 2, body);
}

/// Parses a list of u16 (its length must be even).
pub(crate) fn u16_list(bytes: &[u8]) -> Result<Vec<u16>, Truncated> {
    if !bytes.len().is_multiple_of(2) {
        return Err(Truncated);
    }
    Ok(bytes
        .chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect())
}

/// Appends a list of u16 behind a two-byte length.
pub(crate) fn put_u16_list(out: &mut Vec<u8>, list: &[u16]) {
    with_len(out, 2, |o| {
        for v in list {
            o.extend_from_slice(&v.to_be_bytes());
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Extensions {
        Extensions {
            supported_groups: Some(vec![29, 23]),
            ec_point_formats: Some(vec![0]),
            signature_algorithms: Some(vec![0x0403, 0x0804, 0x0401]),
            use_srtp: Some(UseSrtp {
                profiles: vec![7, 1],
                mki: vec![],
            }),
            extended_master_secret: true,
            renegotiation_info: Some(vec![]),
            unknown: vec![(35, vec![])],
        }
    }

    #[test]
    fn extensions_round_trip() {
        let mut out = Vec::new();
        sample().encode(&mut out);
        let back = Extensions::decode(&mut Reader::new(&out)).unwrap();
        assert_eq!(back, sample());
    }

    #[test]
    fn use_srtp_matches_rfc5764_layout() {
        // RFC 5764 section 4.1.1: profiles<2..2^16-1>, srtp_mki<0..255>.
        let ext = Extensions {
            use_srtp: Some(UseSrtp {
                profiles: vec![1],
                mki: vec![],
            }),
            ..Extensions::default()
        };
        let mut out = Vec::new();
        ext.encode(&mut out);
        assert_eq!(out, [0, 9, 0, 14, 0, 5, 0, 2, 0, 1, 0]);
    }

    #[test]
    fn duplicate_extension_is_rejected() {
        let bytes = [0, 8, 0, 23, 0, 0, 0, 23, 0, 0];
        assert!(Extensions::decode(&mut Reader::new(&bytes)).is_err());
    }

    #[test]
    fn trailing_bytes_inside_an_extension_are_rejected() {
        // extended_master_secret must be empty.
        let bytes = [0, 5, 0, 23, 0, 1, 0];
        assert!(Extensions::decode(&mut Reader::new(&bytes)).is_err());
        // An odd-length group list.
        let bytes = [0, 7, 0, 10, 0, 3, 0, 1, 0];
        assert!(Extensions::decode(&mut Reader::new(&bytes)).is_err());
    }

    #[test]
    fn absent_block_is_no_extensions() {
        let back = Extensions::decode(&mut Reader::new(&[])).unwrap();
        assert_eq!(back, Extensions::default());
    }
}
