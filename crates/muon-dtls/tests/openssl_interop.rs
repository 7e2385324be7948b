//! Interop with the real OpenSSL over UDP on 127.0.0.1, both ways, with ECDSA and RSA
//! certificates, use_srtp and the DTLS-SRTP exporter: `openssl s_server -dtls1_2` against a
//! muon client and `openssl s_client -dtls1_2` against a muon server. Each side must print the
//! same keying material, and data must flow both ways. The muon server runs with and without
//! its cookie exchange.
//!
//! Needs the `openssl` binary (scripts/install-deps.sh installs it); without it these tests
//! fail, they do not skip.
#![allow(clippy::disallowed_methods, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use muon_dtls::{
    Certificate, CipherSuite, CloseReason, Config, Connected, Dtls, DtlsEvent, Fingerprint,
    HashAlg, Role, SrtpProfile,
};
use muon_proto::Rng;

/// Bound on every wait in these tests.
const WAIT: Duration = Duration::from_secs(15);

fn openssl_available() {
    let ok = Command::new("openssl")
        .arg("version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        ok,
        "the `openssl` command is missing: run scripts/install-deps.sh (installs Debian's openssl)"
    );
}

fn temp_dir() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "muon-dtls-interop-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[derive(Clone, Copy, Debug)]
enum KeyKind {
    Ecdsa,
    Rsa,
}

struct PeerCert {
    cert: PathBuf,
    key: PathBuf,
    fingerprint: Fingerprint,
}

