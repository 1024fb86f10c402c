#!/usr/bin/env python3
"""QMP end to end against kvmu-system-x86_64 -machine none.

libvirt's probe sequence gets well-formed answers; a bad-input table
(malformed JSON, deep nesting, a 64 MiB string, invalid UTF-8, wrong and
unknown arguments, commands before negotiation, a client that disconnects
mid-message or floods) gets QEMU's error replies while the emulator keeps
running and a second monitor stays unaffected. Prints TAP.
usage: test_qmp.py KVMU_BINARY
"""
import json
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qmpclient import Emulator  # noqa: E402

results = []


def check(name, cond, detail=''):
    results.append((bool(cond), name, detail))


def error_of(rsp):
    e = rsp.get('error') or {}
    return e.get('class'), e.get('desc')


def libvirt_probe(q):
    check('greeting version 8.2.0 with oob',
          q.greeting['QMP']['version']['qemu'] ==
          {'major': 8, 'minor': 2, 'micro': 0} and
          q.greeting['QMP']['capabilities'] == ['oob'], q.greeting)
    check('command before negotiation is CommandNotFound',
          error_of(q.cmd('query-version', id=0)) ==
          ('CommandNotFound',
           "Expecting capabilities negotiation with 'qmp_capabilities'"))
    check('qmp_capabilities', q.cmd('qmp_capabilities', id=1) ==
          {'return': {}, 'id': 1})
    plain = ['query-version', 'query-target', 'query-qmp-schema',
             'query-commands', 'query-kvm', 'query-machines',
             'query-cpu-definitions', 'query-tpm-models', 'query-tpm-types',
             'query-command-line-options', 'query-migrate-capabilities',
             'query-status', 'query-name', 'query-uuid', 'query-chardev',
             'query-chardev-backends', 'query-iothreads',
             'query-memory-size-summary', 'query-current-machine',
             'query-display-options', 'query-fdsets']
    got = {}
    for i, c in enumerate(plain):
        r = q.cmd(c, id='p%d' % i)
        got[c] = r.get('return')
        check('probe %s returns' % c, 'return' in r, r)
    schema = got.get('query-qmp-schema') or []
    names = {e['name'] for e in schema}
    check('schema lists every command of query-commands',
          {c['name'] for c in got.get('query-commands') or []} <= names)
    check('schema entries have meta-type',
          all('meta-type' in e for e in schema))
    check('query-version package names kvmu',
          got['query-version']['package'].startswith('kvmu '))
    r = q.cmd('qom-list-types', {'abstract': True}, id='t')
    check('qom-list-types', isinstance(r.get('return'), list), r)
    types = {t['name'] for t in r.get('return', [])}
    for want in ('tcg-accel', 'kvm-accel', 'pc-i440fx-8.2-machine',
                 'none-machine', 'qemu64-x86_64-cpu', 'max-x86_64-cpu'):
        check('qom-list-types has %s (libvirt looks for it)' % want,
              want in types, sorted(types))
    cpus = q.cmd('qom-list-types', {'implements': 'x86_64-cpu'}, id='c')
    check('x86_64-cpu types are the -cpu models',
          {t['name'] for t in cpus.get('return', [])} >=
          {'qemu64-x86_64-cpu', 'max-x86_64-cpu'}, cpus)
    devs = q.cmd('qom-list-types', {'implements': 'device'}, id='d')
    for t in [d['name'] for d in devs.get('return', [])][:5]:
        r = q.cmd('device-list-properties', {'typename': t}, id='dl')
        check('device-list-properties %s' % t, 'return' in r, r)
    check('device-list-properties unknown -> DeviceNotFound',
          error_of(q.cmd('device-list-properties', {'typename': 'nope'},
                         id='x'))[0] == 'DeviceNotFound')
    check('qom-list-properties unknown -> DeviceNotFound',
          error_of(q.cmd('qom-list-properties', {'typename': 'nope'},
                         id='x'))[0] == 'DeviceNotFound')
    check('query-sev-capabilities -> GenericError',
          error_of(q.cmd('query-sev-capabilities', id='s'))[0] ==
          'GenericError')
    check('query-sgx-capabilities -> GenericError',
          error_of(q.cmd('query-sgx-capabilities', id='s'))[0] ==
          'GenericError')
    r = q.cmd('query-cpu-model-expansion',
              {'type': 'full', 'model': {'name': 'max'}}, id='e')
    check('query-cpu-model-expansion max', 'return' in r, r)


