//! An echo (read a message, then send it back with back-pressure) must not deadlock when the
//! echoing side's receive queue is full while its send waits for room: the wake-up for room
//! must reach the sender even while the driver holds back incoming messages. Found by
//! `muon perf` against `muon serve`: 2 of 3 transfers of 256 MiB stalled.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{config, negotiate, next_channel, within};
use muon::{DataChannelInit, PeerConnection};
use sha2::{Digest, Sha256};

#[tokio::test]
async fn echo_with_full_receive_queue_and_waiting_sender_completes() {
    within(120, async {
        const TOTAL: usize = 4 << 20;
        const CHUNK: usize = 16 * 1024;
        // Tiny queues make the stall happen within a few messages.
        let mut cfg = config();
        cfg.channel_queue = 2;
        cfg.send_high_water = 32 * 1024;
        let a = PeerConnection::new(cfg.clone()).await.unwrap();
        let mut b = PeerConnection::new(cfg).await.unwrap();
        let mut ch = a
            .create_data_channel("echo", DataChannelInit::default())
            .await
            .unwrap();
        negotiate(&a, &b).await;
        ch.opened().await.unwrap();
        let mut remote = next_channel(&mut b).await;
        tokio::spawn(async move {
            while let Some(m) = remote.recv().await {
                if remote.send(m.data).await.is_err() {
                    break;
                }
            }
        });
        let sender = ch.sender();
        let sent = tokio::spawn(async move {
            let mut h = Sha256::new();
            for i in 0..TOTAL / CHUNK {
                let msg: Vec<u8> = (0..CHUNK).map(|j| (i * 7 + j) as u8).collect();
                h.update(&msg);
                sender.send(msg).await.unwrap();
            }
            h.finalize()
        });
        let mut h = Sha256::new();
        let mut got = 0;
        while got < TOTAL {
            let m = ch.recv().await.expect("channel open");
            got += m.data.len();
            h.update(&m.data);
        }
        assert_eq!(got, TOTAL);
        assert_eq!(h.finalize(), sent.await.unwrap());
    })
    .await;
}
