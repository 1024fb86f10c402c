#!/usr/bin/env python3
"""Command-line behaviour of kvmu-system-x86_64, run on the real binary.

A table of bad command lines must each exit 1 with exactly one line on
stderr (QEMU's wording, our program name); -version/-help/listings have
the documented shape; -daemonize + -pidfile with -machine none returns in
the parent only once the pid file exists; -sandbox on runs.
Usage: test_cli.py PATH-TO-kvmu-system-x86_64   (TAP output)
"""
import os
import signal
import subprocess
import sys
import tempfile
import time

BIN = sys.argv[1]
PROG = "kvmu-system-x86_64"

BAD = [
    (["-bogus"], "-bogus: invalid option"),
    (["--bogus"], "--bogus: invalid option"),
    (["-m"], "-m: requires an argument"),
    (["-m", "12Q"], "-m 12Q: Parameter 'size' expects a non-negative number below 2^64"),
    (["-m", "1,bogus=2"], "-m 1,bogus=2: Invalid parameter 'bogus'"),
    (["-m", "1G,maxmem=512M"], "invalid value of maxmem: maximum memory size (0x20000000) must be at least the initial memory size (0x40000000)"),
    (["-m", "1G,slots=2"], "slots specified but no max-size"),
    (["-smp", "4,sockets=3"], "Invalid CPU topology: product of the hierarchy must match maxcpus: sockets (3) * dies (1) * cores (1) * threads (1) != maxcpus (4)"),
    (["-smp", "4,maxcpus=2"], "Invalid CPU topology: maxcpus must be equal to or greater than smp: sockets (1) * dies (1) * cores (2) * threads (1) == maxcpus (2) < smp_cpus (4)"),
    (["-smp", "x"], "-smp x: Parameter 'smp.cpus' expects integer"),
    (["-machine", "foo"], "unsupported machine type 'foo'; use -machine help to list supported machines"),
    (["-machine", "none,bogus=1"], "-machine none,bogus=1: Invalid parameter 'bogus'"),
    (["-machine", "none,kernel-irqchip=maybe"], "-machine none,kernel-irqchip=maybe: Parameter 'kernel-irqchip' does not accept value 'maybe'"),
    (["-machine", "none,accel=foo"], "invalid accelerator foo"),
    (["-enable-kvm", "-machine", "none,accel=tcg"], "The -accel and \"-machine accel=\" options are incompatible"),
    (["-accel", "foo"], "-accel foo: invalid accelerator foo"),
    (["-accel", "tcg,bogus=1"], "-accel tcg,bogus=1: Property 'tcg-accel.bogus' not found"),
    (["-uuid", "xyz"], "-uuid xyz: failed to parse UUID string: wrong format"),
    (["-name", "a,bogus=1"], "-name a,bogus=1: Invalid parameter 'bogus'"),
    (["-msg", "timestamp=maybe"], "-msg timestamp=maybe: Parameter 'timestamp' expects 'on' or 'off'"),
    (["-msg", "guest-name=on"], "-msg guest-name=on: 'guest-name=on' is not supported by kvmu yet"),
    (["-D", "/nonexistent/dir/log"], "-D /nonexistent/dir/log: cannot open log file: No such file or directory"),
    (["-rtc", "clock=foo"], "-rtc clock=foo: invalid option value 'foo'"),
    (["-boot", "order=zz"], "-boot order=zz: Invalid boot device 'z'"),
    (["-sandbox", "maybe"], "-sandbox maybe: Parameter 'enable' expects 'on' or 'off'"),
    (["-sandbox", "on,spawn=maybe"], "-sandbox on,spawn=maybe: invalid argument for spawn"),
    (["-overcommit", "bogus=on"], "-overcommit bogus=on: Invalid parameter 'bogus'"),
    (["-display", "bogus"], "-display bogus: Parameter 'type' does not accept value 'bogus'"),
    (["-mon", "mode=control"], "-mon mode=control: Parameter 'chardev' is missing"),
    (["-mon", "chardev=c0"], "-mon chardev=c0: chardev \"c0\" not found"),
    (["-chardev", "foo"], "-chardev foo: chardev: no id specified"),
    (["-d", "bogus"], "-d bogus: unknown log item 'bogus' (use -d help for a list)"),
    (["-global", "foo"], "-global foo: Invalid parameter 'foo'"),
    (["-serial", "a", "-serial", "b", "-serial", "c", "-serial", "d", "-serial", "e"], "-serial e: too many serial ports (at most 4)"),
    (["-netdev", "user,id=n0"], "-netdev user,id=n0: '-netdev' is not supported by kvmu yet"),
    (["-drive", "file=x.img,if=virtio"], "-drive file=x.img,if=virtio: '-drive' is not supported by kvmu yet"),
    (["-vnc", ":0"], "-vnc :0: '-vnc' is not supported by kvmu yet"),
    (["-snapshot"], "-snapshot: '-snapshot' is not supported by kvmu yet"),
    (["-readconfig", "x.cfg"], "-readconfig x.cfg: '-readconfig' is not supported by kvmu yet"),
    (["-daemonize", "-nographic"], "-nographic cannot be used with -daemonize"),
    (["-daemonize", "-serial", "stdio"], "cannot use stdio with -daemonize"),
    (["-daemonize", "-chardev", "stdio,id=s"], "cannot use stdio with -daemonize"),
    (["disk.img"], "disk.img: a disk image argument (-hda) is not supported by kvmu yet"),
    (["-kernel", "/nonexistent/bzImage"], "The -kernel parameter is not supported (use the generic 'loader' device instead)."),
    (["-cpu", "max"], "-cpu: machine 'none' runs no guest CPU: kvmu: no board/accelerator yet"),
    (["-smp", "2"], "Invalid SMP CPUs 2. The max CPUs supported by machine 'none' is 1"),
    (["-device", "e1000,id=n0"], "-device e1000,id=n0: machine 'none' has no bus for devices"),
    (["-chardev", "bogus,id=c0"], "-chardev bogus,id=c0: 'bogus' is not a valid char driver name"),
    (["-object", "foo,id=x"], "-object foo,id=x: invalid object type: foo"),
    (["-object", "memory-backend-ram,id=m"], "-object memory-backend-ram,id=m: can't create backend with size 0"),
    (["-action", "panic=explode"], "-action panic=explode: Parameter 'panic' does not accept value 'explode'"),
    (["-action", "bogus=1"], "-action bogus=1: Invalid parameter 'bogus'"),
    (["-watchdog-action", "explode"], "-watchdog-action explode: Parameter 'watchdog-action' does not accept value 'explode'"),
    (["-vga", "std"], "-vga std: a std video card is not supported by kvmu yet (-vga none is)"),
    (["-vga", "bogus"], "-vga bogus: unknown vga type: bogus"),
    (["-machine", "pc", "-display", "none", "-global", "PIIX4_PM.disable_s3=0"], "PIIX4_PM: S3 (suspend to RAM) is not supported by kvmu yet (disable_s3=1 and disable_s4=1 are)"),
]

