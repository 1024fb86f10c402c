#!/bin/bash
# make demo: build, prepare the default guest (Debian kernel + busybox
# initramfs from tests/guest), boot it on this terminal.
set -euo pipefail
build=${1:-build}
cd "$(dirname "$0")/.."
if ! grep -q '"pc"' cli/*.c hw/i386/*.c 2>/dev/null; then
    echo "make demo: not yet possible: the PC board and Linux boot (hw/i386)" >&2
    echo "have not landed; kvmu cannot boot a guest yet." >&2
    exit 1
fi
bash tests/guest/build.sh
exec "$build/cli/kvmu-system-x86_64" -accel tcg -M pc -m 512 -nographic \
    -kernel tests/guest/out/bzImage -initrd tests/guest/out/initrd.img \
    -append "console=ttyS0 quiet"
