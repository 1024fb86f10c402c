#!/usr/bin/env python3
"""A guest that throws random I/O at the board (tests/functional/baremetal/
mb-fuzz.S: port reads/writes of every size, PCI configuration writes, MMIO
in the PCI hole and the IOAPIC/HPET/LAPIC pages) must not crash, hang or
corrupt the VMM: for each seed the emulator runs the guest to its end
(exit status 0x43 through isa-debug-exit after all rounds), answers QMP
while it runs, and prints no sanitizer report or internal error. Run by
make check and, in CI, under ASan/UBSan (suite qtest).
usage: test_guest_fuzz.py KVMU_BINARY MB_FUZZ_ELF"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

ROUNDS = 120000
CONFIGS = [
    ("pc", [], [1, 2, 3, 4]),
    ("pc -smp 2, more devices",
     ["-smp", "2", "-device", "pci-testdev", "-device", "pvpanic",
      "-device", "pc-testdev"], [5, 6]),
]
results = []


def check(name, cond, detail=""):
    results.append((bool(cond), name, detail))


def qmp_status(path):
    """query-status over the QMP socket, or the error met."""
    try:
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(10)
        s.connect(path)
        f = s.makefile("rw")
        json.loads(f.readline())
        for cmd in ("qmp_capabilities", "query-status"):
            f.write(json.dumps({"execute": cmd}) + "\n")
            f.flush()
            while True:
                r = json.loads(f.readline())
                if "event" not in r:
                    break
        s.close()
        return r
    except (OSError, ValueError) as e:
        return {"error": repr(e)}


def run(kvmu, elf, tmp, seed, extra):
    con = os.path.join(tmp, "debugcon-%d.txt" % seed)
    sock = os.path.join(tmp, "qmp-%d.sock" % seed)
    argv = [kvmu, "-accel", "tcg", "-M", "pc", "-m", "128", "-display",
            "none", "-no-reboot", "-kernel", elf,
            "-append", "n=%d seed=%d" % (ROUNDS, seed),
            "-chardev", "file,id=dbg,path=" + con,
            "-device", "isa-debugcon,chardev=dbg",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
            "-serial", "null",
            "-qmp", "unix:%s,server=on,wait=off" % sock] + extra
    start = time.monotonic()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    status = None
    deadline = start + 900
    while p.poll() is None and time.monotonic() < deadline:
        if status is None and time.monotonic() - start > 0.5 and \
                os.path.exists(sock):
            status = qmp_status(sock)       # once, while the guest runs
            if "error" in status:
                # the connection broke: if the guest just finished (the
                # emulator exits), the query raced that exit; the exit
                # status is checked below
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass
                if p.poll() is not None:
                    status = None
        time.sleep(0.1)
    hung = p.poll() is None
    if hung:
        status = qmp_status(sock)
        p.kill()
    err = p.communicate()[1].decode(errors="replace")
    text = open(con).read() if os.path.exists(con) else ""
    return p.returncode, hung, status, text, err, time.monotonic() - start


def main():
    kvmu, elf = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        for name, extra, seeds in CONFIGS:
            for seed in seeds:
                rc, hung, status, text, err, secs = run(kvmu, elf, tmp,
                                                        seed, extra)
                what = "%s, seed %d" % (name, seed)
                print("# %s: rc %s, %.1f s, %d/%d progress marks" %
                      (what, rc, secs, text.count("."), ROUNDS // 8192))
                check("%s: not hung" % what, not hung,
                      "QMP said %r" % (status,))
                # every 8192nd round prints a '.': a run that took a
                # wrong count from its command line shows too few
                check("%s: all rounds ran (exit 0x43)" % what,
                      rc == 0x43 and "fuzz done" in text and
                      text.count(".") == ROUNDS // 8192,
                      "rc %r, debugcon %r, stderr %r" %
                      (rc, text[-200:], err[-1500:]))
                check("%s: QMP answered while it ran" % what,
                      status is None or "return" in status,
                      repr(status))
                check("%s: no sanitizer report or internal error" % what,
                      "runtime error" not in err and "Sanitizer" not in err
                      and "internal error" not in err.lower(), err[-2000:])
    print("1..%d" % len(results))
    for i, (ok, name, detail) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok and detail:
            for line in str(detail).splitlines()[:30]:
                print("#   " + line)
    sys.exit(0 if all(ok for ok, _, _ in results) else 1)


if __name__ == "__main__":
    main()
