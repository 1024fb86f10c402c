/*
 * Differential CPU test: every instruction form of the tables in forms-*.c
 * runs with generated inputs natively (the oracle) and in kvmu's software
 * CPU; any difference outside the architecturally undefined parts fails.
 *
 * Environment:
 *   KVMU_CPU_SEED=n      seed (default 1; printed, use it to replay)
 *   KVMU_CPU_CASES=n     cases per form (default 48)
 *   KVMU_CPU_FILTER=s    only forms whose name or family contains s
 *   KVMU_CPU_VERBOSE=1   print every mismatch (default: first 3 per form)
 *   KVMU_CPU_NATIVE_ONLY=1  do not use the engine (harness self-check)
 * Exit status: 0 all compared cases pass, 1 failures, 77 (skip) when the
 * engine is not available and only the native self-check ran.
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "known-failures.h"

typedef struct FamilyStat {
    unsigned cases, pass, fail, xfail;
} FamilyStat;

static uint64_t env_u64(const char *name, uint64_t def)
{
    const char *s = getenv(name);

    return s && *s ? strtoull(s, NULL, 0) : def;
}

static uint64_t case_seed(uint64_t seed, size_t form, uint64_t i)
{
    return seed * 0x9e3779b97f4a7c15ULL ^ (uint64_t)form << 32 ^ i;
}

/*
 * Known answers: proves the native runner loads and stores state, memory
 * and faults correctly before it is trusted as an oracle.
 */
static bool native_self_test(void)
{
    static const struct {
        uint8_t code[8];
        unsigned len;
        int vector;
        uint64_t rax;
    } t[] = {
        { { 0x48, 0x01, 0xc8 }, 3, -1, 3 },          /* add rax, rcx */
        { { 0x0f, 0x0b }, 2, 6, 1 },                 /* ud2 */
        { { 0x48, 0xf7, 0xf3 }, 3, 0, 1 },           /* div rbx (0) */
        { { 0x48, 0x8b, 0x06 }, 3, -1, 0x1122334455667788ULL }, /* [rsi] */
        { { 0x48, 0x8b, 0x07 }, 3, 14, 1 },          /* [rdi] unmapped */
        { { 0x66, 0x0f, 0xd4, 0xc1, 0x0f, 0x0b }, 6, 6, 1 }, /* paddq; ud2 */
    };
    bool ok = true;

    for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        DiffCase *c = g_new0(DiffCase, 1);
        DiffState *o = g_new0(DiffState, 1);
        uint64_t v = 0x1122334455667788ULL;

        memcpy(c->code, t[i].code, t[i].len);
        c->code_len = t[i].len;
        c->name = "self-test";
        c->family = "self";
        c->in.gpr[R_AX] = 1;
        c->in.gpr[R_CX] = 2;
        c->in.gpr[R_SI] = DIFF_DATA_ADDR + 8;
        c->in.gpr[R_DI] = 0x7000000;
        c->in.gpr[R_SP] = DIFF_STACK_ADDR + 0x800;
        c->in.fx.fcw = 0x37f;
        c->in.fx.mxcsr = 0x1f80;
        memcpy(c->in.data + 8, &v, 8);
        diff_native_run_batch(c, o, 1);
        if (o->vector != t[i].vector || o->gpr[R_AX] != t[i].rax ||
            (o->vector >= 0 && o->rip != DIFF_CODE_ADDR +
             (i == 5 ? 4 : 0))) {
            printf("cpu-diff: native self-test %u failed: vector %d rax "
                   "%llx rip %llx\n", i, o->vector,
                   (unsigned long long)o->gpr[R_AX],
                   (unsigned long long)o->rip);
            ok = false;
        }
        g_free(c);
        g_free(o);
    }
    return ok;
}

