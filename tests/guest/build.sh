#!/bin/bash
# Build the default test guest from Debian packages: Debian 12's kernel
# (the package linux-image-amd64 / linux-image-cloud-amd64 depends on) and a
# busybox-static initramfs whose /init prints a marker, runs the command
# given on the kernel command line, and powers off.
#
#   tests/guest/build.sh [generic|cloud]     (default: generic)
#
# Output (cached; rebuilt only when inputs change):
#   tests/guest/out/<flavour>/bzImage, vmlinux-version, initrd.img
#   tests/guest/out/bzImage, initrd.img -> links to the generic flavour
#
# The init understands, on the kernel command line (it reads /proc/cmdline,
# because the kernel does not pass dotted parameters to init):
#   kvmu.cmd=BASE64      run this shell command after the marker
#   kvmu.shell=1         start an interactive shell on the console
# and always finishes with `poweroff -f` unless kvmu.shell=1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
flavour=${1:-generic}
cache=$here/cache
out=$here/out/$flavour
mkdir -p "$cache" "$out"

meta=linux-image-amd64
[ "$flavour" = cloud ] && meta=linux-image-cloud-amd64
[ "$flavour" = generic ] || [ "$flavour" = cloud ] || {
    echo "usage: $0 [generic|cloud]" >&2; exit 2; }

pkg=$(apt-cache depends "$meta" 2>/dev/null | awk '/Depends: linux-image-/ {print $2; exit}')
if [ -z "$pkg" ]; then
    echo "guest: cannot resolve $meta (run apt-get update?)" >&2
    exit 1
fi

fetch() {   # fetch PACKAGE into the cache (apt-get download), once
    local p=$1
    if ! ls "$cache/${p}_"*.deb >/dev/null 2>&1; then
        (cd "$cache" && apt-get download -q "$p" >/dev/null)
    fi
    ls "$cache/${p}_"*.deb | head -1
}

# Tests run in parallel and each asks for the guest: one builder at a time,
# and outputs appear atomically (a half-written initrd must never be seen).
exec 9>"$cache/.lock"
flock 9

kdeb=$(fetch "$pkg")
bdeb=$(fetch busybox-static)

stamp="$(basename "$kdeb") $(basename "$bdeb") $(sha1sum "$0" | cut -c1-12)"
if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$stamp" ]; then
    echo "guest: $flavour up to date ($pkg)"
else
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    dpkg-deb -x "$kdeb" "$work/k"
    dpkg-deb -x "$bdeb" "$work/b"
    kver=$(ls "$work/k/lib/modules" | head -1)
    cp "$work/k/boot/vmlinuz-$kver" "$out/bzImage.tmp"
    mv "$out/bzImage.tmp" "$out/bzImage"
    echo "$kver" > "$out/vmlinux-version"

    # The initramfs: busybox + init + the virtio modules later issues use.
    r=$work/root
    mkdir -p "$r"/{bin,sbin,etc,proc,sys,dev,tmp,root,lib/modules}
    cp "$work/b/bin/busybox" "$r/bin/busybox"
    for app in $("$r/bin/busybox" --list); do
        [ "$app" = busybox ] || ln -sf busybox "$r/bin/$app"
    done
    mdir=$work/k/lib/modules/$kver
    if [ -d "$mdir/kernel/drivers/virtio" ]; then
        mkdir -p "$r/lib/modules/$kver"
        (cd "$mdir" && find kernel/drivers/virtio kernel/drivers/block/virtio_blk.ko \
            kernel/drivers/net/virtio_net.ko kernel/drivers/net/net_failover.ko \
            kernel/net/core/failover.ko kernel/drivers/char/virtio_console.ko \
            kernel/drivers/char/hw_random/virtio-rng.ko -name '*.ko' 2>/dev/null |
            cpio -pdm --quiet "$r/lib/modules/$kver")
        cp "$mdir"/modules.order "$mdir"/modules.builtin* "$r/lib/modules/$kver/" 2>/dev/null || true
        "$r/bin/busybox" depmod -b "$r" "$kver" 2>/dev/null || true
    fi
    cp "$here/init" "$r/init"
    chmod 755 "$r/init"
    (cd "$r" && find . | cpio -o -H newc --quiet | gzip -9 > "$out/initrd.img.tmp")
    mv "$out/initrd.img.tmp" "$out/initrd.img"
    echo "$stamp" > "$out/stamp"
    echo "guest: built $flavour ($pkg, $(du -h "$out/initrd.img" | cut -f1) initrd)"
fi

if [ "$flavour" = generic ]; then
    ln -sf generic/bzImage "$here/out/bzImage"
    ln -sf generic/initrd.img "$here/out/initrd.img"
fi
