#!/usr/bin/env python3
"""dump-guest-memory against a running Debian guest (-smp 2, 256 MiB):
the ELF core's header, one NT_PRSTATUS and one QEMU CPU-state note per
vCPU (their RIPs agree, in the kernel), PT_LOADs covering the guest's RAM
whose bytes equal pmemsave's, begin/length clipping, fd: through getfd
(SCM_RIGHTS), HMP dump-guest-memory, query-dump and DUMP_COMPLETED, and
the errors (other formats, bad protocol, unknown fd, begin
without length), paging=true (kernel text and the direct map at their
virtual addresses). The guest keeps running afterwards. Prints TAP; skipped
when the test guest is not built.
usage: test_dump.py KVMU_BINARY"""
import os
import struct
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


def parse_core(path):
    """(ehdr fields, [phdr], notes [(name, type, desc)], data) of a core."""
    data = open(path, 'rb').read()
    ident = data[:16]
    (e_type, e_machine, _, _, e_phoff, e_shoff, _, _, e_phentsize,
     e_phnum) = struct.unpack_from('<HHIQQQIHHH', data, 16)
    if e_phnum == 0xffff:               # PN_XNUM: the count in sh_info
        e_phnum = struct.unpack_from('<I', data, e_shoff + 44)[0]
    phdrs = []
    for i in range(e_phnum):
        phdrs.append(struct.unpack_from('<IIQQQQQQ', data,
                                        e_phoff + i * e_phentsize))
    notes = []
    for p_type, _, off, _, _, filesz, _, _ in phdrs:
        if p_type != 4:
            continue
        pos = off
        while pos < off + filesz:
            namesz, descsz, ntype = struct.unpack_from('<III', data, pos)
            pos += 12
            name = data[pos:pos + namesz - 1].decode()
            pos += (namesz + 3) & ~3
            notes.append((name, ntype, data[pos:pos + descsz]))
            pos += (descsz + 3) & ~3
    return (ident, e_type, e_machine), phdrs, notes, data


def core_bytes(phdrs, data, gpa, size):
    for p_type, _, off, _, paddr, filesz, _, _ in phdrs:
        if p_type == 1 and paddr <= gpa and gpa + size <= paddr + filesz:
            return data[off + gpa - paddr:off + gpa - paddr + size]
    return None



