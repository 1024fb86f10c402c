/*
 * qdev: devices and buses on top of QOM.
 *
 * A device is a type derived from TYPE_DEVICE with a state struct whose
 * first member is DeviceState, a static property table, realize/unrealize
 * and reset. Buses (TYPE_BUS subclasses: "PCI", "ISA", "System", ...) hold
 * devices; a device sits on at most one bus and may own child buses.
 *
 * Who calls it: device and board code (qdev_new, qdev_realize,
 * qdev_reset_all), the command line (-device, -global, -device help) and
 * QMP (device_add, device_del, qom-*). Everything runs in the main thread
 * or with the big VMM lock held; no locks of its own.
 *
 * Lifecycle: qdev_new() -> set properties -> qdev_realize(dev, bus, errp)
 * -> running -> qdev_unrealize() -> object_unparent(). Properties from the
 * table can only be set before realize ("realized" property true). A
 * device is realized at most once (realize after unrealize is refused).
 *
 * Reset order (chosen and documented here): device_cold_reset(dev) resets
 * depth-first, children before parents: for each child bus, every device
 * on it (recursively, in plug order), then the bus's own reset hook, then
 * the device's reset. One phase, no resettable enter/hold/exit split: a
 * device whose reset must see its children already reset gets that for
 * free; one that needs the reverse does the work in realize. Only
 * realized devices are reset. qdev_reset_machine() resets the system bus
 * tree, then the realized bus-less devices under /machine (CPUs...). A
 * device plugged after machine creation is reset once, after plug.
 *
 * Linking: device files register their types with type_init()
 * constructors; hw/meson.build links every hw library whole (hw_libs) so
 * that types nobody references by symbol still exist.
 *
 * Tree placement: a device added with -device/device_add goes to
 * /machine/peripheral/ID, or /machine/peripheral-anon/device[N] without
 * id; a device the board creates and realizes without placing it goes to
 * /machine/unattached/device[N] at realize.
 */
#ifndef HW_QDEV_H
#define HW_QDEV_H

#include "qom/object.h"

#define TYPE_DEVICE "device"
#define TYPE_BUS "bus"

typedef struct DeviceState DeviceState;
typedef struct DeviceClass DeviceClass;
typedef struct BusState BusState;
typedef struct BusClass BusClass;
typedef struct Property Property;
struct VMStateDescription; /* migration/ */

/* `-device help` sections; a device may be in several. */
typedef enum {
    DEVICE_CATEGORY_BRIDGE,
    DEVICE_CATEGORY_USB,
    DEVICE_CATEGORY_STORAGE,
    DEVICE_CATEGORY_NETWORK,
    DEVICE_CATEGORY_INPUT,
    DEVICE_CATEGORY_DISPLAY,
    DEVICE_CATEGORY_SOUND,
    DEVICE_CATEGORY_MISC,
    DEVICE_CATEGORY_CPU,
    DEVICE_CATEGORY_WATCHDOG,
    DEVICE_CATEGORY_MAX
} DeviceCategory;

typedef bool DeviceRealize(DeviceState *dev, GError **errp);
typedef void DeviceUnrealize(DeviceState *dev);
typedef void DeviceReset(DeviceState *dev);

struct DeviceClass {
    ObjectClass parent_class;

    uint32_t categories; /* bit (1u << DEVICE_CATEGORY_x) */
    const char *desc;    /* -device help: desc "..." */
    const char *fw_name;
    /* -device / device_add may create it (default true). */
    bool user_creatable;
    /* device_add/device_del after machine creation (default true). */
    bool hotpluggable;
    const char *bus_type;  /* NULL: the device sits on no bus */
    const Property *props; /* table terminated by { .name = NULL } */

    DeviceRealize *realize; /* NULL: nothing to do */
    DeviceUnrealize *unrealize;
    DeviceReset *reset;
    const struct VMStateDescription *vmsd;
};

struct DeviceState {
    Object parent_obj;

    char *id; /* -device id=, or NULL */
    bool realized;
    bool hotplugged;     /* realized after machine creation */
    bool was_unrealized; /* a device is realized at most once */
    BusState *parent_bus;
    GSList *child_buses; /* BusState *, in creation order */
    int num_child_bus;
    GError *global_error; /* a -global that failed to apply */
    GSList *gpios;        /* named GPIO lists (hw/core/gpio.c) */
};

typedef struct HotplugHandler HotplugHandler; /* hw/hotplug.h */

struct BusClass {
    ObjectClass parent_class;

