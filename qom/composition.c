/*
 * The composition tree: child<> and link<> properties, canonical paths,
 * path resolution (absolute and partial, as QEMU resolves them), the root
 * object and its containers.
 */
#include "qom/object.h"
#include "qom/qom-internal.h"
#include "util/error.h"

#include <string.h>

static Object *root_object;

Object *object_get_root(void)
{
    if (!root_object) {
        root_object = object_new(TYPE_CONTAINER);
    }
    return root_object;
}

Object *object_get_objects_root(void)
{
    return container_get(object_get_root(), "/objects");
}

Object *container_get(Object *root, const char *path)
{
    char **parts = g_strsplit(path, "/", -1);
    Object *obj = root;

    for (int i = 0; parts[i]; i++) {
        if (!*parts[i]) {
            continue;
        }
        Object *child = object_resolve_path_component(obj, parts[i]);
        if (!child) {
            child = object_new(TYPE_CONTAINER);
            object_property_add_child(obj, parts[i], child);
            object_unref(child);
        }
        obj = child;
    }
    g_strfreev(parts);
    return obj;
}

/* -------------------------------------------------------------- child<> */

static GVariant *child_get(Object *obj, ObjectProperty *prop, GError **errp)
{
    Object *child = prop->opaque;
    char *path = object_get_canonical_path(child);
    GVariant *v = g_variant_new_string(path ? path : "");

    g_free(path);
    return v;
}

static void child_release(Object *obj, ObjectProperty *prop)
{
    Object *child = prop->opaque;

    if (child->klass->unparent) {
        child->klass->unparent(child);
    }
    child->parent = NULL;
    g_free(child->parent_prop);
    child->parent_prop = NULL;
    object_unref(child);
}

ObjectProperty *object_property_try_add_child(Object *obj, const char *name,
                                              Object *child, GError **errp)
{
    char *real_name = NULL;

    if (child->parent) {
        error_setg(errp, "object '%s' already has a parent",
                   child->parent_prop);
        return NULL;
    }
    if (g_str_has_suffix(name, "[*]")) {
        size_t base_len = strlen(name) - 3;
        for (unsigned i = 0;; i++) {
            real_name = g_strdup_printf("%.*s[%u]", (int)base_len, name, i);
            if (!object_property_find(obj, real_name)) {
                break;
            }
            g_free(real_name);
        }
    } else {
        real_name = g_strdup(name);
    }

    char *type = g_strdup_printf("child<%s>", object_get_typename(child));
    ObjectProperty *prop = object_property_try_add(
        obj, real_name, type, child_get, NULL, child_release, child, errp);
    g_free(type);
    if (prop) {
        object_ref(child);
        child->parent = obj;
        child->parent_prop = g_strdup(real_name);
    }
    g_free(real_name);
    return prop;
}

ObjectProperty *object_property_add_child(Object *obj, const char *name,
                                          Object *child)
{
    GError *err = NULL;
    ObjectProperty *prop =
        object_property_try_add_child(obj, name, child, &err);
    if (!prop) {
        g_error("%s", err->message);
    }
    return prop;
}

bool object_move_children(Object *from, Object *to, GError **errp)
{
    GPtrArray *moving = g_ptr_array_new();
    GHashTableIter it;
    gpointer value;

    g_hash_table_iter_init(&it, from->properties);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        ObjectProperty *prop = value;
        if (prop->kind != OBJ_PROP_CHILD || !prop->opaque) {
            continue;
        }
        if (object_property_find(to, prop->name)) {
            error_setg(errp,
                       "attempt to add duplicate property '%s' to "
                       "object (type '%s')",
                       prop->name, object_get_typename(to));
            g_ptr_array_free(moving, true);
            return false;
        }
        g_ptr_array_add(moving, prop);
    }
    for (guint i = 0; i < moving->len; i++) {
        ObjectProperty *prop = moving->pdata[i];
        Object *child = prop->opaque;
        g_hash_table_steal(from->properties, prop->name);
        g_hash_table_insert(to->properties, prop->name, prop);
        child->parent = to;
    }
    g_ptr_array_free(moving, true);
    return true;
}

void object_unparent(Object *obj)
{
    if (obj->parent) {
        /* child_release runs the unparent hook and drops the reference. */
        object_property_del(obj->parent, obj->parent_prop);
    }
}

static bool is_child_prop(ObjectProperty *prop)
{
    return prop->kind == OBJ_PROP_CHILD && prop->opaque &&
           g_str_has_prefix(prop->type, "child<");
}

/* --------------------------------------------------------------- link<> */

typedef struct {
    Object **targetp;
    char *target_type;
    bool (*check)(Object *obj, const char *name, Object *target, GError **errp);
} LinkProp;

