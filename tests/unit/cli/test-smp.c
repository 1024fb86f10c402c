/* -smp: derivation of omitted values and QEMU 8.2's error messages. */
#include "cli/smp.h"

#include <string.h>

typedef struct {
    const char *arg;
    unsigned cpus, sockets, dies, cores, threads, max_cpus;
    const char *error;
} SmpCase;

static const SmpCase smp_cases[] = {
    { "1", 1, 1, 1, 1, 1, 1, NULL },
    { "4", 4, 1, 1, 4, 1, 4, NULL },                 /* prefer cores */
    { "cpus=8,sockets=2", 8, 2, 1, 4, 1, 8, NULL },
    { "8,cores=2", 8, 4, 1, 2, 1, 8, NULL },
    { "8,sockets=2,cores=2", 8, 2, 1, 2, 2, 8, NULL },
    { "2,maxcpus=8", 2, 1, 1, 8, 1, 8, NULL },
    { "sockets=2,cores=3,threads=2", 12, 2, 1, 3, 2, 12, NULL },
    { "maxcpus=4", 4, 1, 1, 4, 1, 4, NULL },
    { "4,dies=2", 4, 1, 2, 2, 1, 4, NULL },
    { "4,sockets=3", 0, 0, 0, 0, 0, 0,
      "Invalid CPU topology: product of the hierarchy must match maxcpus: "
      "sockets (3) * dies (1) * cores (1) * threads (1) != maxcpus (4)" },
    { "4,maxcpus=2", 0, 0, 0, 0, 0, 0,
      "Invalid CPU topology: maxcpus must be equal to or greater than smp: "
      "sockets (1) * dies (1) * cores (2) * threads (1) == maxcpus (2) < "
      "smp_cpus (4)" },
    { "4,threads=3", 0, 0, 0, 0, 0, 0,
      "Invalid CPU topology: product of the hierarchy must match maxcpus: "
      "sockets (1) * dies (1) * cores (1) * threads (3) != maxcpus (4)" },
    { "4,clusters=2", 0, 0, 0, 0, 0, 0,
      "clusters not supported by this machine's CPU topology" },
    { "1000", 0, 0, 0, 0, 0, 0,
      "Invalid SMP CPUs 1000. The max CPUs supported by machine "
      "'pc-test' is 255" },
    { "0", 0, 0, 0, 0, 0, 0,
      "Invalid CPU topology: CPU topology parameters must be greater "
      "than zero" },
    { "x", 0, 0, 0, 0, 0, 0, "Parameter 'smp.cpus' expects integer" },
    { "-1", 0, 0, 0, 0, 0, 0, "Parameter 'smp.cpus' expects integer" },
    { "cpus=2,bogus=1", 0, 0, 0, 0, 0, 0,
      "Parameter 'smp.bogus' is unexpected" },
    { "99999999999", 0, 0, 0, 0, 0, 0,
      "Parameter 'smp.cpus' expects integer" },
    { "sockets=4294967295,cores=4294967295,threads=4294967295", 0, 0, 0, 0,
      0, 0, "Invalid SMP CPUs 18446744073709551615. The max CPUs supported "
      "by machine 'pc-test' is 255" },
};

static void test_smp_table(void)
{
    SmpMachineProps pc = {
        .dies_supported = true, .min_cpus = 1, .max_cpus = 255,
        .name = "pc-test",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(smp_cases); i++) {
        const SmpCase *c = &smp_cases[i];
        GError *err = NULL;
        SmpInput in;
        SmpTopology t;
        KeyvalList *kv = keyval_parse(c->arg, "cpus", 0, &err);
        bool ok = kv && smp_parse(kv, &in, &err) &&
                  smp_compute(&in, &pc, &t, &err);
        keyval_free(kv);

        if (c->error) {
            if (ok || strcmp(err->message, c->error)) {
                g_test_message("-smp %s: expected error '%s', got '%s'",
                               c->arg, c->error, ok ? "success" : err->message);
                g_test_fail();
            }
        } else if (!ok) {
            g_test_message("-smp %s: unexpected error '%s'", c->arg,
                           err->message);
            g_test_fail();
        } else if (t.cpus != c->cpus || t.sockets != c->sockets ||
                   t.dies != c->dies || t.cores != c->cores ||
                   t.threads != c->threads || t.max_cpus != c->max_cpus) {
            g_test_message("-smp %s: expected %u/%u/%u/%u/%u/%u got "
                           "%u/%u/%u/%u/%u/%u", c->arg, c->cpus, c->sockets,
                           c->dies, c->cores, c->threads, c->max_cpus,
                           t.cpus, t.sockets, t.dies, t.cores, t.threads,
                           t.max_cpus);
            g_test_fail();
        }
        g_clear_error(&err);
    }
}

static void test_smp_prefer_sockets_for_old_machines(void)
{
    SmpMachineProps old = {
        .dies_supported = true, .prefer_sockets = true, .min_cpus = 1,
        .max_cpus = 255, .name = "pc-i440fx-6.1",
    };
    SmpInput in = { .cpus = 4 };
    SmpTopology t;

    g_assert_true(smp_compute(&in, &old, &t, NULL));
    g_assert_cmpuint(t.sockets, ==, 4);
    g_assert_cmpuint(t.cores, ==, 1);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/smp/derivation-and-errors-table", test_smp_table);
    g_test_add_func("/smp/prefer-sockets-for-old-machines",
                    test_smp_prefer_sockets_for_old_machines);
    return g_test_run();
}
