//! The WHIP-style signaling the interop peers use (POST application/sdp offer -> 201 with
//! the answer and a Location), both ways between two muon peers: muon offering through a
//! tiny HTTP/1.1 client over a tokio TcpStream, muon answering behind a tiny server that
//! echoes every data-channel message. Also a 16 MiB transfer with back-pressure, by hash.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{config, next_channel, within};
use muon::{DataChannelInit, PeerConnection, SessionDescription};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Reads one HTTP/1.1 message (head and a Content-Length body) from `stream`.
async fn read_http(stream: &mut TcpStream) -> (String, String) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "connection closed mid-message");
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let len: usize = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().ok())?
                })
                .unwrap_or(0);
            if body.len() >= len {
                return (head.to_owned(), body[..len].to_owned());
            }
        }
        assert!(buf.len() < 1 << 20, "message too large");
    }
}

/// A one-shot WHIP-like endpoint: answers the offer it is POSTed with a muon peer that
/// echoes every message on every channel.
async fn serve_one(listener: TcpListener) {
    let (mut stream, _) = listener.accept().await.unwrap();
    let (head, offer) = read_http(&mut stream).await;
    assert!(head.starts_with("POST /whip HTTP/1.1"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/sdp")
    );
    let mut pc = PeerConnection::new(config()).await.unwrap();
    pc.set_remote_description(&SessionDescription::offer(offer))
        .await
        .unwrap();
    let answer = pc.create_answer().await.unwrap();
    pc.set_local_description(&answer).await.unwrap();
    pc.gathering_complete().await.unwrap();
    let answer = pc.local_description().unwrap().sdp;
    let response = format!(
        "HTTP/1.1 201 Created\r\nContent-Type: application/sdp\r\nLocation: /whip/1\r\n\
         Content-Length: {}\r\n\r\n{answer}",
        answer.len()
    );
    stream.write_all(response.as_bytes()).await.unwrap();
    loop {
        let mut ch = next_channel(&mut pc).await;
        tokio::spawn(async move {
            while let Some(m) = ch.recv().await {
                let sent = if m.binary {
                    ch.send(m.data).await
                } else {
                    ch.send_text(m.text().unwrap_or_default()).await
                };
                if sent.is_err() {
                    break;
                }
            }
        });
    }
}

/// POSTs `offer` and returns the answer, checking the WHIP response shape.
async fn post_offer(addr: std::net::SocketAddr, offer: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "POST /whip HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/sdp\r\n\
         Content-Length: {}\r\n\r\n{offer}",
        offer.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let (head, answer) = read_http(&mut stream).await;
    assert!(head.starts_with("HTTP/1.1 201"), "{head}");
    assert!(head.contains("Location: /whip/1"));
    answer
}

#[tokio::test]
async fn muon_offers_over_whip_and_muon_answers_and_echoes() {
    within(60, async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(serve_one(listener));

        let pc = PeerConnection::new(config()).await.unwrap();
        let mut text = pc
            .create_data_channel("text", DataChannelInit::default())
            .await
            .unwrap();
        let mut bulk = pc
            .create_data_channel("bulk", DataChannelInit::default())
            .await
            .unwrap();
        let offer = pc.create_offer().await.unwrap();
        pc.set_local_description(&offer).await.unwrap();
        pc.gathering_complete().await.unwrap();
        let offer = pc.local_description().unwrap().sdp;
        let answer = post_offer(addr, &offer).await;
        pc.set_remote_description(&SessionDescription::answer(answer))
            .await
            .unwrap();

        text.send_text("hello").await.unwrap();
        assert_eq!(text.recv().await.unwrap().text(), Some("hello"));

        // 16 MiB through the echo with back-pressure on both sides, checked by hash.
        const TOTAL: usize = 16 << 20;
        const CHUNK: usize = 64 * 1024;
        bulk.opened().await.unwrap();
        let tx = bulk.sender();
        let sender = async move {
            let mut h = Sha256::new();
            for i in 0..TOTAL / CHUNK {
                let msg: Vec<u8> = (0..CHUNK).map(|j| (i * 7 + j) as u8).collect();
                h.update(&msg);
                tx.send(msg).await.unwrap();
            }
            h.finalize()
        };
        let (sent, got) = {
            let mut receiver_half = Sha256::new();
            let mut received = 0;
            // Drive both: the sender pauses whenever buffered_amount is high.
            let mut sender = Box::pin(sender);
            let mut sent_done = None;
            while received < TOTAL {
                tokio::select! {
                    h = &mut sender, if sent_done.is_none() => sent_done = Some(h),
                    m = bulk.recv() => {
                        let m = m.unwrap();
                        received += m.data.len();
                        receiver_half.update(&m.data);
                    }
                }
            }
            let sent_hash = match sent_done {
                Some(h) => h,
                None => sender.await,
            };
            (sent_hash, receiver_half.finalize())
        };
        assert_eq!(sent, got, "16 MiB echoed intact");
        server.abort();
    })
    .await;
}
