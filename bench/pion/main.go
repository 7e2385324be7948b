// Command pion-bench runs shared/BENCH-PROTOCOL.md (modes dc and conns) with Pion WebRTC v4:
// two peers in one process on 127.0.0.1, offer/answer exchanged in memory (non-trickle: each
// side waits for ICE gathering to complete), default media engine and interceptors.
//
// Usage: pion-bench [dc|conns] [--total BYTES] [--msg BYTES] [--conns N]
//
// A human summary goes to stderr; exactly one JSON line goes to stdout, last.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"
)

const (
	mib = 1 << 20
	kib = 1 << 10
	// Back-pressure of the protocol: keep under 1 MiB buffered, resume at 512 KiB.
	highWater = 1 * mib
	lowWater  = 512 * kib
	// Bounds every wait so a broken run ends with an error instead of hanging.
	deadline = 300 * time.Second
)

func main() {
	mode := "dc"
	args := os.Args[1:]
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		mode, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("pion-bench", flag.ExitOnError)
	total := fs.String("total", "256M", "bytes to send in mode dc (suffix K, M or G: binary units)")
	msg := fs.String("msg", "16384", "message size in bytes in mode dc")
	conns := fs.Int("conns", 100, "connection pairs in mode conns")
	if err := fs.Parse(args); err != nil {
		fail(err)
	}
	var err error
	switch mode {
	case "dc":
		var t, m int64
		if t, err = parseSize(*total); err == nil {
			if m, err = parseSize(*msg); err == nil {
				err = runDC(t, int(m))
			}
		}
	case "conns":
		err = runConns(*conns)
	default:
		err = fmt.Errorf("unknown mode %q (dc or conns)", mode)
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "pion-bench: %v\n", err)
	os.Exit(1)
}

// parseSize reads "1234", "64K", "256M" or "1G" (binary units).
func parseSize(s string) (int64, error) {
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "K"):
		mult, s = kib, strings.TrimSuffix(s, "K")
	case strings.HasSuffix(s, "M"):
		mult, s = mib, strings.TrimSuffix(s, "M")
	case strings.HasSuffix(s, "G"):
		mult, s = 1<<30, strings.TrimSuffix(s, "G")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return n * mult, nil
}

// newAPI is what webrtc.NewPeerConnection would use (default codecs and interceptors) plus
// host candidates on 127.0.0.1 only, no mDNS.
func newAPI() (*webrtc.API, error) {
	m := &webrtc.MediaEngine{}
	if err := m.RegisterDefaultCodecs(); err != nil {
		return nil, err
	}
	reg := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(m, reg); err != nil {
		return nil, err
	}
	var s webrtc.SettingEngine
	s.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	s.SetIncludeLoopbackCandidate(true)
	loopback := net.IPv4(127, 0, 0, 1)
	s.SetIPFilter(func(ip net.IP) bool { return ip.Equal(loopback) })
	s.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(reg),
		webrtc.WithSettingEngine(s)), nil
}

// signal runs offer/answer in memory, non-trickle: each description is read after gathering.
func signal(a, b *webrtc.PeerConnection) error {
	offer, err := a.CreateOffer(nil)
	if err != nil {
		return err
	}
	gatheredA := webrtc.GatheringCompletePromise(a)
	if err = a.SetLocalDescription(offer); err != nil {
		return err
	}
	<-gatheredA
	if err = b.SetRemoteDescription(*a.LocalDescription()); err != nil {
		return err
	}
	answer, err := b.CreateAnswer(nil)
	if err != nil {
		return err
	}
	gatheredB := webrtc.GatheringCompletePromise(b)
	if err = b.SetLocalDescription(answer); err != nil {
		return err
	}
	<-gatheredB
	return a.SetRemoteDescription(*b.LocalDescription())
}

func wait(ch <-chan struct{}, what string) error {
	select {
	case <-ch:
		return nil
	case <-time.After(deadline):
		return fmt.Errorf("timed out waiting for %s", what)
	}
}

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

