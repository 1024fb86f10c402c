"""Shared helpers for bench/ scripts: boot the tests/guest guest under an
emulator, time it, and compare kvmu with qemu-system-x86_64 in one run."""
import base64
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GUEST = os.path.join(ROOT, "tests", "guest", "out")
KVMU = os.environ.get("KVMU", os.path.join(ROOT, "build", "cli", "kvmu-system-x86_64"))
QEMU = os.environ.get("QEMU", "qemu-system-x86_64")
MARKER = b"KVMU-GUEST-UP"


def ensure_guest(flavour="generic"):
    subprocess.run(["bash", os.path.join(ROOT, "tests", "guest", "build.sh"), flavour],
                   check=True, stdout=subprocess.DEVNULL)
    return os.path.join(GUEST, flavour)


def boot_once(binary, guest_dir, extra_args=(), append="", cmd=None, timeout=600):
    """Boot once; return dict(marker=s, exit=s, output=bytes, rc=int)."""
    kappend = "console=ttyS0 quiet " + append
    if cmd:
        kappend += " kvmu.cmd=" + base64.b64encode(cmd.encode()).decode()
    argv = [binary, "-accel", "tcg", "-M", "pc", "-m", "512", "-nographic",
            "-no-reboot", "-kernel", os.path.join(guest_dir, "bzImage"),
            "-initrd", os.path.join(guest_dir, "initrd.img"),
            "-append", kappend, *extra_args]
    start = time.monotonic()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    out = b""
    marker = None
    os.set_blocking(p.stdout.fileno(), False)
    while True:
        if time.monotonic() - start > timeout:
            p.kill()
            break
        chunk = None
        try:
            chunk = p.stdout.read()
        except BlockingIOError:
            pass
        if chunk:
            out += chunk
            if marker is None and MARKER in out:
                marker = time.monotonic() - start
        elif p.poll() is not None:
            break
        else:
            time.sleep(0.005)
    rc = p.wait()
    return {"marker": marker, "exit": time.monotonic() - start, "output": out, "rc": rc}


def summarize(name, kv, qm):
    def stats(xs):
        xs = [x for x in xs if x is not None]
        if not xs:
            return None, None
        return min(xs), statistics.median(xs)
    kmin, kmed = stats(kv)
    qmin, qmed = stats(qm)
    fmt = lambda v: "-" if v is None else f"{v:.3f}"
    ratio = "-" if not (kmed and qmed) else f"{kmed / qmed:.2f}"
    print(f"{name:28s} kvmu min {fmt(kmin)} med {fmt(kmed)} | "
          f"qemu min {fmt(qmin)} med {fmt(qmed)} | ratio kvmu/qemu {ratio}")
    return ratio