    /* Address check/assignment before the device realizes. */
    bool (*check_address)(BusState *bus, DeviceState *dev, GError **errp);
    /* Bus-wide reset after the devices on it were reset. */
    void (*reset)(BusState *bus);
    /* Path of a device on this bus, for firmware boot order. */
    char *(*get_fw_dev_path)(DeviceState *dev);
    /* Extra `info qtree` lines for a device on this bus ("isa irq 4"). */
    void (*print_dev)(BusState *bus, DeviceState *dev, GString *out,
                      int indent);
    int max_dev;       /* 0: unlimited ("Bus 'x' is full") */
    int automatic_ids; /* next N for "<type>.N" names */
};

struct BusState {
    Object obj;

    DeviceState *parent;     /* the device that owns this bus */
    char *name;              /* "pci.0", "isa.0", "ide.1" */
    Object *hotplug_handler; /* implements TYPE_HOTPLUG_HANDLER */
    GList *children;         /* DeviceState *, in plug order */
    int num_children;
    int max_index; /* for the bus's child[N] links */
    bool realized;
};

#define DEVICE(obj) OBJECT_CHECK(DeviceState, (obj), TYPE_DEVICE)
#define DEVICE_CLASS(klass)                                                    \
    OBJECT_CLASS_CHECK(DeviceClass, (klass), TYPE_DEVICE)
#define DEVICE_GET_CLASS(obj) OBJECT_GET_CLASS(DeviceClass, (obj), TYPE_DEVICE)
#define BUS(obj) OBJECT_CHECK(BusState, (obj), TYPE_BUS)
#define BUS_CLASS(klass) OBJECT_CLASS_CHECK(BusClass, (klass), TYPE_BUS)
#define BUS_GET_CLASS(obj) OBJECT_GET_CLASS(BusClass, (obj), TYPE_BUS)

/* ------------------------------------------------------ property tables */

/*
 * A qdev property: a struct field at `offset` with a kind (see
 * ObjectPropKind). Defaults are applied when the instance is created,
 * before -global values. A device lists them in a static table:
 *
 *   static const Property serial_props[] = {
 *       DEFINE_PROP_UINT32("iobase", ISASerial, iobase, 0x3f8),
 *       DEFINE_PROP_UINT32("irq", ISASerial, irq, 4),
 *       DEFINE_PROP_END_OF_LIST(),
 *   };
 *   dc->props = serial_props;         (or device_class_set_props)
 *
 * CUSTOM properties (drive=, chardev=, netdev=, mac=) are string-valued:
 * they supply custom_set/custom_get and a type name through `field`.
 */
struct Property {
    const char *name;
    ObjectField field;
    bool has_default;
    union {
        int64_t i;
        uint64_t u;
        bool b;
    } defval;
    const char *defval_str; /* STRING/ENUM/CUSTOM default, or NULL */
    const char *description;
};

#define DEFINE_PROP_KIND_(n, k, S, f, def_member, def)                         \
    {                                                                          \
        .name = (n), .field = {.kind = (k), .offset = offsetof(S, f)},         \
        .has_default = true, .defval.def_member = (def)                        \
    }

#define DEFINE_PROP_BOOL(n, S, f, d)                                           \
    DEFINE_PROP_KIND_(n, OBJ_PROP_BOOL, S, f, b, d)
#define DEFINE_PROP_UINT8(n, S, f, d)                                          \
    DEFINE_PROP_KIND_(n, OBJ_PROP_UINT8, S, f, u, d)
#define DEFINE_PROP_UINT16(n, S, f, d)                                         \
    DEFINE_PROP_KIND_(n, OBJ_PROP_UINT16, S, f, u, d)
#define DEFINE_PROP_UINT32(n, S, f, d)                                         \
    DEFINE_PROP_KIND_(n, OBJ_PROP_UINT32, S, f, u, d)
#define DEFINE_PROP_UINT64(n, S, f, d)                                         \
    DEFINE_PROP_KIND_(n, OBJ_PROP_UINT64, S, f, u, d)
#define DEFINE_PROP_INT8(n, S, f, d)                                           \
    DEFINE_PROP_KIND_(n, OBJ_PROP_INT8, S, f, i, d)
#define DEFINE_PROP_INT16(n, S, f, d)                                          \
    DEFINE_PROP_KIND_(n, OBJ_PROP_INT16, S, f, i, d)
#define DEFINE_PROP_INT32(n, S, f, d)                                          \
    DEFINE_PROP_KIND_(n, OBJ_PROP_INT32, S, f, i, d)
