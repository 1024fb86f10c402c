/*
 * QOM: the object model. A registry of types (single inheritance plus
 * interfaces), lazily built classes, reference-counted objects, typed
 * properties, and the composition tree rooted at object_get_root().
 *
 * Who calls it: every device and board (through hw/qdev.h), the command
 * line (-object, -device, -global), QMP (qom-list/qom-get/qom-set,
 * object-add) and the memory API (a MemoryRegion's owner is an Object *).
 *
 * Locking: the registry, the composition tree and property tables are
 * touched only from the main thread or with the big VMM lock held; nothing
 * here takes a lock of its own. Types are registered before main() runs
 * (type_init constructors) or at least before the first object_new().
 * Exceptions: object_ref()/object_unref() are atomic, and casts of
 * existing objects only read the registry, so both may run on any thread
 * (the last unref finalizes on whichever thread drops it).
 *
 * Casting: OBJECT_CHECK()/OBJECT_CLASS_CHECK() g_assert on a wrong type:
 * they are for programmer invariants only. Lookups driven by user input
 * use object_dynamic_cast()/object_class_by_name(), which return NULL.
 *
 * Property values travel as GVariant. The value types are fixed so that
 * QMP can convert them to JSON without knowing the property:
 *   bool -> "b", every signed integer -> "x" (int64), every unsigned
 *   integer and size -> "t" (uint64), str/enum/link/child -> "s".
 * Setters accept any GVariant integer type for integer properties and
 * check the range themselves.
 */
#ifndef QOM_OBJECT_H
#define QOM_OBJECT_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct TypeImpl *Type;
typedef struct Object Object;
typedef struct ObjectClass ObjectClass;
typedef struct InterfaceClass InterfaceClass;
typedef struct ObjectProperty ObjectProperty;

#define TYPE_OBJECT "object"
#define TYPE_INTERFACE "interface"
#define TYPE_CONTAINER "container"

/* ---------------------------------------------------------------- types */

typedef struct InterfaceInfo {
    const char *type;
} InterfaceInfo;

typedef struct TypeInfo {
    const char *name;
    const char *parent; /* NULL only for TYPE_OBJECT/INTERFACE */

    size_t instance_size;                    /* 0: inherit the parent's */
    void (*instance_init)(Object *obj);      /* parent's runs first */
    void (*instance_post_init)(Object *obj); /* after all instance_init */
    void (*instance_finalize)(Object *obj);  /* child's runs first */

    bool abstract;
    size_t class_size; /* 0: inherit the parent's */
    /*
     * class_base_init runs for every subclass (not for the type that
     * declares it), after the parent class was copied and before the
     * subclass's class_init: use it to reset copied fields.
     */
    void (*class_base_init)(ObjectClass *klass, void *data);
    void (*class_init)(ObjectClass *klass, void *data);
    void *class_data;

    const InterfaceInfo *interfaces; /* terminated by { NULL } */
} TypeInfo;

struct ObjectClass {
    Type type;
    GSList *interfaces;     /* InterfaceClass *, one per interface */
    GHashTable *properties; /* class properties: name -> prop */
    /* Called by object_unparent() before the child link is dropped. */
    void (*unparent)(Object *obj);
    /*
     * Inherited hook run after each class_init of this class or a
     * subclass (qdev turns a class's property table into properties).
     */
    void (*class_post_init)(ObjectClass *klass);
};

/* The class an implementation gets for each interface it implements. */
struct InterfaceClass {
    ObjectClass parent_class;
    ObjectClass *concrete_class; /* the class implementing it */
    Type interface_type;
};

struct Object {
    ObjectClass *klass;
    GHashTable *properties; /* instance properties: name -> prop */
    gint ref;               /* atomic: ref/unref from any thread */
    Object *parent;         /* composition parent, or NULL */
    char *parent_prop;      /* our child<> property name in parent */
    void (*free)(void *);   /* g_free when object_new allocated */
};

