package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"
)

// Limits of the answering role.
const (
	maxOfferBytes = 64 << 10         // an SDP offer larger than this is refused (413)
	maxSessions   = 256              // concurrent sessions; more are refused (503)
	gatherTimeout = 10 * time.Second // ICE gathering must complete within this
)

// answerer serves the signaling contract: POST /offer (or /whip) -> 201 with the answer,
// DELETE /session/<id> ends a session.
type answerer struct {
	api      *webrtc.API
	rep      *reporter
	mu       sync.Mutex
	sessions map[string]*webrtc.PeerConnection
}

func runAnswer(args []string) error {
	fs := flag.NewFlagSet("answer", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:0", "address to serve signaling on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	a := &answerer{api: newAPI(), rep: newReporter(), sessions: map[string]*webrtc.PeerConnection{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/offer", a.offer)
	mux.HandleFunc("/whip", a.offer)
	mux.HandleFunc("/session/", a.session)
	srv := &http.Server{Handler: cors(mux), ReadHeaderTimeout: 5 * time.Second}
	// The harness waits for this exact first line.
	fmt.Printf("LISTENING http://%s\n", ln.Addr())

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case <-stopSignal():
	case err = <-served:
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
	a.closeAll()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// cors lets a page served from another loopback port (Chromium's offering role) post offers.
func cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Methods", "POST, DELETE, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "Content-Type")
		h.Set("Access-Control-Expose-Headers", "Location")
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (a *answerer) offer(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST an application/sdp offer", http.StatusMethodNotAllowed)
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/sdp" {
		http.Error(w, "Content-Type must be application/sdp", http.StatusUnsupportedMediaType)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxOfferBytes+1))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if len(body) > maxOfferBytes {
		http.Error(w, "offer too large", http.StatusRequestEntityTooLarge)
		return
	}
	id, pc, answer, status, err := a.accept(string(body))
	if err != nil {
		a.rep.report("error", map[string]any{"detail": err.Error()})
		http.Error(w, err.Error(), status)
		return
	}
	a.mu.Lock()
	full := len(a.sessions) >= maxSessions
	if !full {
		a.sessions[id] = pc
	}
	a.mu.Unlock()
	if full {
		_ = pc.Close()
		http.Error(w, "too many sessions", http.StatusServiceUnavailable)
		return
	}
	a.rep.report("session", map[string]any{"id": id})
	a.rep.report("local-sdp", map[string]any{"type": "answer", "sdp": answer})
	w.Header().Set("Content-Type", "application/sdp")
	w.Header().Set("Location", "/session/"+id)
	w.WriteHeader(http.StatusCreated)
	_, _ = io.WriteString(w, answer)
}

// accept applies an offer to a new PeerConnection and returns the complete answer.
func (a *answerer) accept(offer string) (string, *webrtc.PeerConnection, string, int, error) {
	pc, err := a.api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return "", nil, "", http.StatusInternalServerError, err
	}
	(&echoer{pc: pc, rep: a.rep}).attach()
	fail := func(status int, err error) (string, *webrtc.PeerConnection, string, int, error) {
		_ = pc.Close()
		return "", nil, "", status, err
	}
	if err = pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		return fail(http.StatusBadRequest, err)
	}
	answer, err := pc.CreateAnswer(nil)
	if err != nil {
		return fail(http.StatusBadRequest, err)
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err = pc.SetLocalDescription(answer); err != nil {
		return fail(http.StatusInternalServerError, err)
	}
	select {
	case <-gathered:
	case <-time.After(gatherTimeout):
		return fail(http.StatusInternalServerError, errors.New("ICE gathering did not complete"))
	}
	var raw [8]byte
	if _, err = rand.Read(raw[:]); err != nil {
		return fail(http.StatusInternalServerError, err)
	}
	return hex.EncodeToString(raw[:]), pc, pc.LocalDescription().SDP, 0, nil
}

func (a *answerer) session(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodDelete {
		http.Error(w, "DELETE ends a session", http.StatusMethodNotAllowed)
		return
	}
	id := strings.TrimPrefix(r.URL.Path, "/session/")
	a.mu.Lock()
	pc, ok := a.sessions[id]
	delete(a.sessions, id)
	a.mu.Unlock()
	if !ok {
		http.Error(w, "no such session", http.StatusNotFound)
		return
	}
	_ = pc.Close()
	a.rep.report("session-deleted", map[string]any{"id": id})
	w.WriteHeader(http.StatusOK)
}

func (a *answerer) closeAll() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for id, pc := range a.sessions {
		_ = pc.Close()
		delete(a.sessions, id)
	}
}
