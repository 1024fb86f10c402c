#!/usr/bin/env python3
"""Shape parity with QEMU: the same QMP commands run against kvmu and
against Debian's qemu-system-x86_64 (-machine none), and the replies'
structure (keys and JSON types, not values) is compared. Differences that
are known and justified are listed in KNOWN with the reason; anything
else fails. Skips when qemu-system-x86_64 is not installed.
usage: test_parity.py KVMU_BINARY [QEMU_BINARY]
"""
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qmpclient import Emulator, shape  # noqa: E402

COMMANDS = [
    ('query-version', None),
    ('query-target', None),
    ('query-kvm', None),
    ('query-status', None),
    ('query-name', None),
    ('query-uuid', None),
    ('query-commands', None),
    ('query-chardev', None),
    ('query-chardev-backends', None),
    ('query-current-machine', None),
    ('query-cpus-fast', None),
    ('query-memory-size-summary', None),
    ('query-memdev', None),
    ('query-memory-devices', None),
    ('query-acpi-ospm-status', None),
    ('query-vm-generation-id', None),
    ('set-action', {'panic': 'pause'}),
    ('set-action', {'panic': 'explode'}),
    ('query-pci', None),
    ('query-iothreads', None),
    ('query-display-options', None),
    ('query-fdsets', None),
    ('query-tpm-types', None),
    ('query-tpm-models', None),
    ('query-migrate-capabilities', None),
    ('query-machines', None),
    ('query-cpu-definitions', None),
    ('query-command-line-options', {'option': 'machine'}),
    ('query-command-line-options', {'option': 'smbios'}),
    ('query-qmp-schema', None),
    ('qom-list-types', {'abstract': True}),
    ('qom-list', {'path': '/'}),
    ('query-sev-capabilities', None),
    ('query-sgx-capabilities', None),
    ('query-hotpluggable-cpus', None),
    ('system_wakeup', None),
    ('inject-nmi', None),
    ('device-list-properties', {'typename': 'nope'}),
    ('qom-list-properties', {'typename': 'nope'}),
    ('device_del', {'id': 'nope'}),
    ('closefd', {'fdname': 'nope'}),
    ('no-such-command', None),
    ('query-status', {'bogus': 1}),
    ('qom-list', {}),
    ('qom-list', {'path': 42}),
]

# command -> why kvmu's reply is shaped differently from QEMU 7.2's
KNOWN = {
    'query-tpm-models': 'kvmu has no TPM: empty list (QEMU lists models)',
    'query-migrate-capabilities':
        'no migration yet: empty list until migration/ lands',
    'query-machines':
        'kvmu reports only the boards it has; "acpi" is new in QEMU 8.0 '
        '(kvmu speaks 8.2), alias/is-default/default-ram-id only appear '
        'on machines that have them',
    'query-cpu-definitions':
        'the CPU models come from target/i386 later; kvmu lists only '
        'qemu64/max/host without unavailable-features yet',
    'query-qmp-schema':
        'different schemas (kvmu implements a subset, interface 8.2 vs '
        '7.2): compared by meta-type below instead',
    'qom-list-types': 'kvmu has far fewer types; the abstract/parent keys '
        'match but not every type has a parent',
    'qom-list': 'QEMU\'s root has child<> containers (machine, chardevs, '
        'objects) that kvmu creates only with a board',
    'query-command-line-options':
        'QEMU adds "help"/"default" to some parameters',
    'query-memdev': 'same shape; both empty with -machine none (no '
        'backends on the command line)',
    'query-tpm-types': 'kvmu has no TPM backends: empty list',
    'query-chardev-backends': 'same shape (list of {name}); value sets '
        'differ',
}


def run_all(binary):
    emu = Emulator(binary)
    try:
        q = emu.connect()
        q.cmd('qmp_capabilities', id='cap')
        out = {}
        for i, (name, args) in enumerate(COMMANDS):
            out[i] = q.cmd(name, args, id=i)
        return out
    finally:
        emu.stop()