/* Register a type; info must stay valid for the program's life. */
Type type_register_static(const TypeInfo *info);
/* Register an array of types. */
void type_register_static_array(const TypeInfo *infos, int n);

/* Run fn before main(): the way device files register their types. */
#define type_init(fn)                                                          \
    static void __attribute__((constructor)) kvmu_type_init_##fn(void)         \
    {                                                                          \
        fn();                                                                  \
    }

/* ------------------------------------------------------- casts & classes */

/* Non-asserting casts: NULL when obj is NULL or not of that type. */
Object *object_dynamic_cast(Object *obj, const char *typename);
ObjectClass *object_class_dynamic_cast(ObjectClass *klass,
                                       const char *typename);
/* Asserting casts behind the macros below. */
Object *object_dynamic_cast_assert(Object *obj, const char *typename,
                                   const char *file, int line);
ObjectClass *object_class_dynamic_cast_assert(ObjectClass *klass,
                                              const char *typename,
                                              const char *file, int line);

#define OBJECT(obj) ((Object *)(obj))
#define OBJECT_CLASS(klass) ((ObjectClass *)(klass))
#define OBJECT_CHECK(type, obj, name)                                          \
    ((type *)object_dynamic_cast_assert(OBJECT(obj), (name), __FILE__,         \
                                        __LINE__))
#define OBJECT_CLASS_CHECK(class_type, klass, name)                            \
    ((class_type *)object_class_dynamic_cast_assert(                           \
        OBJECT_CLASS(klass), (name), __FILE__, __LINE__))
#define OBJECT_GET_CLASS(class_type, obj, name)                                \
    OBJECT_CLASS_CHECK(class_type, object_get_class(OBJECT(obj)), name)
/* Interfaces: an object that implements one is still an Object *. */
#define INTERFACE_CHECK(iface_type, obj, name)                                 \
    ((iface_type *)object_dynamic_cast_assert(OBJECT(obj), (name), __FILE__,   \
                                              __LINE__))

ObjectClass *object_get_class(Object *obj);
const char *object_get_typename(const Object *obj);
const char *object_class_get_name(ObjectClass *klass);
ObjectClass *object_class_get_parent(ObjectClass *klass);
bool object_class_is_abstract(ObjectClass *klass);
/* NULL if no such type; builds the class on first use. */
ObjectClass *object_class_by_name(const char *typename);
/* Types derived from (or equal to) parent; NULL parent means all. */
GSList *object_class_get_list(const char *parent, bool include_abstract);
/* Same, sorted by type name. */
GSList *object_class_get_list_sorted(const char *parent, bool include_abstract);
void object_class_foreach(void (*fn)(ObjectClass *klass, void *opaque),
                          const char *parent, bool include_abstract,
                          void *opaque);

/* ------------------------------------------------------------ lifecycle */

/* g_assert()s that typename names a concrete type: programmer use. */
Object *object_new(const char *typename);
/* For names from user input: errors for unknown and abstract types. */
Object *object_new_with_errp(const char *typename, GError **errp);
/* In-place construction into caller storage (size >= instance_size). */
void object_initialize(void *data, size_t size, const char *typename);

Object *object_ref(void *obj);
/* At zero: instance properties released, finalizers child to parent. */
void object_unref(void *obj);

/* ----------------------------------------------------------- properties */

typedef enum {
    OBJ_PROP_CUSTOM, /* string-valued ("s"), parsed/printed as a string */
    OBJ_PROP_BOOL,
    OBJ_PROP_INT8,
    OBJ_PROP_INT16,
    OBJ_PROP_INT32,
    OBJ_PROP_INT64,
    OBJ_PROP_UINT8,
    OBJ_PROP_UINT16,
    OBJ_PROP_UINT32,
    OBJ_PROP_UINT64,
    OBJ_PROP_SIZE, /* uint64 accepting K/M/G... suffixes when parsed */
    OBJ_PROP_STRING,
    OBJ_PROP_ENUM,  /* string from enum_table */
    OBJ_PROP_LINK,  /* path of another object */
    OBJ_PROP_CHILD, /* path of the child (read-only) */
} ObjectPropKind;

