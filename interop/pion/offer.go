package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"
)

// plan is what the offering role checks, from its flags. interop/src/plan.rs builds the same
// flags and knows how many checks a plan yields.
type plan struct {
	url             string
	channels        int
	sizes           []int
	open            int
	closeAfterFirst bool
	closePC         bool
	echoChannels    string
	bulk            int
	bulkMessage     int
	timeout         time.Duration
}

// Back-pressure of the bulk transfer: send while at most bulkHigh bytes are buffered, resume
// when the buffer drains below bulkLow.
const (
	bulkHigh = 1 << 20
	bulkLow  = 256 << 10
)

func parsePlan(args []string) (plan, error) {
	var p plan
	fs := flag.NewFlagSet("offer", flag.ContinueOnError)
	fs.StringVar(&p.url, "url", "", "signaling URL to POST the offer to")
	fs.IntVar(&p.channels, "channels", 2, "echo channels echo-<i> to open besides control")
	sizes := fs.String("sizes", "1,1024,65536,262144", "message sizes in bytes, each sent as text and binary on every echo channel")
	fs.IntVar(&p.open, "open", 3, "channels the remote is asked to open with open:<n>:peer")
	fs.BoolVar(&p.closeAfterFirst, "close-after-first", true, "open a close-after-first channel and expect the remote to close it")
	fs.BoolVar(&p.closePC, "close-pc", true, "finally ask the remote to close the connection with close-pc")
	fs.StringVar(&p.echoChannels, "echo-channels", "reliable", "echo channels are reliable (ordered), unordered, or unreliable (unordered, no retransmissions)")
	fs.IntVar(&p.bulk, "bulk", 0, "bytes to send on a bulk channel with back-pressure, checked by SHA-256 (0: none)")
	fs.IntVar(&p.bulkMessage, "bulk-message", 64<<10, "size of the bulk transfer's messages")
	fs.DurationVar(&p.timeout, "timeout", 60*time.Second, "bound on the whole run")
	if err := fs.Parse(args); err != nil {
		return p, err
	}
	if p.url == "" {
		return p, errors.New("--url is required")
	}
	if p.echoChannels != "reliable" && p.echoChannels != "unordered" && p.echoChannels != "unreliable" {
		return p, fmt.Errorf("bad --echo-channels %q", p.echoChannels)
	}
	if p.channels < 0 || p.open < 0 || p.open > maxOpen || p.bulk < 0 || p.bulkMessage < 1 {
		return p, errors.New("--channels, --open and --bulk must be >= 0, --open at most 1024, --bulk-message >= 1")
	}
	for _, s := range strings.Split(*sizes, ",") {
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return p, fmt.Errorf("bad size %q", s)
		}
		p.sizes = append(p.sizes, n)
	}
	return p, nil
}

// checker counts checks and reports each as a JSON line.
type checker struct {
	rep      *reporter
	mu       sync.Mutex
	checks   int
	failures []string
}

func (c *checker) check(name string, ok bool, fields map[string]any) bool {
	line := map[string]any{"name": name, "ok": ok}
	for k, v := range fields {
		line[k] = v
	}
	c.rep.report("check", line)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.checks++
	if !ok {
		c.failures = append(c.failures, fmt.Sprintf("%s %v", name, fields))
	}
	return ok
}

// own is a channel this peer opened, with its events as Go channels.
type own struct {
	dc     *webrtc.DataChannel
	label  string
	opened chan struct{}
	closed chan struct{}
	msgs   chan webrtc.DataChannelMessage
}

func newOwn(pc *webrtc.PeerConnection, label string, init *webrtc.DataChannelInit) (*own, error) {
	dc, err := pc.CreateDataChannel(label, init)
	if err != nil {
		return nil, err
	}
	o := &own{dc: dc, label: label, opened: make(chan struct{}), closed: make(chan struct{}),
		msgs: make(chan webrtc.DataChannelMessage, 64)}
	var openOnce, closeOnce sync.Once
	dc.OnOpen(func() { openOnce.Do(func() { close(o.opened) }) })
	dc.OnClose(func() { closeOnce.Do(func() { close(o.closed) }) })
	dc.OnMessage(func(m webrtc.DataChannelMessage) {
		select {
		case o.msgs <- m:
		default: // more unanswered messages than the plan ever sends: the check will fail
		}
	})
	return o, nil
}

func (o *own) recv(deadline time.Time) (webrtc.DataChannelMessage, bool) {
	select {
	case m := <-o.msgs:
		return m, true
	case <-time.After(time.Until(deadline)):
		return webrtc.DataChannelMessage{}, false
	}
}

func wait(ch <-chan struct{}, deadline time.Time) bool {
	select {
	case <-ch:
		return true
	case <-time.After(time.Until(deadline)):
		return false
	}
}

