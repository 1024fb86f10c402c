#!/usr/bin/env python3
"""
Writes guests-jit-rand.S (committed; not run by the build): random loops
of the integer instructions the block translator (target/i386/jit.c)
emits natively, for test-jit.c's interpreted-vs-translated comparison.

Each guest j_rand_N runs a random body 20 times over RAX-RSI and R8-R14
(more registers than the translator has homes), with memory operands at
RBP + 0..0x7ff (RBP = 0x200c00 in test-jit.c: some cross into the next
page), then logs every register and RFLAGS at RDI. In the last NMMIO
guests, round 10 has RBP = 0x10000c00 (the MMIO hole: the state at each
MMIO exit in the middle of a translated block is compared too) or
0x1000c00 (not mapped: the #PF's frame and registers are compared). Flags a body leaves
undefined (IMUL, BSF, shifts by CL, BT, SHLD...) are overwritten by a
full flag writer before anything reads them, so both runs must agree.

  python3 tests/cpu/engine/gen-jit-rand.py > tests/cpu/engine/guests-jit-rand.S
"""
import random
import sys

SEED = 20261126
NCASES = 14
NMMIO = 4                           # the last NMMIO: one round elsewhere
REGS = ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'r8', 'r9', 'r10', 'r11', 'r12',
        'r13', 'r14']
SUF = {1: 'b', 2: 'w', 4: 'l', 8: 'q'}
CC = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np',
      'l', 'ge', 'le', 'g']
ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp', 'test', 'mov']
FULL = ['add', 'sub', 'xor', 'and', 'or', 'cmp']


def reg(r, sz, rng, allow_hi=True):
    """@r at @sz bytes; returns (name, uses_rex_only_reg, is_hi)"""
    legacy = r in ('rax', 'rbx', 'rcx', 'rdx')
    if sz == 8:
        return '%' + r
    if r.startswith('r') and r[1:].isdigit():
        return '%' + r + {1: 'b', 2: 'w', 4: 'd'}[sz]
    base = {'rax': 'a', 'rbx': 'b', 'rcx': 'c', 'rdx': 'd', 'rsi': 'si'}[r]
    if sz == 4:
        return '%e' + (base + 'x' if legacy else base)
    if sz == 2:
        return '%' + (base + 'x' if legacy else base)
    if legacy and allow_hi and rng.random() < 0.35:
        return '%' + base + 'h'
    return '%' + (base + 'l' if legacy else base + 'l')


def is_hi(name):
    return name in ('%ah', '%bh', '%ch', '%dh')


def needs_rex(name):
    return name in ('%sil', '%dil', '%spl', '%bpl') or \
        any(name.startswith('%r' + str(k)) for k in range(8, 16)) or \
        (name.startswith('%r') and name[2:] in ('ax', 'bx', 'cx', 'dx', 'si',
                                                'di', 'sp', 'bp'))


