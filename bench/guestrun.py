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


def boot_once(binary, guest_dir, extra_args=(), append="", cmd=None, timeout=600,
              watch=None):
    """Boot once; return dict(marker=s, exit=s, output=bytes, rc=int).
    watch(output_so_far, seconds, pid) is called after every console chunk."""
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
            if watch:
                watch(out, time.monotonic() - start, p.pid)
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


# ---- in-guest timed workloads (bench/cpu, bench/mips) ----------------------
# Each workload is timed inside the guest with /proc/uptime (busybox date has
# no %N) and reported on the serial console as
#   KVMU-BENCH <name> <uptime-before> <uptime-after>
# so host-side noise (boot, console polling) stays out of the figure.
BENCH_TAG = b"KVMU-BENCH"

# name -> (setup shell, timed shell). Setup is not timed.
WORKLOADS = {
    "md5-64M": ("", "dd if=/dev/zero bs=1M count=64 2>/dev/null | md5sum >/dev/null"),
    "sha256-64M": ("", "dd if=/dev/zero bs=1M count=64 2>/dev/null | sha256sum >/dev/null"),
    # ~2 MB of text that compresses like source code, not like zeros
    "gzip9-2M": ("awk 'BEGIN{srand(7); for(i=0;i<60000;i++) "
                 "printf \"line %d value %d %x\\n\", i, int(rand()*1e6), i*2654435761%4294967296}' "
                 "> /tmp/gz.in",
                 "gzip -9 -c /tmp/gz.in > /tmp/gz.out"),
    "forkexec-500": ("", "i=0; while [ $i -lt 500 ]; do /bin/true; i=$((i+1)); done"),
}
# -smp 2 workloads (bench/smp, bench/mips --smp 2 --workload ...), not in
# bench/cpu's default set: one md5sum of a 32 MiB initramfs file, or two at
# once; the setup reads the file once so neither timed run pays first touch.
SMP_SETUP = ("dd if=/dev/zero of=/tmp/smp.in bs=1M count=32 2>/dev/null; "
             "md5sum /tmp/smp.in >/dev/null")
SMP_JOB = "md5sum /tmp/smp.in >/dev/null"
SMP_WORKLOADS = {
    "md5x1-32M": (SMP_SETUP, SMP_JOB),
    "md5x2-32M": (SMP_SETUP, f"{SMP_JOB} & {SMP_JOB} & wait"),
}


def bench_script(names):
    """The guest shell script timing @names, one KVMU-BENCH line each."""
    lines = ["t() { n=$1; shift; read a _ < /proc/uptime; sh -c \"$*\"; "
             "read b _ < /proc/uptime; echo \"KVMU-BENCH $n $a $b\"; }"]
    for n in names:
        setup, body = WORKLOADS[n]
        if setup:
            lines.append(setup)
        lines.append("t %s '%s'" % (n, body.replace("'", "'\\''")))
    return "\n".join(lines) + "\n"


def parse_bench(output):
    """{name: seconds} from the KVMU-BENCH lines of a guest's console."""
    res = {}
    for line in output.replace(b"\r", b"").split(b"\n"):
        i = line.find(BENCH_TAG)
        if i < 0:
            continue
        f = line[i:].split()
        if len(f) != 4:
            continue
        try:
            res[f[1].decode()] = float(f[3]) - float(f[2])
        except ValueError:
            pass
    return res


class Qmp:
    """Minimal QMP client over a unix socket (capabilities negotiated)."""

    def __init__(self, path, timeout=30):
        import json
        import socket
        self.json = json
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.s.connect(path)
                break
            except OSError:
                self.s.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.f = self.s.makefile("rwb")
        self._read()                          # greeting
        self.cmd("qmp_capabilities")

    def _read(self):
        while True:
            line = self.f.readline()
            if not line:
                raise EOFError("QMP connection closed")
            msg = self.json.loads(line)
            if "event" not in msg:
                return msg

    def cmd(self, name, **args):
        req = {"execute": name}
        if args:
            req["arguments"] = args
        self.f.write(self.json.dumps(req).encode() + b"\n")
        self.f.flush()
        r = self._read()
        if "error" in r:
            raise RuntimeError(f"{name}: {r['error']}")
        return r["return"]

    def close(self):
        self.s.close()


def engine_stats(pid, chains=False):
    """Engine counters of a running kvmu read with gdb (stopgap: see
    bench/gdb-engine-stats.py); a list of dicts, one per ukvm vCPU (empty
    if gdb or the debug info is missing). Stops the
    process for about a second (chains=True walks the block hash too:
    longer): use it for counts, not for timing."""
    script = os.path.join(ROOT, "bench", "gdb-engine-stats.py")
    buckets = 4096
    try:
        with open(os.path.join(ROOT, "target", "i386", "engine.h")) as f:
            for line in f:
                w = line.split()
                if len(w) >= 3 and w[:2] == ["#define", "X86_BLOCK_HASH"]:
                    buckets = int(w[2])
    except (OSError, ValueError):
        pass
    try:
        r = subprocess.run(["gdb", "-p", str(pid), "-batch", "-nx",
                            "-ex", f"set $kvmu_buckets = {buckets}",
                            "-ex", f"set $kvmu_chains = {int(chains)}",
                            "-x", script],
                           stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return []
    res = []
    for line in r.stdout.decode(errors="replace").splitlines():
        if line.startswith("ENGINE-STATS ") and "=" in line:
            d = {}
            for kv in line.split()[1:]:
                k, _, v = kv.partition("=")
                d[k] = v
            res.append(d)
    return res