Object *object_resolve_link(const char *prop_name, const char *target_type,
                            const char *path, GError **errp)
{
    bool ambiguous = false;
    Object *target = object_resolve_path_type(path, target_type, &ambiguous);

    if (ambiguous) {
        error_setg(errp, "Path '%s' does not uniquely identify an object",
                   path);
        return NULL;
    }
    if (!target) {
        target = object_resolve_path(path, &ambiguous);
        if (target || ambiguous) {
            error_setg(errp, "Invalid parameter type for '%s', expected: %s",
                       prop_name, target_type);
        } else {
            error_set(errp, KVMU_ERROR_DEVICE_NOT_FOUND,
                      "Device '%s' not found", path);
        }
        return NULL;
    }
    return target;
}

static GVariant *link_get(Object *obj, ObjectProperty *prop, GError **errp)
{
    LinkProp *lp = prop->opaque;
    char *path = *lp->targetp ? object_get_canonical_path(*lp->targetp) : NULL;
    GVariant *v = g_variant_new_string(path ? path : "");

    g_free(path);
    return v;
}

static bool link_set(Object *obj, ObjectProperty *prop, GVariant *value,
                     GError **errp)
{
    LinkProp *lp = prop->opaque;
    const char *path = g_variant_get_string(value, NULL);
    Object *target = NULL;

    if (*path) {
        target = object_resolve_link(prop->name, lp->target_type, path, errp);
        if (!target) {
            return false;
        }
    }
    if (lp->check && !lp->check(obj, prop->name, target, errp)) {
        return false;
    }
    Object *old = *lp->targetp;
    *lp->targetp = object_ref(target);
    object_unref(old);
    return true;
}

static void link_release(Object *obj, ObjectProperty *prop)
{
    LinkProp *lp = prop->opaque;
    Object *old = *lp->targetp;

    *lp->targetp = NULL;
    object_unref(old);
    g_free(lp->target_type);
    g_free(lp);
}

ObjectProperty *object_property_add_link(
    Object *obj, const char *name, const char *type, Object **targetp,
    bool (*check)(Object *obj, const char *name, Object *target, GError **errp))
{
    LinkProp *lp = g_new0(LinkProp, 1);
    char *full_type = g_strdup_printf("link<%s>", type);

    lp->targetp = targetp;
    lp->target_type = g_strdup(type);
    lp->check = check;
    ObjectProperty *prop = object_property_add(obj, name, full_type, link_get,
                                               link_set, link_release, lp);
    g_free(full_type);
    return prop;
}

/* ----------------------------------------------------------------- paths */

const char *object_get_canonical_path_component(Object *obj)
{
    return obj->parent ? obj->parent_prop : NULL;
}

char *object_get_canonical_path(Object *obj)
{
    Object *root = object_get_root();
    GPtrArray *parts = g_ptr_array_new();
    char *ret = NULL;

    while (obj != root) {
        if (!obj->parent) {
            goto out; /* detached */
        }
        g_ptr_array_add(parts, obj->parent_prop);
        obj = obj->parent;
    }
    if (!parts->len) {
        ret = g_strdup("/");
        goto out;
    }
    GString *s = g_string_new(NULL);
    for (guint i = parts->len; i-- > 0;) {
        g_string_append_c(s, '/');
        g_string_append(s, parts->pdata[i]);
    }
    ret = g_string_free(s, false);
out:
    g_ptr_array_free(parts, true);
    return ret;
}

Object *object_resolve_path_component(Object *parent, const char *part)
{
    ObjectProperty *prop = object_property_find(parent, part);

    if (!prop) {
        return NULL;
    }
    if (prop->kind == OBJ_PROP_CHILD && is_child_prop(prop)) {
        return prop->opaque;
    }
    if (prop->kind == OBJ_PROP_LINK && prop->get) {
        GVariant *v = prop->get(parent, prop, NULL);
        Object *target = NULL;
        if (v) {
            g_variant_ref_sink(v);
            const char *path = g_variant_get_string(v, NULL);
            /* A link's value is its target's canonical (absolute) path. */
            if (*path == '/') {
                target = object_resolve_path(path, NULL);
            }
            g_variant_unref(v);
        }
        return target;
    }
    return NULL;
}

static Object *resolve_abs(Object *parent, char **parts, const char *typename)
{
    Object *obj = parent;

    for (int i = 0; parts[i] && obj; i++) {
        obj = object_resolve_path_component(obj, parts[i]);
    }
    if (!obj || (typename && !object_dynamic_cast(obj, typename))) {
        return NULL;
    }
    return obj;
}

static Object *resolve_partial(Object *parent, char **parts,
                               const char *typename, bool *ambiguous)
{
    Object *found = resolve_abs(parent, parts, typename);
    GHashTableIter it;
    gpointer value;

    g_hash_table_iter_init(&it, parent->properties);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        ObjectProperty *prop = value;
        if (!is_child_prop(prop)) {
            continue;
        }
        Object *hit = resolve_partial(prop->opaque, parts, typename, ambiguous);
        if (*ambiguous) {
            return NULL;
        }
        if (hit) {
            if (found && found != hit) {
                *ambiguous = true;
                return NULL;
            }
            found = hit;
        }
    }
    return found;
}