func runDC(total int64, msgSize int) error {
	if msgSize <= 0 {
		return errors.New("--msg must be positive")
	}
	t0 := time.Now()
	api, err := newAPI()
	if err != nil {
		return err
	}
	a, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return err
	}
	defer a.Close()
	b, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return err
	}
	defer b.Close()
	dc, err := a.CreateDataChannel("bench", nil) // reliable, ordered
	if err != nil {
		return err
	}
	openA := make(chan struct{})
	openB := make(chan struct{})
	done := make(chan time.Time, 1)
	dc.OnOpen(func() { close(openA) })
	b.OnDataChannel(func(d *webrtc.DataChannel) {
		var received int64 // only touched by this channel's read loop
		d.OnOpen(func() { close(openB) })
		d.OnMessage(func(m webrtc.DataChannelMessage) {
			received += int64(len(m.Data))
			if received == total {
				done <- time.Now()
			}
		})
	})
	if err = signal(a, b); err != nil {
		return err
	}
	if err = wait(openA, "channel open (A)"); err != nil {
		return err
	}
	if err = wait(openB, "channel open (B)"); err != nil {
		return err
	}
	setup := time.Since(t0)

	low := make(chan struct{}, 1)
	dc.SetBufferedAmountLowThreshold(lowWater)
	dc.OnBufferedAmountLow(func() {
		select {
		case low <- struct{}{}:
		default:
		}
	})
	payload := make([]byte, msgSize)
	tFirst := time.Now()
	for sent := int64(0); sent < total; {
		n := int64(msgSize)
		if total-sent < n {
			n = total - sent
		}
		for dc.BufferedAmount()+uint64(n) > highWater {
			select {
			case <-low:
			case <-time.After(10 * time.Millisecond): // re-check; the event may have raced
			}
		}
		if err = dc.Send(payload[:n]); err != nil {
			return err
		}
		sent += n
	}
	var tDone time.Time
	select {
	case tDone = <-done:
	case <-time.After(deadline):
		return errors.New("timed out waiting for the last byte")
	}
	elapsed := tDone.Sub(tFirst).Seconds()
	totalMiB := float64(total) / mib
	rate := totalMiB / elapsed
	peak := peakRSSMiB()
	fmt.Fprintf(os.Stderr, "pion dc: setup %.1f ms, %.1f MiB in %.3f s = %.1f MiB/s (msg %d B), peak RSS %.1f MiB\n",
		ms(setup), totalMiB, elapsed, rate, msgSize, peak)
	fmt.Printf("{\"impl\":\"pion\",\"mode\":\"dc\",\"setup_ms\":%.2f,\"mib_per_s\":%.2f,\"total_mib\":%.2f,\"msg\":%d,\"peak_rss_mib\":%.2f}\n",
		ms(setup), rate, totalMiB, msgSize, peak)
	return nil
}

// pair is one established connection pair of mode conns, kept alive until RSS is read.
type pair struct{ a, b *webrtc.PeerConnection }

func onePair(api *webrtc.API) (pair, error) {
	a, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return pair{}, err
	}
	b, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		a.Close()
		return pair{}, err
	}
	p := pair{a, b}
	dc, err := a.CreateDataChannel("bench", nil)
	if err != nil {
		return p, err
	}
	pong := make(chan struct{})
	dc.OnOpen(func() {
		if err := dc.SendText("ping"); err != nil {
			fmt.Fprintf(os.Stderr, "pion-bench: ping: %v\n", err)
		}
	})
	dc.OnMessage(func(m webrtc.DataChannelMessage) {
		if string(m.Data) == "pong" {
			close(pong)
		}
	})
	b.OnDataChannel(func(d *webrtc.DataChannel) {
		d.OnMessage(func(m webrtc.DataChannelMessage) {
			if string(m.Data) == "ping" {
				if err := d.SendText("pong"); err != nil {
					fmt.Fprintf(os.Stderr, "pion-bench: pong: %v\n", err)
				}
			}
		})
	})
	if err = signal(a, b); err != nil {
		return p, err
	}
	return p, wait(pong, "pong")
}

func runConns(n int) error {
	if n <= 0 {
		return errors.New("--conns must be positive")
	}
	api, err := newAPI()
	if err != nil {
		return err
	}
	baseline := rssMiB("VmRSS:")
	t0 := time.Now()
	type result struct {
		p   pair
		err error
	}
	results := make(chan result, n)
	for i := 0; i < n; i++ {
		go func() {
			p, err := onePair(api)
			results <- result{p, err}
		}()
	}
	pairs := make([]pair, 0, n)
	var firstErr error
	for i := 0; i < n; i++ {
		r := <-results
		pairs = append(pairs, r.p)
		if r.err != nil && firstErr == nil {
			firstErr = r.err
		}
	}
	allOpen := time.Since(t0)
	peak := peakRSSMiB()
	for _, p := range pairs {
		if p.a != nil {
			p.a.Close()
		}
		if p.b != nil {
			p.b.Close()
		}
	}
	if firstErr != nil {
		return firstErr
	}
	perConn := (peak - baseline) * 1024 / float64(n)
	fmt.Fprintf(os.Stderr, "pion conns: %d pairs open with a ping/pong each in %.1f ms, peak RSS %.1f MiB (baseline %.1f), %.0f KiB per pair\n",
		n, ms(allOpen), peak, baseline, perConn)
	fmt.Printf("{\"impl\":\"pion\",\"mode\":\"conns\",\"conns\":%d,\"all_open_ms\":%.2f,\"peak_rss_mib\":%.2f,\"rss_per_conn_kib\":%.1f}\n",
		n, ms(allOpen), peak, perConn)
	return nil
}

func peakRSSMiB() float64 { return rssMiB("VmHWM:") }

// rssMiB reads a kB field of /proc/self/status in MiB (0 if unavailable).
func rssMiB(field string) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, field) {
			parts := strings.Fields(line)
			if len(parts) >= 2 {
				kb, err := strconv.ParseFloat(parts[1], 64)
				if err == nil {
					return kb / 1024
				}
			}
		}
	}
	return 0
}
