/*
 * Differential harness: deterministic generation of interesting operand
 * values (integer sign/width boundaries, shift counts, IEEE special values)
 * and of whole input states.  Everything derives from one seed.
 */
#include <string.h>

#include "diff.h"

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void diff_rng_seed(DiffRng *r, uint64_t seed)
{
    r->s[0] = splitmix(&seed);
    r->s[1] = splitmix(&seed) | 1;
}

uint64_t diff_rng_next(DiffRng *r)
{
    /* xorshift128+ */
    uint64_t s1 = r->s[0];
    uint64_t s0 = r->s[1];

    r->s[0] = s0;
    s1 ^= s1 << 23;
    r->s[1] = s1 ^ s0 ^ (s1 >> 17) ^ (s0 >> 26);
    return r->s[1] + s0;
}

uint64_t diff_rng_below(DiffRng *r, uint64_t n)
{
    return n ? diff_rng_next(r) % n : 0;
}

static const uint64_t int_edges[] = {
    0, 1, 2, 3, 7, 8, 15, 16, 31, 32, 33, 63, 64, 65, 0x7f, 0x80, 0x81, 0xff,
    0x100, 0x7fff, 0x8000, 0x8001, 0xffff, 0x10000, 0x7fffffff, 0x80000000,
    0x80000001, 0xffffffff, 0x100000000ULL, 0x7fffffffffffffffULL,
    0x8000000000000000ULL, 0x8000000000000001ULL, 0xfffffffffffffffeULL,
    0xffffffffffffffffULL, 0xffffffff80000000ULL, 0xffffffffffff8000ULL,
    0xffffffffffffff80ULL, 0x5555555555555555ULL, 0xaaaaaaaaaaaaaaaaULL,
    0x0123456789abcdefULL, 0x99, 0x09, 0x0a, 0x9a, 0xf0, 0x0f,
};

uint64_t diff_gen_int(DiffRng *r)
{
    uint64_t v;

    switch (diff_rng_below(r, 8)) {
    case 0:
    case 1:
    case 2:
        return int_edges[diff_rng_below(r, sizeof(int_edges) / 8)];
    case 3:
        /* a single bit, or all bits below one */
        v = 1ULL << diff_rng_below(r, 64);
        return diff_rng_below(r, 2) ? v : v - 1;
    case 4:
        /* small, possibly negative */
        v = diff_rng_below(r, 260);
        return diff_rng_below(r, 2) ? v : -v;
    case 5:
        /* random with a random width */
        v = diff_rng_next(r);
        return v >> diff_rng_below(r, 64);
    default:
        return diff_rng_next(r);
    }
}

static const uint32_t f32_edges[] = {
    0x00000000, 0x80000000,             /* +-0 */
    0x00000001, 0x80000001, 0x007fffff, /* denormals */
    0x00400000, 0x807fffff,
    0x00800000, 0x80800000,             /* min normal */
    0x7f7fffff, 0xff7fffff,             /* max normal */
    0x7f800000, 0xff800000,             /* +-inf */
    0x7fc00000, 0xffc00000, 0x7fc00001, /* QNaN */
    0x7f800001, 0xff800001, 0x7fa00000, /* SNaN */
    0x3f800000, 0xbf800000, 0x40000000, /* 1, -1, 2 */
    0x3f000000, 0x3fc00000, 0x4f000000, /* 0.5, 1.5, 2^31 */
    0xcf000000, 0x5f000000, 0xdf000000, /* -2^31, 2^63, -2^63 */
    0x4effffff, 0x3eaaaaab, 0x33800000, /* near 2^31, 1/3, 2^-24 */
};

static const uint64_t f64_edges[] = {
    0x0000000000000000ULL, 0x8000000000000000ULL,
    0x0000000000000001ULL, 0x800fffffffffffffULL, 0x0008000000000000ULL,
    0x0010000000000000ULL, 0x8010000000000000ULL,
    0x7fefffffffffffffULL, 0xffefffffffffffffULL,
    0x7ff0000000000000ULL, 0xfff0000000000000ULL,
    0x7ff8000000000000ULL, 0xfff8000000000000ULL, 0x7ff8000000000001ULL,
    0x7ff0000000000001ULL, 0xfff0000000000001ULL, 0x7ff4000000000000ULL,
    0x3ff0000000000000ULL, 0xbff0000000000000ULL, 0x4000000000000000ULL,
    0x3fe0000000000000ULL, 0x3ff8000000000000ULL, 0x41e0000000000000ULL,
    0xc1e0000000000000ULL, 0x43e0000000000000ULL, 0xc3e0000000000000ULL,
    0x41dfffffffc00000ULL, 0x3fd5555555555555ULL, 0x3ca0000000000000ULL,
    0x36a0000000000000ULL, 0x47efffffe0000000ULL, /* f32 under/overflow */
};

