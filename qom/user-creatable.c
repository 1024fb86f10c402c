/*
 * -object / object-add / object-del: user-creatable objects under /objects.
 */
#include "qom/user-creatable.h"
#include "qom/qom-internal.h"
#include "util/error.h"

#include <string.h>

static const TypeInfo user_creatable_info = {
    .name = TYPE_USER_CREATABLE,
    .parent = TYPE_INTERFACE,
    .class_size = sizeof(UserCreatableClass),
};

void user_creatable_register_types(void)
{
    type_register_static(&user_creatable_info);
}

/* QEMU's identifier rule: a letter, then letters, digits, '-', '.', '_'. */
static bool id_wellformed(const char *id)
{
    if (!g_ascii_isalpha(*id)) {
        return false;
    }
    for (const char *p = id + 1; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("-._", *p)) {
            return false;
        }
    }
    return true;
}

bool user_creatable_complete(Object *obj, GError **errp)
{
    ObjectClass *oc =
        object_class_dynamic_cast(object_get_class(obj), TYPE_USER_CREATABLE);
    UserCreatableClass *ucc = (UserCreatableClass *)oc;

    if (ucc && ucc->complete) {
        return ucc->complete(obj, errp);
    }
    return true;
}

static gint str_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

Object *user_creatable_add_type(const char *type, const char *id,
                                GHashTable *props, GError **errp)
{
    ObjectClass *klass = object_class_by_name(type);

    if (!klass) {
        error_setg(errp, "invalid object type: %s", type);
        return NULL;
    }
    if (!object_class_dynamic_cast(klass, TYPE_USER_CREATABLE)) {
        error_setg(errp, "object type '%s' isn't supported by object-add",
                   type);
        return NULL;
    }
    if (object_class_is_abstract(klass)) {
        error_setg(errp, "object type '%s' is abstract", type);
        return NULL;
    }
    if (!id || !id_wellformed(id)) {
        error_setg(errp, "Parameter 'id' expects an identifier");
        return NULL;
    }
    if (object_resolve_path_component(object_get_objects_root(), id)) {
        error_setg(errp,
                   "attempt to add duplicate property '%s' to object "
                   "(type 'container')",
                   id);
        return NULL;
    }

    Object *obj = object_new(type);
    if (props) {
        /* Sorted, so that errors and side effects are deterministic. */
        GPtrArray *keys = g_ptr_array_new();
        GHashTableIter it;
        gpointer key;
        g_hash_table_iter_init(&it, props);
        while (g_hash_table_iter_next(&it, &key, NULL)) {
            g_ptr_array_add(keys, key);
        }
        g_ptr_array_sort(keys, str_cmp);
        for (guint i = 0; i < keys->len; i++) {
            const char *name = keys->pdata[i];
            if (!object_property_parse(
                    obj, name, g_hash_table_lookup(props, name), errp)) {
                g_ptr_array_free(keys, true);
                object_unref(obj);
                return NULL;
            }
        }
        g_ptr_array_free(keys, true);
    }
    if (!object_property_try_add_child(object_get_objects_root(), id, obj,
                                       errp)) {
        object_unref(obj);
        return NULL;
    }
    if (!user_creatable_complete(obj, errp)) {
        object_unparent(obj);
        object_unref(obj);
        return NULL;
    }
    object_unref(obj); /* the tree holds it now */
    return obj;
}

Object *user_creatable_add(GHashTable *props, GError **errp)
{
    const char *type = g_hash_table_lookup(props, "qom-type");
    const char *id = g_hash_table_lookup(props, "id");

    if (!type) {
        error_setg(errp, "Parameter 'qom-type' is missing");
        return NULL;
    }
    if (!id) {
        error_setg(errp, "Parameter 'id' is missing");
        return NULL;
    }
    GHashTable *rest = g_hash_table_new(g_str_hash, g_str_equal);
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, props);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        if (strcmp(key, "qom-type") && strcmp(key, "id")) {
            g_hash_table_insert(rest, key, value);
        }
    }
    Object *obj = user_creatable_add_type(type, id, rest, errp);
    g_hash_table_unref(rest);
    return obj;
}

bool user_creatable_del(const char *id, GError **errp)
{
    Object *container = object_get_objects_root();
    Object *obj = object_resolve_path_component(container, id);

    if (!obj) {
        error_setg(errp, "object '%s' not found", id);
        return false;
    }
    ObjectClass *oc =
        object_class_dynamic_cast(object_get_class(obj), TYPE_USER_CREATABLE);
    UserCreatableClass *ucc = (UserCreatableClass *)oc;
    if (ucc && ucc->can_be_deleted && !ucc->can_be_deleted(obj)) {
        error_setg(errp, "object '%s' is in use, can not be deleted", id);
        return false;
    }
    object_unparent(obj);
    return true;
}

static int unparent_one(Object *obj, void *opaque)
{
    object_unparent(obj);
    return 0;
}

void user_creatable_cleanup(void)
{
    object_child_foreach(object_get_objects_root(), unparent_one, NULL);
}

char *user_creatable_help_list(void)
{
    GString *s = g_string_new("List of user creatable objects:\n");
    GSList *list = object_class_get_list_sorted(TYPE_USER_CREATABLE, false);

    for (GSList *l = list; l; l = l->next) {
        g_string_append_printf(s, "  %s\n", object_class_get_name(l->data));
    }
    g_slist_free(list);
    return g_string_free(s, false);
}

char *user_creatable_help_type(const char *type, GError **errp)
{
    ObjectClass *klass = object_class_by_name(type);

    if (!klass || !object_class_dynamic_cast(klass, TYPE_USER_CREATABLE) ||
        object_class_is_abstract(klass)) {
        error_setg(errp, "invalid object type: %s", type);
        return NULL;
    }
    /* Some properties only exist on instances: list those of one. */
    Object *obj = object_new(type);
    GPtrArray *props = object_property_list(obj);
    GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < props->len; i++) {
        ObjectProperty *prop = props->pdata[i];
        if (prop->set) {
            g_ptr_array_add(lines, object_property_help(prop));
        }
    }
    g_ptr_array_free(props, true);
    object_unref(obj);
    return object_help_text(type, lines);
}

bool user_creatable_wants_help(GHashTable *props)
{
    const char *type = g_hash_table_lookup(props, "qom-type");

    return g_hash_table_contains(props, "help") ||
           (type && (!strcmp(type, "help") || !strcmp(type, "?")));
}