def still_fine(q, other, label):
    r = q.cmd('query-status', id='alive')
    check('%s: same monitor still answers' % label, 'return' in r, r)
    r = other.cmd('query-target', id='other')
    check('%s: other monitor unaffected' % label,
          r == {'return': {'arch': 'x86_64'}, 'id': 'other'}, r)


BAD = [
    ('malformed JSON', b'{"execute": }', 'JSON parse error'),
    ('stray character', b'@', "JSON parse error, stray '@'"),
    ('not an object', b'[1, 2, 3]', 'QMP input must be a JSON object'),
    ('invalid UTF-8', b'{"execute": "\xc3\x28"}',
     'JSON parse error, invalid UTF-8 sequence in string'),
    ('bare control char', b'{"execute": "a\x01"}', 'JSON parse error'),
    ('unknown command', b'{"execute": "no-such"}',
     'The command no-such has not been found'),
    ('wrong argument type',
     b'{"execute": "qom-list", "arguments": {"path": 42}}',
     "Invalid parameter type for 'path', expected: string"),
    ('unknown argument',
     b'{"execute": "query-status", "arguments": {"bogus": 1}}',
     "Parameter 'bogus' is unexpected"),
    ('missing argument', b'{"execute": "qom-get", "arguments": {}}',
     "Parameter 'path' is missing"),
    ('bad enum', b'{"execute": "query-cpu-model-expansion", "arguments": '
     b'{"type": "bogus", "model": {"name": "max"}}}',
     "Parameter 'type' does not accept value 'bogus'"),
    ('arguments not object',
     b'{"execute": "query-status", "arguments": [1]}',
     "QMP input member 'arguments' must be an object"),
    ('unexpected member', b'{"execute": "query-status", "foo": 1}',
     "QMP input member 'foo' is unexpected"),
    ('oob not negotiated', b'{"exec-oob": "query-status"}',
     "QMP input member 'exec-oob' is unexpected"),
]


def bad_inputs(emu, q, other):
    for label, data, want in BAD:
        q.send_raw(data)
        r = q.reply()
        check('bad input: %s' % label,
              (r.get('error') or {}).get('desc', '').startswith(want), r)
        still_fine(q, other, label)

    # deep nesting: one error, then a lexical reset (0xff) resynchronises
    q.send_raw(b'[' * 5000 + b'\xff\n')
    r = q.reply()
    check('deep nesting -> nesting depth error',
          error_of(r)[1] == 'JSON nesting depth limit exceeded', r)
    still_fine(q, other, 'deep nesting')

    # a string larger than 64 MiB
    big = b'{"execute": "qom-get", "arguments": {"path": "' + \
        b'x' * (64 << 20) + b'"}}\n'
    t0 = time.time()
    q.send_raw(big)
    r = q.reply()
    check('64 MiB string -> token size error',
          error_of(r)[1] == 'JSON token size limit exceeded', r)
    still_fine(q, other, '64 MiB string')
    check('64 MiB string handled in under 30 s', time.time() - t0 < 30)


def disconnect_mid_message(emu, other):
    c = emu.connect(1)
    c.cmd('qmp_capabilities', id=1)
    c.send_raw(b'{"execute": "query-sta')
    c.close()
    time.sleep(0.2)
    check('emulator alive after disconnect mid-message', emu.alive())
    c = emu.connect(1)
    check('reconnect gets a fresh greeting', 'QMP' in c.greeting)
    r = c.cmd('query-status', id=2)
    check('reconnected client must negotiate again',
          error_of(r)[0] == 'CommandNotFound', r)
    check('reconnected client negotiates', 'return' in
          c.cmd('qmp_capabilities', id=3))
    still_fine(c, other, 'disconnect mid-message')
    c.close()


def flood(emu, other):
    c = emu.connect(1)
    c.cmd('qmp_capabilities', id=0)
    n = 3000
    got = []

    def reader():
        # count raw reply lines
        data = c.buf
        try:
            while data.count(b'\n') < n:
                chunk = c.sock.recv(1 << 20)
                if not chunk:
                    break
                data += chunk
        except Exception:
            pass
        got.extend(data.split(b'\n')[:n])
    th = threading.Thread(target=reader)
    th.start()
    payload = b''.join(b'{"execute": "query-name", "id": %d}' % i
                       for i in range(n))
    c.send_raw(payload)
    # while the flood is served, the other monitor keeps answering
    t0 = time.time()
    r = other.cmd('query-target', id='during-flood')
    check('other monitor answers during a flood', 'return' in r, r)
    check('other monitor answers during a flood within 10 s',
          time.time() - t0 < 10)
    th.join(60)
    # the monitor stops reading while its replies pile up: nothing lost
    check('flooding client gets every reply (%d of %d)' % (len(got), n),
          len(got) == n)
    c.close()
    # a flood that never reads, then disconnects
    c = emu.connect(1)
    c.send_raw(b'{"execute": "qmp_capabilities"}' +
               b'{"execute": "query-name"}' * 20000)
    c.close()
    time.sleep(0.5)
    check('emulator alive after a non-reading flood', emu.alive())
    still_fine(other, other, 'non-reading flood')


