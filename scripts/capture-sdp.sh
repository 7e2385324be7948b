#!/bin/sh
# Regenerates muon-sdp's real-world fixtures (crates/muon-sdp/tests/fixtures/): offers and
# answers from headless Chromium and from Pion v4, audio+video+data and data-only. Then checks
# that Chromium accepts every *-offer.sdp fixture, including muon-built-offer.sdp, which
# muon-sdp wrote from values (setRemoteDescription + createAnswer must succeed).
# For humans only: CI reads the committed fixtures and never runs this.
#
# Needs: chromium (Debian: apt-get install -y chromium), python3, go, and unshare(1) with
# permission to create a network namespace (root). Chromium runs in a private network
# namespace holding only loopback, so its candidates name no address of this machine.
#
# usage: scripts/capture-sdp.sh [OUTPUT_DIR]   (default: the fixtures folder)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FIXTURES=$ROOT/crates/muon-sdp/tests/fixtures
OUT=${1:-$FIXTURES}
CAP=$ROOT/interop/sdp-capture
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
PORT=8765

# run_page PAGE: serves interop/sdp-capture and OUT, loads PAGE in headless Chromium inside a
# private network namespace, and returns when the page POSTs /done (60 s at most).
run_page() {
  PROFILE=$(mktemp -d)
  timeout 120 unshare -n sh -c '
    ip link set lo up
    python3 "$1/server.py" "$2" "$3" &
    SERVER=$!
    sleep 1
    chromium --headless=new --no-sandbox --disable-gpu --no-first-run \
      --disable-background-networking --disable-component-update --disable-sync \
      --allow-loopback-in-peer-connection --use-fake-device-for-media-stream \
      --use-fake-ui-for-media-stream --user-data-dir="$4" \
      "http://127.0.0.1:$2/$5" >/dev/null 2>&1 &
    CHROME=$!
    wait $SERVER
    kill $CHROME 2>/dev/null || true
    wait $CHROME 2>/dev/null || true
  ' run_page "$CAP" "$PORT" "$OUT" "$PROFILE" "$1"
  rm -rf "$PROFILE"
}

echo "== Pion v4"
(cd "$CAP/pion" && go run . "$OUT")

echo "== Chromium: capture"
run_page index.html

for f in pion-av pion-data chromium-av chromium-data; do
  for side in offer answer; do
    test -s "$OUT/$f-$side.sdp" || { echo "missing $f-$side.sdp" >&2; exit 1; }
  done
done
echo "fixtures written to $OUT"

echo "== Chromium: accepts every offer"
if [ "$OUT" != "$FIXTURES" ]; then
  cp "$FIXTURES"/handwritten-*-offer.sdp "$FIXTURES/muon-built-offer.sdp" "$OUT/"
fi
REPORT=$(run_page accept.html)
echo "$REPORT"
echo "$REPORT" | grep -q "^accept muon-built-offer.sdp: ok$" || {
  echo "Chromium did not accept muon-built-offer.sdp" >&2
  exit 1
}
