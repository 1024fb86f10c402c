/*
 * Host thunks for x87/MMX/SSE instructions: see fpu-host.h.
 * Encodings used here: SDM Vol. 2 (LDMXCSR/STMXCSR 0F AE /2 /3, FXSAVE64 /
 * FXRSTOR64 REX.W 0F AE /0 /1, MOVDQU F3 0F 6F/7F, MOVQ mm 0F 6F/7F).
 */
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "target/i386/fpu-host.h"

#define CODE_CHUNK (256 * 1024)
/*
 * Guest register numbers are not part of a thunk (sse.c stages them), so
 * the number of thunks is bounded by opcodes x prefixes x imm8 x operand
 * forms (a few MiB at worst); this cap is only a safety net against a
 * guest cycling through encodings.
 */
#define CODE_MAX (64u * 1024 * 1024)
#define THUNK_MAX 320
#define TLS_CACHE 256

typedef struct Emit {
    uint8_t *p;
    unsigned n;
} Emit;

static GMutex thunk_lock;
static GHashTable *thunk_table;     /* FpuThunkKey* -> code */
static uint8_t *code_cur;
static size_t code_left;
static size_t code_total;

static __thread struct {
    FpuThunkKey key;
    FpuThunk fn;
} tls_cache[TLS_CACHE];

static void b1(Emit *e, uint8_t v)
{
    e->p[e->n++] = v;
}

static void d32(Emit *e, uint32_t v)
{
    memcpy(e->p + e->n, &v, 4);
    e->n += 4;
}

/* op [rdi + off] with ModRM.reg = reg; opcode bytes given */
static void rdi_op(Emit *e, const uint8_t *op, unsigned n, unsigned reg,
                   size_t off)
{
    for (unsigned i = 0; i < n; i++) {
        b1(e, op[i]);
    }
    b1(e, (uint8_t)(0x80 | (reg & 7) << 3 | 7));
    d32(e, (uint32_t)off);
}

static const uint8_t OP_STMXCSR[] = { 0x0f, 0xae };   /* /3 */
static const uint8_t OP_MOV_LOAD[] = { 0x48, 0x8b };
static const uint8_t OP_MOV_STORE[] = { 0x48, 0x89 };
static const uint8_t OP_PUSH_M[] = { 0xff };          /* /6 */
static const uint8_t OP_POP_M[] = { 0x8f };           /* /0 */
static const uint8_t OP_MOVQ_MM_LOAD[] = { 0x0f, 0x6f };
static const uint8_t OP_MOVQ_MM_STORE[] = { 0x0f, 0x7f };
static const uint8_t OP_FX64[] = { 0x48, 0x0f, 0xae }; /* /0 save /1 rstor */
static const uint8_t OP_FLDCW[] = { 0xd9 };           /* /5 */

static void emit_xmm(Emit *e, unsigned n, bool store)
{
    b1(e, 0xf3);
    if (n >= 8) {
        b1(e, 0x44);
    }
    b1(e, 0x0f);
    b1(e, store ? 0x7f : 0x6f);
    b1(e, (uint8_t)(0x80 | (n & 7) << 3 | 6));        /* [rsi + disp32] */
    d32(e, n * 16);
}