/* Return a new (floating or full) reference, or NULL with *errp set. */
typedef GVariant *ObjectPropertyGet(Object *obj, ObjectProperty *prop,
                                    GError **errp);
/* value has the kind's GVariant type (see top); return false + errp. */
typedef bool ObjectPropertySet(Object *obj, ObjectProperty *prop,
                               GVariant *value, GError **errp);
typedef void ObjectPropertyRelease(Object *obj, ObjectProperty *prop);

struct ObjectProperty {
    char *name;
    char *type; /* "bool", "uint32", "str", "child<x>", ... */
    char *description;
    ObjectPropKind kind;
    ObjectPropertyGet *get; /* NULL: write-only */
    ObjectPropertySet *set; /* NULL: read-only */
    ObjectPropertyRelease *release;
    const char *const *enum_table; /* OBJ_PROP_ENUM, NULL-terminated */
    GVariant *defval;              /* default for help, or NULL */
    void *opaque;
    uint64_t seq; /* creation order, for stable listings */
};

/* The GVariant type a kind's values have ("b", "x", "t" or "s"). */
const GVariantType *object_prop_kind_variant_type(ObjectPropKind kind);
/* Kind from a type string: "bool", "uint16", "size", "link<..>" ... */
ObjectPropKind object_prop_kind_from_type(const char *type);

/* Add a property; errors (and returns NULL) if the name exists. */
ObjectProperty *object_property_try_add(Object *obj, const char *name,
                                        const char *type,
                                        ObjectPropertyGet *get,
                                        ObjectPropertySet *set,
                                        ObjectPropertyRelease *release,
                                        void *opaque, GError **errp);
/* Same, g_assert()ing that the name is free (programmer use). */
ObjectProperty *object_property_add(Object *obj, const char *name,
                                    const char *type, ObjectPropertyGet *get,
                                    ObjectPropertySet *set,
                                    ObjectPropertyRelease *release,
                                    void *opaque);
ObjectProperty *object_class_property_add(ObjectClass *klass, const char *name,
                                          const char *type,
                                          ObjectPropertyGet *get,
                                          ObjectPropertySet *set,
                                          ObjectPropertyRelease *release,
                                          void *opaque);
void object_property_del(Object *obj, const char *name);

void object_property_set_description(Object *obj, const char *name,
                                     const char *description);
void object_class_property_set_description(ObjectClass *klass, const char *name,
                                           const char *description);
/* Takes ownership of a floating reference. */
void object_property_set_default(ObjectProperty *prop, GVariant *value);

/* Instance first, then the class chain. NULL if absent. */
ObjectProperty *object_property_find(Object *obj, const char *name);
/* Same; errors "Property 'TYPE.NAME' not found". */
ObjectProperty *object_property_find_err(Object *obj, const char *name,
                                         GError **errp);
ObjectProperty *object_class_property_find(ObjectClass *klass,
                                           const char *name);
/*
 * All properties: class ones (base class first), then instance ones, each
 * in creation order; a subclass's shadows a parent's. Free the array
 * (the properties are borrowed).
 */
GPtrArray *object_property_list(Object *obj);
GPtrArray *object_class_property_list(ObjectClass *klass);

/* Typed get/set: returns a full reference / false + errp. */
GVariant *object_property_get(Object *obj, const char *name, GError **errp);
bool object_property_set(Object *obj, const char *name, GVariant *value,
                         GError **errp);
/* Command-line form: "on", "512M", "0x3f8", "/machine/foo", enum names. */
bool object_property_parse(Object *obj, const char *name, const char *str,
                           GError **errp);
/* Human form of the current value; NULL + errp on error. */
char *object_property_print(Object *obj, const char *name, GError **errp);
/* Conversions behind parse/print, exposed for help output and QMP. */
GVariant *object_property_value_from_string(ObjectProperty *prop,
                                            const char *str, GError **errp);
