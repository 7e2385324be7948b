//! Mode `dc`: one pair, bulk transfer on one reliable ordered channel.

use std::time::Instant;

use bytes::Bytes;
use muon::{Config, DataChannel, DataChannelInit, InterfaceFilter, PeerConnection, PeerEvent};
use tokio::sync::oneshot;

use super::{MIB, bounded, ms, status_mib};

/// Steps 1-6 of the protocol's mode `dc`. Back-pressure is muon's own: `send` waits while
/// more than [`Config::send_high_water`] (1 MiB by default) is queued on the channel.
pub(super) async fn run(total: u64, msg: u64) -> Result<(), String> {
    let msg_len = usize::try_from(msg).map_err(|_| "--msg too large".to_owned())?;
    let t0 = Instant::now();
    let (a, b) = connect_pair().await?;
    let channel = a
        .create_data_channel("bench", DataChannelInit::default())
        .await
        .map_err(|e| format!("create_data_channel: {e}"))?;
    signal(&a, &b).await?;

    let (open_tx, open_rx) = oneshot::channel();
    let (done_tx, done_rx) = oneshot::channel();
    let receiver = tokio::spawn(receive(b, total, open_tx, done_tx));

    bounded("channel open (A)", channel.opened())
        .await?
        .map_err(|e| format!("channel open: {e}"))?;
    let open_a = Instant::now();
    let open_b = bounded("channel open (B)", open_rx)
        .await?
        .map_err(|_| "the answerer ended before its channel opened".to_owned())?;
    let setup = open_a.max(open_b) - t0;

    let sender = channel.sender();
    let payload = Bytes::from(vec![0u8; msg_len]);
    let t_first = Instant::now();
    let mut sent = 0u64;
    while sent < total {
        let n = msg.min(total - sent);
        let chunk = payload.slice(..usize::try_from(n).unwrap_or(msg_len));
        bounded("room to send", sender.send(chunk))
            .await?
            .map_err(|e| format!("send: {e}"))?;
        sent += n;
    }
    let t_done = bounded("the last byte", done_rx)
        .await?
        .map_err(|_| "the answerer ended before the last byte".to_owned())?;
    receiver.abort();

    let secs = (t_done - t_first).as_secs_f64();
    let total_mib = total as f64 / MIB as f64;
    let rate = total_mib / secs;
    let peak = status_mib("VmHWM:");
    eprintln!(
        "muon dc: setup {:.1} ms, {total_mib:.1} MiB in {secs:.3} s = {rate:.1} MiB/s (msg {msg} B), peak RSS {peak:.1} MiB",
        ms(setup)
    );
    println!(
        "{{\"impl\":\"muon\",\"mode\":\"dc\",\"setup_ms\":{:.2},\"mib_per_s\":{rate:.2},\"total_mib\":{total_mib:.2},\"msg\":{msg},\"peak_rss_mib\":{peak:.2}}}",
        ms(setup)
    );
    drop(channel);
    a.close().await;
    Ok(())
}

/// Two peers with host candidates on 127.0.0.1 only.
pub(super) async fn connect_pair() -> Result<(PeerConnection, PeerConnection), String> {
    let config = Config::default().with_interfaces(InterfaceFilter::loopback_only());
    let a = PeerConnection::new(config.clone())
        .await
        .map_err(|e| format!("peer A: {e}"))?;
    let b = PeerConnection::new(config)
        .await
        .map_err(|e| format!("peer B: {e}"))?;
    Ok((a, b))
}

/// Offer from `a`, answer from `b`, exchanged in memory once each side has gathered.
pub(super) async fn signal(a: &PeerConnection, b: &PeerConnection) -> Result<(), String> {
    let step = |what: &'static str| move |e: muon::Error| format!("{what}: {e}");
    let offer = a.create_offer().await.map_err(step("create_offer"))?;
    a.set_local_description(&offer)
        .await
        .map_err(step("set_local_description (A)"))?;
    a.gathering_complete()
        .await
        .map_err(step("gathering (A)"))?;
    let offer = a.local_description().ok_or("no local offer")?;
    b.set_remote_description(&offer)
        .await
        .map_err(step("set_remote_description (B)"))?;
    let answer = b.create_answer().await.map_err(step("create_answer"))?;
    b.set_local_description(&answer)
        .await
        .map_err(step("set_local_description (B)"))?;
    b.gathering_complete()
        .await
        .map_err(step("gathering (B)"))?;
    let answer = b.local_description().ok_or("no local answer")?;
    a.set_remote_description(&answer)
        .await
        .map_err(step("set_remote_description (A)"))
}

/// Waits for the offerer's channel on `b`, then counts its bytes until `total` arrived.
async fn receive(
    mut b: PeerConnection,
    total: u64,
    open: oneshot::Sender<Instant>,
    done: oneshot::Sender<Instant>,
) {
    let Some(mut channel) = next_channel(&mut b).await else {
        return;
    };
    if channel.opened().await.is_err() {
        return;
    }
    let _ = open.send(Instant::now());
    let mut received = 0u64;
    while let Some(m) = channel.recv().await {
        received += m.data.len() as u64;
        if received >= total {
            let _ = done.send(Instant::now());
            break;
        }
    }
    // Keep the peer (and so the connection) alive until the run ends.
    std::future::pending::<()>().await;
}

/// The first data channel the remote opens on `pc`; `None` if the peer ends first.
pub(super) async fn next_channel(pc: &mut PeerConnection) -> Option<DataChannel> {
    loop {
        if let PeerEvent::DataChannel(ch) = pc.next_event().await? {
            return Some(ch);
        }
    }
}
