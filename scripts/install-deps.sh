#!/bin/bash
# Install every Debian package kvmu's build and tests need. Idempotent:
# packages already present are skipped, and apt-get update runs only when
# something is missing.
set -euo pipefail

BUILD_PKGS=(
    build-essential pkg-config meson ninja-build python3
    libglib2.0-dev linux-libc-dev libseccomp-dev libpixman-1-dev
    zlib1g-dev libbz2-dev liblzma-dev liblz4-dev libzstd-dev
    clang libclang-rt-14-dev
)
TEST_PKGS=(
    socat cpio gzip busybox-static xz-utils
    qemu-system-x86 qemu-utils seabios
)

want=("${BUILD_PKGS[@]}")
if [ "${1:-}" != "--build-only" ]; then
    want+=("${TEST_PKGS[@]}")
fi

missing=()
for p in "${want[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#want[@]} packages present"
    exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then
    SUDO=sudo
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
