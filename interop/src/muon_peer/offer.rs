//! muon's offering role: the checks of an [`OfferPlan`] (interop/README.md, "Offering role"),
//! in the order and number the other peers use, so that [`OfferPlan::failures`] judges it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use muon::{DataChannel, DataChannelInit, PeerConnection, SessionDescription};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;
use tokio::time::{Instant, timeout_at};

use super::echo::{Command, Session, hex};
use super::{Reporter, lock, muon_config};
use crate::plan::{OfferPlan, Reliability};
use crate::signaling::{Session as Signaled, post_offer};

/// Bound on each HTTP exchange (offer, DELETE).
const HTTP_TIMEOUT: Duration = Duration::from_secs(20);

/// Counts checks and reports each one.
#[derive(Debug)]
struct Checker {
    rep: Reporter,
    tally: Mutex<(usize, Vec<String>)>,
}

impl Checker {
    fn check(&self, name: &str, ok: bool, fields: Value) -> bool {
        let mut line = json!({ "name": name, "ok": ok });
        if let (Some(line), Value::Object(fields)) = (line.as_object_mut(), fields.clone()) {
            line.extend(fields);
        }
        self.rep.report("check", line);
        let mut tally = lock(&self.tally);
        tally.0 += 1;
        if !ok {
            tally.1.push(format!("{name} {fields}"));
        }
        ok
    }
}

/// Runs `plan` against the answerer at `url`; reports `done` last, whatever happens.
pub(super) async fn run(url: String, plan: OfferPlan, rep: Reporter) {
    let checker = Arc::new(Checker {
        rep: rep.clone(),
        tally: Mutex::new((0, Vec::new())),
    });
    let deadline = Instant::now() + plan.timeout;
    let result = match timeout_at(deadline, drive(&url, &plan, &checker, deadline)).await {
        Ok(r) => r,
        Err(_) => Err("the plan timed out".to_owned()),
    };
    let (checks, failures) = lock(&checker.tally).clone();
    let mut done = json!({
        "ok": result.is_ok() && failures.is_empty(),
        "checks": checks,
        "failures": failures,
    });
    if let (Err(e), Some(done)) = (&result, done.as_object_mut()) {
        done.insert("error".into(), json!(e));
    }
    rep.report("done", done);
}

