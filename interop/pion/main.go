// Command pion-peer is the Pion v4 side of muon's interop tests.
//
//	pion-peer answer --listen 127.0.0.1:0
//	pion-peer offer --url http://127.0.0.1:PORT/offer [--channels N] [--sizes 1,1024] ...
//
// Both roles speak the WHIP-shaped signaling contract of interop/README.md (non-trickle: the
// offer and the answer carry every candidate) and the same data-channel behaviour:
// messages on a channel the remote side opened are echoed back unchanged, `control` takes
// commands (`open:<n>:<prefix>`, `close-pc`) and `close-after-first` is closed right after
// its first echo. Everything worth checking is reported as one JSON object per line on
// stdout; diagnostics go to stderr.
//
// ICE gathers UDP host candidates on 127.0.0.1 only (loopback allowed, no mDNS, no STUN), so
// the peer never touches another interface. The process exits cleanly on stdin EOF, SIGTERM
// or SIGINT.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "answer":
		err = runAnswer(os.Args[2:])
	case "offer":
		err = runOffer(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "pion-peer:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: pion-peer answer --listen ADDR | pion-peer offer --url URL [flags]")
	os.Exit(2)
}

// newAPI returns a Pion API whose ICE agent gathers only UDP host candidates on IPv4 loopback.
func newAPI() *webrtc.API {
	var s webrtc.SettingEngine
	s.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	s.SetIncludeLoopbackCandidate(true)
	s.SetInterfaceFilter(func(name string) bool { return name == "lo" })
	s.SetIPFilter(func(ip net.IP) bool { return ip.Equal(net.IPv4(127, 0, 0, 1)) })
	s.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	return webrtc.NewAPI(webrtc.WithSettingEngine(s))
}

// reporter writes one JSON object per line on stdout; safe for concurrent use.
type reporter struct {
	mu  sync.Mutex
	enc *json.Encoder
}

func newReporter() *reporter { return &reporter{enc: json.NewEncoder(os.Stdout)} }

func (r *reporter) report(event string, fields map[string]any) {
	line := map[string]any{"event": event}
	for k, v := range fields {
		line[k] = v
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.enc.Encode(line); err != nil {
		fmt.Fprintln(os.Stderr, "pion-peer: stdout:", err)
	}
}

// stopSignal is closed on stdin EOF, SIGTERM or SIGINT: the harness ends a peer by closing
// its stdin (or, failing that, by signal).
func stopSignal() <-chan struct{} {
	stop := make(chan struct{})
	var once sync.Once
	done := func() { once.Do(func() { close(stop) }) }
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		done()
	}()
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		<-sig
		done()
	}()
	return stop
}