/// Generates a self-signed certificate with the openssl CLI and takes its fingerprint as
/// openssl prints it, checking it against our own computation over the DER.
fn openssl_cert(dir: &Path, kind: KeyKind) -> PeerCert {
    let cert = dir.join("peer.pem");
    let key = dir.join("peer.key");
    let newkey: &[&str] = match kind {
        KeyKind::Ecdsa => &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"],
        KeyKind::Rsa => &["-newkey", "rsa:2048"],
    };
    let status = Command::new("openssl")
        .args(["req", "-x509"])
        .args(newkey)
        .args([
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=openssl-peer",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "openssl req failed");
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
        .arg(&cert)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let hex = text.trim().split_once('=').expect("fingerprint line").1;
    let fingerprint: Fingerprint = format!("sha-256 {hex}").parse().unwrap();
    let der = Command::new("openssl")
        .args(["x509", "-outform", "DER", "-in"])
        .arg(&cert)
        .output()
        .unwrap()
        .stdout;
    assert_eq!(Fingerprint::of(HashAlg::Sha256, &der), fingerprint);
    PeerCert {
        cert,
        key,
        fingerprint,
    }
}

/// An openssl child process whose output is collected by reader threads; killed on drop.
struct OpenSsl {
    child: Child,
    stdin: Option<ChildStdin>,
    output: Arc<Mutex<String>>,
}

impl OpenSsl {
    fn spawn(args: &[String]) -> Self {
        let mut child = Command::new("openssl")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn openssl");
        let output = Arc::new(Mutex::new(String::new()));
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        for stream in [
            Box::new(stdout) as Box<dyn std::io::Read + Send>,
            Box::new(stderr),
        ] {
            let sink = output.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let mut s = sink.lock().unwrap();
                    s.push_str(&line);
                    s.push('\n');
                }
            });
        }
        let stdin = child.stdin.take();
        Self {
            child,
            stdin,
            output,
        }
    }

    fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let out = self.output();
            if out.contains(needle) {
                return out;
            }
            assert!(
                Instant::now() < deadline,
                "openssl never printed {needle:?}; output:\n{out}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits for s_server's "ACCEPT"; false if it exited first (port taken).
    fn listening(&mut self) -> bool {
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            if self.output().contains("ACCEPT") {
                return true;
            }
            if self.child.try_wait().ok().flatten().is_some() {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    fn send_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(line.as_bytes()).unwrap();
        stdin.write_all(b"\n").unwrap();
        stdin.flush().unwrap();
    }

    /// The hex after "Keying material: ".
    fn keying_material(&self) -> Vec<u8> {
        let out = self.wait_for("Keying material: ");
        let line = out
            .lines()
            .find_map(|l| l.trim().strip_prefix("Keying material: "))
            .unwrap();
        hex::decode(line.trim()).unwrap()
    }
}

impl Drop for OpenSsl {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A muon endpoint on a real UDP socket.
struct Endpoint {
    dtls: Dtls,
    sock: UdpSocket,
    peer: Option<SocketAddr>,
    connected: Option<Connected>,
    received: Vec<u8>,
    closed: Option<CloseReason>,
}

impl Endpoint {
    fn new(role: Role, config: Config, sock: UdpSocket, peer: Option<SocketAddr>) -> Self {
        let dtls = Dtls::new(role, config, Rng::from_seed([0x42; 32]), Instant::now()).unwrap();
        Self {
            dtls,
            sock,
            peer,
            connected: None,
            received: Vec::new(),
            closed: None,
        }
    }

    /// Runs the socket loop until `done` or the bounded wait ends.
    fn pump(&mut self, what: &str, mut done: impl FnMut(&Self) -> bool) {
        let deadline = Instant::now() + WAIT;
        let mut buf = vec![0u8; 65536];
        loop {
            if let Some(peer) = self.peer {
                while let Some(d) = self.dtls.poll_transmit() {
                    self.sock.send_to(&d, peer).unwrap();
                }
            }
            while let Some(ev) = self.dtls.poll_event() {
                match ev {
                    DtlsEvent::Connected(c) => self.connected = Some(c),
                    DtlsEvent::ApplicationData(d) => self.received.extend_from_slice(&d),
                    DtlsEvent::Closed(reason) => self.closed = Some(reason),
                    _ => {}
                }
            }
            if done(self) {
                return;
            }
            assert!(
                self.closed.is_none(),
                "closed while waiting for {what}: {:?}",
                self.closed
            );
            let now = Instant::now();
            assert!(now < deadline, "timed out waiting for {what}");
            let wake = self.dtls.poll_timeout().unwrap_or(deadline).min(deadline);
            let wait = wake
                .saturating_duration_since(now)
                .clamp(Duration::from_millis(1), Duration::from_millis(50));
            self.sock.set_read_timeout(Some(wait)).unwrap();
            match self.sock.recv_from(&mut buf) {
                Ok((n, from)) => {
                    self.peer.get_or_insert(from);
                    let _ = self.dtls.handle_receive(Instant::now(), &buf[..n]);
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {}
                Err(e) => panic!("recv: {e}"),
            }
            if self
                .dtls
                .poll_timeout()
                .is_some_and(|t| t <= Instant::now())
            {
                self.dtls.handle_timeout(Instant::now());
            }
        }
    }
}

fn free_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn common_args(role_args: &[&str], peer: &PeerCert, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = role_args.iter().map(|s| s.to_string()).collect();
    args.extend(
        [
            "-dtls1_2",
            "-cert",
            peer.cert.to_str().unwrap(),
            "-key",
            peer.key.to_str().unwrap(),
            "-use_srtp",
            "SRTP_AES128_CM_SHA1_80",
            "-keymatexport",
            "EXTRACTOR-dtls_srtp",
            "-keymatexportlen",
            "60",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

/// Checks keys and exporter against openssl's printed keying material, then data both ways.
fn check_session(ep: &mut Endpoint, ossl: &mut OpenSsl, role: Role) -> CipherSuite {
    let connected = ep.connected.clone().unwrap();
    let theirs = ossl.keying_material();
    assert_eq!(theirs.len(), 60);
    let mut ours = [0u8; 60];
    ep.dtls
        .export_keying_material(b"EXTRACTOR-dtls_srtp", None, &mut ours)
        .unwrap();
    assert_eq!(
        hex::encode(ours),
        hex::encode(&theirs),
        "exporter output differs from OpenSSL's"
    );
    // RFC 5764 section 4.2: client key | server key | client salt | server salt.
    let srtp = connected.srtp.expect("use_srtp negotiated");
    assert_eq!(srtp.profile(), SrtpProfile::Aes128CmHmacSha1_80);
    assert_eq!(
        ep.dtls.srtp_profile(),
        Some(SrtpProfile::Aes128CmHmacSha1_80)
    );
    let (client_key, server_key) = (&theirs[..16], &theirs[16..32]);
    let (client_salt, server_salt) = (&theirs[32..46], &theirs[46..60]);
    let (local, remote) = match role {
        Role::Client => ((client_key, client_salt), (server_key, server_salt)),
        Role::Server => ((server_key, server_salt), (client_key, client_salt)),
    };
    assert_eq!((srtp.local_key(), srtp.local_salt()), local);
    assert_eq!((srtp.remote_key(), srtp.remote_salt()), remote);

    ep.dtls.send_application_data(b"hello from muon\n").unwrap();
    ep.pump("our data to be sent", |_| true);
    ossl.wait_for("hello from muon");
    ossl.send_line("hello from openssl");
    ep.pump("data from openssl", |e| {
        String::from_utf8_lossy(&e.received).contains("hello from openssl")
    });
    ep.dtls.close();
    ep.pump("close_notify to be sent", |_| true);
    assert_eq!(ep.closed, Some(CloseReason::LocalClose));
    connected.cipher_suite
}

fn muon_client_against_s_server(kind: KeyKind, extra: &[&str]) -> (CipherSuite, String) {
    openssl_available();
    let dir = temp_dir();
    let peer = openssl_cert(&dir, kind);
    // The port is free when chosen but could be taken before s_server binds it: retry.
    let (mut ossl, accept) = (0..3)
        .find_map(|_| {
            let accept = format!("127.0.0.1:{}", free_port());
            let mut ossl = OpenSsl::spawn(&common_args(
                &["s_server", "-accept", &accept, "-verify", "1"],
                &peer,
                extra,
            ));
            ossl.listening().then_some((ossl, accept))
        })
        .expect("s_server never started listening");
    let mut rng = Rng::from_seed([7; 32]);
    let config = Config::new(
        Certificate::generate(&mut rng),
        vec![peer.fingerprint.clone()],
    );
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let server: SocketAddr = accept.parse().unwrap();
    let mut ep = Endpoint::new(Role::Client, config, sock, Some(server));
    ep.pump("handshake with s_server", |e| e.connected.is_some());
    let suite = check_session(&mut ep, &mut ossl, Role::Client);
    let out = ossl.output();
    let _ = std::fs::remove_dir_all(&dir);
    (suite, out)
}

fn s_client_against_muon_server(kind: KeyKind, extra: &[&str]) -> (CipherSuite, String) {
    s_client_against_muon_server_with(kind, extra, true)
}

fn s_client_against_muon_server_with(
    kind: KeyKind,
    extra: &[&str],
    cookie_exchange: bool,
) -> (CipherSuite, String) {
    openssl_available();
    let dir = temp_dir();
    let peer = openssl_cert(&dir, kind);
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let connect = sock.local_addr().unwrap().to_string();
    let mut rng = Rng::from_seed([8; 32]);
    let mut config = Config::new(
        Certificate::generate(&mut rng),
        vec![peer.fingerprint.clone()],
    );
    config.cookie_exchange = cookie_exchange;
    let mut ep = Endpoint::new(Role::Server, config, sock, None);
    let mut ossl = OpenSsl::spawn(&common_args(
        &["s_client", "-connect", &connect],
        &peer,
        extra,
    ));
    ep.pump("handshake with s_client", |e| e.connected.is_some());
    let suite = check_session(&mut ep, &mut ossl, Role::Server);
    if cookie_exchange {
        assert!(
            ep.dtls.stats().hello_verify_requests >= 1,
            "the cookie exchange ran"
        );
    } else {
        assert_eq!(
            ep.dtls.stats().hello_verify_requests,
            0,
            "no cookie exchange"
        );
    }
    let out = ossl.output();
    let _ = std::fs::remove_dir_all(&dir);
    (suite, out)
}

#[test]
fn muon_client_openssl_server_ecdsa() {
    let (suite, out) = muon_client_against_s_server(KeyKind::Ecdsa, &[]);
    assert!(matches!(
        suite,
        CipherSuite::EcdheEcdsaAes128GcmSha256 | CipherSuite::EcdheEcdsaAes256GcmSha384
    ));
    // s_server requested and received our certificate.
    assert!(out.contains("subject=CN = muon"), "{out}");
}

#[test]
fn muon_client_openssl_server_ecdsa_aes128_p256() {
    let (suite, _) = muon_client_against_s_server(
        KeyKind::Ecdsa,
        &[
            "-cipher",
            "ECDHE-ECDSA-AES128-GCM-SHA256",
            "-curves",
            "prime256v1",
        ],
    );
    assert_eq!(suite, CipherSuite::EcdheEcdsaAes128GcmSha256);
}

#[test]
fn muon_client_openssl_server_ecdsa_aes256_sha384() {
    let (suite, _) = muon_client_against_s_server(
        KeyKind::Ecdsa,
        &["-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384"],
    );
    assert_eq!(suite, CipherSuite::EcdheEcdsaAes256GcmSha384);
}

#[test]
fn muon_client_openssl_server_rsa() {
    let (suite, out) = muon_client_against_s_server(KeyKind::Rsa, &[]);
    assert_eq!(suite, CipherSuite::EcdheRsaAes128GcmSha256);
    assert!(out.contains("subject=CN = muon"), "{out}");
}

#[test]
fn muon_client_openssl_server_rsa_pkcs1_signature() {
    let (suite, _) =
        muon_client_against_s_server(KeyKind::Rsa, &["-sigalgs", "RSA+SHA256:ECDSA+SHA256"]);
    assert_eq!(suite, CipherSuite::EcdheRsaAes128GcmSha256);
}

#[test]
fn openssl_client_muon_server_ecdsa() {
    let (suite, out) = s_client_against_muon_server(KeyKind::Ecdsa, &[]);
    assert_eq!(suite, CipherSuite::EcdheEcdsaAes128GcmSha256);
    assert!(
        out.contains("SRTP Extension negotiated, profile=SRTP_AES128_CM_SHA1_80"),
        "{out}"
    );
}

/// OpenSSL's client accepts a ServerHello as the answer to its first ClientHello (RFC 6347
/// section 4.2.1: clients must be prepared either way) and both sides agree on the keys.
#[test]
fn openssl_client_muon_server_without_cookie_exchange() {
    let (suite, out) = s_client_against_muon_server_with(KeyKind::Ecdsa, &[], false);
    assert_eq!(suite, CipherSuite::EcdheEcdsaAes128GcmSha256);
    assert!(
        out.contains("SRTP Extension negotiated, profile=SRTP_AES128_CM_SHA1_80"),
        "{out}"
    );
}

#[test]
fn openssl_client_muon_server_rsa_without_cookie_exchange() {
    let (suite, _) = s_client_against_muon_server_with(KeyKind::Rsa, &[], false);
    assert_eq!(suite, CipherSuite::EcdheEcdsaAes128GcmSha256);
}

#[test]
fn openssl_client_muon_server_ecdsa_p256() {
    let (suite, _) = s_client_against_muon_server(KeyKind::Ecdsa, &["-curves", "prime256v1"]);
    assert_eq!(suite, CipherSuite::EcdheEcdsaAes128GcmSha256);
}

#[test]
fn openssl_client_muon_server_rsa_client_certificate() {
    let (suite, _) = s_client_against_muon_server(KeyKind::Rsa, &[]);
    assert_eq!(suite, CipherSuite::EcdheEcdsaAes128GcmSha256);
}

#[test]
fn openssl_client_muon_server_rsa_pkcs1_client_certificate() {
    let (suite, _) = s_client_against_muon_server(KeyKind::Rsa, &["-client_sigalgs", "RSA+SHA256"]);
    assert_eq!(suite, CipherSuite::EcdheEcdsaAes128GcmSha256);
}

/// OpenSSL parses our generated certificate, verifies its self-signature, and computes the
/// same fingerprints as we do.
#[test]
fn openssl_verifies_our_certificate_and_fingerprints() {
    openssl_available();
    let dir = temp_dir();
    let cert = Certificate::generate(&mut Rng::from_seed([11; 32]));
    let der_path = dir.join("muon.der");
    let pem_path = dir.join("muon.pem");
    std::fs::write(&der_path, cert.der()).unwrap();
    let status = Command::new("openssl")
        .args(["x509", "-inform", "DER", "-in"])
        .arg(&der_path)
        .arg("-out")
        .arg(&pem_path)
        .status()
        .unwrap();
    assert!(status.success(), "openssl could not parse our DER");
    let verify = Command::new("openssl")
        .args(["verify", "-check_ss_sig", "-CAfile"])
        .arg(&pem_path)
        .arg(&pem_path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&verify.stdout);
    assert!(verify.status.success() && text.contains(": OK"), "{text}");
    for (flag, alg) in [
        ("-sha256", HashAlg::Sha256),
        ("-sha384", HashAlg::Sha384),
        ("-sha512", HashAlg::Sha512),
    ] {
        let out = Command::new("openssl")
            .args(["x509", "-noout", "-fingerprint", flag, "-in"])
            .arg(&pem_path)
            .output()
            .unwrap();
        let line = String::from_utf8(out.stdout).unwrap();
        let hex = line.trim().split_once('=').unwrap().1;
        let theirs: Fingerprint = format!("{} {hex}", alg.sdp_name()).parse().unwrap();
        assert_eq!(theirs, cert.fingerprint(alg));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
