#!/usr/bin/env python3
"""-cpu models as management tools see them: `-cpu help` lists the named
models with their model-id and host/max, and the CPUID flag names; query-cpu-definitions and
qom-list-types list them (host and max not migration-safe);
query-cpu-model-expansion gives each model's features as its table says
(Westmere: aes, no avx; Haswell: avx2, fma, bmi2; EPYC: sse4a) and "host"
(and "max", the same) as the running accelerator's supported set (ukvm's with -accel tcg; with
-accel kvm where /dev/kvm works, compared with the kernel's
KVM_GET_SUPPORTED_CPUID read here); unknown models are refused at start
and by QMP; a model's features ukvm lacks get QEMU's TCG warnings.
Prints TAP.
usage: test_cpu_models.py KVMU_BINARY
"""
import fcntl
import os
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qmpclient import Emulator  # noqa: E402

MODELS = ['qemu64', 'qemu32', 'kvm64', 'kvm32', 'core2duo', 'Penryn',
          'Nehalem', 'Westmere', 'SandyBridge', 'IvyBridge', 'Haswell',
          'Broadwell', 'Skylake-Client', 'Skylake-Server',
          'Cascadelake-Server', 'Icelake-Server', 'EPYC', 'EPYC-Rome',
          'EPYC-Milan', 'Conroe', 'Opteron_G1', 'Opteron_G2', 'Opteron_G3',
          'Opteron_G4', 'Opteron_G5', 'max', 'host']
results = []


def check(name, cond, detail=''):
    results.append((bool(cond), name, detail))


def expand(q, model):
    r = q.cmd('query-cpu-model-expansion',
              {'type': 'full', 'model': {'name': model}}, id='e')
    return r.get('return', {}).get('model', {}).get('props', {}), r


def kernel_supported_leaf1_ecx():
    """CPUID.1:ECX of /dev/kvm's KVM_GET_SUPPORTED_CPUID, None without."""
    try:
        fd = os.open('/dev/kvm', os.O_RDWR)
    except OSError:
        return None
    try:
        n = 256
        buf = bytearray(struct.pack('II', n, 0) + bytes(40 * n))
        fcntl.ioctl(fd, 0xc008ae05, buf)        # KVM_GET_SUPPORTED_CPUID
        for i in range(struct.unpack_from('I', buf, 0)[0]):
            f, idx, _, a, b, c, d = struct.unpack_from('7I', buf, 8 + 40 * i)
            if f == 1:
                return c
    except OSError:
        return None
    finally:
        os.close(fd)
    return None


def cli_checks(binary):
    p = subprocess.run([binary, '-cpu', 'help'], capture_output=True,
                       text=True, timeout=30)
    lines = p.stdout.splitlines()
    for m in MODELS:
        check('-cpu help lists %s' % m,
              any(ln.split()[:2] == ['x86', m] for ln in lines), p.stdout)
    check('-cpu help: Westmere with its model-id',
          any(ln.startswith('x86 Westmere ') and
              'Westmere E56xx/L56xx/X56xx (Nehalem-C)' in ln
              for ln in lines), p.stdout)
    check('-cpu help: host described as QEMU does',
          any('processor with all supported host features' in ln
              for ln in lines), p.stdout)
    flags = p.stdout.partition('Recognized CPUID flags:')[2].split()
    check('-cpu help lists the CPUID flags, sorted',
          {'avx2', 'sse4.2', 'kvmclock', 'lahf-lm', 'xsaveopt'} <=
          set(flags) and flags == sorted(flags), p.stdout)
    p = subprocess.run([binary, '-M', 'pc', '-m', '64', '-display', 'none',
                        '-nodefaults', '-S', '-cpu', 'Pentium9'],
                       capture_output=True, text=True, timeout=30)
    check('-cpu Pentium9 refused', p.returncode == 1 and
          "unable to find CPU model 'Pentium9'" in p.stderr, p.stderr)


