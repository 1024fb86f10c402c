/*
 * QOM type registry, classes, casts and object lifecycle.
 *
 * Classes are built lazily on first use: the parent class is built and
 * copied first, then the interface classes are made (inherited ones are
 * copies of the parent's, so methods a parent set stay set), then every
 * ancestor's class_base_init runs, then the type's class_init.
 */
#include "qom/object.h"
#include "qom/qom-internal.h"
#include "util/error.h"

#include <string.h>

struct TypeImpl {
    const char *name;
    const char *parent_name;
    struct TypeImpl *parent_type;
    const TypeInfo *info;
    size_t class_size;
    size_t instance_size;
    bool abstract;
    ObjectClass *klass;
    bool class_ready;
};

static GHashTable *type_table;
static void qom_register_types(void);

/*
 * The core types register on first use rather than from a constructor, so
 * they exist however the static library is linked.
 */
static GHashTable *type_table_get(void)
{
    if (!type_table) {
        type_table = g_hash_table_new(g_str_hash, g_str_equal);
        qom_register_types();
    }
    return type_table;
}

Type type_register_static(const TypeInfo *info)
{
    g_assert(info->name);
    g_assert(!g_hash_table_lookup(type_table_get(), info->name));

    Type ti = g_new0(struct TypeImpl, 1);
    ti->name = info->name;
    ti->parent_name = info->parent;
    ti->info = info;
    ti->abstract = info->abstract;
    g_hash_table_insert(type_table_get(), (gpointer)ti->name, ti);
    return ti;
}

void type_register_static_array(const TypeInfo *infos, int n)
{
    for (int i = 0; i < n; i++) {
        type_register_static(&infos[i]);
    }
}

static Type type_get_by_name(const char *name)
{
    if (!name) {
        return NULL;
    }
    return g_hash_table_lookup(type_table_get(), name);
}

static Type type_get_parent(Type ti)
{
    if (!ti->parent_type && ti->parent_name) {
        ti->parent_type = type_get_by_name(ti->parent_name);
        g_assert(ti->parent_type); /* a registered type names its parent */
    }
    return ti->parent_type;
}

static bool type_is_ancestor(Type ti, Type target)
{
    for (; ti; ti = type_get_parent(ti)) {
        if (ti == target) {
            return true;
        }
    }
    return false;
}

static size_t type_class_size(Type ti)
{
    for (; ti; ti = type_get_parent(ti)) {
        if (ti->info->class_size) {
            return ti->info->class_size;
        }
    }
    return sizeof(ObjectClass);
}

static size_t type_instance_size(Type ti)
{
    for (; ti; ti = type_get_parent(ti)) {
        if (ti->info->instance_size) {
            return ti->info->instance_size;
        }
    }
    return sizeof(Object);
}

static void type_initialize(Type ti);

static InterfaceClass *interface_class_new(ObjectClass *concrete,
                                           Type iface_type,
                                           InterfaceClass *template)
{
    size_t size = type_class_size(iface_type);
    InterfaceClass *ic = g_malloc0(size);

    if (template) {
        memcpy(ic, template, size);
    } else {
        memcpy(ic, iface_type->klass, size);
    }
    ic->parent_class.type = iface_type;
    ic->parent_class.interfaces = NULL;
    ic->parent_class.properties = NULL;
    ic->concrete_class = concrete;
    ic->interface_type = iface_type;
    return ic;
}

static bool class_has_interface(ObjectClass *klass, Type iface)
{
    for (GSList *l = klass->interfaces; l; l = l->next) {
        InterfaceClass *ic = l->data;
        if (type_is_ancestor(ic->interface_type, iface)) {
            return true;
        }
    }
    return false;
}

static void type_initialize(Type ti)
{
    if (ti->klass) {
        return;
    }
    Type parent = type_get_parent(ti);

    ti->class_size = type_class_size(ti);
    ti->instance_size = type_instance_size(ti);
    /* Interfaces are never instantiated. */
    if (type_is_ancestor(ti, type_get_by_name(TYPE_INTERFACE))) {
        ti->abstract = true;
    }
    ti->klass = g_malloc0(ti->class_size);
    if (parent) {
        type_initialize(parent);
        g_assert(parent->class_size <= ti->class_size);
        memcpy(ti->klass, parent->klass, parent->class_size);
    }
    ti->klass->type = ti;
    ti->klass->interfaces = NULL;
    ti->klass->properties = g_hash_table_new(g_str_hash, g_str_equal);

    if (parent) {
        for (GSList *l = parent->klass->interfaces; l; l = l->next) {
            InterfaceClass *pic = l->data;
            InterfaceClass *ic =
                interface_class_new(ti->klass, pic->interface_type, pic);
            ti->klass->interfaces = g_slist_append(ti->klass->interfaces, ic);
        }
    }
    for (const InterfaceInfo *ii = ti->info->interfaces; ii && ii->type; ii++) {
        Type it = type_get_by_name(ii->type);
        g_assert(it); /* interfaces are registered types */
        type_initialize(it);
        if (class_has_interface(ti->klass, it)) {
            continue;
        }
        InterfaceClass *ic = interface_class_new(ti->klass, it, NULL);
        ti->klass->interfaces = g_slist_append(ti->klass->interfaces, ic);
    }

    for (Type p = parent; p; p = type_get_parent(p)) {
        if (p->info->class_base_init) {
            p->info->class_base_init(ti->klass, ti->info->class_data);
        }
    }
    if (ti->info->class_init) {
        ti->info->class_init(ti->klass, ti->info->class_data);
    }
    if (ti->klass->class_post_init) {
        ti->klass->class_post_init(ti->klass);
    }
    ti->class_ready = true;
}