results = []


def check(name, ok, detail=""):
    results.append((name, ok, detail))


def run(args, timeout=10):
    """Run to completion; a hang counts as rc -9 (and is killed)."""
    try:
        return subprocess.run([BIN] + args, capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        return subprocess.CompletedProcess(e.cmd, -9, e.stdout or "",
                                           (e.stderr or "") + " (hung)")


for args, msg in BAD:
    full = (["-machine", "none"] if "-machine" not in args and
            "-enable-kvm" not in args else []) + args
    r = run(full)
    want = f"{PROG}: {msg}\n"
    check("bad: " + " ".join(args), r.returncode == 1 and r.stderr == want,
          f"rc={r.returncode} stderr={r.stderr!r} want={want!r}")

# -msg timestamp=on prefixes messages with an ISO 8601 time
import re
r = run(["-msg", "timestamp=on", "-bogus"])
check("-msg timestamp=on", r.returncode == 1 and re.fullmatch(
      r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[.\d]*Z? "
      + PROG + r": -bogus: invalid option\n", r.stderr) is not None,
      repr(r.stderr))

r = run(["-version"])
check("-version", r.returncode == 0 and r.stdout ==
      "QEMU emulator version 8.2.0 (kvmu 0.1.0)\n"
      "Copyright (c) 2026 the kvmu authors\n", repr(r.stdout))

r = run(["-help"])
lines = r.stdout.splitlines()
check("-help", r.returncode == 0 and len(lines) > 40 and
      lines[0].startswith("QEMU emulator version 8.2.0 (kvmu ") and
      lines[1] == f"usage: {PROG} [options] [disk_image]" and
      any(l.startswith("-machine ") for l in lines) and
      any(l.startswith("-netdev ") for l in lines), r.stdout[:200])

r = run(["-machine", "help"])
check("-machine help", r.returncode == 0 and
      r.stdout.startswith("Supported machines are:\n") and
      "\nnone                 empty machine\n" in r.stdout, repr(r.stdout))

r = run(["-d", "help"])
check("-d help", r.returncode == 0 and
      r.stdout.startswith("Log items (comma separated):\n") and
      "\nguest_errors " in r.stdout, repr(r.stdout[:100]))

r = run(["-device", "help"])
check("-device help", r.returncode == 0 and r.stderr == "", repr(r.stderr))

r = run(["-accel", "help"])
check("-accel help", r.returncode == 0 and "kvm" in r.stdout and
      "tcg" in r.stdout, repr(r.stdout))


def wait_for(cond, p, seconds=30):
    """Poll cond() until true, p exits, or seconds pass (an ASan binary
    on a loaded host can take seconds to start); cond()'s last value."""
    deadline = time.monotonic() + seconds
    while True:
        ok = cond()
        if ok or p.poll() is not None or time.monotonic() > deadline:
            return ok
        time.sleep(0.05)


def qmp_greeting(path):
    """True once a QMP client on path gets the greeting: the main loop
    runs (after -sandbox is installed)."""
    import socket
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    try:
        s.connect(path)
        return b'"QMP"' in s.recv(4096)
    except OSError:
        return False
    finally:
        s.close()


# -machine none runs until SIGTERM and exits cleanly. SIGTERM is sent once
# the pid file exists (the termination signals are taken by the main loop
# from then on; before, SIGTERM would kill the process) and it ran 0.5 s.
tmpd = tempfile.TemporaryDirectory()
pidfile = os.path.join(tmpd.name, "term.pid")
p = subprocess.Popen([BIN, "-machine", "none", "-display", "none",
                      "-pidfile", pidfile],
                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE)
wait_for(lambda: os.path.exists(pidfile), p)
time.sleep(0.5)
alive = p.poll() is None
p.send_signal(signal.SIGTERM)
out, err = p.communicate(timeout=10)
check("-machine none runs until SIGTERM", alive and p.returncode == 0,
      f"alive={alive} rc={p.returncode} err={err!r}")

# -sandbox on runs (and still exits cleanly). LeakSanitizer's exit-time
# tracer is a non-thread clone, which spawn=deny forbids: no leak check.
# Running means: its main loop answers a QMP client (the filter is in
# place by then) and it is still alive 0.5 s later.
env = dict(os.environ)
env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":detect_leaks=0"
qsock = os.path.join(tmpd.name, "sandbox.sock")
p = subprocess.Popen([BIN, "-machine", "none", "-sandbox",
                      "on,obsolete=deny,elevateprivileges=deny,spawn=deny,"
                      "resourcecontrol=deny",
                      "-qmp", f"unix:{qsock},server=on,wait=off"], env=env,
                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE)
greeted = wait_for(lambda: os.path.exists(qsock) and qmp_greeting(qsock), p)
time.sleep(0.5)
alive = greeted and p.poll() is None
p.send_signal(signal.SIGTERM)
out, err = p.communicate(timeout=10)
check("-sandbox on runs", alive and p.returncode == 0,
      f"alive={alive} rc={p.returncode} err={err!r}")
tmpd.cleanup()

# -daemonize + -pidfile: the parent returns 0 only after the pid file
# holds the daemon's pid; a second instance cannot take the lock; the
# pid file goes away when the daemon exits.
with tempfile.TemporaryDirectory() as d:
    pidfile = os.path.join(d, "vm.pid")
    r = run(["-machine", "none", "-daemonize", "-pidfile", pidfile])
    exists = os.path.exists(pidfile)
    pid = int(open(pidfile).read()) if exists else 0
    check("-daemonize: parent exits 0 after the pid file exists",
          r.returncode == 0 and exists and pid > 0,
          f"rc={r.returncode} err={r.stderr!r}")
    r2 = run(["-machine", "none", "-pidfile", pidfile])
    check("-pidfile: locked by the daemon",
          r2.returncode == 1 and "Cannot lock pid file" in r2.stderr and
          len(r2.stderr.splitlines()) == 1, repr(r2.stderr))
    if pid:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        while os.path.exists(pidfile) and time.monotonic() < deadline:
            time.sleep(0.05)
    check("-pidfile removed at exit", not os.path.exists(pidfile))

    # a failure after the fork: the parent exits 1, the child's one-line
    # error reached the caller's stderr, and no pid file is left behind
    r = run(["-machine", "none", "-daemonize", "-pidfile", pidfile,
             "-chardev", "bogus,id=c0"])
    check("-daemonize: a late failure makes the parent exit 1",
          r.returncode == 1 and r.stderr ==
          f"{PROG}: -chardev bogus,id=c0: 'bogus' is not a valid char "
          "driver name\n" and not os.path.exists(pidfile),
          f"rc={r.returncode} stderr={r.stderr!r}")


# -pidfile without -daemonize: our pid, locked while running, removed at
# exit; -name process= names the process (comm).
with tempfile.TemporaryDirectory() as d:
    pidfile = os.path.join(d, "fg.pid")
    p = subprocess.Popen([BIN, "-machine", "none", "-pidfile", pidfile,
                          "-name", "guest=vm1,process=kvmu-vm1"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    wait_for(lambda: os.path.exists(pidfile) and
             open(pidfile).read().endswith("\n"), p)
    content = open(pidfile).read() if os.path.exists(pidfile) else ""
    comm = open(f"/proc/{p.pid}/comm").read().strip()
    p.send_signal(signal.SIGTERM)
    p.communicate(timeout=10)
    check("-pidfile holds our pid", content == f"{p.pid}\n", repr(content))
    check("-name process= sets the process name", comm == "kvmu-vm1",
          repr(comm))
    check("-pidfile removed at exit (foreground)",
          not os.path.exists(pidfile) and p.returncode == 0)


def qmp_session(path, timeout=10, cmds=None, retry=True):
    """Connect, read the greeting, negotiate, run cmds (default:
    query-status, query-command-line-options, query-machines), quit.
    retry: a refused connection is tried again for timeout seconds (the
    socket file exists from bind(), listen() comes just after)."""
    import json
    import socket
    deadline = time.monotonic() + timeout
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect(path)
            break
        except ConnectionRefusedError:
            s.close()
            if not retry or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    f = s.makefile("rw")
    greeting = json.loads(f.readline())
    replies = []
    if cmds is None:
        cmds = [{"execute": "query-status"},
                {"execute": "query-command-line-options",
                 "arguments": {"option": "smp-opts"}},
                {"execute": "query-machines"}]
    for cmd in ([{"execute": "qmp_capabilities"}] + cmds +
                [{"execute": "quit"}]):
        f.write(json.dumps(cmd) + "\n")
        f.flush()
        while True:
            msg = json.loads(f.readline())
            if "return" in msg or "error" in msg:
                replies.append(msg)
                break
    s.close()
    return greeting, replies


# -machine none -qmp (libvirt's probe): greeting, status, quit -> exit 0.
# Skipped while the monitor is not in this build.
with tempfile.TemporaryDirectory() as d:
    sock = os.path.join(d, "qmp.sock")
    p = subprocess.Popen([BIN, "-machine", "none", "-display", "none",
                          "-nodefaults", "-qmp",
                          f"unix:{sock},server=on,wait=off"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    wait_for(lambda: os.path.exists(sock), p)
    if p.poll() is not None and "no monitor" in p.stderr.read():
        print("# skip: -qmp (monitor not in this build)")
    else:
        try:
            greeting, replies = qmp_session(sock)
            ok = ("QMP" in greeting and
                  greeting["QMP"]["version"]["qemu"]["major"] == 8 and
                  replies[0] == {"return": {}} and
                  replies[1]["return"]["status"] == "running")
            p.wait(timeout=10)
            check("-machine none -qmp: greeting, query-status, quit",
                  ok and p.returncode == 0, f"{greeting} {replies}")
            opts = replies[2].get("return", [])
            params = {x["name"]: x["type"] for o in opts
                      for x in o["parameters"]}
            check("query-command-line-options: smp-opts from the cli",
                  len(opts) == 1 and opts[0]["option"] == "smp-opts" and
                  params.get("dies") == "number", repr(replies[2]))
            names = [m["name"] for m in replies[3].get("return", [])]
            check("query-machines lists 'none'", "none" in names,
                  repr(replies[3]))
        except Exception as e:  # noqa: BLE001 - report any failure as not ok
            p.kill()
            p.wait()
            check("-machine none -qmp: greeting, query-status, quit", False,
                  repr(e))

    # -S: the VM waits in prelaunch until "cont"
    sock3 = os.path.join(d, "qmp3.sock")
    p = subprocess.Popen([BIN, "-machine", "none", "-nodefaults", "-S",
                          "-qmp", f"unix:{sock3},server=on,wait=off"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    wait_for(lambda: os.path.exists(sock3), p)
    if p.poll() is None:
        try:
            _, rs = qmp_session(sock3, cmds=[{"execute": "query-status"},
                                             {"execute": "cont"},
                                             {"execute": "query-status"}])
            p.wait(timeout=10)
            check("-S: prelaunch until cont, then running",
                  rs[1]["return"]["status"] == "prelaunch" and
                  rs[2] == {"return": {}} and
                  rs[3]["return"]["status"] == "running", repr(rs))
        except Exception as e:  # noqa: BLE001
            p.kill()
            p.wait()
            check("-S: prelaunch until cont, then running", False, repr(e))
    elif "no monitor" not in p.stderr.read():
        check("-S: prelaunch until cont, then running", False,
              f"exited early: rc={p.returncode}")

    # -action reboot=shutdown (and -no-reboot then -action reboot=reset):
    # a QMP system_reset ends the process, or resets and it runs on
    for extra, ends in ((["-action", "reboot=shutdown"], True),
                        (["-no-reboot", "-action", "reboot=reset"], False)):
        sock4 = os.path.join(d, "qmp4.sock")
        p = subprocess.Popen([BIN, "-machine", "none", "-nodefaults", "-qmp",
                              f"unix:{sock4},server=on,wait=off"] + extra,
                             stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
        wait_for(lambda: os.path.exists(sock4), p)
        name = " ".join(extra) + ": system_reset " + \
            ("ends the process" if ends else "resets, runs on")
        try:
            import json
            import socket
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(10)
            for _ in range(100):
                try:
                    s.connect(sock4)
                    break
                except ConnectionRefusedError:
                    time.sleep(0.05)
            f = s.makefile("rw")
            f.readline()
            for cmd in ("qmp_capabilities", "system_reset"):
                f.write(json.dumps({"execute": cmd}) + "\n")
                f.flush()
            if ends:
                # an ASan binary on a loaded host can take seconds to exit
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    pass
            else:
                time.sleep(1)
            alive = p.poll() is None
            s.close()
            if alive:
                p.kill()
            p.wait(timeout=10)
            check(name, alive != ends and (not ends or p.returncode == 0),
                  f"alive={alive} rc={p.returncode}")
        except Exception as e:  # noqa: BLE001
            p.kill()
            p.wait()
            check(name, False, repr(e))
        if os.path.exists(sock4):
            os.unlink(sock4)

    # libvirt's capability probe: -daemonize with -nographic -nodefaults;
    # the monitor is listening when the parent returns
    sock2 = os.path.join(d, "qmp2.sock")
    pidfile = os.path.join(d, "qmp.pid")
    r = run(["-S", "-no-user-config", "-nodefaults", "-nographic",
             "-machine", "none,accel=kvm:tcg", "-qmp",
             f"unix:{sock2},server=on,wait=off", "-pidfile", pidfile,
             "-daemonize"])
    if r.returncode != 0 and "no monitor" in r.stderr:
        print("# skip: -daemonize -qmp (monitor not in this build)")
    else:
        try:
            greeting, replies = qmp_session(sock2, retry=False)
            check("-daemonize -qmp: listening when the parent exits",
                  r.returncode == 0 and "QMP" in greeting,
                  f"rc={r.returncode} {r.stderr!r}")
        except Exception as e:  # noqa: BLE001
            check("-daemonize -qmp: listening when the parent exits", False,
                  f"rc={r.returncode} {r.stderr!r} {e!r}")
            try:
                os.kill(int(open(pidfile).read()), signal.SIGKILL)
            except (OSError, ValueError):
                pass

print(f"1..{len(results)}")
for i, (name, ok, detail) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} - {name}")
    if not ok:
        print(f"# {detail}")
sys.exit(0 if all(ok for _, ok, _ in results) else 1)
