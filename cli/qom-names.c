/*
 * The QOM type names management tools look for when they probe an
 * emulator with qom-list-types (libvirt among them): one type per
 * accelerator ("tcg-accel", "kvm-accel"), per machine type
 * ("pc-i440fx-8.2-machine", "none-machine") and per CPU model
 * ("qemu64-x86_64-cpu", ...), under QEMU's abstract parents. They name
 * what this binary has; creating them is not supported (the command line
 * builds accelerators, machines and vCPUs), so none is user-creatable.
 */
#include "cli/machine.h"
#include "hw/qdev.h"
#include "qom/object.h"
#include "target/i386/cpu.h"

static void no_user_create(ObjectClass *klass, void *data)
{
    if (object_class_dynamic_cast(klass, TYPE_DEVICE)) {
        DEVICE_CLASS(klass)->user_creatable = false;
        DEVICE_CLASS(klass)->hotpluggable = false;
    }
}

static void register_type(const char *name, const char *parent, bool abstract,
                          size_t size)
{
    TypeInfo *ti = g_new0(TypeInfo, 1);   /* types live as long as we do */
    ti->name = g_strdup(name);
    ti->parent = parent;
    ti->abstract = abstract;
    ti->instance_size = size;
    ti->class_init = no_user_create;
    type_register_static(ti);
}

static void register_machine(const MachineType *mt, void *opaque)
{
    g_autofree char *name = g_strdup_printf("%s-machine", mt->name);
    register_type(name, mt->init ? "generic-pc-machine" : "machine", false, 0);
}

void cli_register_qom_names(void)
{
    register_type("accel", TYPE_OBJECT, true, 0);
    register_type("tcg-accel", "accel", false, 0);
    register_type("kvm-accel", "accel", false, 0);

    register_type("machine", TYPE_OBJECT, true, 0);
    register_type("x86-machine", "machine", true, 0);
    register_type("generic-pc-machine", "x86-machine", true, 0);
    machine_types_foreach(register_machine, NULL);

    register_type("cpu", TYPE_DEVICE, true, 0);
    register_type("x86_64-cpu", "cpu", true, 0);
    for (const char *const *m = x86_cpu_model_names(); *m; m++) {
        g_autofree char *name = g_strdup_printf("%s-x86_64-cpu", *m);
        register_type(name, "x86_64-cpu", false, 0);
    }
}