def events_and_oob(emu, q, other):
    q2 = emu.connect(1)
    q2.cmd('qmp_capabilities', {'enable': ['oob']}, id=1)
    r = q2.cmd('stop', id='stop')
    check('stop', r.get('return') == {}, r)
    deadline = time.time() + 5
    while not any(e['event'] == 'STOP' for e in other.events) and \
            time.time() < deadline:
        other.cmd('query-target', id='poll')
    ev = [e for e in other.events if e['event'] == 'STOP']
    check('STOP event reaches the other monitor with a timestamp',
          ev and set(ev[0]['timestamp']) == {'seconds', 'microseconds'}, ev)
    r = q2.cmd('query-status', id='st')
    check('query-status paused', r['return']['status'] == 'paused', r)
    r = q2.cmd('cont', id='cont')
    check('cont', r.get('return') == {}, r)
    r = q2.cmd('query-status', key='exec-oob', id='oob')
    check('exec-oob on a non-OOB command is refused',
          error_of(r)[1] == 'The command query-status does not support OOB',
          r)
    q2.close()


def chardevs(q):
    backend = {'type': 'ringbuf', 'data': {'size': 1024}}
    r = q.cmd('chardev-add', {'id': 'rb0', 'backend': backend}, id='ca')
    check('chardev-add ringbuf', r == {'return': {}, 'id': 'ca'}, r)
    r = q.cmd('chardev-add', {'id': 'rb0', 'backend': backend}, id='dup')
    check('chardev-add duplicate id is an error', 'error' in r, r)
    r = q.cmd('ringbuf-write', {'device': 'rb0', 'data': 'aGk=',
                                'format': 'base64'}, id='w')
    check('ringbuf-write base64', 'return' in r, r)
    r = q.cmd('ringbuf-read', {'device': 'rb0', 'size': 100}, id='r')
    check('ringbuf-read utf8', r.get('return') == 'hi', r)
    labels = [c['label'] for c in q.cmd('query-chardev', id='qc')['return']]
    check('query-chardev lists the new chardev', 'rb0' in labels, labels)
    r = q.cmd('chardev-add', {'id': 's0', 'backend': {
        'type': 'socket', 'data': {'addr': {'type': 'unix', 'data': {
            'path': os.path.join(os.path.dirname(q.sock.getpeername()),
                                 's0.sock')}}, 'server': True}}}, id='sa')
    check('chardev-add socket server does not block', 'return' in r, r)
    for cid in ('rb0', 's0'):
        r = q.cmd('chardev-remove', {'id': cid}, id='rm')
        check('chardev-remove %s' % cid, 'return' in r, r)
    r = q.cmd('chardev-remove', {'id': 'rb0'}, id='rm2')
    check('chardev-remove unknown', error_of(r) ==
          ('GenericError', "Chardev 'rb0' not found"), r)


def main():
    binary = sys.argv[1]
    emu = Emulator(binary, n_qmp=3)
    try:
        q = emu.connect(0)
        other = emu.connect(2)
        other.cmd('qmp_capabilities', id=0)
        libvirt_probe(q)
        bad_inputs(emu, q, other)
        chardevs(other)
        disconnect_mid_message(emu, other)
        flood(emu, other)
        events_and_oob(emu, q, other)
        r = q.cmd('quit', id='q')
        check('quit replies', r == {'return': {}, 'id': 'q'}, r)
        emu.proc.wait(10)
        check('quit exits with status 0', emu.proc.returncode == 0,
              emu.proc.returncode)
    except Exception as e:      # report, do not hide, a crash or hang
        check('no exception (%s: %s)' % (type(e).__name__, e), False)
        check('emulator still alive', emu.alive())
    finally:
        emu.stop()
    emu.stderr.seek(0)
    err = emu.stderr.read()
    check('no sanitizer report on stderr',
          'runtime error' not in err and 'Sanitizer' not in err, err[-2000:])
    print('1..%d' % len(results))
    failed = 0
    for i, (ok, name, detail) in enumerate(results, 1):
        print('%s %d - %s' % ('ok' if ok else 'not ok', i, name))
        if not ok and '# TODO' not in name:
            failed += 1
            print('# ' + json.dumps(detail, default=str)[:500])
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
