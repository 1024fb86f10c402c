#!/usr/bin/env python3
"""A bare-metal multiboot kernel (tests/functional/baremetal/mb-exit.S)
runs through the whole VMM: -kernel loads it, the software CPU executes it
in 32-bit protected mode, it prints its command line and module over
isa-debugcon and exits through isa-debug-exit with a chosen value; the
process exit status (value << 1) | 1 proves it ran. Also: a broken
multiboot header is refused.
usage: test_multiboot.py KVMU_BINARY MB_EXIT_ELF"""
import os
import subprocess
import sys
import tempfile


def run(kvmu, elf, tmp, extra):
    con = os.path.join(tmp, "debugcon.txt")
    argv = [kvmu, "-accel", "tcg", "-M", "pc", "-m", "128", "-display", "none",
            "-kernel", elf,
            "-chardev", f"file,id=dbg,path={con}",
            "-device", "isa-debugcon,chardev=dbg",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=4"] + extra
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=120)
    text = open(con).read() if os.path.exists(con) else ""
    return p.returncode, text, p.stderr.decode(errors="replace")


def main():
    kvmu, elf = sys.argv[1], sys.argv[2]
    tmpdir = tempfile.TemporaryDirectory()     # removed at exit
    tmp = tmpdir.name
    mod = os.path.join(tmp, "module.txt")
    with open(mod, "w") as f:
        f.write("module-data")
    rc, text, err = run(kvmu, elf, tmp,
                        ["-append", "hello=world", "-initrd", f"{mod} modarg"])
    print(f"rc={rc} debugcon={text!r} stderr={err.strip()!r}")
    ok = (rc == 0x43 and "multiboot ok" in text and "hello=world" in text
          and "modarg:module-data" in text)
    # A corrupted header checksum makes the file "not multiboot": for an
    # ELF that means a plain ELF entered without the magic -> status 3.
    bad = os.path.join(tmp, "bad.elf")
    data = bytearray(open(elf, "rb").read())
    i = data.find(bytes.fromhex("02b0ad1b"))
    data[i + 8] ^= 0xff
    open(bad, "wb").write(data)
    rc2, text2, err2 = run(kvmu, bad, tmp, [])
    print(f"plain ELF: rc={rc2} debugcon={text2!r}")
    ok = ok and rc2 == 0x03
    # Segments outside RAM are refused before anything runs.
    rc3, _, err3 = run(kvmu, elf, tmp, ["-m", "1"])
    print(f"-m 1: rc={rc3} stderr={err3.strip()!r}")
    ok = ok and rc3 == 1
    if not ok:
        print("FAIL")
        sys.exit(1)
    print("PASS: multiboot kernel ran and exited through isa-debug-exit")


if __name__ == "__main__":
    main()
