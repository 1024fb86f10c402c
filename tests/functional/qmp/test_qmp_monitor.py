#!/usr/bin/env python3
"""QMP/HMP monitor features end to end against kvmu-system-x86_64.

-machine none: getfd/add-fd with a descriptor passed as SCM_RIGHTS, a
client that sends many large requests without reading gets every reply
(nothing dropped), HMP info memdev. With the test guest (tests/guest/out,
skipped if not built): query-cpus-fast thread ids are the vCPU threads,
HMP info cpus/registers/mem/tlb/lapic/pic, x agrees with xp through the
page tables, memsave vs pmemsave, sendkey and send-key, and with
-nographic the monitor prints nothing until C-a c. Prints TAP.
usage: test_qmp_monitor.py KVMU_BINARY
"""
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qmpclient import (  # noqa: E402
    Emulator, GUEST_APPEND, GUEST_INITRD, GUEST_KERNEL, build_guest,
    send_with_fd)

KERNEL, INITRD, APPEND = GUEST_KERNEL, GUEST_INITRD, GUEST_APPEND
results = []


def check(name, cond, detail=''):
    results.append((bool(cond), name, detail))



def fd_passing(q):
    r, w = os.pipe()
    rsp = send_with_fd(q, {'execute': 'getfd', 'arguments': {'fdname': 'p'},
                           'id': 1}, w)
    check('getfd with SCM_RIGHTS succeeds', rsp == {'return': {}, 'id': 1},
          rsp)
    rsp = q.cmd('closefd', {'fdname': 'p'}, id=2)
    check('closefd of the passed fd', rsp == {'return': {}, 'id': 2}, rsp)
    rsp = q.cmd('getfd', {'fdname': 'q'}, id=3)
    check('getfd without a descriptor fails',
          'SCM_RIGHTS' in rsp.get('error', {}).get('desc', ''), rsp)
    rsp = send_with_fd(q, {'execute': 'add-fd', 'arguments': {'fdset-id': 7},
                           'id': 4}, w)
    check('add-fd with SCM_RIGHTS', rsp.get('return', {}).get('fdset-id') == 7,
          rsp)
    rsp = q.cmd('query-fdsets', id=5)
    sets = rsp.get('return', [])
    check('query-fdsets lists it', len(sets) == 1 and
          sets[0]['fdset-id'] == 7 and len(sets[0]['fds']) == 1, rsp)
    q.cmd('remove-fd', {'fdset-id': 7}, id=6)
    os.close(w)
    # every copy of the write end is closed now: the reader sees EOF
    os.set_blocking(r, False)
    eof = False
    for _ in range(100):
        try:
            eof = os.read(r, 1) == b''
            break
        except BlockingIOError:
            time.sleep(0.02)
    os.close(r)
    check('passed descriptors are closed again (no leak)', eof)


def slow_reader(emu, q):
    n = 40
    for i in range(n):
        q.send_raw(json.dumps({'execute': 'query-qmp-schema', 'id': i}))
    time.sleep(2)                   # replies pile up unread
    got = []
    while len(got) < n:
        msg = q.recv()
        if 'event' not in msg:
            got.append(msg)
    ids = [m.get('id') for m in got]
    check('a slow reader gets all %d large replies in order' % n,
          ids == list(range(n)), ids)
    check('each reply complete', all(isinstance(m.get('return'), list) and
                                     len(m['return']) > 100 for m in got))
    emu.stderr.seek(0)
    err = emu.stderr.read()
    check('no "output was dropped" warning', 'dropped' not in err, err[-500:])


