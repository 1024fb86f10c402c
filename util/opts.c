/* Option-group registry for query-command-line-options; see util/opts.h. */
#include "util/opts.h"
#include "util/cutils.h"
#include "util/error.h"

#include <string.h>

static GPtrArray *groups;

void opts_group_register(const OptGroup *group)
{
    if (!groups) {
        groups = g_ptr_array_new();
    }
    g_assert(!opts_group_find(group->name));
    g_ptr_array_add(groups, (gpointer)group);
}

const OptGroup *opts_group_find(const char *name)
{
    for (guint i = 0; groups && i < groups->len; i++) {
        const OptGroup *g = g_ptr_array_index(groups, i);
        if (!strcmp(g->name, name)) {
            return g;
        }
    }
    return NULL;
}

const GPtrArray *opts_groups(void)
{
    if (!groups) {
        groups = g_ptr_array_new();
    }
    return groups;
}

const OptParam *opts_group_param(const OptGroup *group, const char *name)
{
    for (const OptParam *p = group->params; p->name; p++) {
        if (!strcmp(p->name, name)) {
            return p;
        }
    }
    return NULL;
}

const char *opt_type_name(OptType type)
{
    switch (type) {
    case OPT_TYPE_BOOL:
        return "boolean";
    case OPT_TYPE_NUMBER:
        return "number";
    case OPT_TYPE_SIZE:
        return "size";
    case OPT_TYPE_STRING:
    default:
        return "string";
    }
}

bool opts_check_keys(const OptGroup *group, const KeyvalList *kv, GError **errp)
{
    for (guint i = 0; i < kv->pairs->len; i++) {
        KeyvalPair *pair = g_ptr_array_index(kv->pairs, i);
        if (!opts_group_param(group, pair->key)) {
            error_setg(errp, "Invalid parameter '%s'", pair->key);
            return false;
        }
    }
    return true;
}

bool opts_check(const OptGroup *group, const KeyvalList *kv, GError **errp)
{
    for (guint i = 0; i < kv->pairs->len; i++) {
        KeyvalPair *pair = g_ptr_array_index(kv->pairs, i);
        const OptParam *p = opts_group_param(group, pair->key);
        bool b;
        uint64_t u;

        if (!p) {
            error_setg(errp, "Invalid parameter '%s'", pair->key);
            return false;
        }
        switch (p->type) {
        case OPT_TYPE_BOOL:
            if (!parse_bool(pair->value, &b)) {
                error_setg(errp, "Parameter '%s' expects 'on' or 'off'",
                           p->name);
                return false;
            }
            break;
        case OPT_TYPE_NUMBER:
            if (parse_uint64(pair->value, 0, &u) < 0) {
                error_setg(errp, "Parameter '%s' expects a number", p->name);
                return false;
            }
            break;
        case OPT_TYPE_SIZE:
            if (parse_size(pair->value, 1, &u) < 0) {
                error_setg(errp,
                           "Parameter '%s' expects a non-negative "
                           "number below 2^64",
                           p->name);
                return false;
            }
            break;
        case OPT_TYPE_STRING:
            break;
        }
    }
    return true;
}

void opts_reset_for_test(void)
{
    if (groups) {
        g_ptr_array_set_size(groups, 0);
    }
}