func runOffer(args []string) error {
	p, err := parsePlan(args)
	if err != nil {
		return err
	}
	rep := newReporter()
	c := &checker{rep: rep, failures: []string{}}
	deadline := time.Now().Add(p.timeout)
	stop := stopSignal()
	pc, err := newAPI().NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return err
	}
	defer func() { _ = pc.Close() }()

	hellos := make(chan [2]string, maxOpen)
	e := &echoer{pc: pc, rep: rep, remoteHello: func(label, text string) {
		select {
		case hellos <- [2]string{label, text}:
		default:
		}
	}}
	e.attach()

	done := make(chan error, 1)
	go func() { done <- drive(p, pc, c, hellos, deadline) }()
	select {
	case err = <-done:
	case <-stop:
		err = errors.New("stopped before the plan finished")
	}
	c.mu.Lock()
	ok := err == nil && len(c.failures) == 0
	fields := map[string]any{"ok": ok, "checks": c.checks, "failures": c.failures}
	c.mu.Unlock()
	if err != nil {
		fields["error"] = err.Error()
	}
	rep.report("done", fields)
	if !ok {
		return errors.New("offer plan failed")
	}
	return nil
}

// drive runs the plan; an error means the run could not go on (the checks so far stand).
func drive(p plan, pc *webrtc.PeerConnection, c *checker, hellos <-chan [2]string, deadline time.Time) error {
	control, err := newOwn(pc, "control", nil)
	if err != nil {
		return err
	}
	all := []*own{control}
	var echoes []*own
	for i := 0; i < p.channels; i++ {
		o, err := newOwn(pc, fmt.Sprintf("echo-%d", i), echoInit(p.echoChannels))
		if err != nil {
			return err
		}
		echoes = append(echoes, o)
		all = append(all, o)
	}
	var caf *own
	if p.closeAfterFirst {
		if caf, err = newOwn(pc, "close-after-first", nil); err != nil {
			return err
		}
		all = append(all, caf)
	}

	var bulk *own
	if p.bulk > 0 {
		if bulk, err = newOwn(pc, "bulk", nil); err != nil {
			return err
		}
		all = append(all, bulk)
	}

	location, err := negotiate(pc, c.rep, p.url, deadline)
	if err != nil {
		return err
	}
	for _, o := range all {
		c.check("open", wait(o.opened, deadline), map[string]any{"label": o.label})
	}

	var wg sync.WaitGroup
	for _, o := range echoes {
		wg.Add(1)
		go func(o *own) {
			defer wg.Done()
			echoSizes(o, p.sizes, c, deadline)
		}(o)
	}
	wg.Wait()

	if bulk != nil {
		sendBulk(bulk, p.bulk, p.bulkMessage, c, deadline)
	}

	if caf != nil {
		if err := caf.dc.SendText("first"); err != nil {
			return err
		}
		m, ok := caf.recv(deadline)
		c.check("close-after-first-echo", ok && m.IsString && string(m.Data) == "first", nil)
		c.check("closed-by-remote", wait(caf.closed, deadline), map[string]any{"label": caf.label})
	}

	if p.open > 0 {
		if err := control.dc.SendText(fmt.Sprintf("open:%d:peer", p.open)); err != nil {
			return err
		}
		seen := map[string]bool{}
		for len(seen) < p.open {
			var h [2]string
			select {
			case h = <-hellos:
			case <-time.After(time.Until(deadline)):
			}
			if h[0] == "" {
				break
			}
			i, err := strconv.Atoi(strings.TrimPrefix(h[0], "peer-"))
			if err == nil && h[1] == fmt.Sprintf("hello %d", i) {
				seen[h[0]] = true
			}
		}
		for i := 0; i < p.open; i++ {
			label := fmt.Sprintf("peer-%d", i)
			c.check("remote-open", seen[label], map[string]any{"label": label})
		}
	}

	for _, o := range echoes {
		_ = o.dc.Close()
		c.check("local-close", wait(o.closed, deadline), map[string]any{"label": o.label})
	}

	if p.closePC {
		if err := control.dc.SendText("close-pc"); err != nil {
			return err
		}
		c.check("closed-pc-by-remote", wait(control.closed, deadline), nil)
	}

	status, err := request(http.MethodDelete, location, nil, deadline)
	c.check("delete", err == nil && status == http.StatusOK, map[string]any{"status": status})
	return nil
}

// echoSizes sends one text and one binary message of every size and checks each echo.
func echoSizes(o *own, sizes []int, c *checker, deadline time.Time) {
	for _, size := range sizes {
		for _, text := range []bool{true, false} {
			kind := "binary"
			var err error
			data := payload(text, size)
			if text {
				kind = "text"
				err = o.dc.SendText(string(data))
			} else {
				err = o.dc.Send(data)
			}
			fields := map[string]any{"label": o.label, "kind": kind, "size": size}
			if err != nil {
				fields["detail"] = err.Error()
				c.check("echo", false, fields)
				return
			}
			m, ok := o.recv(deadline)
			if !c.check("echo", ok && m.IsString == text && bytes.Equal(m.Data, data), fields) {
				return
			}
		}
	}
}

