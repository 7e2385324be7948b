#!/usr/bin/env bash
# Installs, from Debian packages, everything muon's tests need. Idempotent and non-interactive:
# packages already present are left alone, and nothing is fetched when all are there.
#
#   scripts/install-deps.sh            # as root, or with sudo available
set -euo pipefail

# What the test suite uses, and why:
#   openssl          muon-dtls interop tests run `openssl s_server/s_client -dtls1_2`
#   iproute2         `ip link set lo up` inside private network namespaces (interop tests)
#   util-linux       `unshare -n` for those namespaces
#   ca-certificates  cargo fetching crates over TLS on a fresh machine
#   coturn           muon-ice loopback test starts its own `turnserver --stun-only` (service stays off)
PACKAGES=(openssl iproute2 util-linux ca-certificates coturn)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install ${missing[*]}" >&2; exit 1; }
    SUDO="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all test dependencies present" >&2
fi

if ! command -v cargo >/dev/null; then
  cat >&2 <<'MSG'
install-deps: cargo is not on PATH. muon needs Rust 1.88 or newer (edition 2024); Debian's own
rustc is too old. Install a toolchain with rustup (https://rustup.rs), then re-run.
MSG
  exit 1
fi
"$(dirname "$0")/install-interop.sh"  # interop peers: Chromium, Go, the Pion peer
