//! Local misuse is a typed error and changes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::Peer;
use muon_netsim::Clock;
use muon_rtc::{
    ChannelState, DataChannelInit, RtcError, SdpError, SessionDescription, SignalingState,
};

#[test]
fn misuse_is_refused_by_name() {
    let now = Clock::new().now();
    let mut p = Peer::new(61, now, common::ADDR_A.parse().unwrap());
    let rtc = &mut p.rtc;
    // Nothing to answer, nothing to apply.
    assert_eq!(
        rtc.create_answer(now),
        Err(RtcError::InvalidState(SignalingState::Stable))
    );
    assert_eq!(
        rtc.set_local_description(now, &SessionDescription::answer("")),
        Err(RtcError::InvalidState(SignalingState::Stable))
    );
    assert_eq!(
        rtc.set_local_description(now, &SessionDescription::offer("")),
        Err(RtcError::Sdp(SdpError::WrongType)),
        "an offer must be created before it is applied"
    );
    assert_eq!(
        rtc.set_remote_description(now, &SessionDescription::answer("")),
        Err(RtcError::InvalidState(SignalingState::Stable))
    );
    // Channel settings.
    let both = DataChannelInit::default()
        .with_max_retransmits(1)
        .with_max_packet_lifetime(Duration::from_millis(10));
    assert_eq!(
        rtc.create_data_channel("x", both),
        Err(RtcError::ConflictingReliability)
    );
    let long = "x".repeat(65_536);
    assert_eq!(
        rtc.create_data_channel(&long, DataChannelInit::default()),
        Err(RtcError::LabelTooLong)
    );
    let n = rtc
        .create_data_channel("n", DataChannelInit::default().negotiated(3))
        .unwrap();
    assert_eq!(
        rtc.create_data_channel("m", DataChannelInit::default().negotiated(3)),
        Err(RtcError::StreamIdUnavailable(3))
    );
    assert_eq!(
        rtc.create_data_channel("m", DataChannelInit::default().negotiated(65_535)),
        Err(RtcError::StreamIdUnavailable(65_535))
    );
    // Not open yet: sending is refused, nothing is queued.
    let mut ch = rtc.channel(n).unwrap();
    assert_eq!(ch.state(), ChannelState::Connecting);
    assert_eq!(ch.send(vec![1, 2, 3]), Err(RtcError::ChannelNotOpen));
    assert_eq!(ch.buffered_amount(), 0);
    // A channel closed before SCTP came up is gone at once.
    ch.close();
    assert!(rtc.channel(n).is_none());
    // After close, everything is refused.
    rtc.close(now);
    assert_eq!(rtc.create_offer(now), Err(RtcError::Closed));
    assert_eq!(
        rtc.create_data_channel("late", DataChannelInit::default()),
        Err(RtcError::Closed)
    );
    assert_eq!(rtc.signaling_state(), SignalingState::Closed);
    assert_eq!(rtc.poll_timeout(), None);
}