/// The plan's steps; an error means the run could not go on (the checks so far stand).
async fn drive(
    url: &str,
    plan: &OfferPlan,
    c: &Arc<Checker>,
    deadline: Instant,
) -> Result<(), String> {
    let pc = PeerConnection::new(muon_config())
        .await
        .map_err(|e| e.to_string())?;
    let create = |label: String, init: DataChannelInit| {
        let pc = &pc;
        async move {
            pc.create_data_channel(&label, init)
                .await
                .map_err(|e| e.to_string())
        }
    };
    let control = create("control".into(), DataChannelInit::default()).await?;
    let mut echoes = Vec::new();
    for i in 0..plan.channels {
        echoes.push(create(format!("echo-{i}"), init(plan.echo_channels)).await?);
    }
    let mut caf = None;
    if plan.close_after_first {
        caf = Some(create("close-after-first".into(), DataChannelInit::default()).await?);
    }
    let mut bulk = None;
    if plan.bulk > 0 {
        bulk = Some(create("bulk".into(), DataChannelInit::default()).await?);
    }

    let signaled = negotiate(&pc, url, &c.rep).await?;
    let (hellos_tx, mut hellos) = mpsc::unbounded_channel();
    let commands = Session::spawn(pc, c.rep.clone(), Some(hellos_tx));

    let all = std::iter::once(&control)
        .chain(&echoes)
        .chain(&caf)
        .chain(&bulk);
    for ch in all {
        let opened = timeout_at(deadline, ch.opened()).await;
        c.check(
            "open",
            matches!(opened, Ok(Ok(()))),
            json!({ "label": ch.label() }),
        );
    }

    // Echo channels in parallel, one message in flight on each.
    let tasks: Vec<_> = echoes
        .into_iter()
        .map(|ch| {
            let (c, sizes) = (Arc::clone(c), plan.sizes.clone());
            tokio::spawn(async move {
                let mut ch = ch;
                echo_sizes(&mut ch, &sizes, &c, deadline).await;
                ch
            })
        })
        .collect();
    let mut echoes = Vec::new();
    for t in tasks {
        echoes.push(t.await.map_err(|e| e.to_string())?);
    }

    if let Some(bulk) = &mut bulk {
        send_bulk(bulk, plan.bulk, plan.bulk_message, c, deadline).await;
    }

    if let Some(caf) = &mut caf {
        caf.send_text("first").await.map_err(|e| e.to_string())?;
        let m = timeout_at(deadline, caf.recv()).await.ok().flatten();
        let echoed = m.is_some_and(|m| m.text() == Some("first"));
        c.check("close-after-first-echo", echoed, json!({}));
        let closed = timeout_at(deadline, caf.closed()).await.is_ok();
        c.check("closed-by-remote", closed, json!({ "label": caf.label() }));
    }

    if plan.open > 0 {
        control
            .send_text(&format!("open:{}:peer", plan.open))
            .await
            .map_err(|e| e.to_string())?;
        let mut seen = vec![false; usize::from(plan.open)];
        while seen.iter().any(|s| !s) {
            let Ok(Some((label, text))) = timeout_at(deadline, hellos.recv()).await else {
                break;
            };
            let i = label
                .strip_prefix("peer-")
                .and_then(|i| i.parse::<u16>().ok());
            if let Some(i) = i
                && text == format!("hello {i}")
                && let Some(s) = seen.get_mut(usize::from(i))
            {
                *s = true;
            }
        }
        for (i, ok) in seen.into_iter().enumerate() {
            c.check("remote-open", ok, json!({ "label": format!("peer-{i}") }));
        }
    }

    for ch in &echoes {
        ch.close();
        let closed = timeout_at(deadline, ch.closed()).await.is_ok();
        c.check("local-close", closed, json!({ "label": ch.label() }));
    }

    if plan.close_pc {
        control
            .send_text("close-pc")
            .await
            .map_err(|e| e.to_string())?;
        let closed = timeout_at(deadline, control.closed()).await.is_ok();
        c.check("closed-pc-by-remote", closed, json!({}));
    }

    let status = tokio::task::spawn_blocking(move || signaled.delete(HTTP_TIMEOUT))
        .await
        .map_err(|e| e.to_string())?;
    let status = status.ok();
    c.check(
        "delete",
        status == Some(200),
        json!({ "status": status.unwrap_or(0) }),
    );
    let _ = commands.try_send(Command::Close);
    Ok(())
}

/// Creates the offer, waits for gathering, POSTs the complete offer and applies the answer.
async fn negotiate(pc: &PeerConnection, url: &str, rep: &Reporter) -> Result<Signaled, String> {
    let e = |e: muon::Error| e.to_string();
    let offer = pc.create_offer().await.map_err(e)?;
    pc.set_local_description(&offer).await.map_err(e)?;
    pc.gathering_complete().await.map_err(e)?;
    let offer = pc.local_description().ok_or("no local description")?.sdp;
    rep.report("local-sdp", json!({ "type": "offer", "sdp": offer }));
    let url = url.to_owned();
    let signaled = tokio::task::spawn_blocking(move || post_offer(&url, &offer, HTTP_TIMEOUT))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    pc.set_remote_description(&SessionDescription::answer(signaled.answer.clone()))
        .await
        .map_err(e)?;
    Ok(signaled)
}

fn init(reliability: Reliability) -> DataChannelInit {
    match reliability {
        Reliability::Unordered => DataChannelInit::default().unordered(),
        Reliability::Unreliable => DataChannelInit::default()
            .unordered()
            .with_max_retransmits(0),
        _ => DataChannelInit::default(),
    }
}

/// One text and one binary message of every size, each echo compared byte for byte; stops
/// at the first failure (as the other peers do).
async fn echo_sizes(ch: &mut DataChannel, sizes: &[usize], c: &Checker, deadline: Instant) {
    for &size in sizes {
        for text in [true, false] {
            let kind = if text { "text" } else { "binary" };
            let data = payload(text, size);
            let mut fields = json!({ "label": ch.label(), "kind": kind, "size": size });
            let sent = if text {
                ch.send_text(std::str::from_utf8(&data).unwrap_or_default())
                    .await
            } else {
                ch.send(data.clone()).await
            };
            if let Err(e) = sent {
                if let Some(f) = fields.as_object_mut() {
                    f.insert("detail".into(), json!(e.to_string()));
                }
                c.check("echo", false, fields);
                return;
            }
            let m = timeout_at(deadline, ch.recv()).await.ok().flatten();
            let ok = m.is_some_and(|m| m.binary != text && m.data == data);
            if !c.check("echo", ok, fields) {
                return;
            }
        }
    }
}

