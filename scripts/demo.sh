#!/bin/bash
# make demo: build the default guest (Debian's kernel + a busybox
# initramfs, from Debian packages: tests/guest/build.sh) and boot it on this
# terminal with a shell on the serial console. 'poweroff -f' in the guest
# (or Ctrl-a x) ends it.
set -euo pipefail
build=${1:-build}
cd "$(dirname "$0")/.."
bash tests/guest/build.sh
echo "Booting Debian's kernel on kvmu's software CPU (-accel tcg): this takes"
echo "a minute or two. Ctrl-a x quits, Ctrl-a c switches to the monitor."
exec "$build/cli/kvmu-system-x86_64" -accel tcg -M pc -m 512 -nographic \
    -kernel tests/guest/out/bzImage -initrd tests/guest/out/initrd.img \
    -append "console=ttyS0 quiet kvmu.shell=1"
