//! What the demo prints: a summary of each description, the state log, rates.

use std::time::Instant;

use muon_sdp::{Proto, Session};

use super::peer::{LogLine, Peer};

/// The parts of a description the demo shows.
#[derive(Debug)]
pub(crate) struct SdpSummary {
    pub(crate) setup: String,
    pub(crate) sctp_port: Option<u16>,
    /// `a=max-message-size`; RFC 8841 section 6: absent means 64 KiB, 0 means no limit.
    pub(crate) max_message_size: u64,
    pub(crate) bundle: bool,
    pub(crate) candidates: Vec<String>,
}

impl SdpSummary {
    /// Reads a description the engine wrote, as the peer will read it.
    pub(crate) fn read(sdp: &str) -> Result<Self, String> {
        let session = Session::parse(sdp).map_err(|e| format!("the SDP does not parse: {e}"))?;
        let media = session
            .media
            .iter()
            .find(|m| m.proto == Proto::UdpDtlsSctp)
            .ok_or("the SDP has no UDP/DTLS/SCTP m-section")?;
        let a = &media.attributes;
        Ok(Self {
            setup: a
                .setup()
                .or(session.attributes.setup())
                .map_or_else(|| "?".to_owned(), |s| s.to_string()),
            sctp_port: a.sctp_port(),
            max_message_size: a.max_message_size().unwrap_or(65536),
            bundle: session.attributes.bundle().is_some(),
            candidates: a
                .candidates()
                .map(|c| format!("{} {}:{}", c.kind, c.address, c.port))
                .collect(),
        })
    }
}

/// Prints both peers' pending state changes in time order (offerer first at equal times).
pub(crate) fn print_log(a: &mut Peer, b: &mut Peer, epoch: Instant) {
    let mut lines: Vec<LogLine> = a.log.drain(..).chain(b.log.drain(..)).collect();
    lines.sort_by_key(|l| l.at);
    for l in lines {
        println!(
            "  {:>7.1} ms  {:<8} {}",
            (l.at - epoch).as_secs_f64() * 1e3,
            l.who,
            l.what
        );
    }
}

/// Whole milliseconds of virtual time from `epoch` to `at`, or `-`.
pub(crate) fn ms(at: Option<Instant>, epoch: Instant) -> String {
    at.map_or_else(|| "-".to_owned(), |t| (t - epoch).as_millis().to_string())
}

/// A rate in MiB/s or KiB/s.
pub(crate) fn rate(mib_per_s: f64) -> String {
    if mib_per_s >= 1.0 {
        format!("{mib_per_s:.1} MiB/s")
    } else {
        format!("{:.1} KiB/s", mib_per_s * 1024.0)
    }
}

/// `AB:CD:...`, as `a=fingerprint` writes a digest.
pub(crate) fn colon_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_data_channel_description_is_summarised() {
        let sdp = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n\
                   a=group:BUNDLE 0\r\n\
                   m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n\
                   a=mid:0\r\na=setup:actpass\r\na=sctp-port:5000\r\n\
                   a=candidate:1 1 udp 2130706431 192.0.2.1 5000 typ host\r\n";
        let s = SdpSummary::read(sdp).unwrap();
        assert_eq!(s.setup, "actpass");
        assert_eq!(s.sctp_port, Some(5000));
        assert_eq!(s.max_message_size, 65536, "absent means 64 KiB");
        assert!(s.bundle);
        assert_eq!(s.candidates, vec!["host 192.0.2.1:5000".to_owned()]);
    }

    #[test]
    fn a_description_without_a_data_channel_section_is_refused() {
        let sdp = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
        assert!(
            SdpSummary::read(sdp)
                .unwrap_err()
                .contains("no UDP/DTLS/SCTP")
        );
    }

    #[test]
    fn rates_and_digests_print_as_people_read_them() {
        assert_eq!(rate(2.5), "2.5 MiB/s");
        assert_eq!(rate(0.5), "512.0 KiB/s");
        assert_eq!(colon_hex(&[0xab, 0x01]), "AB:01");
    }
}
