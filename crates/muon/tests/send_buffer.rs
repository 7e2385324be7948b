//! Many channels together can fill the association's send buffer (queued plus unacknowledged
//! bytes of every channel, 16 MiB) while each channel stays under its own high-water mark.
//! `send` must then wait for acknowledgements, not fail: found by the unreliable-channel
//! investigation, where `muon perf` runs died with `limit reached: ChannelBuffer`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{config, negotiate, next_channel, within};
use muon::{DataChannelInit, PeerConnection};

const CHANNELS: usize = 24;
const PER_CHANNEL: usize = 3 << 19; // 1.5 MiB
const MSG: usize = 64 * 1024;

#[tokio::test]
async fn a_full_association_makes_send_wait_not_fail() {
    within(120, async {
        let a = PeerConnection::new(config()).await.unwrap();
        // The receiver holds one message per channel, so its window closes early.
        let mut slow = config();
        slow.channel_queue = 1;
        let mut b = PeerConnection::new(slow).await.unwrap();
        let mut channels = Vec::new();
        for i in 0..CHANNELS {
            let label = format!("c{i}");
            channels.push(
                a.create_data_channel(&label, DataChannelInit::default())
                    .await
                    .unwrap(),
            );
        }
        negotiate(&a, &b).await;
        let mut senders = Vec::new();
        for ch in &channels {
            ch.opened().await.unwrap();
            let tx = ch.sender();
            senders.push(tokio::spawn(async move {
                for i in 0..PER_CHANNEL / MSG {
                    tx.send(vec![i as u8; MSG]).await?;
                }
                Ok::<(), muon::Error>(())
            }));
        }
        let mut remotes = Vec::new();
        for _ in 0..CHANNELS {
            remotes.push(next_channel(&mut b).await);
        }
        // Nobody reads for a while: ~25 MiB wants to go, 16 MiB fits in the send buffer.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let readers: Vec<_> = remotes
            .into_iter()
            .map(|mut r| {
                tokio::spawn(async move {
                    let mut got = 0;
                    while got < PER_CHANNEL {
                        let m = r.recv().await.expect("open channel");
                        assert!(m.data.iter().all(|&b| b == m.data[0]));
                        got += m.data.len();
                    }
                    got
                })
            })
            .collect();
        for s in senders {
            s.await
                .unwrap()
                .expect("send waits for room instead of failing");
        }
        for r in readers {
            assert_eq!(r.await.unwrap(), PER_CHANNEL);
        }
    })
    .await;
}
