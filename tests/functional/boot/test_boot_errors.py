#!/usr/bin/env python3
"""Bad -kernel/-initrd input: a missing kernel, a truncated bzImage, a file
that is not a kernel, an initrd larger than guest memory. Each gives one
clear line and exit status 1, before any guest runs.
usage: test_boot_errors.py KVMU_BINARY"""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guest  # noqa: E402


def main():
    kvmu = sys.argv[1]
    gdir = guest.build_guest()
    bz = os.path.join(gdir, "bzImage")
    tmpdir = tempfile.TemporaryDirectory()     # removed at exit
    tmp = tmpdir.name
    truncated = os.path.join(tmp, "truncated")
    with open(bz, "rb") as f, open(truncated, "wb") as o:
        o.write(f.read(700))
    notkernel = os.path.join(tmp, "notkernel")
    with open(notkernel, "wb") as o:
        o.write(b"hello, I am not a kernel\n" * 100)
    bigrd = os.path.join(tmp, "big.img")
    with open(bigrd, "wb") as o:
        o.truncate(200 << 20)
    base = ["-accel", "tcg", "-display", "none"]
    cases = [
        ("missing kernel", ["-M", "pc", "-kernel", os.path.join(tmp, "nope")],
         "could not open kernel file"),
        ("truncated bzImage", ["-kernel", truncated], "truncated"),
        ("not a kernel", ["-kernel", notkernel], "invalid kernel header"),
        ("initrd larger than memory",
         ["-m", "128", "-kernel", bz, "-initrd", bigrd], "initrd is too large"),
        ("-machine usb=on (no USB yet)", ["-M", "pc,usb=on", "-kernel", bz],
         "-machine usb=on: not supported by kvmu's pc board yet"),
        ("-machine acpi=off", ["-M", "pc,acpi=off", "-kernel", bz],
         "-machine acpi=off: not supported by kvmu's pc board yet"),
        ("missing initrd", ["-kernel", bz, "-initrd", os.path.join(tmp, "no")],
         "error reading initrd"),
    ]
    failed = 0
    for name, args, want in cases:
        rc, out, err = guest.run_quick(kvmu, base + args)
        lines = [l for l in err.splitlines() if l.strip()]
        ok = rc == 1 and len(lines) == 1 and want in lines[0]
        print(("ok  " if ok else "FAIL"), f"{name}: rc={rc} stderr={err.strip()!r}")
        failed += not ok
    if failed:
        sys.exit(1)
    print("PASS: bad boot inputs rejected with one line each")


if __name__ == "__main__":
    main()
