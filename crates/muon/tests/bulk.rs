//! 64 MiB one way over loopback with back-pressure, checked by SHA-256; prints the rate.
//! Ignored by default (slow in debug builds): `cargo test -p muon --release --test bulk --
//! --ignored --nocapture`.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::disallowed_methods)] // wall-clock timing of the transfer

mod common;

use std::time::Instant;

use common::{config, negotiate, next_channel, within};
use muon::{DataChannelInit, PeerConnection};
use sha2::{Digest, Sha256};

#[tokio::test]
#[ignore = "64 MiB: run in release"]
async fn sixty_four_mib_with_back_pressure() {
    within(300, async {
        const TOTAL: usize = 64 << 20;
        const CHUNK: usize = 64 * 1024;
        let a = PeerConnection::new(config()).await.unwrap();
        let mut b = PeerConnection::new(config()).await.unwrap();
        let ch = a
            .create_data_channel("bulk", DataChannelInit::default())
            .await
            .unwrap();
        negotiate(&a, &b).await;
        ch.opened().await.unwrap();
        let mut remote = next_channel(&mut b).await;
        let start = Instant::now();
        let sender = tokio::spawn(async move {
            let mut h = Sha256::new();
            let mut max_buffered = 0;
            for i in 0..TOTAL / CHUNK {
                let msg: Vec<u8> = (0..CHUNK).map(|j| (i * 31 + j) as u8).collect();
                h.update(&msg);
                ch.send(msg).await.unwrap();
                max_buffered = max_buffered.max(ch.buffered_amount());
            }
            (h.finalize(), max_buffered, ch)
        });
        let mut h = Sha256::new();
        let mut got = 0;
        while got < TOTAL {
            let m = remote.recv().await.unwrap();
            got += m.data.len();
            h.update(&m.data);
        }
        let secs = start.elapsed().as_secs_f64();
        let (sent, max_buffered, _ch) = sender.await.unwrap();
        assert_eq!(sent, h.finalize(), "64 MiB intact");
        // send() waited whenever the queue passed the high-water mark (1 MiB) plus a message.
        assert!(max_buffered <= (1 << 20) + CHUNK, "{max_buffered}");
        println!(
            "64 MiB over loopback in {secs:.2} s: {:.1} MiB/s, max buffered {max_buffered} B",
            64.0 / secs
        );
    })
    .await;
}