char *object_property_value_to_string(ObjectProperty *prop, GVariant *v);
/* JSON rendering (true, 1016, "auto") as -device X,help prints it. */
char *object_property_value_to_json(GVariant *v);

bool object_property_set_bool(Object *obj, const char *name, bool value,
                              GError **errp);
bool object_property_get_bool(Object *obj, const char *name, GError **errp);
bool object_property_set_int(Object *obj, const char *name, int64_t value,
                             GError **errp);
int64_t object_property_get_int(Object *obj, const char *name, GError **errp);
bool object_property_set_uint(Object *obj, const char *name, uint64_t value,
                              GError **errp);
uint64_t object_property_get_uint(Object *obj, const char *name, GError **errp);
bool object_property_set_str(Object *obj, const char *name, const char *value,
                             GError **errp);
char *object_property_get_str(Object *obj, const char *name, GError **errp);
/* Sets a link<> property to target (by its canonical path). */
bool object_property_set_link(Object *obj, const char *name, Object *target,
                              GError **errp);
Object *object_property_get_link(Object *obj, const char *name, GError **errp);

/* "  name=<type>           - description (default: 5)" */
char *object_property_help(ObjectProperty *prop);
/* The `-device X,help` / `-object X,help` text: "X options:" and the
 * sorted lines, or "There are no options for X.". Frees lines. */
char *object_help_text(const char *name, GPtrArray *lines);

/* ------------------------------------------- convenience property kinds */

void object_property_add_bool(Object *obj, const char *name,
                              bool (*get)(Object *, GError **),
                              bool (*set)(Object *, bool, GError **));
void object_class_property_add_bool(ObjectClass *klass, const char *name,
                                    bool (*get)(Object *, GError **),
                                    bool (*set)(Object *, bool, GError **));
/* get returns a newly allocated string (or NULL + errp). */
void object_property_add_str(Object *obj, const char *name,
                             char *(*get)(Object *, GError **),
                             bool (*set)(Object *, const char *, GError **));
void object_class_property_add_str(ObjectClass *klass, const char *name,
                                   char *(*get)(Object *, GError **),
                                   bool (*set)(Object *, const char *,
                                               GError **));
/* Enum: type is the enum's name in qom-list ("OnOffAuto"). */
void object_property_add_enum(Object *obj, const char *name, const char *type,
                              const char *const *table,
                              int (*get)(Object *, GError **),
                              bool (*set)(Object *, int, GError **));
void object_class_property_add_enum(ObjectClass *klass, const char *name,
                                    const char *type, const char *const *table,
                                    int (*get)(Object *, GError **),
                                    bool (*set)(Object *, int, GError **));

/*
 * A property backed by a field of the instance struct at a fixed offset.
 * This is what qdev property tables become. The field's C type must match
 * the kind: bool, int8_t..uint64_t, uint64_t for SIZE, char * (owned,
 * g_free()d on finalize) for STRING/CUSTOM, int for ENUM, Object * (a
 * strong reference) for LINK.
 */
typedef struct ObjectField {
    ObjectPropKind kind;
    size_t offset;
    const char *type_name;         /* ENUM: enum name; CUSTOM: type */
    const char *const *enum_table; /* ENUM */
    const char *link_type;         /* LINK: target's required type */
    bool read_only;
    /* Vetoes a set (e.g. qdev after realize); NULL allows always. */
    bool (*allow_set)(Object *obj, ObjectProperty *prop, GError **errp);
    /* CUSTOM only: convert between the string value and the field. */
    char *(*custom_get)(Object *obj, void *field);
    bool (*custom_set)(Object *obj, void *field, const char *value,
                       GError **errp);
    void (*custom_release)(Object *obj, void *field);
} ObjectField;

/* field must stay valid for the class's life (static tables). */
ObjectProperty *object_class_property_add_field(ObjectClass *klass,
                                                const char *name,
                                                const ObjectField *field);