/* ------------------------------------------------------------- classes */

ObjectClass *object_class_by_name(const char *typename)
{
    Type ti = type_get_by_name(typename);

    if (!ti) {
        return NULL;
    }
    type_initialize(ti);
    return ti->klass;
}

ObjectClass *object_get_class(Object *obj)
{
    return obj->klass;
}

const char *object_get_typename(const Object *obj)
{
    return obj->klass->type->name;
}

const char *object_class_get_name(ObjectClass *klass)
{
    return klass->type->name;
}

ObjectClass *object_class_get_parent(ObjectClass *klass)
{
    Type parent = type_get_parent(klass->type);

    if (!parent) {
        return NULL;
    }
    type_initialize(parent);
    return parent->klass;
}

bool object_class_is_abstract(ObjectClass *klass)
{
    return klass->type->abstract;
}

/*
 * Casts are frequent (device code casts its opaque pointer on every
 * access), so compare names along the ancestor chain (resolved when the
 * class was built) instead of looking typename up in the registry;
 * literal type names usually match by pointer.
 */
static bool type_has_ancestor_named(Type ti, const char *typename)
{
    for (; ti; ti = ti->parent_type) {
        if (ti->name == typename || !strcmp(ti->name, typename)) {
            return true;
        }
    }
    return false;
}

ObjectClass *object_class_dynamic_cast(ObjectClass *klass, const char *typename)
{
    if (!klass || !typename) {
        return NULL;
    }
    if (type_has_ancestor_named(klass->type, typename)) {
        return klass;
    }
    for (GSList *l = klass->interfaces; l; l = l->next) {
        InterfaceClass *ic = l->data;
        if (type_has_ancestor_named(ic->interface_type, typename)) {
            return &ic->parent_class;
        }
    }
    return NULL;
}

ObjectClass *object_class_dynamic_cast_assert(ObjectClass *klass,
                                              const char *typename,
                                              const char *file, int line)
{
    ObjectClass *ret = object_class_dynamic_cast(klass, typename);

    if (!ret && klass) {
        g_error("%s:%d: class '%s' is not a '%s'", file, line,
                klass->type->name, typename);
    }
    return ret;
}

Object *object_dynamic_cast(Object *obj, const char *typename)
{
    if (obj && object_class_dynamic_cast(obj->klass, typename)) {
        return obj;
    }
    return NULL;
}

Object *object_dynamic_cast_assert(Object *obj, const char *typename,
                                   const char *file, int line)
{
    if (obj && !object_class_dynamic_cast(obj->klass, typename)) {
        g_error("%s:%d: object of type '%s' is not a '%s'", file, line,
                object_get_typename(obj), typename);
    }
    return obj;
}

typedef struct {
    Type parent;
    bool include_abstract;
    GSList *list;
} ClassListState;

static void class_list_add(gpointer key, gpointer value, gpointer opaque)
{
    ClassListState *s = opaque;
    Type ti = value;

    type_initialize(ti);
    if (!s->include_abstract && ti->abstract) {
        return;
    }
    if (s->parent && !object_class_dynamic_cast(ti->klass, s->parent->name)) {
        return;
    }
    s->list = g_slist_prepend(s->list, ti->klass);
}

GSList *object_class_get_list(const char *parent, bool include_abstract)
{
    ClassListState s = {.include_abstract = include_abstract};

    if (parent) {
        s.parent = type_get_by_name(parent);
        if (!s.parent) {
            return NULL;
        }
    }
    /* Building a class may register nothing, but iterate a snapshot. */
    GList *types = g_hash_table_get_values(type_table_get());
    for (GList *l = types; l; l = l->next) {
        class_list_add(NULL, l->data, &s);
    }
    g_list_free(types);
    return s.list;
}

