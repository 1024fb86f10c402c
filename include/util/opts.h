/*
 * Option groups: what parameters each command-line option accepts, with
 * their types and help. This is the data behind QMP's
 * query-command-line-options (libvirt probes it: "does -sandbox exist?",
 * "does -smp take dies=?"), and the key whitelist the command line checks
 * arguments against.
 *
 * Who calls what: cli/ registers its groups at startup (before the
 * monitor exists); the monitor reads them with opts_group_find() /
 * opts_groups(). Groups are static tables, never freed. Main thread only;
 * the registry is read-only once the main loop runs, so no lock.
 */
#ifndef UTIL_OPTS_H
#define UTIL_OPTS_H

#include "util/keyval.h"

#include <glib.h>
#include <stdbool.h>

/* QAPI's CommandLineParameterType */
typedef enum {
    OPT_TYPE_STRING,
    OPT_TYPE_BOOL,
    OPT_TYPE_NUMBER,
    OPT_TYPE_SIZE,
} OptType;

typedef struct OptParam {
    const char *name;
    OptType type;
    const char *help;       /* may be NULL */
    const char *def;        /* default as text, may be NULL */
} OptParam;

typedef struct OptGroup {
    const char *name;           /* QEMU's group name: "smp-opts", "machine" */
    const OptParam *params;     /* terminated by a NULL name; may be empty */
} OptGroup;

/* Register a group (static storage); a second group with the same name
 * is a programmer error. */
void opts_group_register(const OptGroup *group);
const OptGroup *opts_group_find(const char *name);
/* Registered groups in registration order (borrowed; do not modify). */
const GPtrArray *opts_groups(void);
const OptParam *opts_group_param(const OptGroup *group, const char *name);
/* "string", "boolean", "number", "size" */
const char *opt_type_name(OptType type);

/*
 * Check kv against the group: an unknown key -> "Invalid parameter 'k'";
 * a value not of the parameter's type -> keyval_get_bool/uint/size's
 * messages ("Parameter 'k' expects 'on' or 'off'", ...).
 */
bool opts_check(const OptGroup *group, const KeyvalList *kv, GError **errp);

/* Only the key whitelist part of opts_check(). */
bool opts_check_keys(const OptGroup *group, const KeyvalList *kv,
                     GError **errp);

/* Tests only: forget every group. */
void opts_reset_for_test(void);

#endif
