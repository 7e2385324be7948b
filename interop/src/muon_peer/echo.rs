//! The contract's echo behaviour on a muon `PeerConnection` (interop/README.md, "Echo
//! behaviour"): channels the remote opened echo every message; `control` takes
//! `open:<n>:<prefix>` and `close-pc`; `close-after-first` is closed after its first echo;
//! `bulk` counts and hashes. Both roles use it: the offerer for the channels the remote opens.

use std::fmt::Write as _;

use muon::{DataChannel, DataChannelInit, Message, PeerConnection, PeerEvent};
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use super::Reporter;

/// `open:<n>:<prefix>` opens at most this many channels (the peers' limit too).
pub(crate) const MAX_OPEN: u16 = 1024;
/// Commands queued for a session task at most.
const COMMAND_QUEUE: usize = 64;

/// What a session task is asked to do.
#[derive(Debug)]
pub(crate) enum Command {
    /// Open `<prefix>-0` .. `<prefix>-<n-1>`, each sending `hello <i>`.
    Open { n: u16, prefix: String },
    /// Close the peer connection.
    Close,
}

/// Text messages (label, text) received on remote-opened channels, after their echo: the
/// offering role checks the `hello <i>` of the channels it asked for with them.
pub(crate) type Hellos = mpsc::UnboundedSender<(String, String)>;

/// The task that owns one peer connection: it reads its events (remote channels get the
/// echo behaviour, states are reported) and runs [`Command`]s.
pub(crate) struct Session {
    pc: PeerConnection,
    rep: Reporter,
    commands: mpsc::Sender<Command>,
    hellos: Option<Hellos>,
}

impl Session {
    /// Spawns the task on the current runtime; returns where its commands go. The session
    /// ends (closing the connection) on [`Command::Close`] or when the connection ends.
    pub(crate) fn spawn(
        pc: PeerConnection,
        rep: Reporter,
        hellos: Option<Hellos>,
    ) -> mpsc::Sender<Command> {
        let (commands, rx) = mpsc::channel(COMMAND_QUEUE);
        let session = Self {
            pc,
            rep,
            commands: commands.clone(),
            hellos,
        };
        tokio::spawn(session.run(rx));
        commands
    }

    async fn run(mut self, mut rx: mpsc::Receiver<Command>) {
        loop {
            tokio::select! {
                ev = self.pc.next_event() => match ev {
                    None => break,
                    Some(ev) => self.event(ev),
                },
                cmd = rx.recv() => match cmd {
                    Some(Command::Open { n, prefix }) => self.open(n, &prefix).await,
                    Some(Command::Close) | None => {
                        self.pc.close().await;
                        // Drain what the close produces (channel and state events).
                        while let Some(ev) = self.pc.next_event().await {
                            self.event(ev);
                        }
                        break;
                    }
                },
            }
        }
    }

    fn event(&self, ev: PeerEvent) {
        match ev {
            PeerEvent::DataChannel(ch) => {
                tokio::spawn(remote_channel(
                    ch,
                    self.rep.clone(),
                    self.commands.clone(),
                    self.hellos.clone(),
                ));
            }
            PeerEvent::ConnectionState(s) => {
                self.rep
                    .report("pc-state", json!({ "state": format!("{s:?}") }));
            }
            PeerEvent::IceConnectionState(s) => {
                self.rep
                    .report("ice-state", json!({ "state": format!("{s:?}") }));
            }
            PeerEvent::DtlsState(s) => {
                self.rep
                    .report("dtls-state", json!({ "state": format!("{s:?}") }));
            }
            PeerEvent::Failed(reason) => {
                self.rep
                    .report("error", json!({ "detail": format!("failed: {reason:?}") }));
            }
            _ => {}
        }
    }

    async fn open(&self, n: u16, prefix: &str) {
        for i in 0..n {
            let label = format!("{prefix}-{i}");
            match self
                .pc
                .create_data_channel(&label, DataChannelInit::default())
                .await
            {
                Ok(ch) => {
                    tokio::spawn(own_hello(ch, format!("hello {i}"), self.rep.clone()));
                }
                Err(e) => self
                    .rep
                    .report("error", json!({ "label": label, "detail": e.to_string() })),
            }
        }
    }
}