# Malformed requests whose error text must be QEMU's, word for word.
BAD_INPUT = [
    b'{"execute": }', b'@', b'[1, 2, 3]', b'{"execute": "\xc3\x28"}',
    b'{"execute": "a\x01"}', b'{"execute": "no-such"}',
    b'{"a" 1}', b'{1: 2}', b'{"a": 1 "b": 2}', b'[1 2]', b'[1,]',
    b'{"a": 1, "a": 2}', b'tru', b'01', b'"\\x"', b'"\\u12"',
    b'"\\ud800"', b'"\\udc00"', b'"\xc0\xaf"',
    b'{"execute": "query-status", "arguments": [1]}',
    b'{"execute": "query-status", "foo": 1}',
    b'{"exec-oob": "query-status"}',
    b'{"execute": "qom-list", "arguments": {"path": 42}}',
    b'{"execute": "query-status", "arguments": {"bogus": 1}}',
    b'{"execute": "qom-get", "arguments": {}}',
    b'{"execute": "qom-list-types", "arguments": {"abstract": "yes"}}',
    b'{"execute": "query-cpu-model-expansion", "arguments": '
    b'{"type": "bogus", "model": {"name": "max"}}}',
    b'{"execute": "query-cpu-model-expansion", "arguments": '
    b'{"type": "full", "model": {"name": 1}}}',
    b'{"execute": "qmp_capabilities", "arguments": {"enable": "oob"}}',
    b'{"execute": "qmp_capabilities"}',
]


def run_bad(binary):
    emu = Emulator(binary)
    try:
        q = emu.connect()
        q.cmd('qmp_capabilities', id='cap')
        out = []
        for data in BAD_INPUT:
            q.send_raw(data + b'\n')
            r = q.reply()
            out.append(r.get('error'))
            q.send_raw(b'\xff\n')         # force a parser reset
            q.cmd('query-target', id='sync')
        return out
    finally:
        emu.stop()


def reply_shape(r):
    if 'error' in r:
        return {'error': r['error']['class']}
    return {'return': shape(r['return'])}


def schema_meta_shapes(r):
    """For query-qmp-schema: the set of keys per meta-type."""
    per = {}
    for e in r.get('return', []):
        per.setdefault(e['meta-type'], set()).update(e.keys())
    return {k: sorted(v - {'features'}) for k, v in per.items()}


def main():
    kvmu = sys.argv[1]
    qemu = sys.argv[2] if len(sys.argv) > 2 else \
        shutil.which('qemu-system-x86_64')
    if not qemu:
        print('1..0 # SKIP qemu-system-x86_64 not installed')
        return 0
    a = run_all(kvmu)
    b = run_all(qemu)
    results = []
    for i, (name, args) in enumerate(COMMANDS):
        label = '%s %s' % (name, json.dumps(args) if args else '')
        sa, sb = reply_shape(a[i]), reply_shape(b[i])
        if sa == sb:
            results.append((True, 'same shape: ' + label, ''))
        elif name in KNOWN and ('error' in sa) == ('error' in sb):
            results.append((True, 'known difference: %s # %s'
                            % (label, KNOWN[name]), ''))
        else:
            results.append((False, 'shape differs: ' + label,
                            'kvmu %s\n# qemu %s' % (json.dumps(sa)[:400],
                                                    json.dumps(sb)[:400])))
    i = [n for n, _ in COMMANDS].index('query-qmp-schema')
    ma, mb = schema_meta_shapes(a[i]), schema_meta_shapes(b[i])
    # keys that only appear on some entries (QEMU's schema has OOB
    # commands, kvmu's has none yet)
    optional = {'allow-oob', 'tag', 'variants'}
    for meta in sorted(mb):
        if meta not in ma:
            results.append((True, 'known difference: query-qmp-schema has '
                            'no %s entries # nothing in kvmu\'s schema needs '
                            'one yet (QEMU\'s come from block/)' % meta, ''))
            continue
        ka, kb = set(ma[meta]), set(mb[meta])
        results.append((ka <= kb and ka - optional == kb - optional,
                        'query-qmp-schema %s entries have QEMU\'s keys' % meta,
                        'kvmu %s qemu %s' % (ma.get(meta), mb[meta])))
    for data, ea, eb in zip(BAD_INPUT, run_bad(kvmu), run_bad(qemu)):
        results.append((ea == eb, 'error reply as QEMU\'s: %r' % data[:60],
                        'kvmu %s\n# qemu %s' % (ea, eb)))
    print('1..%d' % len(results))
    failed = 0
    for n, (ok, name, detail) in enumerate(results, 1):
        print('%s %d - %s' % ('ok' if ok else 'not ok', n, name))
        if not ok:
            failed += 1
            print('# ' + detail)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