#define DEFINE_PROP_INT64(n, S, f, d)                                          \
    DEFINE_PROP_KIND_(n, OBJ_PROP_INT64, S, f, i, d)
#define DEFINE_PROP_SIZE(n, S, f, d)                                           \
    DEFINE_PROP_KIND_(n, OBJ_PROP_SIZE, S, f, u, d)
/* char *field, default NULL (no default shown in help). */
#define DEFINE_PROP_STRING(n, S, f)                                            \
    {                                                                          \
        .name = (n), .field = {                                                \
            .kind = OBJ_PROP_STRING,                                           \
            .offset = offsetof(S, f)                                           \
        }                                                                      \
    }
/* int field; tname is the enum's name ("OnOffAuto"), d a table index. */
#define DEFINE_PROP_ENUM(n, S, f, tname, table, d)                             \
    {                                                                          \
        .name = (n),                                                           \
        .field = {.kind = OBJ_PROP_ENUM,                                       \
                  .offset = offsetof(S, f),                                    \
                  .type_name = (tname),                                        \
                  .enum_table = (table)},                                      \
        .has_default = true, .defval.i = (d)                                   \
    }
/* Object *field holding a reference; ltype is the target's type. */
#define DEFINE_PROP_LINK(n, S, f, ltype)                                       \
    {                                                                          \
        .name = (n), .field = {                                                \
            .kind = OBJ_PROP_LINK,                                             \
            .offset = offsetof(S, f),                                          \
            .link_type = (ltype)                                               \
        }                                                                      \
    }
/*
 * A string-valued property with its own conversion (drive=, chardev=,
 * netdev=, mac=): tname is its type in help ("str", "macaddr");
 * set(obj, &field, "text", errp), get(obj, &field) -> g_malloc'd text,
 * release(obj, &field) at finalize (each may be NULL but set).
 */
#define DEFINE_PROP_CUSTOM(n, S, f, tname, get, set, rel)                      \
    {                                                                          \
        .name = (n), .field = {                                                \
            .kind = OBJ_PROP_CUSTOM,                                           \
            .offset = offsetof(S, f),                                          \
            .type_name = (tname),                                              \
            .custom_get = (get),                                               \
            .custom_set = (set),                                               \
            .custom_release = (rel)                                            \
        }                                                                      \
    }
#define DEFINE_PROP_END_OF_LIST()                                              \
    {                                                                          \
        .name = NULL                                                           \
    }

void device_class_set_props(DeviceClass *dc, const Property *props);
/* Subclass realize chaining: *parent gets the old hook. */
void device_class_set_parent_realize(DeviceClass *dc, DeviceRealize *realize,
                                     DeviceRealize **parent);
void device_class_set_parent_unrealize(DeviceClass *dc,
                                       DeviceUnrealize *unrealize,
                                       DeviceUnrealize **parent);
void device_class_set_parent_reset(DeviceClass *dc, DeviceReset *reset,
                                   DeviceReset **parent);

/*
 * Board-code setters for properties the device is known to have: a
 * failure (no such property, value out of range, already realized) is a
 * programmer error and g_error()s. User input goes through
 * object_property_parse() instead.
 */
void qdev_prop_set_bit(DeviceState *dev, const char *name, bool value);
void qdev_prop_set_int32(DeviceState *dev, const char *name, int32_t value);
void qdev_prop_set_uint8(DeviceState *dev, const char *name, uint8_t value);
void qdev_prop_set_uint16(DeviceState *dev, const char *name, uint16_t value);
void qdev_prop_set_uint32(DeviceState *dev, const char *name, uint32_t value);
void qdev_prop_set_uint64(DeviceState *dev, const char *name, uint64_t value);
void qdev_prop_set_string(DeviceState *dev, const char *name,
                          const char *value);
/* Parses value like -device does (enums, sizes, custom kinds). */
void qdev_prop_set_parse(DeviceState *dev, const char *name, const char *value);
void qdev_prop_set_link(DeviceState *dev, const char *name, Object *target);

/* ---------------------------------------------------------- lifecycle */

/* object_new() of a device type (g_asserts it exists). */
DeviceState *qdev_new(const char *typename);
/* NULL + errp for an unknown/abstract/non-device type. */
DeviceState *qdev_try_new(const char *typename, GError **errp);
/*
 * Put dev on bus (may be NULL for bus-less devices) and realize it.
 * If dev has no parent in the tree it goes to /machine/unattached.
 */
