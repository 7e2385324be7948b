//! Two peers in one process, like Pion's `data-channels` example: the offerer opens a
//! channel, the answerer echoes what it receives, and the offerer prints the echoes.
//!
//! ```text
//! cargo run -p muon --example data_channels
//! ```

use std::time::Duration;

use muon::{Config, DataChannelInit, InterfaceFilter, PeerConnection, PeerEvent};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), muon::Error> {
    let config = Config::default().with_interfaces(InterfaceFilter::loopback_only());
    let offerer = PeerConnection::new(config.clone()).await?;
    let mut answerer = PeerConnection::new(config).await?;

    let mut channel = offerer
        .create_data_channel("data", DataChannelInit::default())
        .await?;

    // Signaling, done in-process here (non-trickle: complete descriptions).
    let offer = offerer.create_offer().await?;
    offerer.set_local_description(&offer).await?;
    offerer.gathering_complete().await?;
    let offer = offerer.local_description().ok_or(muon::Error::Closed)?;
    answerer.set_remote_description(&offer).await?;
    let answer = answerer.create_answer().await?;
    answerer.set_local_description(&answer).await?;
    answerer.gathering_complete().await?;
    let answer = answerer.local_description().ok_or(muon::Error::Closed)?;
    offerer.set_remote_description(&answer).await?;

    // The answerer: echo every message of every channel the offerer opens.
    tokio::spawn(async move {
        while let Some(event) = answerer.next_event().await {
            match event {
                PeerEvent::DataChannel(mut ch) => {
                    println!("answerer: new channel '{}'", ch.label());
                    tokio::spawn(async move {
                        while let Some(msg) = ch.recv().await {
                            let text = msg.text().unwrap_or("<binary>").to_owned();
                            if ch.send_text(&format!("echo: {text}")).await.is_err() {
                                break;
                            }
                        }
                    });
                }
                PeerEvent::ConnectionState(s) => println!("answerer: connection {s:?}"),
                _ => {}
            }
        }
    });

    channel.opened().await?;
    println!("offerer: channel '{}' open", channel.label());
    for i in 0..5 {
        channel.send_text(&format!("message {i}")).await?;
        let reply = tokio::time::timeout(Duration::from_secs(5), channel.recv())
            .await
            .ok()
            .flatten()
            .ok_or(muon::Error::ChannelClosed)?;
        println!("offerer: got '{}'", reply.text().unwrap_or("<binary>"));
    }
    offerer.close().await;
    Ok(())
}
