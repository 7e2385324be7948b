package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/pion/webrtc/v4"
)

// maxOpen bounds `open:<n>:<prefix>`: a control message cannot make the peer open more.
const maxOpen = 1024

// echoer gives a PeerConnection the echo behaviour both roles share (interop/README.md):
// channels the remote opened echo every message; `control` runs commands; the peer's own
// channels opened by `open:` send `hello <i>` and report what comes back.
type echoer struct {
	pc  *webrtc.PeerConnection
	rep *reporter
	// remoteHello, when set, receives (label, text) of every text message on a remote-opened
	// channel, after it has been echoed: the offering role checks `hello <i>` with it.
	remoteHello func(label, text string)
}

func (e *echoer) attach() {
	e.pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		e.rep.report("pc-state", map[string]any{"state": s.String()})
	})
	e.pc.OnDataChannel(e.onRemoteChannel)
}

func (e *echoer) onRemoteChannel(dc *webrtc.DataChannel) {
	label := dc.Label()
	dc.OnOpen(func() {
		var maxRetransmits any
		if m := dc.MaxRetransmits(); m != nil {
			maxRetransmits = *m
		}
		e.rep.report("channel-open", map[string]any{
			"label": label, "by": "remote", "ordered": dc.Ordered(), "max_retransmits": maxRetransmits,
		})
	})
	dc.OnClose(func() { e.rep.report("channel-closed", map[string]any{"label": label}) })
	if label == "bulk" {
		e.sink(dc)
		return
	}
	var closeOnce sync.Once
	dc.OnMessage(func(msg webrtc.DataChannelMessage) {
		if label == "control" && msg.IsString && e.command(string(msg.Data)) {
			return
		}
		if err := echo(dc, msg); err != nil {
			e.rep.report("error", map[string]any{"label": label, "detail": err.Error()})
		}
		if label == "close-after-first" {
			closeOnce.Do(func() { _ = dc.Close() })
		}
		if e.remoteHello != nil && msg.IsString {
			e.remoteHello(label, string(msg.Data))
		}
	})
}

func echo(dc *webrtc.DataChannel, msg webrtc.DataChannelMessage) error {
	if msg.IsString {
		return dc.SendText(string(msg.Data))
	}
	return dc.Send(msg.Data)
}

// command runs a control command; false when text is not one (it is then echoed).
func (e *echoer) command(text string) bool {
	if text == "close-pc" {
		e.rep.report("command", map[string]any{"command": text})
		go func() { _ = e.pc.Close() }()
		return true
	}
	rest, ok := strings.CutPrefix(text, "open:")
	if !ok {
		return false
	}
	count, prefix, ok := strings.Cut(rest, ":")
	n, err := strconv.Atoi(count)
	if !ok || err != nil || n < 0 || n > maxOpen || prefix == "" {
		return false
	}
	e.rep.report("command", map[string]any{"command": text})
	for i := 0; i < n; i++ {
		e.openOwn(fmt.Sprintf("%s-%d", prefix, i), fmt.Sprintf("hello %d", i))
	}
	return true
}

// openOwn opens a channel, sends hello once it is open and reports whether the remote
// echoed it unchanged.
func (e *echoer) openOwn(label, hello string) {
	dc, err := e.pc.CreateDataChannel(label, nil)
	if err != nil {
		e.rep.report("error", map[string]any{"label": label, "detail": err.Error()})
		return
	}
	dc.OnOpen(func() {
		e.rep.report("channel-open", map[string]any{"label": label, "by": "local"})
		if err := dc.SendText(hello); err != nil {
			e.rep.report("error", map[string]any{"label": label, "detail": err.Error()})
		}
	})
	dc.OnClose(func() { e.rep.report("channel-closed", map[string]any{"label": label}) })
	dc.OnMessage(func(msg webrtc.DataChannelMessage) {
		e.rep.report("hello-echo", map[string]any{
			"label": label,
			"ok":    msg.IsString && string(msg.Data) == hello,
		})
	})
}

// sink is the `bulk` channel's behaviour: binary messages are counted and hashed instead of
// echoed (a 64 MiB echo would need back-pressure on both sides); the text `end` is answered
// with `<bytes> <sha256 hex>` and starts a new count.
func (e *echoer) sink(dc *webrtc.DataChannel) {
	var mu sync.Mutex
	h := sha256.New()
	var n int
	dc.OnMessage(func(msg webrtc.DataChannelMessage) {
		mu.Lock()
		defer mu.Unlock()
		if !msg.IsString {
			h.Write(msg.Data)
			n += len(msg.Data)
			return
		}
		if string(msg.Data) != "end" {
			return
		}
		reply := fmt.Sprintf("%d %s", n, hex.EncodeToString(h.Sum(nil)))
		e.rep.report("bulk", map[string]any{"bytes": n})
		h.Reset()
		n = 0
		if err := dc.SendText(reply); err != nil {
			e.rep.report("error", map[string]any{"label": "bulk", "detail": err.Error()})
		}
	})
}