bool qdev_realize(DeviceState *dev, BusState *bus, GError **errp);
/* Same, then drops the caller's reference (the tree keeps one). */
bool qdev_realize_and_unref(DeviceState *dev, BusState *bus, GError **errp);
void qdev_unrealize(DeviceState *dev);
/* Moves dev to bus (before realize). */
bool qdev_set_parent_bus(DeviceState *dev, BusState *bus, GError **errp);
/* Give dev an id (before placing it at /machine/peripheral). */
void qdev_set_id(DeviceState *dev, const char *id);
/* "/machine/..." canonical path (caller frees). */
char *qdev_get_dev_path(DeviceState *dev);

/* ------------------------------------------------------------- buses */

/*
 * Create a bus of typename owned by parent (NULL: a root bus). name NULL
 * picks "<id>.<n>" if parent has an id, else "<type lowercased>.<n>".
 * The bus becomes a child<> of parent under its name.
 */
BusState *qbus_new(const char *typename, DeviceState *parent, const char *name);
/* In-place version for a bus embedded in the parent's state struct. */
void qbus_init(void *bus, size_t size, const char *typename,
               DeviceState *parent, const char *name);
void qbus_set_hotplug_handler(BusState *bus, Object *handler);
bool qbus_is_hotpluggable(BusState *bus);
bool qbus_is_full(BusState *bus);
BusState *qdev_get_parent_bus(DeviceState *dev);
/* A child bus of dev by name, or NULL. */
BusState *qdev_get_child_bus(DeviceState *dev, const char *name);

/*
 * Find a bus under `from` (depth-first) by name, by type, or both (NULL
 * to ignore); with a type, skips full buses. NULL if none.
 */
BusState *qbus_find_recursive(BusState *from, const char *name,
                              const char *bus_typename);
/*
 * The root of the device tree: the system bus ("main-system-bus",
 * type "System"), created on first use. Board devices hang below it.
 * A bus created with no parent device is another root: -device bus
 * lookups, qdev_reset_machine() and info qtree visit every root, the
 * system bus first (better still, give a bus a parent device).
 */
BusState *sysbus_get_default(void);
#define TYPE_SYSTEM_BUS "System"

/* Device with this id under bus (recursively), or NULL. */
DeviceState *qdev_find_recursive(BusState *bus, const char *id);
/* device_del's lookup: an id under /machine/peripheral or a QOM path. */
DeviceState *qdev_find_by_id_or_path(const char *id_or_path, GError **errp);

/* ------------------------------------------------------------- reset */

/* Cold reset of dev and everything below it (order: see top). */
void device_cold_reset(DeviceState *dev);
void qdev_reset_all(DeviceState *dev);
void qbus_reset_all(BusState *bus);
/* Reset the whole machine: the system bus and everything under it. */
void qdev_reset_machine(void);

/*
 * Every realized device in a stable order: the root buses' trees
 * (system bus first) depth-first in plug order, then the bus-less devices
 * under /machine in tree order, each followed by its own buses' trees.
 * This is the order migration saves and loads sections in.
 */
void qdev_foreach_realized(void (*fn)(DeviceState *dev, void *opaque),
                           void *opaque);
/*
 * Same, only devices with a vmsd; instance_id counts the devices that
 * share a vmsd, in that order (QEMU's section instance ids).
 */
typedef void QdevVMStateFn(DeviceState *dev,
                           const struct VMStateDescription *vmsd,
                           int instance_id, void *opaque);
void qdev_foreach_vmstate(QdevVMStateFn *fn, void *opaque);

/* Walk devices under bus depth-first; fn returning non-zero stops. */
int qbus_walk_devices(BusState *bus, int (*fn)(DeviceState *dev, void *op),
                      void *opaque);

/* ------------------------------------------------------------ -global */

/*
 * -global driver.prop=value: applied to every new instance of driver or
 * its subtypes, after the table defaults. A failure to apply makes that
 * device's realize fail with "can't apply global ...".
 */
bool qdev_add_global(const char *driver, const char *prop, const char *value,
                     GError **errp);
/*
 * The -global argument: "driver.prop=value" (split at the first '.') or
 * "driver=D,property=P,value=V".
 */
bool qdev_add_global_str(const char *str, GError **errp);
/*
 * After machine creation: warn_report() each global that never applied
 * ("global D.P=V not used", or "... has invalid class name"). Returns
 * true if any warning was printed.
 */
bool qdev_check_globals(void);
void qdev_clear_globals(void);

/* ----------------------------------------- -device / device_add / help */

/*
 * Marks machine creation as done: from now on device_add is hotplug
 * (needs a hotpluggable bus and device). The board/cli calls it.
 */