/// A channel the remote opened: report it, then echo (or sink, for `bulk`) until it closes.
async fn remote_channel(
    mut ch: DataChannel,
    rep: Reporter,
    commands: mpsc::Sender<Command>,
    hellos: Option<Hellos>,
) {
    let label = ch.label().to_owned();
    if ch.opened().await.is_err() {
        rep.report("channel-closed", json!({ "label": label }));
        return;
    }
    rep.report(
        "channel-open",
        json!({
            "label": label,
            "by": "remote",
            "ordered": ch.ordered(),
            "max_retransmits": ch.max_retransmits(),
        }),
    );
    if label == "bulk" {
        sink(&mut ch, &rep).await;
    } else {
        let mut first = true;
        while let Some(m) = ch.recv().await {
            if label == "control"
                && let Some(cmd) = m.text().and_then(parse_command)
            {
                rep.report("command", json!({ "command": m.text() }));
                // A full queue drops the command; the offerer's check then fails.
                let _ = commands.try_send(cmd);
                continue;
            }
            if let Err(e) = echo(&ch, &m).await {
                rep.report("error", json!({ "label": label, "detail": e.to_string() }));
            }
            if label == "close-after-first" && first {
                ch.close();
            }
            first = false;
            if let (Some(h), Some(text)) = (&hellos, m.text()) {
                let _ = h.send((label.clone(), text.to_owned()));
            }
        }
    }
    rep.report("channel-closed", json!({ "label": label }));
}

/// Sends `m` back unchanged: text as text, binary as binary.
async fn echo(ch: &DataChannel, m: &Message) -> Result<(), muon::Error> {
    if m.binary {
        ch.send(m.data.clone()).await
    } else {
        ch.send_text(&String::from_utf8_lossy(&m.data)).await
    }
}

/// `open:<n>:<prefix>` (n at most [`MAX_OPEN`], prefix not empty) or `close-pc`.
pub(crate) fn parse_command(text: &str) -> Option<Command> {
    if text == "close-pc" {
        return Some(Command::Close);
    }
    let (n, prefix) = text.strip_prefix("open:")?.split_once(':')?;
    let n: u16 = n.parse().ok().filter(|n| *n <= MAX_OPEN)?;
    (!prefix.is_empty()).then(|| Command::Open {
        n,
        prefix: prefix.to_owned(),
    })
}

/// A channel this side opened on request: send `hello`, report whether the echo matches.
async fn own_hello(mut ch: DataChannel, hello: String, rep: Reporter) {
    let label = ch.label().to_owned();
    if ch.opened().await.is_ok() {
        rep.report("channel-open", json!({ "label": label, "by": "local" }));
        match ch.send_text(&hello).await {
            Ok(()) => {
                if let Some(m) = ch.recv().await {
                    let ok = m.text() == Some(hello.as_str());
                    rep.report("hello-echo", json!({ "label": label, "ok": ok }));
                }
            }
            Err(e) => rep.report("error", json!({ "label": label, "detail": e.to_string() })),
        }
        while ch.recv().await.is_some() {}
    }
    rep.report("channel-closed", json!({ "label": label }));
}

/// The `bulk` channel: binary messages are counted and hashed; the text `end` is answered
/// with `<bytes> <sha256 hex>` and starts a new count.
async fn sink(ch: &mut DataChannel, rep: &Reporter) {
    let mut hash = Sha256::new();
    let mut bytes = 0usize;
    while let Some(m) = ch.recv().await {
        if m.binary {
            hash.update(&m.data);
            bytes += m.data.len();
            continue;
        }
        if m.text() != Some("end") {
            continue;
        }
        let digest = std::mem::take(&mut hash).finalize();
        let reply = format!("{bytes} {}", hex(&digest));
        rep.report("bulk", json!({ "bytes": bytes }));
        bytes = 0;
        if let Err(e) = ch.send_text(&reply).await {
            rep.report("error", json!({ "label": "bulk", "detail": e.to_string() }));
        }
    }
}

/// Lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse_within_their_limits() {
        assert!(matches!(parse_command("close-pc"), Some(Command::Close)));
        assert!(matches!(
            parse_command("open:3:peer"),
            Some(Command::Open { n: 3, ref prefix }) if prefix == "peer"
        ));
        assert!(matches!(
            parse_command("open:1024:a:b"),
            Some(Command::Open { n: 1024, ref prefix }) if prefix == "a:b"
        ));
        for not_one in [
            "open:1025:p",
            "open:3:",
            "open:x:p",
            "open:3",
            "close",
            "hello 0",
        ] {
            assert!(parse_command(not_one).is_none(), "{not_one}");
        }
    }

    #[test]
    fn hex_is_lower_case_and_padded() {
        assert_eq!(hex(&[0, 0xab, 0x0f]), "00ab0f");
        assert_eq!(
            hex(&Sha256::digest(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
