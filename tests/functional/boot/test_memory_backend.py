#!/usr/bin/env python3
"""Guest RAM from memory backends and the legacy memory options:
-object memory-backend-file,share=on + -machine memory-backend=pc.ram
boots Linux with its RAM in the file (the kernel command line the guest
was given is found in the file afterwards), query-style errors for a size
that does not match -m, an unknown backend and -mem-path with a backend;
-mem-path DIR -mem-prealloc boots; -no-hpet leaves the guest without the
HPET the default board gives it; -vga none and libvirt's
-global PIIX4_PM.disable_s3=1/disable_s4=1 are accepted, -vga std refused.
usage: test_memory_backend.py KVMU_BINARY"""
import os
import re
import secrets
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guest  # noqa: E402

CMD = r"""
grep MemTotal /proc/meminfo | sed 's/^/MEM /'
dmesg | grep -c 'hpet0: at MMIO' | sed 's/^/HPET /'
"""


def mem_kb(run):
    m = re.search(r"MEM MemTotal:\s+(\d+) kB", run.output)
    return int(m.group(1)) if m else 0


def main():
    kvmu = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        ram = os.path.join(tmp, "ram")
        token = "kvmumem=" + secrets.token_hex(8)
        run = guest.boot(kvmu, cmd=CMD, append="quiet " + token, args=[
            "-object", "memory-backend-file,id=pc.ram,size=512M,"
            "mem-path=%s,share=on" % ram,
            "-machine", "memory-backend=pc.ram"])
        run.expect("KVMU-GUEST-CMD-EXIT 0")
        run.expect_rc(0)
        if not 400 * 1024 < mem_kb(run) <= 512 * 1024:
            guest.fail("guest RAM is not the 512 MiB backend", run)
        if "HPET 1" not in run.output:
            guest.fail("the default board has no HPET in the guest", run)
        if os.path.getsize(ram) != 512 << 20:
            guest.fail("backing file is %d bytes" % os.path.getsize(ram))
        with open(ram, "rb") as f:
            data = f.read()
        if token.encode() not in data:
            guest.fail("the guest's command line is not in the shared "
                       "backing file: guest RAM is not the file")
        print("ok: memory-backend-file share=on is the guest's RAM "
              f"(MemTotal {mem_kb(run)} kB)")

        rc, _, err = guest.run_quick(kvmu, [
            "-accel", "tcg", "-display", "none", "-m", "512",
            "-object", "memory-backend-ram,id=pc.ram,size=256M",
            "-machine", "memory-backend=pc.ram"])
        if rc != 1 or "does not match the size of the memory backend" \
                not in err:
            guest.fail(f"size mismatch: rc {rc}, stderr {err!r}")
        rc, _, err = guest.run_quick(kvmu, [
            "-accel", "tcg", "-display", "none",
            "-machine", "memory-backend=nope"])
        if rc != 1 or "Memory backend 'nope' not found" not in err:
            guest.fail(f"unknown backend: rc {rc}, stderr {err!r}")
        rc, _, err = guest.run_quick(kvmu, [
            "-accel", "tcg", "-display", "none", "-mem-path", tmp,
            "-object", "memory-backend-ram,id=pc.ram,size=128M",
            "-machine", "memory-backend=pc.ram"])
        if rc != 1 or "-mem-path' can't be used together" not in err:
            guest.fail(f"-mem-path with a backend: rc {rc}, stderr {err!r}")
        rc, _, err = guest.run_quick(kvmu, [
            "-accel", "tcg", "-display", "none", "-vga", "std"])
        if rc != 1 or "not supported by kvmu yet" not in err:
            guest.fail(f"-vga std: rc {rc}, stderr {err!r}")
        print("ok: size mismatch, unknown backend, -mem-path with a "
              "backend and -vga std are refused")

        run = guest.boot(kvmu, cmd=CMD, append="quiet", args=[
            "-m", "256", "-mem-path", tmp, "-mem-prealloc", "-no-hpet",
            "-vga", "none", "-global", "PIIX4_PM.disable_s3=1",
            "-global", "PIIX4_PM.disable_s4=1"])
        run.expect("KVMU-GUEST-CMD-EXIT 0")
        run.expect_rc(0)
        if not 200 * 1024 < mem_kb(run) <= 256 * 1024:
            guest.fail("guest does not see the 256 MiB", run)
        if "HPET 0" not in run.output:
            guest.fail("-no-hpet: the guest still found an HPET", run)
        print("ok: -mem-path DIR -mem-prealloc -no-hpet -vga none")
    print("PASS")


if __name__ == "__main__":
    main()