int main(void)
{
    uint64_t seed = env_u64("KVMU_CPU_SEED", 1);
    uint64_t per_form = env_u64("KVMU_CPU_CASES", 48);
    const char *filter = getenv("KVMU_CPU_FILTER");
    bool verbose = env_u64("KVMU_CPU_VERBOSE", 0) != 0;
    bool engine = !env_u64("KVMU_CPU_NATIVE_ONLY", 0) &&
                  diff_engine_available();
    GHashTable *stats = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                              g_free);
    DiffCase *cases = g_new0(DiffCase, per_form);
    DiffState *expect = g_new0(DiffState, per_form);
    DiffState *again = g_new0(DiffState, per_form);
    DiffState *actual = g_new0(DiffState, 1);
    unsigned total = 0, fails = 0, xfails = 0, harness_errors = 0;
    size_t nforms;

    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("cpu-diff: seed %llu (set KVMU_CPU_SEED to replay), %llu cases "
           "per form, engine %s\n", (unsigned long long)seed,
           (unsigned long long)per_form, engine ? "enabled" : "NOT available");
    if (!diff_native_init()) {
        printf("cpu-diff: cannot set up native runs: skipping\n");
        return 77;
    }
    if (!native_self_test()) {
        return 1;
    }
    if (engine && !diff_engine_init()) {
        printf("cpu-diff: engine init failed\n");
        return 1;
    }
    nforms = diff_forms_count();
    for (size_t fi = 0; fi < nforms; fi++) {
        const DiffForm *f = diff_form_get(fi);
        const char *name = diff_form_name(f);
        const char *family = diff_form_family(f);
        bool known = diff_known_failure(name);
        FamilyStat *st;
        unsigned shown = 0, form_fail = 0;

        if (filter && !strstr(name, filter) && strcmp(family, filter)) {
            continue;
        }
        st = g_hash_table_lookup(stats, family);
        if (!st) {
            st = g_new0(FamilyStat, 1);
            g_hash_table_insert(stats, (gpointer)family, st);
        }
        for (uint64_t i = 0; i < per_form; i++) {
            DiffRng r;

            diff_rng_seed(&r, case_seed(seed, fi, i));
            diff_gen_state(&r, &cases[i].in);
            diff_form_make_case(f, &r, &cases[i]);
        }
        diff_native_run_batch(cases, expect, per_form);
        if (!engine) {
            /* self-check: the oracle must be deterministic */
            diff_native_run_batch(cases, again, per_form);
        }
        {
            /* a form the host always rejects tests nothing but #UD */
            unsigned ud = 0;

            for (uint64_t i = 0; i < per_form; i++) {
                ud += expect[i].vector == 6;
            }
            if (ud == per_form && !strstr(name, "#UD") &&
                strcmp(family, "misc")) {
                printf("cpu-diff: note: form %s is always #UD natively\n",
                       name);
            }
        }
        for (uint64_t i = 0; i < per_form; i++) {
            bool ok;

            if (expect[i].vector == -2) {
                printf("cpu-diff: HARNESS ERROR: native child died on form "
                       "%s case %llu\n", name, (unsigned long long)i);
                diff_print_case(&cases[i]);
                harness_errors++;
                continue;
            }
            if (engine) {
                diff_engine_run(&cases[i], actual);
            } else {
                *actual = again[i];
            }
            ok = diff_compare(&cases[i], &expect[i], actual, seed, i,
                              !(verbose || shown < 3) || known);
            st->cases++;
            total++;
            if (ok) {
                st->pass++;
            } else if (known) {
                st->xfail++;
                xfails++;
            } else {
                st->fail++;
                fails++;
                form_fail++;
                shown++;
            }
        }
        if (form_fail > 3 && !verbose) {
            printf("cpu-diff: form %s: %u of %llu cases failed (first 3 "
                   "shown)\n", name, form_fail,
                   (unsigned long long)per_form);
        }
    }

    for (int fp = 0; fp < 2; fp++) {
        const char *seqname = fp ? "sequence-fp" : "sequence";
        /* instruction sequences: flags flowing between instructions */
        uint64_t nseq = per_form * 20;

        if (filter && strcmp(filter, seqname)) {
            continue;
        }
        FamilyStat *st = g_new0(FamilyStat, 1);
        DiffCase *sc = g_new0(DiffCase, nseq);
        DiffState *se = g_new0(DiffState, nseq);
        unsigned shown = 0;

        for (uint64_t i = 0; i < nseq; i++) {
            DiffRng r;

            diff_rng_seed(&r, case_seed(seed, 0xfffff - fp, i));
            diff_gen_state(&r, &sc[i].in);
            diff_seq_make_case(&r, &sc[i], fp);
        }
        diff_native_run_batch(sc, se, nseq);
        for (uint64_t i = 0; i < nseq; i++) {
            if (se[i].vector == -2) {
                harness_errors++;
                continue;
            }
            if (engine) {
                diff_engine_run(&sc[i], actual);
            } else {
                diff_native_run_batch(&sc[i], actual, 1);
            }
            st->cases++;
            total++;
            if (diff_compare(&sc[i], &se[i], actual, seed, i,
                             !(verbose || shown < 5))) {
                st->pass++;
            } else {
                st->fail++;
                fails++;
                shown++;
            }
        }
        g_hash_table_insert(stats, (gpointer)seqname, st);
        g_free(sc);
        g_free(se);
    }
    if (engine && (!filter || !strcmp(filter, "compat32"))) {
        /* the same forms as 32-bit code in compatibility mode */
        FamilyStat *st = g_new0(FamilyStat, 1);
        uint64_t per = per_form / 4 ? per_form / 4 : 1;
        unsigned shown = 0;

        for (size_t fi = 0; fi < nforms; fi++) {
            const DiffForm *f = diff_form_get(fi);

            if (!diff_form_compat32_ok(f)) {
                continue;
            }
            for (uint64_t i = 0; i < per; i++) {
                DiffRng r;

                diff_rng_seed(&r, case_seed(seed, fi | 0x100000, i));
                diff_gen_state(&r, &cases[i].in);
                diff_form_make_case_compat32(f, &r, &cases[i]);
                cases[i].family = "compat32";
                cases[i].mask.gpr_low32 = true;
            }
            diff_native_run_batch(cases, expect, per);
            for (uint64_t i = 0; i < per; i++) {
                if (expect[i].vector == -2) {
                    harness_errors++;
                    continue;
                }
                diff_engine_run_compat32(&cases[i], actual);
                st->cases++;
                total++;
                if (diff_compare(&cases[i], &expect[i], actual, seed, i,
                                 !(verbose || shown < 5))) {
                    st->pass++;
                } else {
                    st->fail++;
                    fails++;
                    shown++;
                }
            }
        }
        g_hash_table_insert(stats, (gpointer)"compat32", st);
    }
    if (engine && (!filter || !strcmp(filter, "legacy32"))) {
        unsigned lf = 0, lx = 0;
        unsigned n = diff_engine_legacy32(seed, (unsigned)per_form, &lf, &lx);
        FamilyStat *st = g_new0(FamilyStat, 1);

        st->cases = n;
        st->pass = n - lf - lx;
        st->fail = lf;
        st->xfail = lx;
        g_hash_table_insert(stats, (gpointer)"legacy32", st);
        total += n;
        fails += lf;
        xfails += lx;
    }

    printf("\ncpu-diff: per family (cases / pass / FAIL / known-fail):\n");
    {
        GList *keys = g_list_sort(g_hash_table_get_keys(stats),
                                  (GCompareFunc)strcmp);

        for (GList *l = keys; l; l = l->next) {
            FamilyStat *st = g_hash_table_lookup(stats, l->data);

            printf("  %-10s %6u %6u %6u %6u\n", (const char *)l->data,
                   st->cases, st->pass, st->fail, st->xfail);
        }
        g_list_free(keys);
    }
    printf("cpu-diff: %u cases: %u passed, %u FAILED, %u known-failing "
           "(not passes), %u harness errors\n", total,
           total - fails - xfails, fails, xfails, harness_errors);
    if (xfails) {
        printf("\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
               "!!! %u cases of KNOWN-FAILING forms failed (NOT passes) !!!\n"
               "!!! see tests/cpu/diff/FAILURES.md                     !!!\n"
               "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n",
               xfails);
        diff_known_failures_print();
    }
    if (engine) {
        diff_engine_fini();
    }
    g_free(cases);
    g_free(expect);
    g_free(again);
    g_free(actual);
    g_hash_table_destroy(stats);
    diff_forms_free();
    if (fails || harness_errors) {
        return 1;
    }
    if (!engine) {
        printf("cpu-diff: engine not available: only the native self-check "
               "ran (SKIP)\n");
        return 77;
    }
    return 0;
}
