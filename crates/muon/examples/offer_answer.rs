//! Two peers in two terminals, like Pion's `offer-answer` examples: each prints its
//! description as one base64 line to paste into the other.
//!
//! ```text
//! terminal 1: cargo run -p muon --example offer_answer -- offer
//!             (paste the answer printed by terminal 2)
//! terminal 2: cargo run -p muon --example offer_answer -- answer
//!             (paste the offer printed by terminal 1)
//! ```
//!
//! Add `--loopback` to both when the two terminals are on one machine without a network.
//! The offerer sends a message every second; the answerer prints what it receives and echoes.

use std::io::BufRead;
use std::time::Duration;

use muon::{
    Config, DataChannelInit, InterfaceFilter, PeerConnection, PeerEvent, SessionDescription,
};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let offering = match args.first().map(String::as_str) {
        Some("offer") => true,
        Some("answer") => false,
        _ => {
            eprintln!("usage: offer_answer offer|answer [--loopback]");
            std::process::exit(2);
        }
    };
    let mut interfaces = InterfaceFilter::default();
    if args.iter().any(|a| a == "--loopback") {
        interfaces = InterfaceFilter::loopback_only();
    }
    let mut pc = PeerConnection::new(Config::default().with_interfaces(interfaces)).await?;

    if offering {
        let channel = pc
            .create_data_channel("chat", DataChannelInit::default())
            .await?;
        let offer = pc.create_offer().await?;
        pc.set_local_description(&offer).await?;
        pc.gathering_complete().await?;
        let offer = pc.local_description().ok_or("no local description")?;
        println!(
            "offer (paste into the answerer):\n{}\n",
            base64::encode(offer.sdp.as_bytes())
        );
        let answer = read_pasted("answer")?;
        pc.set_remote_description(&SessionDescription::answer(answer))
            .await?;
        let mut channel = channel;
        channel.opened().await?;
        println!("channel open");
        for i in 0.. {
            channel.send_text(&format!("hello {i}")).await?;
            if let Ok(Some(m)) = tokio::time::timeout(Duration::from_secs(1), channel.recv()).await
            {
                println!("received: {}", m.text().unwrap_or("<binary>"));
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    } else {
        let offer = read_pasted("offer")?;
        pc.set_remote_description(&SessionDescription::offer(offer))
            .await?;
        let answer = pc.create_answer().await?;
        pc.set_local_description(&answer).await?;
        pc.gathering_complete().await?;
        let answer = pc.local_description().ok_or("no local description")?;
        println!(
            "answer (paste into the offerer):\n{}\n",
            base64::encode(answer.sdp.as_bytes())
        );
        while let Some(event) = pc.next_event().await {
            match event {
                PeerEvent::DataChannel(mut ch) => {
                    println!("channel '{}' opened by the peer", ch.label());
                    while let Some(m) = ch.recv().await {
                        let text = m.text().unwrap_or("<binary>").to_owned();
                        println!("received: {text}");
                        ch.send_text(&format!("echo: {text}")).await?;
                    }
                }
                PeerEvent::ConnectionState(s) => println!("connection: {s:?}"),
                _ => {}
            }
        }
    }
    Ok(())
}

fn read_pasted(what: &str) -> Result<String, Box<dyn std::error::Error>> {
    println!("paste the {what}, then Enter:");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let bytes = base64::decode(line.trim()).ok_or("not base64")?;
    Ok(String::from_utf8(bytes)?)
}

/// Standard base64 (RFC 4648 section 4), enough for pasting descriptions.
mod base64 {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    pub(crate) fn encode(data: &[u8]) -> String {
        let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
        for chunk in data.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(text.len() / 4 * 3);
        let (mut acc, mut bits) = (0u32, 0);
        for c in text.bytes().filter(|&c| c != b'=') {
            let v = ALPHABET.iter().position(|&a| a == c)? as u32;
            acc = acc << 6 | v;
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push((acc >> bits & 0xFF) as u8);
            }
        }
        Some(out)
    }

    #[test]
    fn rfc4648_vectors() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes()), coded);
            assert_eq!(decode(coded).unwrap(), plain.as_bytes());
        }
    }
}