/* Store a GVariant default into the field (used by instance init). */
bool object_field_set_value(Object *obj, ObjectProperty *prop, GVariant *value,
                            GError **errp);

/* Pointer-backed read-only or read-write integer properties. */
void object_property_add_uint8_ptr(Object *obj, const char *name, uint8_t *v,
                                   bool read_only);
void object_property_add_uint16_ptr(Object *obj, const char *name, uint16_t *v,
                                    bool read_only);
void object_property_add_uint32_ptr(Object *obj, const char *name, uint32_t *v,
                                    bool read_only);
void object_property_add_uint64_ptr(Object *obj, const char *name, uint64_t *v,
                                    bool read_only);

/* ----------------------------------------------------- composition tree */

/* The root of the tree ("/"). Created on first use. */
Object *object_get_root(void);
/* "/objects", where -object / object-add put user-created objects. */
Object *object_get_objects_root(void);
/*
 * Walk path (absolute, like "/machine/peripheral"), creating containers
 * for missing components. The board adds its machine object as "machine"
 * under the root before anyone asks for "/machine/...".
 */
Object *container_get(Object *root, const char *path);

/*
 * Make child a child of obj under name (which may end in "[*]": the
 * first free "[N]" is used). Takes a reference on child. Errors if the
 * name is taken or child already has a parent.
 */
ObjectProperty *object_property_try_add_child(Object *obj, const char *name,
                                              Object *child, GError **errp);
ObjectProperty *object_property_add_child(Object *obj, const char *name,
                                          Object *child);
/*
 * Move every child of from to to, keeping names, without unparenting
 * (no unparent hooks run, references move with them). Fails, moving
 * nothing, if a name is taken in to.
 */
bool object_move_children(Object *from, Object *to, GError **errp);

/* Remove obj from its parent (drops the parent's reference). */
void object_unparent(Object *obj);

/*
 * link<type> property: *targetp holds a strong reference; set resolves
 * a path and checks the target's type. check may veto (NULL: allowed);
 * LINK_STRONG is the only mode: links always hold a reference.
 */
ObjectProperty *
object_property_add_link(Object *obj, const char *name, const char *type,
                         Object **targetp,
                         bool (*check)(Object *obj, const char *name,
                                       Object *target, GError **errp));

/*
 * name on obj forwards to target_name on target (same type and kind):
 * a virtio-blk-pci proxy exposes its inner device's "drive". Holds no
 * reference: target must live as long as obj (usually its child).
 */
ObjectProperty *object_property_add_alias(Object *obj, const char *name,
                                          Object *target,
                                          const char *target_name);

/* "/machine/peripheral/foo"; "/" for the root; NULL if detached. */
char *object_get_canonical_path(Object *obj);
/* Last path component: our name in the parent ("foo"); NULL if none. */
const char *object_get_canonical_path_component(Object *obj);

/*
 * Absolute paths start at the root and follow child<> and link<>
 * properties. Partial paths ("foo", "peripheral/foo") match any object
 * whose path ends with those components; more than one match sets
 * *ambiguous (if non-NULL) and returns NULL.
 */
Object *object_resolve_path(const char *path, bool *ambiguous);
/* Same, only considering objects of typename. */
Object *object_resolve_path_type(const char *path, const char *typename,
                                 bool *ambiguous);
Object *object_resolve_path_component(Object *parent, const char *part);

/*
 * HMP `info qom-tree [path]`: "/name (type)" per object, two spaces of
 * indent per level, children in creation order; path NULL means
 * "/machine". NULL + errp if path does not resolve. Caller frees.
 */
char *object_info_qom_tree(const char *path, GError **errp);

/* Call fn for each direct child; stops at the first non-zero return. */
int object_child_foreach(Object *obj, int (*fn)(Object *child, void *opaque),
                         void *opaque);
/* Depth-first, pre-order, over all descendants. */
int object_child_foreach_recursive(Object *obj,
                                   int (*fn)(Object *child, void *opaque),
                                   void *opaque);

#endif