Object *object_resolve_path_type(const char *path, const char *typename,
                                 bool *ambiguous)
{
    bool dummy = false;
    Object *obj;

    if (!ambiguous) {
        ambiguous = &dummy;
    }
    *ambiguous = false;
    if (!path) {
        return NULL;
    }
    /* Split, dropping empty components ("/a//b/" == "/a/b"). */
    char **raw = g_strsplit(path, "/", -1);
    GPtrArray *parts = g_ptr_array_new();
    for (int i = 0; raw[i]; i++) {
        if (*raw[i]) {
            g_ptr_array_add(parts, raw[i]);
        }
    }
    g_ptr_array_add(parts, NULL);

    if (path[0] == '/') {
        obj = resolve_abs(object_get_root(), (char **)parts->pdata, typename);
    } else if (parts->len == 1) {
        obj = NULL; /* empty partial path */
    } else {
        obj = resolve_partial(object_get_root(), (char **)parts->pdata,
                              typename, ambiguous);
    }
    g_ptr_array_free(parts, true);
    g_strfreev(raw);
    return obj;
}

Object *object_resolve_path(const char *path, bool *ambiguous)
{
    return object_resolve_path_type(path, TYPE_OBJECT, ambiguous);
}

/* ------------------------------------------------------------- iteration */

static gint child_seq_cmp(gconstpointer a, gconstpointer b)
{
    const ObjectProperty *pa = *(ObjectProperty *const *)a;
    const ObjectProperty *pb = *(ObjectProperty *const *)b;

    return pa->seq < pb->seq ? -1 : pa->seq > pb->seq;
}

/* Children in the order they were added; references held by the caller. */
static GPtrArray *children_snapshot(Object *obj)
{
    GPtrArray *props = g_ptr_array_new();
    GHashTableIter it;
    gpointer value;

    g_hash_table_iter_init(&it, obj->properties);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        if (is_child_prop(value)) {
            g_ptr_array_add(props, value);
        }
    }
    g_ptr_array_sort(props, child_seq_cmp);
    GPtrArray *children = g_ptr_array_new_with_free_func(object_unref);
    for (guint i = 0; i < props->len; i++) {
        ObjectProperty *prop = props->pdata[i];
        g_ptr_array_add(children, object_ref(prop->opaque));
    }
    g_ptr_array_free(props, true);
    return children;
}

static int child_foreach(Object *obj, int (*fn)(Object *child, void *opaque),
                         void *opaque, bool recurse)
{
    GPtrArray *children = children_snapshot(obj);
    int ret = 0;

    for (guint i = 0; i < children->len && !ret; i++) {
        Object *child = children->pdata[i];
        ret = fn(child, opaque);
        if (!ret && recurse) {
            ret = child_foreach(child, fn, opaque, true);
        }
    }
    g_ptr_array_free(children, true);
    return ret;
}

int object_child_foreach(Object *obj, int (*fn)(Object *child, void *opaque),
                         void *opaque)
{
    return child_foreach(obj, fn, opaque, false);
}

int object_child_foreach_recursive(Object *obj,
                                   int (*fn)(Object *child, void *opaque),
                                   void *opaque)
{
    return child_foreach(obj, fn, opaque, true);
}

/* ------------------------------------------------------------- qom-tree */

typedef struct {
    GString *out;
    int indent;
} TreePrint;

static int tree_print_one(Object *obj, void *opaque)
{
    TreePrint *tp = opaque;

    g_string_append_printf(tp->out, "%*s/%s (%s)\n", tp->indent, "",
                           object_get_canonical_path_component(obj),
                           object_get_typename(obj));
    tp->indent += 2;
    object_child_foreach(obj, tree_print_one, tp);
    tp->indent -= 2;
    return 0;
}

char *object_info_qom_tree(const char *path, GError **errp)
{
    bool ambiguous = false;
    const char *p = path ? path : "/machine";
    Object *obj = object_resolve_path(p, &ambiguous);

    if (!obj) {
        if (ambiguous) {
            error_setg(errp, "Path '%s' is ambiguous", p);
        } else {
            error_setg(errp, "Path '%s' could not be resolved", p);
        }
        return NULL;
    }
    TreePrint tp = {g_string_new(NULL), 2};
    const char *name = object_get_canonical_path_component(obj);
    g_string_append_printf(tp.out, "/%s (%s)\n", name ? name : "",
                           object_get_typename(obj));
    object_child_foreach(obj, tree_print_one, &tp);
    return g_string_free(tp.out, false);
}
