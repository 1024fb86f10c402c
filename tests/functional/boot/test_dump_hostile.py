#!/usr/bin/env python3
"""dump-guest-memory paging=true against hostile page tables
(tests/functional/baremetal/mb-pdalias.S: 1024 directory entries that all
map the same 4 MiB of RAM, 4 GiB of virtual space): the dump stops at 4x
the guest's RAM (here 128 MiB: 512 MiB of mappings) with a warning instead
of writing 4 GiB, the command returns, and the emulator goes on answering.
usage: test_dump_hostile.py KVMU_BINARY MB_PDALIAS_ELF"""
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), 'qmp'))
from qmpclient import Emulator  # noqa: E402


def main():
    binary, elf = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        con = os.path.join(tmp, 'con')
        emu = Emulator(binary, extra=[
            '-machine', 'pc', '-m', '128', '-kernel', elf,
            '-chardev', 'file,id=d,path=' + con,
            '-device', 'isa-debugcon,chardev=d'])
        try:
            q = emu.connect()
            q.cmd('qmp_capabilities')
            deadline = time.time() + 60
            while time.time() < deadline and not (
                    os.path.exists(con) and 'P' in open(con).read()):
                time.sleep(0.1)
            core = os.path.join(tmp, 'core')
            start = time.monotonic()
            r = q.cmd('dump-guest-memory', {'paging': True,
                                            'protocol': 'file:' + core})
            secs = time.monotonic() - start
            size = os.path.getsize(core) if os.path.exists(core) else -1
            st = q.cmd('query-status')
            paging_on = 'P' in open(con).read()
        finally:
            emu.stop()
        emu.stderr.seek(0)
        err = emu.stderr.read()
    print('# dump: %r, %d bytes in %.1f s' % (r, size, secs))
    ok = [
        ('the guest turned paging on', paging_on),
        ('the dump returns', r == {'return': {}}),
        ('it holds at most 4x RAM of mappings (not 4 GiB)',
         (512 << 20) - (4 << 20) <= size <= (512 << 20) + (4 << 20)),
        ('a warning says it stopped', 'cover more than 4x' in err),
        ('the emulator still answers', st.get('return', {}).get('status')
         in ('running', 'paused')),
    ]
    print('1..%d' % len(ok))
    for i, (name, good) in enumerate(ok, 1):
        print('%s %d - %s' % ('ok' if good else 'not ok', i, name))
    sys.exit(0 if all(g for _, g in ok) else 1)


if __name__ == '__main__':
    main()
