/*
 * -smp topology: parse the keys, derive the omitted ones and validate,
 * with QEMU 8.2's documented behaviour and messages.
 */
#include "cli/smp.h"
#include "util/cutils.h"
#include "util/error.h"

#include <string.h>

static const char *const smp_keys[] = {
    "cpus", "sockets", "dies", "clusters", "cores", "threads", "maxcpus", NULL};

bool smp_parse(const KeyvalList *kv, SmpInput *in, GError **errp)
{
    uint64_t *fields[] = {
        &in->cpus,  &in->sockets, &in->dies,    &in->clusters,
        &in->cores, &in->threads, &in->maxcpus,
    };

    *in = (SmpInput){0};
    for (guint i = 0; i < kv->pairs->len; i++) {
        KeyvalPair *p = g_ptr_array_index(kv->pairs, i);
        bool known = false;
        for (int k = 0; smp_keys[k]; k++) {
            if (!strcmp(p->key, smp_keys[k])) {
                known = true;
            }
        }
        if (!known) {
            error_setg(errp, "Parameter 'smp.%s' is unexpected", p->key);
            return false;
        }
    }
    for (int k = 0; smp_keys[k]; k++) {
        const char *v = keyval_get(kv, smp_keys[k]);
        if (!v) {
            continue;
        }
        if (parse_uint64(v, 10, fields[k]) < 0 || *fields[k] > UINT32_MAX) {
            error_setg(errp, "Parameter 'smp.%s' expects integer", smp_keys[k]);
            return false;
        }
        if (*fields[k] == 0) {
            error_setg(errp, "Invalid CPU topology: CPU topology parameters "
                             "must be greater than zero");
            return false;
        }
    }
    return true;
}

static char *hierarchy_str(const SmpMachineProps *props, uint64_t sockets,
                           uint64_t dies, uint64_t clusters, uint64_t cores,
                           uint64_t threads)
{
    GString *s = g_string_new(NULL);

    g_string_append_printf(s, "sockets (%" G_GUINT64_FORMAT ")", sockets);
    if (props->dies_supported) {
        g_string_append_printf(s, " * dies (%" G_GUINT64_FORMAT ")", dies);
    }
    if (props->clusters_supported) {
        g_string_append_printf(s, " * clusters (%" G_GUINT64_FORMAT ")",
                               clusters);
    }
    g_string_append_printf(s,
                           " * cores (%" G_GUINT64_FORMAT ")"
                           " * threads (%" G_GUINT64_FORMAT ")",
                           cores, threads);
    return g_string_free(s, FALSE);
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
    return (b && a > UINT64_MAX / b) ? UINT64_MAX : a * b;
}

bool smp_compute(const SmpInput *in, const SmpMachineProps *props,
                 SmpTopology *out, GError **errp)
{
    uint64_t cpus = in->cpus, sockets = in->sockets, dies = in->dies;
    uint64_t clusters = in->clusters, cores = in->cores;
    uint64_t threads = in->threads, maxcpus = in->maxcpus;

    if (!props->dies_supported && dies > 1) {
        error_setg(errp, "dies not supported by this machine's CPU topology");
        return false;
    }
    if (!props->clusters_supported && clusters > 1) {
        error_setg(errp,
                   "clusters not supported by this machine's CPU topology");
        return false;
    }
    dies = dies ? dies : 1;
    clusters = clusters ? clusters : 1;

    if (!cpus && !maxcpus) {
        sockets = sockets ? sockets : 1;
        cores = cores ? cores : 1;
        threads = threads ? threads : 1;
    } else {
        maxcpus = maxcpus ? maxcpus : cpus;
        if (props->prefer_sockets) {
            if (!sockets) {
                cores = cores ? cores : 1;
                threads = threads ? threads : 1;
                sockets = maxcpus / (dies * clusters * cores * threads);
            } else if (!cores) {
                threads = threads ? threads : 1;
                cores = maxcpus / (sockets * dies * clusters * threads);
            }
        } else {
            if (!cores) {
                sockets = sockets ? sockets : 1;
                threads = threads ? threads : 1;
                cores = maxcpus / (sockets * dies * clusters * threads);
            } else if (!sockets) {
                threads = threads ? threads : 1;
                sockets = maxcpus / (dies * clusters * cores * threads);
            }
        }
        if (!threads) {
            threads = maxcpus / (sockets * dies * clusters * cores);
        }
    }

    /* saturate: an absurd product must still compare unequal */
    uint64_t total = sat_mul(
        sat_mul(sat_mul(sat_mul(sockets, dies), clusters), cores), threads);
    maxcpus = maxcpus ? maxcpus : total;
    cpus = cpus ? cpus : maxcpus;

    g_autofree char *topo =
        hierarchy_str(props, sockets, dies, clusters, cores, threads);
    if (total != maxcpus) {
        error_setg(errp,
                   "Invalid CPU topology: product of the hierarchy "
                   "must match maxcpus: %s != maxcpus (%" G_GUINT64_FORMAT ")",
                   topo, maxcpus);
        return false;
    }
    if (maxcpus < cpus) {
        error_setg(errp,
                   "Invalid CPU topology: maxcpus must be equal to or "
                   "greater than smp: %s == maxcpus (%" G_GUINT64_FORMAT
                   ") < smp_cpus (%" G_GUINT64_FORMAT ")",
                   topo, maxcpus, cpus);
        return false;
    }
    if (cpus < props->min_cpus) {
        error_setg(errp,
                   "Invalid SMP CPUs %" G_GUINT64_FORMAT ". The min "
                   "CPUs supported by machine '%s' is %u",
                   cpus, props->name, props->min_cpus);
        return false;
    }
    if (maxcpus > props->max_cpus) {
        error_setg(errp,
                   "Invalid SMP CPUs %" G_GUINT64_FORMAT ". The max "
                   "CPUs supported by machine '%s' is %u",
                   maxcpus, props->name, props->max_cpus);
        return false;
    }
    *out = (SmpTopology){
        .cpus = cpus,
        .sockets = sockets,
        .dies = dies,
        .clusters = clusters,
        .cores = cores,
        .threads = threads,
        .max_cpus = maxcpus,
    };
    return true;
}
