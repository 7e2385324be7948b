// Command pion-sdp prints real Pion v4 offers and answers for muon-sdp's fixtures.
//
// It builds two PeerConnections in one process and writes, into the directory given as the
// first argument, four files: pion-av-offer.sdp and pion-av-answer.sdp (audio + video + data
// channel) and pion-data-offer.sdp and pion-data-answer.sdp (data channel only). ICE gathering
// is restricted to host candidates on 127.0.0.1 (no mDNS, no STUN, no other interface), so the
// output holds no address of the machine that produced it.
//
// Run it through scripts/capture-sdp.sh; CI only reads the committed fixtures.
package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: pion-sdp OUTPUT_DIR")
		os.Exit(2)
	}
	dir := os.Args[1]
	for _, withMedia := range []bool{true, false} {
		offer, answer, err := negotiate(withMedia)
		if err != nil {
			fmt.Fprintln(os.Stderr, "pion-sdp:", err)
			os.Exit(1)
		}
		name := "pion-data"
		if withMedia {
			name = "pion-av"
		}
		write(filepath.Join(dir, name+"-offer.sdp"), offer)
		write(filepath.Join(dir, name+"-answer.sdp"), answer)
	}
}

func write(path, sdp string) {
	if err := os.WriteFile(path, []byte(sdp), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "pion-sdp:", err)
		os.Exit(1)
	}
	fmt.Println("wrote", path)
}

// newAPI returns an API whose ICE agent gathers only UDP host candidates on IPv4 loopback.
func newAPI() (*webrtc.API, error) {
	var s webrtc.SettingEngine
	s.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	s.SetIncludeLoopbackCandidate(true)
	s.SetInterfaceFilter(func(name string) bool { return name == "lo" })
	s.SetIPFilter(func(ip net.IP) bool { return ip.Equal(net.IPv4(127, 0, 0, 1)) })
	s.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)

	m := &webrtc.MediaEngine{}
	if err := m.RegisterDefaultCodecs(); err != nil {
		return nil, err
	}
	ir := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(m, ir); err != nil {
		return nil, err
	}
	return webrtc.NewAPI(webrtc.WithSettingEngine(s), webrtc.WithMediaEngine(m),
		webrtc.WithInterceptorRegistry(ir)), nil
}

func addTracks(pc *webrtc.PeerConnection, id string) error {
	audio, err := webrtc.NewTrackLocalStaticSample(
		webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus}, "audio", id)
	if err != nil {
		return err
	}
	if _, err = pc.AddTrack(audio); err != nil {
		return err
	}
	video, err := webrtc.NewTrackLocalStaticSample(
		webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8}, "video", id)
	if err != nil {
		return err
	}
	_, err = pc.AddTrack(video)
	return err
}

// negotiate runs one offer/answer exchange and returns both SDPs after ICE gathering finished.
func negotiate(withMedia bool) (string, string, error) {
	api, err := newAPI()
	if err != nil {
		return "", "", err
	}
	offerer, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return "", "", err
	}
	defer offerer.Close()
	answerer, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return "", "", err
	}
	defer answerer.Close()

	if withMedia {
		if err = addTracks(offerer, "pion-offerer"); err != nil {
			return "", "", err
		}
		if err = addTracks(answerer, "pion-answerer"); err != nil {
			return "", "", err
		}
	}
	if _, err = offerer.CreateDataChannel("data", nil); err != nil {
		return "", "", err
	}

	offer, err := offerer.CreateOffer(nil)
	if err != nil {
		return "", "", err
	}
	gathered := webrtc.GatheringCompletePromise(offerer)
	if err = offerer.SetLocalDescription(offer); err != nil {
		return "", "", err
	}
	<-gathered
	fullOffer := offerer.LocalDescription()

	if err = answerer.SetRemoteDescription(*fullOffer); err != nil {
		return "", "", err
	}
	answer, err := answerer.CreateAnswer(nil)
	if err != nil {
		return "", "", err
	}
	gathered = webrtc.GatheringCompletePromise(answerer)
	if err = answerer.SetLocalDescription(answer); err != nil {
		return "", "", err
	}
	<-gathered
	return fullOffer.SDP, answerer.LocalDescription().SDP, nil
}