/// `n` pseudo-random bytes in `message`-byte messages (muon's `send` waits while more than
/// `Config::send_high_water` is buffered: the back-pressure), then `end`; the remote's
/// `<bytes> <sha256>` must match.
async fn send_bulk(ch: &mut DataChannel, n: usize, message: usize, c: &Checker, deadline: Instant) {
    let message = message.max(1);
    let mut hash = Sha256::new();
    let mut src = Xorshift::new(n);
    let start = Instant::now();
    let mut fields = json!({ "label": ch.label(), "bytes": n });
    let mut detail = None;
    let mut sent = 0;
    while sent < n {
        let mut chunk = vec![0u8; message.min(n - sent)];
        src.fill(&mut chunk);
        hash.update(&chunk);
        sent += chunk.len();
        if let Err(e) = ch.send(chunk).await {
            detail = Some(e.to_string());
            break;
        }
    }
    if detail.is_none()
        && let Err(e) = ch.send_text("end").await
    {
        detail = Some(e.to_string());
    }
    let want = format!("{n} {}", hex(&hash.finalize()));
    let mut ok = false;
    if detail.is_none() {
        let reply = timeout_at(deadline, ch.recv()).await.ok().flatten();
        let got = reply.as_ref().and_then(|m| m.text());
        ok = got == Some(want.as_str());
        if !ok {
            detail = Some(format!("remote got {got:?}, sent {want:?}"));
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    if let Some(f) = fields.as_object_mut() {
        #[allow(clippy::cast_precision_loss)] // a rate for people to read
        let rate = n as f64 / 1e6 / elapsed.max(1e-9);
        f.insert("ms".into(), json!((elapsed * 1e3).round()));
        f.insert("mbytes_per_s".into(), json!(rate));
        if let Some(d) = detail {
            f.insert("detail".into(), json!(d));
        }
    }
    c.check("bulk", ok, fields);
}

/// A message of exactly `size` bytes: UTF-8 text with some two-byte characters, or
/// pseudo-random bytes.
fn payload(text: bool, size: usize) -> Bytes {
    let mut out = Vec::with_capacity(size);
    if text {
        let mut i = 0usize;
        while out.len() < size {
            if size - out.len() >= 2 && i % 8 == 7 {
                out.extend_from_slice("é".as_bytes());
            } else {
                out.push(b'a' + (i % 26) as u8);
            }
            i += 1;
        }
    } else {
        out.resize(size, 0);
        Xorshift::new(size).fill(&mut out);
    }
    Bytes::from(out)
}

/// The pseudo-random byte stream of [`payload`] and [`send_bulk`].
struct Xorshift(u32);

impl Xorshift {
    fn new(seed: usize) -> Self {
        // Only the low bits seed the stream; any seed works.
        Self((seed as u32) | 1)
    }

    fn fill(&mut self, out: &mut [u8]) {
        for b in out {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 17;
            self.0 ^= self.0 << 5;
            *b = self.0.to_le_bytes()[0];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_have_the_exact_size_and_text_is_utf8() {
        for size in [1, 2, 7, 8, 9, 1024, 262_144] {
            let text = payload(true, size);
            assert_eq!(text.len(), size);
            assert!(std::str::from_utf8(&text).is_ok(), "{size}");
            let binary = payload(false, size);
            assert_eq!(binary.len(), size);
        }
        assert!(
            std::str::from_utf8(&payload(true, 64))
                .unwrap()
                .contains('é')
        );
        let mut distinct = payload(false, 4096).to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        assert!(distinct.len() > 200, "pseudo-random: {}", distinct.len());
    }

    #[test]
    fn channel_init_follows_the_plan() {
        assert_eq!(init(Reliability::Reliable), DataChannelInit::default());
        let unreliable = init(Reliability::Unreliable);
        assert_eq!(
            (unreliable.ordered, unreliable.max_retransmits),
            (Some(false), Some(0))
        );
        assert_eq!(init(Reliability::Unordered).max_retransmits, None);
    }
}