static unsigned build(const FpuThunkKey *k, uint8_t *code)
{
    Emit e = { code, 0 };
    bool mxcsr = !(k->kind == FPU_THUNK_SSE && (k->flags & FPU_THUNK_NO_MXCSR));

    if (mxcsr) {
        rdi_op(&e, OP_STMXCSR, 2, 3, offsetof(FpuHostCtx, host_mxcsr));
    }
    if (k->kind == FPU_THUNK_SSE && mxcsr) {
        rdi_op(&e, OP_STMXCSR, 2, 2, offsetof(FpuHostCtx, mxcsr));
    }
    if (k->flags & FPU_THUNK_FLAGS_IN) {
        rdi_op(&e, OP_PUSH_M, 1, 6, offsetof(FpuHostCtx, rflags));
        b1(&e, 0x9d);                                   /* popfq */
    }
    if (k->kind == FPU_THUNK_X87) {
        rdi_op(&e, OP_FX64, 3, 1, offsetof(FpuHostCtx, fx));
    } else {
        for (unsigned r = 0; r < 3; r++) {
            rdi_op(&e, OP_MOV_LOAD, 2, r,
                   offsetof(FpuHostCtx, gpr) + 8 * r);
        }
        for (unsigned n = 0; n < 16; n++) {
            if (k->xmm_mask & (1u << n)) {
                emit_xmm(&e, n, false);
            }
        }
        for (unsigned n = 0; n < 8; n++) {
            if (k->mm_mask & (1u << n)) {
                rdi_op(&e, OP_MOVQ_MM_LOAD, 2, n,
                       offsetof(FpuHostCtx, mm) + 8 * n);
            }
        }
    }

    memcpy(e.p + e.n, k->insn, k->len);
    e.n += k->len;

    if (k->flags & FPU_THUNK_FLAGS_OUT) {
        b1(&e, 0x9c);                                   /* pushfq */
        rdi_op(&e, OP_POP_M, 1, 0, offsetof(FpuHostCtx, rflags));
    }
    if (k->kind == FPU_THUNK_X87) {
        rdi_op(&e, OP_FX64, 3, 0, offsetof(FpuHostCtx, fx));
        b1(&e, 0xdb);                                   /* fninit */
        b1(&e, 0xe3);
        rdi_op(&e, OP_FLDCW, 1, 5, offsetof(FpuHostCtx, host_fcw));
    } else {
        for (unsigned r = 0; r < 3; r++) {
            rdi_op(&e, OP_MOV_STORE, 2, r,
                   offsetof(FpuHostCtx, gpr) + 8 * r);
        }
        for (unsigned n = 0; n < 16; n++) {
            if (k->xmm_mask & (1u << n)) {
                emit_xmm(&e, n, true);
            }
        }
        for (unsigned n = 0; n < 8; n++) {
            if (k->mm_mask & (1u << n)) {
                rdi_op(&e, OP_MOVQ_MM_STORE, 2, n,
                       offsetof(FpuHostCtx, mm) + 8 * n);
            }
        }
        if (k->mm_mask) {
            b1(&e, 0x0f);                               /* emms */
            b1(&e, 0x77);
        }
        if (mxcsr) {
            rdi_op(&e, OP_STMXCSR, 2, 3, offsetof(FpuHostCtx, mxcsr));
        }
    }
    if (mxcsr) {
        rdi_op(&e, OP_STMXCSR, 2, 2, offsetof(FpuHostCtx, host_mxcsr));
    }
    b1(&e, 0xc3);                                       /* ret */
    return e.n;
}

static guint key_hash(gconstpointer p)
{
    uint64_t w[sizeof(FpuThunkKey) / 8];
    uint64_t h = 0;

    G_STATIC_ASSERT(sizeof(FpuThunkKey) % 8 == 0);
    memcpy(w, p, sizeof(w));
    for (size_t i = 0; i < G_N_ELEMENTS(w); i++) {
        h = (h ^ w[i]) * 0x9e3779b97f4a7c15ULL;
        h ^= h >> 29;
    }
    return (guint)(h ^ (h >> 32));
}

static gboolean key_equal(gconstpointer a, gconstpointer b)
{
    return !memcmp(a, b, sizeof(FpuThunkKey));
}