def named_models(q):
    r = q.cmd('query-cpu-definitions', id='d')
    defs = {d['name']: d for d in r.get('return', [])}
    for m in MODELS:
        check('query-cpu-definitions has %s' % m, m in defs, sorted(defs))
    check('host and max are not migration-safe',
          defs.get('host', {}).get('migration-safe') is False and
          defs.get('max', {}).get('migration-safe') is False, defs)
    check('Westmere is migration-safe',
          defs.get('Westmere', {}).get('migration-safe') is True, defs)
    # unavailable-features: what the model asks for that this provider
    # (here ukvm: no AVX, no AES) lacks; none for models it can run
    hw = defs.get('Haswell', {}).get('unavailable-features', [])
    check('unavailable-features: Haswell lacks avx2/fma/aes here, not sse4.2',
          {'avx2', 'fma', 'aes'} <= set(hw) and 'sse4.2' not in hw, hw)
    check('unavailable-features: none for qemu64, Nehalem, max',
          all(not defs.get(m, {}).get('unavailable-features')
              for m in ('qemu64', 'Nehalem', 'max')), defs.get('qemu64'))
    r = q.cmd('qom-list-types', {'implements': 'x86_64-cpu'}, id='t')
    types = {t['name'] for t in r.get('return', [])}
    check('qom-list-types has host/Westmere/EPYC-Rome-x86_64-cpu',
          {'host-x86_64-cpu', 'Westmere-x86_64-cpu',
           'EPYC-Rome-x86_64-cpu'} <= types, sorted(types))
    want = {
        'Westmere': {'aes': True, 'pclmulqdq': True, 'rdtscp': True,
                     'avx': False, 'sse4.2': True},
        'Haswell': {'avx2': True, 'fma': True, 'bmi2': True, 'avx': True,
                    'adx': False},
        'Skylake-Server': {'avx512f': True, 'pku': True, 'clwb': True},
        'Icelake-Server': {'la57': True, 'gfni': True, 'avx512vbmi': True},
        'EPYC': {'sse4a': True, 'sha-ni': True, 'avx512f': False},
        'qemu32': {'lm': False, 'pni': True},
        'kvm64': {'lm': True, 'cx16': True},
    }
    for m, feats in want.items():
        props, raw = expand(q, m)
        got = {k: props.get(k) for k in feats}
        check('expansion of %s: %s' % (m, feats), got == feats, raw)
    r = q.cmd('query-cpu-model-expansion',
              {'type': 'full', 'model': {'name': 'Pentium9'}}, id='x')
    check('expansion of an unknown model is an error', 'error' in r, r)
    host, raw = expand(q, 'host')
    mx, _ = expand(q, 'max')
    check('host without an accelerator: what ukvm implements (= max)',
          host and host == mx, raw)


def host_with_accel(binary, accel, sup_ecx):
    try:
        emu = Emulator(binary, extra=['-machine', 'pc', '-accel', accel,
                                      '-m', '64', '-S', '-cpu', 'host'])
    except RuntimeError as e:
        check('-accel %s -cpu host starts' % accel, False, str(e))
        return
    try:
        q = emu.connect(0)
        q.cmd('qmp_capabilities', id=0)
        host, raw = expand(q, 'host')
        check('-accel %s: host expansion has hypervisor' % accel,
              host.get('hypervisor') is True, raw)
        mx, raw_max = expand(q, 'max')
        check('-accel %s: max is host (all the accelerator has)' % accel,
              mx == host, raw_max)
        if sup_ecx is not None:
            got = (host.get('pni'), host.get('cx16'), host.get('x2apic'))
            want = (bool(sup_ecx & 1), bool(sup_ecx & (1 << 13)),
                    bool(sup_ecx & (1 << 21)))
            check('-accel kvm: host pni/cx16/x2apic = the kernel\'s '
                  'supported CPUID %s' % (want,), got == want, raw)
        else:
            check('-accel tcg: host has x2apic (ukvm implements it)',
                  host.get('x2apic') is True, raw)
        check('-accel %s -cpu host still running' % accel, emu.alive())
    finally:
        emu.stop()


def tcg_warnings(binary):
    emu = Emulator(binary, extra=['-machine', 'pc', '-accel', 'tcg',
                                  '-m', '64', '-S', '-cpu', 'Haswell'])
    try:
        q = emu.connect(0)
        q.cmd('qmp_capabilities', id=0)
        q.cmd('query-status', id=1)
        emu.stderr.seek(0)
        err = emu.stderr.read()
    finally:
        emu.stop()
    check('-cpu Haswell under ukvm warns like QEMU\'s TCG',
          "warning: TCG doesn't support requested feature: "
          "CPUID.01H:ECX.avx [bit 28]" in err and
          "CPUID.07H:EBX.avx2 [bit 5]" in err, err)
    emu = Emulator(binary, extra=['-machine', 'pc', '-accel', 'tcg',
                                  '-m', '64', '-S', '-cpu',
                                  'Skylake-Client'])
    try:
        q = emu.connect(0)
        q.cmd('qmp_capabilities', id=0)
        emu.stderr.seek(0)
        err = emu.stderr.read()
    finally:
        emu.stop()
    order = ['CPUID.01H:ECX.avx ', 'CPUID.07H:EBX.avx2 ',
             'CPUID.80000001H:ECX.3dnowprefetch ', 'CPUID.0DH:EAX.xsavec ']
    pos = [err.find(w) for w in order]
    check('warnings in QEMU\'s feature-word order (1, 7, 80000001, 0D)',
          -1 not in pos and pos == sorted(pos), err)


def main():
    binary = sys.argv[1]
    cli_checks(binary)
    emu = Emulator(binary)
    try:
        q = emu.connect(0)
        q.cmd('qmp_capabilities', id=0)
        named_models(q)
    finally:
        emu.stop()
    host_with_accel(binary, 'tcg', None)
    sup = kernel_supported_leaf1_ecx()
    if sup is not None:
        host_with_accel(binary, 'kvm', sup)
    tcg_warnings(binary)
    print('1..%d' % len(results))
    for i, (ok, name, detail) in enumerate(results, 1):
        print('%s %d - %s' % ('ok' if ok else 'not ok', i, name))
        if not ok:
            print('# ' + str(detail)[:2000].replace('\n', '\n# '))
    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == '__main__':
    sys.exit(main())
