//! Replays every saved input of the `ice_receive` fuzz target through the same function the
//! target calls, and checks the seeds mean what their names say.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::disallowed_methods)] // one real Instant as the epoch

use std::time::Instant;

use muon_ice::{Credentials, HostFilter, IceAgent, IceConfig, IceError, IceRole};
use muon_proto::{Receive, Rng};
use muon_stun::Message;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/corpus/ice_receive");

#[test]
fn replay_corpus() {
    let mut n = 0;
    for entry in std::fs::read_dir(CORPUS).unwrap() {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        muon_ice::fuzzing::ice_receive(Instant::now(), &data);
        n += 1;
    }
    assert!(n >= 8, "corpus has {n} files");
}

#[test]
fn seeds_reach_the_authenticated_paths() {
    let now = Instant::now();
    let creds = Credentials::new("fuzzufrag", "fuzzpasswordfuzzpassword").unwrap();
    let config = IceConfig::default()
        .with_role(IceRole::Controlled)
        .with_host_filter(HostFilter::all());
    let mut agent = IceAgent::with_credentials(config, Rng::from_seed([7; 32]), creds);
    let here = "192.0.2.1:4000".parse().unwrap();
    agent.add_host_candidate(now, here).unwrap();
    let seed = |name: &str| std::fs::read(format!("{CORPUS}/{name}")).unwrap();
    let feed = |agent: &mut IceAgent, bytes: &[u8]| -> Result<(), IceError> {
        agent
            .handle_receive(
                now,
                Receive {
                    source: "198.51.100.1:5000".parse().unwrap(),
                    destination: here,
                    contents: bytes,
                },
            )
            .map(|_| ())
    };
    feed(&mut agent, &seed("authenticated_check_use_candidate")).unwrap();
    let answer = agent.poll_transmit().unwrap();
    assert_eq!(
        Message::decode(&answer.contents).unwrap().error_code(),
        None
    );
    feed(&mut agent, &seed("unknown_attribute")).unwrap();
    let answer = agent.poll_transmit().unwrap();
    let code = Message::decode(&answer.contents)
        .unwrap()
        .error_code()
        .map(|e| e.code);
    assert_eq!(code, Some(420));
    assert_eq!(
        feed(&mut agent, &seed("wrong_integrity")),
        Err(IceError::BadIntegrity)
    );
    assert_eq!(
        feed(&mut agent, &seed("huge_username")),
        Err(IceError::UnknownUsername)
    );
}
