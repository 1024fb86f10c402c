"""A minimal QMP client for the functional tests (Python 3 stdlib)."""
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))))
# The test guest (tests/guest/build.sh). It powers off once its init is
# done (about 2 s with the translator); GUEST_APPEND keeps it up, asleep.
GUEST_KERNEL = os.path.join(ROOT, 'tests/guest/out/bzImage')
GUEST_INITRD = os.path.join(ROOT, 'tests/guest/out/initrd.img')
GUEST_APPEND = 'console=ttyS0 quiet kvmu.cmd=' + \
    base64.b64encode(b'sleep 3600').decode()


def build_guest():
    """Build the test guest, or wait for the test that is building it
    (build.sh takes a lock), rather than find it missing or half-built
    when tests run in parallel on a fresh tree. True if it is there
    (without apt access it may not be)."""
    subprocess.run(['bash', os.path.join(ROOT, 'tests/guest/build.sh')],
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return os.path.exists(GUEST_KERNEL) and os.path.exists(GUEST_INITRD)


def send_with_fd(q, req, fd):
    """Send req with fd attached (SCM_RIGHTS); its reply."""
    q.sock.sendmsg([json.dumps(req).encode()],
                   [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                     fd.to_bytes(4, sys.byteorder))])
    return q.reply(req.get('id'))


class QMPClient:
    def __init__(self, path, timeout=30):
        # The socket file can appear before the emulator listens on it (a
        # loaded host): retry a refused connection for a few seconds.
        deadline = time.monotonic() + 10
        while True:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            try:
                self.sock.connect(path)
                break
            except (ConnectionRefusedError, FileNotFoundError):
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.buf = b''
        self.events = []
        self.greeting = self.recv()

    def send_raw(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def recv(self):
        while b'\n' not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError('connection closed')
            self.buf += chunk
        line, self.buf = self.buf.split(b'\n', 1)
        return json.loads(line.decode())

    def reply(self, want_id=None):
        """Next reply (skipping events; with want_id, skipping other
        replies too, e.g. errors for earlier bad input)."""
        while True:
            msg = self.recv()
            if 'event' in msg:
                self.events.append(msg)
                continue
            if want_id is not None and msg.get('id') != want_id:
                continue
            return msg

    def cmd(self, name, args=None, id=None, key='execute'):
        req = {key: name}
        if args is not None:
            req['arguments'] = args
        if id is not None:
            req['id'] = id
        self.send_raw(json.dumps(req))
        return self.reply(id)

    def close(self):
        self.sock.close()


class Emulator:
    """Start an emulator with -machine none and n QMP unix sockets."""

    def __init__(self, binary, n_qmp=1, extra=()):
        self.dir = tempfile.mkdtemp(prefix='qmp-test-')
        self.paths = [os.path.join(self.dir, 'qmp%d.sock' % i)
                      for i in range(n_qmp)]
        args = [binary, '-machine', 'none', '-nodefaults', '-display', 'none']
        for p in self.paths:
            args += ['-qmp', 'unix:%s,server=on,wait=off' % p]
        args += list(extra)
        self.stderr = open(os.path.join(self.dir, 'stderr'), 'w+')
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=self.stderr)
        deadline = time.time() + 20
        while not all(os.path.exists(p) for p in self.paths):
            if self.proc.poll() is not None or time.time() > deadline:
                self.stderr.seek(0)
                raise RuntimeError('emulator did not start: ' +
                                   self.stderr.read())
            time.sleep(0.05)

    def connect(self, i=0):
        return QMPClient(self.paths[i])

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        # the directory too (stderr stays readable through its open file)
        shutil.rmtree(self.dir, ignore_errors=True)


def shape(v):
    """Structure of a JSON value: keys and types, not values. Lists are
    reduced to the union of their elements' shapes."""
    if isinstance(v, dict):
        return {k: shape(x) for k, x in sorted(v.items())}
    if isinstance(v, list):
        merged = {}
        kinds = set()
        for x in v:
            s = shape(x)
            if isinstance(s, dict):
                for k, t in s.items():
                    merged.setdefault(k, t)
            else:
                kinds.add(s if isinstance(s, str) else repr(s))
        return ['list', merged if merged else sorted(kinds)]
    if isinstance(v, bool):
        return 'bool'
    if isinstance(v, (int, float)):
        return 'number'
    if isinstance(v, str):
        return 'str'
    return 'null'
