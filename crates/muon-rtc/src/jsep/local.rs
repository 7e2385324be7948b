//! Writing our offer or answer in the shape browsers write theirs (JSEP sections 5.2.1 and
//! 5.3.1; compare the Chromium and Pion captures in muon-sdp's fixtures).

use muon_sdp::{
    AddressType, Attribute, Connection, Fingerprint, Group, GroupSemantics, HashFunction,
    IceOption, Media, MediaKind, Origin, Proto, Session, Setup,
};

use super::Section;

/// What goes into one of our descriptions.
pub(crate) struct LocalParams<'a> {
    pub(crate) session_id: u64,
    pub(crate) session_version: u64,
    pub(crate) sections: &'a [Section],
    pub(crate) ufrag: &'a str,
    pub(crate) pwd: &'a str,
    pub(crate) fingerprint: &'a muon_dtls::Fingerprint,
    pub(crate) setup: Setup,
    pub(crate) sctp_port: u16,
    pub(crate) max_message_size: usize,
    /// `candidate:...` values gathered so far.
    pub(crate) candidates: Vec<String>,
    pub(crate) end_of_candidates: bool,
}

/// Writes the description.
pub(crate) fn write_description(p: &LocalParams<'_>) -> String {
    let mut session = Session::new(Origin {
        username: "-".into(),
        session_id: p.session_id,
        session_version: p.session_version,
        address_type: AddressType::Ip4,
        address: "127.0.0.1".into(),
    });
    // RFC 9143: every accepted section in one BUNDLE group.
    let bundled: Vec<String> = p
        .sections
        .iter()
        .filter(|s| matches!(s, Section::Application { .. }))
        .map(|s| s.mid().to_owned())
        .collect();
    session.attributes.push(Attribute::Group(Group {
        semantics: GroupSemantics::Bundle,
        mids: bundled,
    }));
    for section in p.sections {
        session.media.push(match section {
            Section::Application { mid } => application(p, mid),
            Section::Rejected {
                mid,
                kind,
                proto,
                format,
            } => rejected(mid, kind, proto, format),
        });
    }
    session.to_string()
}

fn zero_connection() -> Connection {
    Connection {
        address_type: AddressType::Ip4,
        address: "0.0.0.0".into(),
    }
}

/// The data channel section (RFC 8841, JSEP section 5.2.1).
fn application(p: &LocalParams<'_>, mid: &str) -> Media {
    let mut m = Media::new(
        MediaKind::Application,
        9,
        Proto::UdpDtlsSctp,
        vec!["webrtc-datachannel".into()],
    );
    m.connection = Some(zero_connection());
    let a = &mut m.attributes;
    for c in &p.candidates {
        if let Ok(c) = muon_sdp::Candidate::parse(c) {
            a.push(Attribute::Candidate(c));
        }
    }
    if p.end_of_candidates {
        a.push(Attribute::EndOfCandidates);
    }
    a.push(Attribute::IceUfrag(p.ufrag.to_owned()));
    a.push(Attribute::IcePwd(p.pwd.into()));
    a.push(Attribute::IceOptions(vec![IceOption::Trickle]));
    a.push(Attribute::Fingerprint(Fingerprint {
        hash: match p.fingerprint.alg().sdp_name() {
            "sha-384" => HashFunction::Sha384,
            "sha-512" => HashFunction::Sha512,
            _ => HashFunction::Sha256,
        },
        value: p.fingerprint.digest().to_vec(),
    }));
    a.push(Attribute::Setup(p.setup));
    a.push(Attribute::Mid(mid.to_owned()));
    a.push(Attribute::SctpPort(p.sctp_port));
    a.push(Attribute::MaxMessageSize(p.max_message_size as u64));
    m
}

/// A rejected section (JSEP section 5.3.1): port 0, the offer's proto and one of its formats,
/// and its mid.
fn rejected(mid: &str, kind: &MediaKind, proto: &Proto, format: &str) -> Media {
    let mut m = Media::new(kind.clone(), 0, proto.clone(), vec![format.to_owned()]);
    m.connection = Some(zero_connection());
    m.attributes.push(Attribute::Mid(mid.to_owned()));
    m
}