def main():
    binary = sys.argv[1]
    if not build_guest():
        print('1..0 # SKIP test guest could not be built (make guest)')
        return
    emu = Emulator(binary, extra=[
        '-machine', 'pc', '-smp', '2', '-m', '256', '-kernel', KERNEL,
        '-initrd', INITRD, '-append', APPEND, '-serial', 'null'])
    d = emu.dir
    try:
        q = emu.connect()
        q.cmd('qmp_capabilities')
        # until both vCPUs run in the kernel (its page tables are up and
        # the AP was brought up: 1 s after vCPU 0 was not always enough on
        # a loaded host, RIP of vCPU 1 not in the kernel yet)
        deadline = time.time() + 120
        while time.time() < deadline:
            regs = [q.cmd('human-monitor-command',
                          {'command-line': 'info registers', 'cpu-index': i})
                    for i in (0, 1)]
            if all('RIP=ffffffff8' in r.get('return', '') for r in regs):
                break
            time.sleep(0.5)
        r = q.cmd('query-dump-guest-memory-capability')
        check('capability: elf', r == {'return': {'formats': ['elf']}}, r)

        core = os.path.join(d, 'core')
        r = q.cmd('dump-guest-memory', {'paging': False,
                                        'protocol': 'file:' + core})
        check('dump-guest-memory file: succeeds', r == {'return': {}}, r)
        ev = [e for e in q.events if e['event'] == 'DUMP_COMPLETED']
        check('DUMP_COMPLETED completed',
              ev and ev[-1]['data']['result']['status'] == 'completed' and
              ev[-1]['data']['result']['completed'] ==
              ev[-1]['data']['result']['total'], ev)
        r = q.cmd('query-dump')
        check('query-dump: completed, all bytes',
              r['return']['status'] == 'completed' and
              r['return']['completed'] == os.path.getsize(core), r)
        st = q.cmd('query-status')['return']['status']
        check('the guest runs on after the dump', st == 'running', st)

        (ident, e_type, e_machine), phdrs, notes, data = parse_core(core)
        check('ELF64 LSB core for x86-64',
              ident[:4] == b'\x7fELF' and ident[4] == 2 and ident[5] == 1 and
              e_type == 4 and e_machine == 62, (ident, e_type, e_machine))
        prs = [n for n in notes if n[0] == 'CORE' and n[1] == 1]
        qn = [n for n in notes if n[0] == 'QEMU' and n[1] == 0]
        check('one NT_PRSTATUS and one QEMU note per vCPU',
              len(prs) == 2 and len(qn) == 2 and
              all(len(n[2]) == 336 for n in prs), [(n[0], n[1], len(n[2]))
                                                   for n in notes])
        ok = True
        for p, qq in zip(prs, qn):
            rip_p = struct.unpack_from('<Q', p[2], 112 + 16 * 8)[0]
            version, size = struct.unpack_from('<II', qq[2], 0)
            rip_q = struct.unpack_from('<Q', qq[2], 8 + 16 * 8)[0]
            cr3 = struct.unpack_from('<Q', qq[2], 8 + 18 * 8 + 240 + 24)[0]
            ok = ok and version == 1 and size == len(qq[2]) and \
                rip_p == rip_q and rip_p >> 32 == 0xffffffff and cr3 != 0
        check('notes: RIP in the kernel in both, version 1, CR3 set', ok)
        loads = [p for p in phdrs if p[0] == 1]
        total = sum(p[5] for p in loads)
        check('PT_LOADs cover the 256 MiB of RAM',
              255 << 20 <= total <= 257 << 20, total)
        same = True
        for gpa in (0x100000, 0x1000000, 0x2000000, 0xf000000):
            pm = os.path.join(d, 'pm')
            q.cmd('pmemsave', {'val': gpa, 'size': 4096, 'filename': pm})
            want = open(pm, 'rb').read()
            got = core_bytes(loads, data, gpa, 4096)
            same = same and got == want and len(want) == 4096
        check('core bytes equal pmemsave at 1, 16, 32, 240 MiB', same)
        del data

        part = os.path.join(d, 'part')
        r = q.cmd('dump-guest-memory', {'paging': False,
                                        'protocol': 'file:' + part,
                                        'begin': 0x1000000,
                                        'length': 0x2000})
        _, phdrs, notes, data = parse_core(part)
        loads = [p for p in phdrs if p[0] == 1]
        q.cmd('pmemsave', {'val': 0x1000000, 'size': 0x2000,
                           'filename': os.path.join(d, 'pm')})
        check('begin/length: one PT_LOAD of those 8 KiB',
              r == {'return': {}} and len(loads) == 1 and
              loads[0][4] == 0x1000000 and loads[0][5] == 0x2000 and
              core_bytes(loads, data, 0x1000000, 0x2000) ==
              open(os.path.join(d, 'pm'), 'rb').read(), (r, loads))

        viafd = os.path.join(d, 'viafd')
        fd = os.open(viafd, os.O_WRONLY | os.O_CREAT, 0o600)
        r = send_with_fd(q, {'execute': 'getfd',
                             'arguments': {'fdname': 'dumpfd'}, 'id': 7},
                         fd)
        os.close(fd)
        r2 = q.cmd('dump-guest-memory', {'paging': False,
                                         'protocol': 'fd:dumpfd',
                                         'begin': 0, 'length': 4096})
        _, phdrs, _, _ = parse_core(viafd) if os.path.getsize(viafd) else \
            (None, [], None, None)
        check('fd: protocol through getfd (SCM_RIGHTS)',
              r == {'return': {}, 'id': 7} and r2 == {'return': {}} and
              len([p for p in phdrs if p[0] == 1]) == 1, (r, r2))
        r = q.cmd('closefd', {'fdname': 'dumpfd'})
        check('the dump took the named fd', 'error' in r, r)

        hmpfile = os.path.join(d, 'hmp')
        r = q.cmd('human-monitor-command', {
            'command-line': 'dump-guest-memory %s 0x100000 0x1000' % hmpfile})
        _, phdrs, _, _ = parse_core(hmpfile)
        check('HMP dump-guest-memory file begin length',
              r == {'return': ''} and
              [p[4:6] for p in phdrs if p[0] == 1] == [(0x100000, 0x1000)],
              (r, phdrs))

        # paging=true: vCPU 0's mappings, virtual addresses in p_vaddr
        vcore = os.path.join(d, 'vcore')
        r = q.cmd('dump-guest-memory', {'paging': True,
                                        'protocol': 'file:' + vcore})
        _, phdrs, _, data = parse_core(vcore)
        loads = [p for p in phdrs if p[0] == 1]
        text = [p for p in loads if p[3] <= 0xffffffff81000000 <
                p[3] + p[5]]
        vm = os.path.join(d, 'vm')
        q.cmd('memsave', {'val': 0xffffffff81000000 - (1 << 64),
                          'size': 4096, 'filename': vm})
        got = None
        if text:
            p = text[0]
            o = p[2] + 0xffffffff81000000 - p[3]
            got = data[o:o + 4096]
        check('paging=true: kernel text at its virtual address, bytes '
              'equal memsave', r == {'return': {}} and got is not None and
              got == open(vm, 'rb').read() and
              any(p[3] >> 40 == 0xffff88 for p in loads),
              (r, [(hex(p[3]), hex(p[4]), p[5]) for p in loads[:8]]))
        del data

        bad = [({'paging': False, 'protocol': 'file:' + part,
                 'format': 'kdump-zlib'}, "format 'kdump-zlib'"),
               ({'paging': False, 'protocol': 'tcp:1.2.3.4:5'},
                "Invalid parameter 'protocol'"),
               ({'paging': False, 'protocol': 'fd:nope'},
                "'nope' has not been found"),
               ({'paging': False, 'protocol': 'file:' + part,
                 'begin': 0}, "Missing parameter 'length'"),
               ({'paging': False, 'protocol': 'file:/nonexistent/dir/x'},
                'Could not open')]
        for args, text in bad:
            r = q.cmd('dump-guest-memory', args)
            check('refused: %s' % text,
                  text in r.get('error', {}).get('desc', ''), r)
        check('still alive after the errors', emu.alive())
    except Exception as e:  # noqa: BLE001 - any failure is a not-ok
        check('no exception (%s: %s)' % (type(e).__name__, e), False)
    finally:
        emu.stop()
    emu.stderr.seek(0)
    err = emu.stderr.read()
    check('no sanitizer report on stderr',
          'runtime error' not in err and 'Sanitizer' not in err, err[-2000:])
    print('1..%d' % len(results))
    for i, (ok, name, detail) in enumerate(results, 1):
        print('%s %d - %s' % ('ok' if ok else 'not ok', i, name))
        if not ok and detail:
            print('# %r' % (detail,))
    sys.exit(0 if all(r[0] for r in results) else 1)


if __name__ == '__main__':
    main()