def mem(rng, sz):
    if rng.random() < 0.2:
        d = rng.randrange(0, 0x7f8)             # any alignment
    else:
        d = rng.randrange(0, 0x7f8 // sz) * sz
    return '0x%x(%%rbp)' % d


def imm(rng, sz):
    v = rng.choice([0, 1, -1, 0x7f, -0x80, rng.randrange(-0x80000000,
                                                         0x7fffffff)])
    if sz == 1:
        v &= 0xff
    elif sz == 2:
        v &= 0xffff
    return '$%d' % v


class Gen:
    def __init__(self, rng):
        self.rng = rng
        self.out = []

    def emit(self, s):
        self.out.append('    ' + s)

    def full_writer(self):
        rng = self.rng
        sz = rng.choice([4, 8])
        a, b = rng.sample(REGS, 2)
        self.emit('%s%s %s, %s' % (rng.choice(FULL), SUF[sz],
                                   reg(b, sz, rng), reg(a, sz, rng)))

    def pair(self, sz):
        """two register operands of @sz that can share one encoding"""
        rng = self.rng
        while True:
            a, b = rng.sample(REGS, 2)
            x, y = reg(a, sz, rng), reg(b, sz, rng)
            if sz == 1 and (is_hi(x) or is_hi(y)) and \
                    (needs_rex(x) or needs_rex(y)):
                continue
            return x, y

    def one(self):
        rng = self.rng
        k = rng.randrange(20)
        sz = rng.choice([1, 2, 4, 8])
        s = SUF[sz]
        if k <= 4:                                  # ALU forms
            op = rng.choice(ALU)
            form = rng.randrange(5)
            x, y = self.pair(sz)
            if form == 0:
                self.emit('%s%s %s, %s' % (op, s, x, y))
            elif form == 1:
                self.emit('%s%s %s, %s' % (op, s, mem(rng, sz), y)
                          if op != 'test' else
                          '%s%s %s, %s' % (op, s, x, mem(rng, sz)))
            elif form == 2:
                self.emit('%s%s %s, %s' % (op, s, x, mem(rng, sz)))
            elif form == 3:
                if op == 'mov' and sz == 8:
                    self.emit('movabsq $0x%x, %s' % (rng.getrandbits(64), y))
                else:
                    self.emit('%s%s %s, %s' % (op, s, imm(rng, min(sz, 4)),
                                               y))
            else:
                self.emit('%s%s %s, %s' % (op, s, imm(rng, min(sz, 4)),
                                           mem(rng, sz)))
        elif k == 5:                                # INC DEC NEG NOT
            op = rng.choice(['inc', 'dec', 'neg', 'not'])
            t = mem(rng, sz) if rng.random() < 0.3 else \
                reg(rng.choice(REGS), sz, rng)
            self.emit('%s%s %s' % (op, s, t))
        elif k == 6:                                # shifts, rotates
            op = rng.choice(['shl', 'shr', 'sar', 'rol', 'ror', 'rcl', 'rcr'])
            bits = 8 * sz
            t = mem(rng, sz) if rng.random() < 0.3 else \
                reg(rng.choice(REGS), sz, rng)
            if rng.random() < 0.3 and 'cl' not in t and 'ch' not in t:
                self.emit('%s%s %%cl, %s' % (op, s, t))
            else:
                self.emit('%s%s $%d, %s' % (op, s, rng.randrange(1, bits), t))
            self.full_writer()
        elif k == 7:                                # IMUL
            sz = rng.choice([2, 4, 8])
            x, y = self.pair(sz)
            src = mem(rng, sz) if rng.random() < 0.3 else x
            if rng.random() < 0.5:
                self.emit('imul%s %s, %s' % (SUF[sz], src, y))
            else:
                self.emit('imul%s %s, %s, %s' % (SUF[sz], imm(rng, 1 if
                          rng.random() < 0.5 else min(sz, 4)), src, y))
            self.full_writer()
        elif k == 8:                                # MOVZX MOVSX MOVSXD
            ssz = rng.choice([1, 2, 4])
            dsz = rng.choice([d for d in (2, 4, 8) if d > ssz])
            op = 'movslq' if ssz == 4 else \
                rng.choice(['movz', 'movs']) + SUF[ssz] + SUF[dsz]
            if ssz == 4 and dsz != 8:
                return
            d = rng.choice(REGS)
            src = mem(rng, ssz) if rng.random() < 0.3 else \
                reg(rng.choice(REGS), ssz, rng)
            dn = reg(d, dsz, rng)
            if is_hi(src) and needs_rex(dn):
                src = reg(rng.choice(['rax', 'rbx']), 1, rng, False)
            self.emit('%s %s, %s' % (op, src, dn))
        elif k == 9:                                # LEA
            sz = rng.choice([2, 4, 8])
            a, b, d = [rng.choice(REGS) for _ in range(3)]
            asz = rng.choice(['', 'e'])
            if asz:
                ea = '0x%x(%s,%s,%d)' % (rng.randrange(0, 0x10000),
                                         reg(a, 4, rng), reg(b, 4, rng),
                                         rng.choice([1, 2, 4, 8]))
            else:
                ea = '%d(%%%s,%%%s,%d)' % (rng.randrange(-0x1000, 0x1000),
                                           a, b, rng.choice([1, 2, 4, 8]))
            self.emit('lea%s %s, %s' % (SUF[sz], ea, reg(d, sz, rng)))
        elif k == 10:                               # CMOV
            sz = rng.choice([2, 4, 8])
            x, y = self.pair(sz)
            src = mem(rng, sz) if rng.random() < 0.3 else x
            self.emit('cmov%s%s %s, %s' % (rng.choice(CC), SUF[sz], src, y))
        elif k == 11:                               # SETcc
            t = mem(rng, 1) if rng.random() < 0.3 else \
                reg(rng.choice(REGS), 1, rng)
            self.emit('set%s %s' % (rng.choice(CC), t))
        elif k == 12:                               # BSWAP
            self.emit('bswap %s' % reg(rng.choice(REGS), rng.choice([4, 8]),
                                       rng))
        elif k == 13:                               # BT*
            sz = rng.choice([2, 4, 8])
            op = rng.choice(['bt', 'bts', 'btr', 'btc'])
            if rng.random() < 0.5:
                t = mem(rng, sz) if rng.random() < 0.3 else \
                    reg(rng.choice(REGS), sz, rng)
                self.emit('%s%s $%d, %s' % (op, SUF[sz],
                                            rng.randrange(0, 8 * sz), t))
            else:
                x, y = self.pair(sz)
                self.emit('%s%s %s, %s' % (op, SUF[sz], x, y))
            self.full_writer()
        elif k == 14:                               # BSF BSR
            sz = rng.choice([2, 4, 8])
            x, y = self.pair(sz)
            src = mem(rng, sz) if rng.random() < 0.3 else x
            self.emit('%s%s %s, %s' % (rng.choice(['bsf', 'bsr']), SUF[sz],
                                       src, y))
            self.full_writer()
        elif k == 15:                               # XCHG
            sz = rng.choice([2, 4, 8])
            x, y = self.pair(sz)
            self.emit('xchg%s %s, %s' % (SUF[sz], x, y))
        elif k == 16:                               # CBW ... CQO
            self.emit(rng.choice(['cbtw', 'cwtl', 'cltq', 'cwtd', 'cltd',
                                  'cqto']))
        elif k == 17:                               # SHLD SHRD
            sz = rng.choice([4, 8])
            x, y = self.pair(sz)
            t = mem(rng, sz) if rng.random() < 0.3 else y
            op = rng.choice(['shld', 'shrd'])
            if rng.random() < 0.3 and 'c' not in t:
                self.emit('%s%s %%cl, %s, %s' % (op, SUF[sz], x, t))
            else:
                self.emit('%s%s $%d, %s, %s' % (op, SUF[sz],
                                                rng.randrange(1, 8 * sz), x, t))
            self.full_writer()
        elif k == 18:                               # PUSH/POP pair
            a, b = rng.choice(REGS), rng.choice(REGS)
            self.emit('push %%%s' % a)
            if rng.random() < 0.5:
                self.emit('push $%d' % rng.randrange(-0x80000000, 0x7fffffff))
                self.emit('pop %%%s' % rng.choice(REGS))
            self.emit('pop %%%s' % b)
        else:                                       # a forward Jcc
            self.emit('j%s 1f' % rng.choice(CC))
            self.one_simple()
            self.out.append('1:')

    def one_simple(self):
        rng = self.rng
        a, b = rng.sample(REGS, 2)
        self.emit('%s %%%s, %%%s' % (rng.choice(['add', 'xor', 'mov', 'sub']),
                                     a, b))


def main():
    rng = random.Random(SEED)
    print('/* Generated by gen-jit-rand.py (seed %d): do not edit. */' % SEED)
    print('    .section .note.GNU-stack, "", @progbits')
    print('    .section .rodata')
    print('    .code64')
    print('    .globl g_jit_rand_start, g_jit_rand_end')
    print('g_jit_rand_start:')
    for n in range(NCASES):
        g = Gen(rng)
        for k in range(rng.randrange(10, 22)):
            g.one()
        print('    .globl j_rand_%d' % n)
        print('j_rand_%d:' % n)
        print('    mov $20, %r15d')
        for i, r in enumerate(REGS):
            print('    movabsq $0x%x, %%%s' % (rng.getrandbits(64), r))
        print('2:')
        if n >= NCASES - NMMIO:
            print('    mov $0x200c00, %ebp')
            print('    cmp $10, %r15d')
            print('    jne 3f')
            # even: the MMIO hole; odd: 16 MiB, not mapped (#PF)
            print('    mov $%#x, %%ebp' % (0x10000c00 if n % 2 == 0 else
                                          0x1000c00))
            print('3:')
            print('    cmp %r15d, %r15d')
        for line in g.out:
            print(line)
        print('    cmp %rax, %rbx')
        for i, r in enumerate(REGS):
            print('    mov %%%s, %d(%%rdi)' % (r, 8 * i))
        print('    pushfq')
        print('    popq %d(%%rdi)' % (8 * len(REGS)))
        print('    add $%d, %%rdi' % (8 * (len(REGS) + 1)))
        print('    dec %r15d')
        print('    jnz 2b')
        print('    hlt')
    print('g_jit_rand_end:')
    print('    .globl g_jit_rand_table, g_jit_rand_count')
    print('    .p2align 3')
    print('g_jit_rand_table:')
    for n in range(NCASES):
        print('    .quad j_rand_%d - g_jit_rand_start' % n)
    print('g_jit_rand_count:')
    print('    .long %d' % NCASES)
    return 0


if __name__ == '__main__':
    sys.exit(main())