static FpuThunk thunk_create_locked(const FpuThunkKey *k)
{
    uint8_t buf[THUNK_MAX];
    unsigned n;
    FpuThunkKey *kcopy;
    uint8_t *code;

    if (!thunk_table) {
        thunk_table = g_hash_table_new_full(key_hash, key_equal, g_free,
                                            NULL);
    }
    code = g_hash_table_lookup(thunk_table, k);
    if (code) {
        return (FpuThunk)(void *)code;
    }
    n = build(k, buf);
    if (code_left < n + 16) {
        void *p;

        if (code_total >= CODE_MAX) {
            return NULL;
        }
        p = mmap(NULL, CODE_CHUNK, PROT_READ | PROT_WRITE | PROT_EXEC,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            return NULL;
        }
        code_cur = p;
        code_left = CODE_CHUNK;
        code_total += CODE_CHUNK;
    }
    code = code_cur;
    memcpy(code, buf, n);
    __builtin___clear_cache((char *)code, (char *)code + n);
    n = (n + 15) & ~15u;
    code_cur += n;
    code_left -= n;
    kcopy = g_memdup2(k, sizeof(*k));
    g_hash_table_insert(thunk_table, kcopy, code);
    return (FpuThunk)(void *)code;
}

void fpu_host_prealloc(void)
{
    g_mutex_lock(&thunk_lock);
    if (code_left == 0) {
        void *p = mmap(NULL, CODE_CHUNK, PROT_READ | PROT_WRITE | PROT_EXEC,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p != MAP_FAILED) {
            code_cur = p;
            code_left = CODE_CHUNK;
            code_total += CODE_CHUNK;
        }
    }
    g_mutex_unlock(&thunk_lock);
}

FpuThunk fpu_host_thunk(const FpuThunkKey *key)
{
    unsigned slot = key_hash(key) % TLS_CACHE;
    FpuThunk fn;

    if (tls_cache[slot].fn && key_equal(&tls_cache[slot].key, key)) {
        return tls_cache[slot].fn;
    }
    g_mutex_lock(&thunk_lock);
    fn = thunk_create_locked(key);
    g_mutex_unlock(&thunk_lock);
    if (fn) {
        tls_cache[slot].key = *key;
        tls_cache[slot].fn = fn;
    }
    return fn;
}

/* ---- thunks with unmasked SIMD exceptions ---- */

static __thread FpuHostCtx *volatile checked_ctx;
static __thread volatile bool checked_fault;
static struct sigaction old_sigfpe;
static GOnce sigfpe_once = G_ONCE_INIT;

static void sigfpe_handler(int sig, siginfo_t *si, void *uc_)
{
    ucontext_t *uc = uc_;
    greg_t *g = uc->uc_mcontext.gregs;
    FpuHostCtx *ctx = checked_ctx;
    uint64_t ret;

    if (!ctx || !uc->uc_mcontext.fpregs) {
        /* not ours: fall back to the previous disposition and retry */
        sigaction(SIGFPE, &old_sigfpe, NULL);
        return;
    }
    /* flags the faulting instruction set, then back to the host's MXCSR
     * and an empty x87 stack (the thunk may have loaded MMX registers) */
    ctx->mxcsr = uc->uc_mcontext.fpregs->mxcsr;
    uc->uc_mcontext.fpregs->mxcsr = ctx->host_mxcsr;
    uc->uc_mcontext.fpregs->ftw = 0;
    uc->uc_mcontext.fpregs->swd = 0;
    checked_fault = true;
    /* the thunk has pushed nothing at its instruction: return from it */
    memcpy(&ret, (void *)(uintptr_t)g[REG_RSP], 8);
    g[REG_RIP] = (greg_t)ret;
    g[REG_RSP] += 8;
}

static gpointer sigfpe_install(gpointer arg)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = sigfpe_handler;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGFPE, &sa, &old_sigfpe);
    return NULL;
}

bool fpu_host_call_checked(FpuThunk thunk, FpuHostCtx *ctx, X86XMMReg *xmm)
{
    g_once(&sigfpe_once, sigfpe_install, NULL);
    checked_fault = false;
    checked_ctx = ctx;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    thunk(ctx, xmm);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    checked_ctx = NULL;
    return checked_fault;
}
