//! Mode `conns`: many pairs established at once, one ping/pong on each.

use std::time::Instant;

use muon::{DataChannel, DataChannelInit, PeerConnection};
use tokio::task::JoinHandle;

use super::dc::{connect_pair, next_channel, signal};
use super::{bounded, ms, status_mib};

/// One established pair, kept alive until the resident set has been read.
struct Pair {
    a: PeerConnection,
    _channel: DataChannel,
    echo: JoinHandle<()>,
}

/// The protocol's mode `conns`: `rss_per_conn_kib` is (peak RSS - RSS before the first peer)
/// / N, a pair counting as one connection.
pub(super) async fn run(n: usize) -> Result<(), String> {
    if n == 0 {
        return Err("--conns must be positive".to_owned());
    }
    let baseline = status_mib("VmRSS:");
    let t0 = Instant::now();
    let tasks: Vec<JoinHandle<Result<Pair, String>>> =
        (0..n).map(|_| tokio::spawn(one_pair())).collect();
    let mut pairs = Vec::with_capacity(n);
    for t in tasks {
        pairs.push(t.await.map_err(|e| format!("pair task: {e}"))??);
    }
    let all_open = t0.elapsed();
    let peak = status_mib("VmHWM:");
    let per_conn = (peak - baseline) * 1024.0 / n as f64;
    eprintln!(
        "muon conns: {n} pairs open with a ping/pong each in {:.1} ms, peak RSS {peak:.1} MiB (baseline {baseline:.1}), {per_conn:.0} KiB per pair",
        ms(all_open)
    );
    println!(
        "{{\"impl\":\"muon\",\"mode\":\"conns\",\"conns\":{n},\"all_open_ms\":{:.2},\"peak_rss_mib\":{peak:.2},\"rss_per_conn_kib\":{per_conn:.1}}}",
        ms(all_open)
    );
    for p in pairs {
        p.echo.abort();
        p.a.close().await;
    }
    Ok(())
}

/// Creates a pair, opens channel "bench" and round-trips "ping"/"pong" on it.
async fn one_pair() -> Result<Pair, String> {
    let (a, mut b) = connect_pair().await?;
    let mut channel = a
        .create_data_channel("bench", DataChannelInit::default())
        .await
        .map_err(|e| format!("create_data_channel: {e}"))?;
    signal(&a, &b).await?;
    // The answerer: answer "ping" with "pong" on the channel the offerer opens.
    let echo = tokio::spawn(async move {
        if let Some(mut ch) = next_channel(&mut b).await {
            while let Some(m) = ch.recv().await {
                if m.text() == Some("ping") && ch.send_text("pong").await.is_err() {
                    break;
                }
            }
        }
        // Keep the peer alive until the run ends.
        std::future::pending::<()>().await;
    });
    bounded("channel open", channel.send_text("ping"))
        .await?
        .map_err(|e| format!("ping: {e}"))?;
    loop {
        let m = bounded("pong", channel.recv())
            .await?
            .ok_or("channel closed before the pong")?;
        if m.text() == Some("pong") {
            return Ok(Pair {
                a,
                _channel: channel,
                echo,
            });
        }
    }
}
