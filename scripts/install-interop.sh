#!/usr/bin/env bash
# Installs what the interop tests (interop/, crate muon-interop) need, from Debian packages,
# and pre-builds the Pion peers (v4 and v3). Idempotent and non-interactive: what is present is left alone.
#
#   scripts/install-interop.sh         # as root, or with sudo available
#
#   chromium     headless browser peer (Debian's package; never a browser download)
#   golang-go    only if no `go` is found (these machines ship Go in /usr/local/go/bin)
#   iproute2     `ip link set lo up` inside each test's private network namespace
#   util-linux   `unshare` for those namespaces
#   procps       `kill` for ending a browser's whole process group
#   golang-github-pion-webrtc.v3-dev  Pion v3 (3.1.56) sources in /usr/share/gocode, with the
#                pion v2/v3 -dev packages it depends on
# Then `go mod download` (needs the Go module proxy) and a `go build` of interop/pion, so that
# the tests, which run without network inside their namespace, find every module cached; and
# the same source built against Pion v3 in GOPATH mode, as interop/src/pion.rs::pion_v3_binary
# does (same rewrite, same flags), so that its build in the tests is a cache hit.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)

find_go() {
  command -v go 2>/dev/null && return
  for g in /usr/local/go/bin/go /usr/lib/go/bin/go; do
    [ -x "$g" ] && { echo "$g"; return; }
  done
  return 1
}

PACKAGES=(chromium iproute2 util-linux procps golang-github-pion-webrtc.v3-dev)
find_go >/dev/null || PACKAGES+=(golang-go)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "install-interop: installing ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install-interop: need root or sudo to install ${missing[*]}" >&2; exit 1; }
    SUDO="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-interop: chromium, go, iproute2, util-linux, procps, pion v3 present" >&2
fi

GO=$(find_go) || { echo "install-interop: no go after installing golang-go" >&2; exit 1; }
# Pion v4 needs Go 1.24 (interop/pion/go.mod); Debian bookworm's golang-go is 1.19.
if ! printf '%s\n' go1.24 "$("$GO" env GOVERSION)" | sort -V -C; then
  echo "install-interop: $("$GO" env GOVERSION) is older than go1.24, which Pion v4 needs;" \
    "install Go from https://go.dev/dl to /usr/local/go" >&2
  exit 1
fi
echo "install-interop: $("$GO" version); fetching and building interop/pion" >&2
cd "$ROOT/interop/pion"
"$GO" mod download
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
# Same flags as the harness (interop/src/pion.rs), so its build is a cache hit.
"$GO" build -trimpath -buildvcs=false -o "$OUT/pion-peer" .

# Pion v3 from Debian, GOPATH mode. The go.mod only lets the import github.com/pion/webrtc/v3
# resolve to /usr/share/gocode/src/github.com/pion/webrtc (whose go.mod declares that path;
# Go's "minimal module compatibility"); GOPATH mode ignores it otherwise.
DEBIAN_GOPATH=/usr/share/gocode
grep -qx 'module github.com/pion/webrtc/v3' "$DEBIAN_GOPATH/src/github.com/pion/webrtc/go.mod" || {
  echo "install-interop: $DEBIAN_GOPATH/src/github.com/pion/webrtc is not Pion v3" >&2
  exit 1
}
echo "install-interop: building interop/pion against Pion v3 (GOPATH mode, $DEBIAN_GOPATH)" >&2
V3="$OUT/gopath-v3/src/pion-peer"
mkdir -p "$V3"
for f in "$ROOT"/interop/pion/*.go; do
  sed -e 's#"github.com/pion/webrtc/v4"#"github.com/pion/webrtc/v3"#g' \
    -e 's#"github.com/pion/ice/v4"#"github.com/pion/ice/v2"#g' "$f" >"$V3/$(basename "$f")"
done
printf 'module pion-peer\n' >"$V3/go.mod"
(cd "$V3" && GO111MODULE=off GOPATH="$OUT/gopath-v3:$DEBIAN_GOPATH" GOFLAGS= \
  "$GO" build -trimpath -buildvcs=false -o "$OUT/pion-peer-v3" .)
echo "install-interop: Pion v4 and v3 peers build; $(chromium --version 2>/dev/null || echo 'chromium: version unknown')" >&2
