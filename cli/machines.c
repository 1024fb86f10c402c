/* The machine type registry; see include/cli/machine.h. */
#include "cli/machine.h"
#include "hw/i386/pc.h"

#include <string.h>

static GPtrArray *machine_types;

static const MachineType machine_none = {
    .name = "none",
    .desc = "empty machine",
    .default_ram_size = 0,
    .min_cpus = 0,
    .max_cpus = 1,
    .dies_supported = true,
};

static void ensure_registry(void)
{
    if (!machine_types) {
        machine_types = g_ptr_array_new();
        g_ptr_array_add(machine_types, (gpointer)&machine_none);
    }
}

void machine_type_register(const MachineType *mt)
{
    ensure_registry();
    g_assert(!machine_type_find(mt->name));
    g_ptr_array_add(machine_types, (gpointer)mt);
}

const MachineType *machine_type_find(const char *name)
{
    ensure_registry();
    for (guint i = 0; i < machine_types->len; i++) {
        const MachineType *mt = g_ptr_array_index(machine_types, i);
        if (!strcmp(mt->name, name) ||
            (mt->alias && !strcmp(mt->alias, name))) {
            return mt;
        }
    }
    return NULL;
}

const MachineType *machine_type_default(void)
{
    ensure_registry();
    for (guint i = 0; i < machine_types->len; i++) {
        const MachineType *mt = g_ptr_array_index(machine_types, i);
        if (mt->is_default) {
            return mt;
        }
    }
    return NULL;
}

static gint cmp_name(gconstpointer a, gconstpointer b)
{
    const MachineType *x = *(const MachineType *const *)a;
    const MachineType *y = *(const MachineType *const *)b;

    return strcmp(x->name, y->name);
}

void machine_type_print_list(FILE *out)
{
    ensure_registry();
    GPtrArray *sorted = g_ptr_array_copy(machine_types, NULL, NULL);

    g_ptr_array_sort(sorted, cmp_name);
    fprintf(out, "Supported machines are:\n");
    for (guint i = 0; i < sorted->len; i++) {
        const MachineType *mt = g_ptr_array_index(sorted, i);
        if (mt->alias) {
            fprintf(out, "%-20s %s (alias of %s)\n", mt->alias, mt->desc,
                    mt->name);
        }
        fprintf(out, "%-20s %s%s\n", mt->name, mt->desc,
                mt->is_default ? " (default)" : "");
    }
    g_ptr_array_unref(sorted);
}

void machines_register_all(void)
{
    ensure_registry();
    /* Each board defines a `const MachineType` (hw/boards.h). */
    machine_type_register(&pc_i440fx_machine_type);
}

void machine_types_foreach(void (*fn)(const MachineType *mt, void *opaque),
                           void *opaque)
{
    ensure_registry();
    for (guint i = 0; i < machine_types->len; i++) {
        fn(g_ptr_array_index(machine_types, i), opaque);
    }
}
