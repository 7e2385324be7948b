//! Memory is bounded whatever the input: parses worst cases under the default `Limits`
//! (one-character fields, each becoming its own value, up to the field, attribute and media
//! limits) and checks how much the process's peak resident memory (`VmHWM`, Linux) grows.
//! This binary holds this one test so that nothing else runs beside it.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![cfg(target_os = "linux")]

use muon_sdp::{Limits, Session};

/// The bound documented on [`Limits`].
const BOUND: usize = 32 << 20;

/// Peak resident set size of this process, in bytes (the kernel batches its counters, so two
/// readings may even go down by a page or so: differences saturate).
fn peak_rss() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    let kb: usize = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kb * 1024
}

#[test]
fn peak_memory_under_default_limits_is_bounded() {
    let head = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";
    let fields = Limits::DEFAULT_MAX_FIELDS - 10;
    let per_line = 1000;
    let lines = fields / per_line;
    let worst = [
        format!("{head}m=audio 9 RTP/AVP{}\r\n", " 9".repeat(fields)),
        format!("{head}a=group:BUNDLE{}\r\n", " 0".repeat(fields)),
        format!("{head}a=ssrc-group:FID{}\r\n", " 1".repeat(fields)),
        format!(
            "{head}m=video 9 RTP/AVP 96\r\n{}",
            format!("a=simulcast:send a{}\r\n", ";a".repeat(per_line - 2)).repeat(lines)
        ),
        format!(
            "{head}{}",
            format!(
                "a=candidate:1 1 udp 1 192.0.2.1 9 typ host{}\r\n",
                " a b".repeat(per_line / 2 - 5)
            )
            .repeat(lines)
        ),
        format!(
            "{head}{}",
            "a=x\r\n".repeat(Limits::DEFAULT_MAX_ATTRIBUTES - 1)
        ),
        format!(
            "{head}{}",
            "a=candidate:1 1 udp 1 ::1 9 typ host raddr a rport 1\r\n".repeat(fields / 16)
        ),
        format!(
            "{head}{}",
            "m=a 9 b\r\n".repeat(Limits::DEFAULT_MAX_MEDIA_SECTIONS)
        ),
    ];
    let baseline = peak_rss();
    for input in &worst {
        assert!(input.len() <= Limits::DEFAULT_MAX_INPUT_BYTES);
        let before = peak_rss();
        let session = Session::parse(input).unwrap();
        eprintln!(
            "{:>8} input bytes -> peak RSS +{:>9} bytes ({:?}...)",
            input.len(),
            peak_rss().saturating_sub(before),
            &input[head.len()..head.len() + 12],
        );
        drop(session);
    }
    let grown = peak_rss().saturating_sub(baseline);
    eprintln!("peak RSS grew by {grown} bytes over all cases");
    assert!(grown <= BOUND, "{grown} > {BOUND}");
}