void qdev_machine_creation_done(void);
bool qdev_machine_is_created(void);
/* Tests only: back to "creating the machine". */
void qdev_machine_creation_reset(void);

/*
 * -device / device_add. opts maps "driver", "id", "bus" and property
 * names to strings. Finds the bus (bus= path/name, else the first
 * non-full bus of the device's bus type), creates the device, places
 * it under /machine/peripheral[-anon], sets properties, realizes.
 * Returns a borrowed pointer (the tree holds it) or NULL + errp with
 * QEMU's messages.
 */
DeviceState *qdev_device_add(GHashTable *opts, GError **errp);
/*
 * The board's say in hotplug (QEMU's machine hotplug handler): if the
 * hook returns an object for dev, that handler is used instead of the
 * bus's (memory, CPUs, bus-less devices). NULL hook: buses only.
 */
void qdev_set_machine_hotplug_hook(Object *(*hook)(DeviceState *dev));
/* The handler that plugs dev: the machine's, else its bus's, or NULL. */
Object *qdev_get_hotplug_handler(DeviceState *dev);

/* device_del: unplug through the device's hotplug handler. */
bool qdev_unplug(DeviceState *dev, GError **errp);

/*
 * Told when a device that was realized leaves the tree (device_del done,
 * unplug acked by the guest, board teardown): QMP's DEVICE_DELETED. id
 * may be NULL; path is its canonical path before removal. One listener
 * (the monitor); NULL to clear.
 */
typedef void QdevDeletedFn(DeviceState *dev, const char *id, const char *path,
                           void *opaque);
void qdev_set_deleted_notifier(QdevDeletedFn *fn, void *opaque);

/* An alias usable in -device (e.g. "virtio-blk" -> "virtio-blk-pci"). */
void qdev_add_alias(const char *alias, const char *typename);

/* `-device help`, grouped by category. Caller frees. */
char *qdev_device_help_list(void);
/* `-device TYPE,help`; NULL + errp if TYPE is not a device. */
char *qdev_device_help_type(const char *type, GError **errp);
/* true if opts asks for help: driver "help"/"?" or a "help" key. */
bool qdev_device_wants_help(GHashTable *opts);

/*
 * HMP `info qtree`, in QEMU's layout: "bus: NAME" / "  type T" /
 * "  dev: TYPE, id \"ID\"" / table properties as "name = value" (integers
 * as "4 (0x4)", strings quoted), GPIO counts, child buses. Caller frees.
 */
char *qdev_info_qtree(void);

/* ---------------------------------------------------------- GPIO lines */

/*
 * A device's input lines are qemu_irqs it allocates with a handler; its
 * output lines are qemu_irq variables in its state that the board wires
 * to someone's inputs. name NULL is the unnamed list. Calls append, so a
 * device may init the same list several times (QEMU's numbering).
 */
struct IRQState;
typedef void (*qdev_gpio_handler)(void *opaque, int n, int level);
void qdev_init_gpio_in(DeviceState *dev, qdev_gpio_handler handler, int n);
void qdev_init_gpio_in_named(DeviceState *dev, qdev_gpio_handler handler,
                             const char *name, int n);
void qdev_init_gpio_out(DeviceState *dev, struct IRQState **pins, int n);
void qdev_init_gpio_out_named(DeviceState *dev, struct IRQState **pins,
                              const char *name, int n);
/*
 * Out-of-range n never asserts (device code may index lines with a
 * user-set property): get returns NULL, an unconnected line, and connect
 * does nothing.
 */
struct IRQState *qdev_get_gpio_in(DeviceState *dev, int n);
struct IRQState *qdev_get_gpio_in_named(DeviceState *dev, const char *name,
                                        int n);
void qdev_connect_gpio_out(DeviceState *dev, int n, struct IRQState *irq);
void qdev_connect_gpio_out_named(DeviceState *dev, const char *name, int n,
                                 struct IRQState *irq);
int qdev_gpio_count_in(DeviceState *dev, const char *name);
int qdev_gpio_count_out(DeviceState *dev, const char *name);

/*
 * The object at /machine. Until the board installs its machine object a
 * plain container stands in (created on first use, e.g. by
 * sysbus_get_default()); qdev_install_machine() moves whatever was put
 * under that container (unattached/, peripheral/, the system bus) to the
 * board's object and puts it at /machine. Errors if a machine object (not
 * the stand-in) is already installed or a child name clashes. Creates
 * /machine/{unattached,peripheral,peripheral-anon} and /objects.
 */
Object *qdev_get_machine(void);
bool qdev_install_machine(Object *machine, GError **errp);

#endif
