"""Boot the tests/guest guest (Debian kernel + busybox initramfs) under
kvmu for functional tests: build it if needed, run the emulator with the
guest's serial console on a pipe, collect the output, and wait for exit.
Python 3 standard library only."""
import base64
import os
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
GUEST_DIR = os.path.join(ROOT, "guest", "out")


def build_guest(flavour="generic"):
    subprocess.run(["bash", os.path.join(ROOT, "guest", "build.sh"), flavour],
                   check=True, stdout=subprocess.DEVNULL)
    return os.path.join(GUEST_DIR, flavour)


class Run:
    """One emulator run: rc, output (str), elapsed seconds, and each
    output line with the host's monotonic time it arrived (lines)."""

    def __init__(self, rc, output, elapsed, lines=()):
        self.rc = rc
        self.output = output
        self.elapsed = elapsed
        self.lines = list(lines)

    def line_time(self, prefix):
        """(host time, line) of the first line starting with prefix."""
        for t, line in self.lines:
            if line.startswith(prefix):
                return t, line
        fail(f"no output line starting with {prefix!r}", self)

    def expect(self, text):
        if text not in self.output:
            fail(f"expected {text!r} in the console output", self)

    def expect_rc(self, rc):
        if self.rc != rc:
            fail(f"expected exit status {rc}, got {self.rc}", self)


def fail(msg, run=None):
    print("FAIL:", msg)
    if run is not None:
        print("---- last 3000 bytes of output ----")
        print(run.output[-3000:])
    sys.exit(1)


def boot(kvmu, cmd=None, append="", args=(), flavour="generic",
         timeout=900, nographic=True):
    """Boot the guest; cmd runs in the guest after the marker, then the
    guest powers off (the init does `poweroff -f`)."""
    gdir = build_guest(flavour)
    kappend = "console=ttyS0 " + append
    if cmd:
        kappend += " kvmu.cmd=" + base64.b64encode(cmd.encode()).decode()
    argv = [kvmu, "-accel", "tcg", "-M", "pc", "-m", "512",
            "-kernel", os.path.join(gdir, "bzImage"),
            "-initrd", os.path.join(gdir, "initrd.img"),
            "-append", kappend.strip()]
    argv += ["-nographic"] if nographic else ["-display", "none",
                                              "-serial", "stdio"]
    argv += list(args)
    start = time.monotonic()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    watchdog = threading.Timer(timeout, p.kill)   # a hung guest: killed
    watchdog.start()
    out, lines = b"", []
    while True:
        line = p.stdout.readline()     # EOF when the emulator ends
        if not line:
            break
        out += line
        lines.append((time.monotonic(),
                      line.decode(errors="replace").strip("\r\n")))
    rc = p.wait()
    if not watchdog.is_alive():
        rc = "timeout"
    watchdog.cancel()
    return Run(rc, out.decode(errors="replace"), time.monotonic() - start,
               lines)


def run_quick(kvmu, args, timeout=60):
    """Run the emulator with args that should fail or exit at once."""
    p = subprocess.run([kvmu] + list(args), stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout)
    return p.returncode, p.stdout.decode(errors="replace"), \
        p.stderr.decode(errors="replace")