// negotiate gathers, POSTs the complete offer, applies the answer and returns the session URL.
func negotiate(pc *webrtc.PeerConnection, rep *reporter, target string, deadline time.Time) (string, error) {
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		return "", err
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err = pc.SetLocalDescription(offer); err != nil {
		return "", err
	}
	if !wait(gathered, deadline) {
		return "", errors.New("ICE gathering did not complete")
	}
	rep.report("local-sdp", map[string]any{"type": "offer", "sdp": pc.LocalDescription().SDP})
	client := &http.Client{Timeout: time.Until(deadline)}
	resp, err := client.Post(target, "application/sdp", strings.NewReader(pc.LocalDescription().SDP))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxOfferBytes))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("POST %s: %s: %s", target, resp.Status, body)
	}
	base, err := url.Parse(target)
	if err != nil {
		return "", err
	}
	loc, err := base.Parse(resp.Header.Get("Location"))
	if err != nil || resp.Header.Get("Location") == "" {
		return "", errors.New("201 without a usable Location")
	}
	answer := webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: string(body)}
	if err = pc.SetRemoteDescription(answer); err != nil {
		return "", err
	}
	return loc.String(), nil
}

func request(method, target string, body io.Reader, deadline time.Time) (int, error) {
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		return 0, err
	}
	resp, err := (&http.Client{Timeout: time.Until(deadline)}).Do(req)
	if err != nil {
		return 0, err
	}
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

// payload is a message of exactly size bytes: valid UTF-8 with some two-byte characters when
// text, pseudo-random bytes otherwise. The echo is compared with it byte for byte.
func payload(text bool, size int) []byte {
	out := make([]byte, 0, size)
	if text {
		for i := 0; len(out) < size; i++ {
			if size-len(out) >= 2 && i%8 == 7 {
				out = append(out, "é"...)
			} else {
				out = append(out, byte('a'+i%26))
			}
		}
		return out
	}
	out = out[:size]
	newXorshift(uint32(size)).fill(out)
	return out
}

func echoInit(kind string) *webrtc.DataChannelInit {
	unordered := false
	var none uint16
	switch kind {
	case "unordered":
		return &webrtc.DataChannelInit{Ordered: &unordered}
	case "unreliable":
		return &webrtc.DataChannelInit{Ordered: &unordered, MaxRetransmits: &none}
	}
	return nil
}

// sendBulk sends n pseudo-random bytes in messages of size bytes, never buffering more than
// bulkHigh, then `end`, and checks the remote's `<bytes> <sha256>` against its own.
func sendBulk(o *own, n, size int, c *checker, deadline time.Time) {
	low := make(chan struct{}, 1)
	o.dc.SetBufferedAmountLowThreshold(bulkLow)
	o.dc.OnBufferedAmountLow(func() {
		select {
		case low <- struct{}{}:
		default:
		}
	})
	h := sha256.New()
	src := newXorshift(uint32(n))
	chunk := make([]byte, size)
	start := time.Now()
	fields := map[string]any{"label": o.label, "bytes": n}
	for sent := 0; sent < n; {
		for o.dc.BufferedAmount() > bulkHigh {
			select {
			case <-low:
			case <-time.After(time.Until(deadline)):
				fields["detail"] = "timed out waiting for the send buffer to drain"
				c.check("bulk", false, fields)
				return
			}
		}
		part := chunk[:min(size, n-sent)]
		src.fill(part)
		h.Write(part)
		if err := o.dc.Send(part); err != nil {
			fields["detail"] = err.Error()
			c.check("bulk", false, fields)
			return
		}
		sent += len(part)
	}
	if err := o.dc.SendText("end"); err != nil {
		fields["detail"] = err.Error()
		c.check("bulk", false, fields)
		return
	}
	m, ok := o.recv(deadline)
	elapsed := time.Since(start)
	want := fmt.Sprintf("%d %s", n, hex.EncodeToString(h.Sum(nil)))
	fields["ms"] = elapsed.Milliseconds()
	fields["mbytes_per_s"] = float64(n) / 1e6 / elapsed.Seconds()
	if ok && string(m.Data) != want {
		fields["detail"] = fmt.Sprintf("remote got %q, sent %q", m.Data, want)
	}
	c.check("bulk", ok && m.IsString && string(m.Data) == want, fields)
}

// xorshift is the pseudo-random byte stream of payload and sendBulk.
type xorshift struct{ x uint32 }

func newXorshift(seed uint32) *xorshift { return &xorshift{x: seed | 1} }

func (r *xorshift) fill(b []byte) {
	for i := range b {
		r.x ^= r.x << 13
		r.x ^= r.x >> 17
		r.x ^= r.x << 5
		b[i] = byte(r.x)
	}
}