static gint class_name_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(object_class_get_name((ObjectClass *)a),
                  object_class_get_name((ObjectClass *)b));
}

GSList *object_class_get_list_sorted(const char *parent, bool include_abstract)
{
    return g_slist_sort(object_class_get_list(parent, include_abstract),
                        class_name_cmp);
}

void object_class_foreach(void (*fn)(ObjectClass *klass, void *opaque),
                          const char *parent, bool include_abstract,
                          void *opaque)
{
    GSList *list = object_class_get_list_sorted(parent, include_abstract);

    for (GSList *l = list; l; l = l->next) {
        fn(l->data, opaque);
    }
    g_slist_free(list);
}

/* ----------------------------------------------------------- lifecycle */

static void object_init_with_type(Object *obj, Type ti)
{
    Type parent = type_get_parent(ti);

    if (parent) {
        object_init_with_type(obj, parent);
    }
    if (ti->info->instance_init) {
        ti->info->instance_init(obj);
    }
}

static void object_post_init_with_type(Object *obj, Type ti)
{
    Type parent = type_get_parent(ti);

    if (parent) {
        object_post_init_with_type(obj, parent);
    }
    if (ti->info->instance_post_init) {
        ti->info->instance_post_init(obj);
    }
}

static void object_initialize_with_type(void *data, size_t size, Type ti)
{
    Object *obj = data;

    type_initialize(ti);
    g_assert(!ti->abstract);
    g_assert(size >= ti->instance_size);

    memset(obj, 0, ti->instance_size);
    obj->klass = ti->klass;
    obj->ref = 1;
    obj->properties = g_hash_table_new(g_str_hash, g_str_equal);
    object_init_with_type(obj, ti);
    object_post_init_with_type(obj, ti);
}

void object_initialize(void *data, size_t size, const char *typename)
{
    Type ti = type_get_by_name(typename);

    g_assert(ti);
    object_initialize_with_type(data, size, ti);
}

static Object *object_new_with_type(Type ti)
{
    type_initialize(ti);
    Object *obj = g_malloc(ti->instance_size);
    object_initialize_with_type(obj, ti->instance_size, ti);
    obj->free = g_free;
    return obj;
}

Object *object_new(const char *typename)
{
    Type ti = type_get_by_name(typename);

    if (!ti) {
        g_error("object_new: unknown type '%s'", typename);
    }
    return object_new_with_type(ti);
}

Object *object_new_with_errp(const char *typename, GError **errp)
{
    Type ti = type_get_by_name(typename);

    if (!ti) {
        error_setg(errp, "invalid object type: %s", typename);
        return NULL;
    }
    type_initialize(ti);
    if (ti->abstract) {
        error_setg(errp, "object type '%s' is abstract", typename);
        return NULL;
    }
    return object_new_with_type(ti);
}

static void object_finalize(Object *obj)
{
    g_assert(!obj->parent);

    object_property_del_all(obj);
    for (Type ti = obj->klass->type; ti; ti = type_get_parent(ti)) {
        if (ti->info->instance_finalize) {
            ti->info->instance_finalize(obj);
        }
    }
    g_hash_table_unref(obj->properties);
    obj->properties = NULL;
    if (obj->free) {
        obj->free(obj);
    }
}

Object *object_ref(void *opaque)
{
    Object *obj = opaque;

    if (obj) {
        g_assert(g_atomic_int_get(&obj->ref) > 0);
        g_atomic_int_inc(&obj->ref);
    }
    return obj;
}

void object_unref(void *opaque)
{
    Object *obj = opaque;

    if (!obj) {
        return;
    }
    g_assert(g_atomic_int_get(&obj->ref) > 0);
    if (g_atomic_int_dec_and_test(&obj->ref)) {
        object_finalize(obj);
    }
}

/* ------------------------------------------------------- built-in types */

static GVariant *object_get_type(Object *obj, ObjectProperty *prop,
                                 GError **errp)
{
    return g_variant_new_string(object_get_typename(obj));
}

static void object_class_init(ObjectClass *oc, void *data)
{
    object_class_property_add(oc, "type", "string", object_get_type, NULL, NULL,
                              NULL);
}

static const TypeInfo object_info = {
    .name = TYPE_OBJECT,
    .instance_size = sizeof(Object),
    .class_size = sizeof(ObjectClass),
    .class_init = object_class_init,
    .abstract = true,
};

static const TypeInfo interface_info = {
    .name = TYPE_INTERFACE,
    .class_size = sizeof(InterfaceClass),
    .abstract = true,
};

static const TypeInfo container_info = {
    .name = TYPE_CONTAINER,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(Object),
};

static void qom_register_types(void)
{
    type_register_static(&object_info);
    type_register_static(&interface_info);
    type_register_static(&container_info);
    user_creatable_register_types();
}