def machine_none(binary):
    emu = Emulator(binary)
    try:
        q = emu.connect()
        q.cmd('qmp_capabilities')
        fd_passing(q)
        slow_reader(emu, q)
        rsp = q.cmd('query-cpus-fast', id=9)
        check('query-cpus-fast without vCPUs', rsp == {'return': [], 'id': 9},
              rsp)
        q.cmd('object-add', {'qom-type': 'memory-backend-ram', 'id': 'mb',
                             'size': 1048576})
        out = q.cmd('human-monitor-command',
                    {'command-line': 'info memdev'}).get('return', '')
        check('HMP info memdev: QEMU\'s block for an object-add backend',
              out == 'memory backend: mb\r\n  size:  1048576\r\n  merge: '
              'true\r\n  dump: true\r\n  prealloc: false\r\n  share: '
              'false\r\n  reserve: true\r\n  policy: default\r\n  host '
              'nodes: \r\n\r\n', repr(out))
    except Exception as e:
        check('no exception (%s: %s)' % (type(e).__name__, e), False)
    finally:
        emu.stop()
    emu.stderr.seek(0)
    err = emu.stderr.read()
    check('no sanitizer report on stderr',
          'runtime error' not in err and 'Sanitizer' not in err, err[-2000:])


def with_guest(binary):
    emu = Emulator(binary, extra=[
        '-machine', 'pc', '-smp', '2', '-m', '256', '-kernel', KERNEL,
        '-initrd', INITRD, '-append', APPEND,
        '-serial', 'null', '-device', 'pvpanic'])
    try:
        q = emu.connect()
        q.cmd('qmp_capabilities')

        def hmp(line):
            r = q.cmd('human-monitor-command', {'command-line': line})
            return r.get('return', str(r))
        # the kernel sets up its page tables within a few seconds (up to
        # 120 s allowed: a loaded host slows the software CPU down)
        deadline = time.time() + 120
        while time.time() < deadline and \
                'ffffffff8' not in hmp('info registers'):
            time.sleep(0.5)
        r = q.cmd('query-acpi-ospm-status')
        check('query-acpi-ospm-status on the pc board: no slots',
              r == {'return': []}, r)
        r = q.cmd('query-memory-devices')
        check('query-memory-devices: none', r == {'return': []}, r)
        cpus = q.cmd('query-cpus-fast').get('return', [])
        tasks = os.listdir('/proc/%d/task' % emu.proc.pid)
        check('query-cpus-fast lists 2 vCPUs',
              [c['cpu-index'] for c in cpus] == [0, 1], cpus)
        check('thread ids are distinct threads of the emulator',
              len({c['thread-id'] for c in cpus}) == 2 and
              all(str(c['thread-id']) in tasks for c in cpus) and
              all(c['thread-id'] != emu.proc.pid for c in cpus), cpus)
        check('qom-path per vCPU',
              [c['qom-path'] for c in cpus] ==
              ['/machine/cpu[0]', '/machine/cpu[1]'], cpus)
        out = hmp('info cpus')
        check('info cpus shows thread ids', re.search(
            r'\* CPU #0: thread_id=%d' % cpus[0]['thread-id'], out), out)
        r1 = q.cmd('human-monitor-command',
                   {'command-line': 'info cpus', 'cpu-index': 1})
        check('human-monitor-command cpu-index selects CPU 1',
              '* CPU #1' in r1.get('return', ''), r1)
        r1 = q.cmd('human-monitor-command',
                   {'command-line': 'info cpus', 'cpu-index': 2})
        check('human-monitor-command cpu-index out of range',
              'expects a CPU number' in str(r1), r1)
        regs = hmp('info registers')
        rip = re.search(r'RIP=([0-9a-f]{16})', regs)
        check('info registers has RIP', rip, regs[:300])
        mem = hmp('info mem')
        check('info mem lists kernel mappings',
              re.search(r'^ffff[0-9a-f]{12}-[0-9a-f]{16} [0-9a-f]{16} [-u]r[-w]',
                        mem, re.M), mem[:300])
        tlb = hmp('info tlb')
        m = re.search(r'^(ffffffff81[0-9a-f]{6}): ([0-9a-f]{16}) ', tlb, re.M)
        check('info tlb lists kernel text', m, tlb[:300])
        if m:
            x = hmp('x /2xg 0x' + m.group(1))
            xp = hmp('xp /2xg 0x' + m.group(2))
            check('x through the page tables equals xp at the physical '
                  'address', x.split(':', 1)[1:] == xp.split(':', 1)[1:] and
                  x != xp, (x, xp))
        if m:
            vfile = os.path.join(emu.dir, 'v.bin')
            pfile = os.path.join(emu.dir, 'p.bin')
            va = int(m.group(1), 16)
            va = va - (1 << 64) if va >= 1 << 63 else va   # 'int': signed
            r1 = q.cmd('memsave', {'val': va, 'size': 8192,
                                   'filename': vfile})
            r2 = q.cmd('pmemsave', {'val': int(m.group(2), 16),
                                    'size': 8192, 'filename': pfile})
            same = False
            if r1 == {'return': {}} and r2 == {'return': {}}:
                with open(vfile, 'rb') as f1, open(pfile, 'rb') as f2:
                    v, p = f1.read(), f2.read()
                # the next virtual page need not follow physically: the
                # first page must match
                same = len(v) == 8192 and v[:4096] == p[:4096]
            check('memsave of kernel text equals pmemsave of its frame',
                  same, (r1, r2))
        check('x on an unmapped address',
              'Cannot access memory' in hmp('x /1xb 0x10'), hmp('x /1xb 0x10'))
        check('info lapic', 'LAPIC' in hmp('info lapic'), hmp('info lapic'))
        check('info pic shows the IOAPIC', 'ioapic' in hmp('info pic'))
        check('sendkey ctrl-alt-f1 accepted', hmp('sendkey ctrl-alt-f1') == '')
        check('sendkey unknown key', "unknown key: 'nokey'" in
              hmp('sendkey ctrl-nokey'))
        rsp = q.cmd('send-key', {'keys': [{'type': 'qcode', 'data': 'shift'},
                                          {'type': 'number', 'data': 0x1e}],
                                 'hold-time': 50}, id='k')
        check('QMP send-key (qcode and number)',
              rsp == {'return': {}, 'id': 'k'}, rsp)
        check('pvpanic in the device tree', 'pvpanic' in hmp('info qtree'))
        check('emulator alive after the HMP commands', emu.alive())
    except Exception as e:
        check('no exception (%s: %s)' % (type(e).__name__, e), False)
    finally:
        emu.stop()
    emu.stderr.seek(0)
    err = emu.stderr.read()
    check('no sanitizer report on stderr (guest)',
          'runtime error' not in err and 'Sanitizer' not in err, err[-2000:])


