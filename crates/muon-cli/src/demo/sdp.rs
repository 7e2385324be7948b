//! The offer and answer the demo's two peers exchange: a data-channel-only session as a
//! browser would write it (JSEP, RFC 8829 section 5.2), carrying each side's certificate
//! fingerprint and DTLS role.

use muon_dtls::{Fingerprint as DtlsFingerprint, HashAlg};
use muon_proto::Rng;
use muon_sdp::{
    Attribute, Fingerprint, Group, GroupSemantics, HashFunction, IceOption, Media, MediaKind,
    Origin, Proto, Session, Setup,
};

/// What one side puts in its description.
pub(crate) struct LocalDescription<'a> {
    pub(crate) fingerprint: &'a DtlsFingerprint,
    pub(crate) setup: Setup,
    pub(crate) max_message_size: u64,
}

/// What the demo needs from the other side's description.
#[derive(Debug)]
pub(crate) struct RemoteDescription {
    pub(crate) fingerprints: Vec<DtlsFingerprint>,
    pub(crate) setup: Setup,
    pub(crate) sctp_port: u16,
    pub(crate) max_message_size: u64,
}

/// Why a description could not be used.
#[derive(Debug)]
pub(crate) enum DescriptionError {
    Parse(muon_sdp::ParseError),
    NoDataChannelSection,
    NoUsableFingerprint,
    NoSetup,
}

impl std::fmt::Display for DescriptionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Parse(e) => write!(f, "the SDP does not parse: {e}"),
            Self::NoDataChannelSection => f.write_str("the SDP has no UDP/DTLS/SCTP m-section"),
            Self::NoUsableFingerprint => {
                f.write_str("the SDP has no a=fingerprint with a hash muon supports")
            }
            Self::NoSetup => f.write_str("the SDP has no a=setup"),
        }
    }
}

/// Writes a data-channel-only description.
pub(crate) fn write(local: &LocalDescription<'_>, rng: &mut Rng) -> String {
    // JSEP: the session id is a random number of at most 63 bits.
    let origin = Origin {
        username: "-".into(),
        session_id: rng.u64() >> 1,
        session_version: 2,
        address_type: muon_sdp::AddressType::Ip4,
        address: "127.0.0.1".into(),
    };
    let mut session = Session::new(origin);
    session.attributes.push(Attribute::Group(Group {
        semantics: GroupSemantics::Bundle,
        mids: vec!["0".into()],
    }));
    let mut media = Media::new(
        MediaKind::Application,
        9,
        Proto::UdpDtlsSctp,
        vec!["webrtc-datachannel".into()],
    );
    let a = &mut media.attributes;
    a.push(Attribute::Mid("0".into()));
    a.push(Attribute::IceUfrag(hex::encode(rng.array::<4>())));
    a.push(Attribute::IcePwd(hex::encode(rng.array::<12>()).into()));
    a.push(Attribute::IceOptions(vec![IceOption::Trickle]));
    a.push(Attribute::Fingerprint(Fingerprint {
        hash: hash_function(local.fingerprint.alg()),
        value: local.fingerprint.digest().to_vec(),
    }));
    a.push(Attribute::Setup(local.setup));
    a.push(Attribute::SctpPort(5000));
    a.push(Attribute::MaxMessageSize(local.max_message_size));
    session.media.push(media);
    session.to_string()
}

/// Reads what the demo needs from the other side's description.
pub(crate) fn read(text: &str) -> Result<RemoteDescription, DescriptionError> {
    let session = Session::parse(text).map_err(DescriptionError::Parse)?;
    let media = session
        .media
        .iter()
        .find(|m| m.proto == Proto::UdpDtlsSctp)
        .ok_or(DescriptionError::NoDataChannelSection)?;
    // RFC 8122: fingerprints may sit at session or media level; media level wins.
    let fingerprints: Vec<DtlsFingerprint> = media
        .attributes
        .fingerprints()
        .chain(session.attributes.fingerprints())
        .filter_map(|f| {
            let alg = HashAlg::from_sdp_name(f.hash.as_str())?;
            DtlsFingerprint::new(alg, f.value.clone()).ok()
        })
        .collect();
    if fingerprints.is_empty() {
        return Err(DescriptionError::NoUsableFingerprint);
    }
    let setup = media
        .attributes
        .setup()
        .or(session.attributes.setup())
        .ok_or(DescriptionError::NoSetup)?;
    Ok(RemoteDescription {
        fingerprints,
        setup,
        sctp_port: media.attributes.sctp_port().unwrap_or(5000),
        // RFC 8841 section 6: absent means 64 KiB; 0 means no limit.
        max_message_size: media.attributes.max_message_size().unwrap_or(65536),
    })
}

fn hash_function(alg: HashAlg) -> HashFunction {
    match alg {
        HashAlg::Sha384 => HashFunction::Sha384,
        HashAlg::Sha512 => HashFunction::Sha512,
        // HashAlg is non-exhaustive; SHA-256 is what every browser uses.
        _ => HashFunction::Sha256,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use muon_dtls::Certificate;

    #[test]
    fn a_written_description_reads_back_with_its_fingerprint_and_role() {
        let mut rng = Rng::from_seed([9; 32]);
        let cert = Certificate::generate(&mut rng);
        let fp = cert.fingerprint(HashAlg::Sha256);
        let text = write(
            &LocalDescription {
                fingerprint: &fp,
                setup: Setup::Actpass,
                max_message_size: 262_144,
            },
            &mut rng,
        );
        let remote = read(&text).unwrap();
        assert_eq!(remote.fingerprints, vec![fp]);
        assert_eq!(remote.setup, Setup::Actpass);
        assert_eq!(remote.max_message_size, 262_144);
        assert!(text.contains("m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"));
    }

    #[test]
    fn a_description_without_fingerprint_is_refused() {
        let text = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n\
                    m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=setup:active\r\n";
        assert!(matches!(
            read(text),
            Err(DescriptionError::NoUsableFingerprint)
        ));
    }
}
