/*
 * -smp: CPU topology parsing and derivation, following QEMU 8.2's rules
 * (machine_parse_smp_config): omitted values are derived from the given
 * ones, preferring cores over sockets for current machine types
 * (prefer_sockets for machine types older than 6.2), then checked.
 * Used by cli/options.c; pure functions, no state.
 */
#ifndef CLI_SMP_H
#define CLI_SMP_H

#include "util/keyval.h"

#include <stdbool.h>
#include <stdint.h>

/* What the user wrote; 0 = omitted. */
typedef struct SmpInput {
    uint64_t cpus, sockets, dies, clusters, cores, threads, maxcpus;
} SmpInput;

/* What a machine type supports. */
typedef struct SmpMachineProps {
    bool dies_supported;
    bool clusters_supported;
    bool prefer_sockets;
    unsigned min_cpus, max_cpus;
    const char *name;           /* for messages */
} SmpMachineProps;

typedef struct SmpTopology {
    unsigned cpus, sockets, dies, clusters, cores, threads, max_cpus;
} SmpTopology;

/* Parse "-smp" keys (cpus implied): cpus sockets dies clusters cores
 * threads maxcpus; each must be a positive integer. */
bool smp_parse(const KeyvalList *kv, SmpInput *in, GError **errp);

/* Derive and validate. */
bool smp_compute(const SmpInput *in, const SmpMachineProps *props,
                 SmpTopology *out, GError **errp);

#endif