def nographic_banner(binary):
    p = subprocess.Popen(
        [binary, '-machine', 'pc', '-m', '128', '-kernel', KERNEL,
         '-initrd', INITRD, '-append', APPEND, '-nographic',
         '-nodefaults', '-serial', 'mon:stdio'],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL)
    try:
        os.set_blocking(p.stdout.fileno(), False)
        out = b''
        deadline = time.time() + 3
        while time.time() < deadline:
            out += p.stdout.read() or b''
            time.sleep(0.1)
        check('-nographic: no monitor banner while the serial has focus',
              b'monitor - type' not in out and b'(qemu)' not in out,
              out[-300:])
        p.stdin.write(b'\x01c')
        p.stdin.flush()
        deadline = time.time() + 10
        while time.time() < deadline and b'(qemu)' not in out:
            out += p.stdout.read() or b''
            time.sleep(0.1)
        check('C-a c shows the banner and prompt',
              b'QEMU 8.2.0 monitor - type' in out and b'(qemu) ' in out,
              out[-300:])
        p.stdin.write(b'quit\r')
        p.stdin.flush()
        p.wait(10)
    except Exception as e:
        check('no exception (%s: %s)' % (type(e).__name__, e), False)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def main():
    binary = sys.argv[1]
    machine_none(binary)
    # without apt access the guest part stays a skip
    if build_guest():
        with_guest(binary)
        nographic_banner(binary)
    else:
        check('guest checks # SKIP tests/guest/out not built', True)
    print('1..%d' % len(results))
    failed = 0
    for i, (ok, name, detail) in enumerate(results, 1):
        print('%s %d - %s' % ('ok' if ok else 'not ok', i, name))
        if not ok:
            failed += 1
            print('# ' + json.dumps(detail, default=str)[:500])
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