static uint32_t rand_f32(DiffRng *r)
{
    /* a normal with a modest exponent so that arithmetic stays exact-ish */
    uint32_t sign = (uint32_t)diff_rng_below(r, 2) << 31;
    uint32_t exp = 127 - 20 + (uint32_t)diff_rng_below(r, 40);

    return sign | exp << 23 | ((uint32_t)diff_rng_next(r) & 0x7fffff);
}

static uint64_t rand_f64(DiffRng *r)
{
    uint64_t sign = diff_rng_below(r, 2) << 63;
    uint64_t exp = 1023 - 40 + diff_rng_below(r, 80);

    return sign | exp << 52 | (diff_rng_next(r) & 0xfffffffffffffULL);
}

uint32_t diff_gen_f32(DiffRng *r)
{
    switch (diff_rng_below(r, 6)) {
    case 0:
    case 1:
        return f32_edges[diff_rng_below(r, sizeof(f32_edges) / 4)];
    case 2:
        return (uint32_t)diff_rng_next(r);
    default:
        return rand_f32(r);
    }
}

uint64_t diff_gen_f64(DiffRng *r)
{
    switch (diff_rng_below(r, 6)) {
    case 0:
    case 1:
        return f64_edges[diff_rng_below(r, sizeof(f64_edges) / 8)];
    case 2:
        return diff_rng_next(r);
    default:
        return rand_f64(r);
    }
}

void diff_gen_f80(DiffRng *r, uint8_t out[10])
{
    uint64_t mant;
    uint16_t se;

    switch (diff_rng_below(r, 8)) {
    case 0: {
        /* widen an f64 edge value exactly */
        long double v;
        double d;
        uint64_t bits = f64_edges[diff_rng_below(r, sizeof(f64_edges) / 8)];

        memcpy(&d, &bits, 8);
        v = d;
        memcpy(out, &v, 10);
        return;
    }
    case 1:
        /* special encodings: pseudo-denormal, unnormal, max, min, inf */
        se = (uint16_t)(diff_rng_below(r, 2) << 15);
        switch (diff_rng_below(r, 5)) {
        case 0:
            mant = 0x8000000000000001ULL;
            break;
        case 1:
            mant = 0x4000000000000000ULL;
            se |= 0x3fff;
            break;
        case 2:
            mant = ~0ULL;
            se |= 0x7ffe;
            break;
        case 3:
            mant = 0x8000000000000000ULL;
            se |= 0x0001;
            break;
        default:
            mant = 0x8000000000000000ULL;
            se |= 0x7fff;
            break;
        }
        break;
    default:
        mant = diff_rng_next(r) | 0x8000000000000000ULL;
        se = (uint16_t)((diff_rng_below(r, 2) << 15) |
                        (0x3fff - 30 + diff_rng_below(r, 60)));
        break;
    }
    memcpy(out, &mant, 8);
    memcpy(out + 8, &se, 2);
}

static void gen_vec(DiffRng *r, uint8_t v[16])
{
    unsigned kind = (unsigned)diff_rng_below(r, 4);

    for (int i = 0; i < 16; i += 8) {
        uint64_t q;

        if (kind == 0) {
            uint32_t a = diff_gen_f32(r), b = diff_gen_f32(r);
            q = a | (uint64_t)b << 32;
        } else if (kind == 1) {
            q = diff_gen_f64(r);
        } else {
            q = diff_gen_int(r);
        }
        memcpy(v + i, &q, 8);
    }
}

void diff_gen_state(DiffRng *r, DiffState *s)
{
    memset(s, 0, sizeof(*s));
    for (int i = 0; i < 16; i++) {
        s->gpr[i] = diff_gen_int(r);
    }
    s->gpr[R_SP] = DIFF_STACK_ADDR + DIFF_STACK_SIZE / 2;
    s->rflags = (diff_rng_next(r) & FL_ARITH) | 2;
    s->vector = -1;

    s->fx.fcw = 0x037f;
    s->fx.mxcsr = 0x1f80;
    s->fx.mxcsr_mask = 0;
    for (int i = 0; i < 8; i++) {
        diff_gen_f80(r, s->fx.st[i]);
    }
    for (int i = 0; i < 16; i++) {
        gen_vec(r, s->fx.xmm[i]);
    }
    for (unsigned i = 0; i < DIFF_DATA_SIZE; i += 8) {
        uint64_t q;

        switch (diff_rng_below(r, 3)) {
        case 0:
            q = diff_gen_f64(r);
            break;
        case 1:
            q = diff_gen_f32(r) | (uint64_t)diff_gen_f32(r) << 32;
            break;
        default:
            q = diff_gen_int(r);
            break;
        }
        memcpy(s->data + i, &q, 8);
    }
    for (unsigned i = 0; i < DIFF_STACK_SIZE; i += 8) {
        uint64_t q = diff_rng_next(r);
        memcpy(s->stack + i, &q, 8);
    }
}
