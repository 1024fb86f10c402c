/*
 * The composition tree: containers, child<> naming ("[*]"), canonical
 * paths, absolute/partial/ambiguous resolution, links in paths, child
 * iteration order, unparent; user-creatable objects under /objects.
 */
#include "qom/object.h"
#include "qom/user-creatable.h"

#include <string.h>

#define TYPE_T_NODE "t-node"
#define TYPE_T_LEAFNODE "t-leafnode"
#define TYPE_T_SECRET "t-secret"
#define TYPE_T_PLAIN "t-plain"

typedef struct {
    Object parent;
    char *data;
    bool completed;
    bool in_use;
    Object *peer;
} TSecret;

static int secrets_finalized;

static char *secret_get_data(Object *obj, GError **errp)
{
    return g_strdup(((TSecret *)obj)->data);
}

static bool secret_set_data(Object *obj, const char *v, GError **errp)
{
    TSecret *s = (TSecret *)obj;

    g_free(s->data);
    s->data = g_strdup(v);
    return true;
}

static bool secret_complete(Object *obj, GError **errp)
{
    TSecret *s = (TSecret *)obj;

    if (!s->data) {
        g_set_error(errp, g_quark_from_static_string("test"), 1,
                    "'data' must be set");
        return false;
    }
    s->completed = true;
    return true;
}

static bool secret_can_be_deleted(Object *obj)
{
    return !((TSecret *)obj)->in_use;
}

static void secret_init(Object *obj)
{
    object_property_add_link(obj, "peer", TYPE_T_SECRET,
                             &((TSecret *)obj)->peer, NULL);
}

static void secret_finalize(Object *obj)
{
    g_free(((TSecret *)obj)->data);
    secrets_finalized++;
}

static void secret_class_init(ObjectClass *oc, void *data)
{
    UserCreatableClass *ucc = USER_CREATABLE_CLASS(oc);

    ucc->complete = secret_complete;
    ucc->can_be_deleted = secret_can_be_deleted;
    object_class_property_add_str(oc, "data", secret_get_data, secret_set_data);
    object_class_property_set_description(oc, "data", "the secret");
}

static const InterfaceInfo uc_ifaces[] = {{TYPE_USER_CREATABLE}, {NULL}};

static const TypeInfo test_types[] = {
    {
        .name = TYPE_T_NODE,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(Object),
    },
    {
        .name = TYPE_T_LEAFNODE,
        .parent = TYPE_T_NODE,
    },
    {
        .name = TYPE_T_SECRET,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(TSecret),
        .class_init = secret_class_init,
        .instance_init = secret_init,
        .instance_finalize = secret_finalize,
        .interfaces = uc_ifaces,
    },
    {
        .name = TYPE_T_PLAIN,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(Object),
    },
};

static Object *add_node(Object *parent, const char *name, const char *type)
{
    Object *obj = object_new(type);

    object_property_add_child(parent, name, obj);
    object_unref(obj);
    return obj;
}

static void test_containers_and_paths(void)
{
    Object *root = object_get_root();
    Object *periph = container_get(root, "/machine/peripheral");

    g_assert(container_get(root, "/machine/peripheral") == periph);
    g_assert(container_get(root, "machine//peripheral/") == periph);
    char *path = object_get_canonical_path(periph);
    g_assert_cmpstr(path, ==, "/machine/peripheral");
    g_free(path);
    path = object_get_canonical_path(root);
    g_assert_cmpstr(path, ==, "/");
    g_free(path);

    Object *foo = add_node(periph, "foo", TYPE_T_NODE);
    path = object_get_canonical_path(foo);
    g_assert_cmpstr(path, ==, "/machine/peripheral/foo");
    g_free(path);
    g_assert_cmpstr(object_get_canonical_path_component(foo), ==, "foo");

    /* A detached object has no path. */
    Object *lone = object_new(TYPE_T_NODE);
    g_assert_null(object_get_canonical_path(lone));
    object_unref(lone);

    g_assert(object_get_objects_root() == container_get(root, "/objects"));
    object_unparent(foo);
}

static void test_child_naming(void)
{
    Object *anon = container_get(object_get_root(), "/machine/anon");
    GError *err = NULL;

    Object *a = add_node(anon, "device[*]", TYPE_T_NODE);
    Object *b = add_node(anon, "device[*]", TYPE_T_NODE);
    g_assert_cmpstr(object_get_canonical_path_component(a), ==, "device[0]");
    g_assert_cmpstr(object_get_canonical_path_component(b), ==, "device[1]");
    object_unparent(a);
    Object *c = add_node(anon, "device[*]", TYPE_T_NODE);
    g_assert_cmpstr(object_get_canonical_path_component(c), ==, "device[0]");

    /* Duplicate names and double parenting are errors. */
    Object *d = object_new(TYPE_T_NODE);
    g_assert_null(object_property_try_add_child(anon, "device[1]", d, &err));
    g_assert_cmpstr(err->message, ==,
                    "attempt to add duplicate property "
                    "'device[1]' to object (type 'container')");
    g_clear_error(&err);
    g_assert_null(object_property_try_add_child(anon, "x", b, &err));
    g_assert_nonnull(err);
    g_clear_error(&err);
    object_unref(d);

    GVariant *v = object_property_get(anon, "device[1]", &err);
    g_assert_cmpstr(g_variant_get_string(v, NULL), ==,
                    "/machine/anon/device[1]");
    g_variant_unref(v);
    ObjectProperty *prop = object_property_find(anon, "device[1]");
    g_assert_cmpstr(prop->type, ==, "child<t-node>");
    /* child<> properties are read-only. */
    g_assert_false(object_property_parse(anon, "device[1]", "/x", &err));
    g_clear_error(&err);
    object_unparent(anon);
}

static void test_resolve(void)
{
    Object *root = object_get_root();
    Object *top = add_node(root, "rt", TYPE_T_NODE);
    Object *a = add_node(top, "a", TYPE_T_NODE);
    Object *b = add_node(top, "b", TYPE_T_NODE);
    Object *a_dev = add_node(a, "dev", TYPE_T_LEAFNODE);
    Object *b_dev = add_node(b, "dev", TYPE_T_NODE);
    Object *uniq = add_node(b, "unique-name", TYPE_T_NODE);
    bool ambiguous;

    g_assert(object_resolve_path("/rt/a/dev", &ambiguous) == a_dev);
    g_assert_false(ambiguous);
    g_assert(object_resolve_path("/", NULL) == root);
    g_assert_null(object_resolve_path("/rt/c", &ambiguous));
    g_assert_false(ambiguous);
    /* Partial paths. */
    g_assert(object_resolve_path("unique-name", &ambiguous) == uniq);
    g_assert(object_resolve_path("b/dev", &ambiguous) == b_dev);
    g_assert_false(ambiguous);
    g_assert_null(object_resolve_path("dev", &ambiguous));
    g_assert_true(ambiguous);
    /* A type narrows partial matches. */
    g_assert(object_resolve_path_type("dev", TYPE_T_LEAFNODE, &ambiguous) ==
             a_dev);
    g_assert_false(ambiguous);
    g_assert_null(object_resolve_path_type("/rt/b/dev", TYPE_T_LEAFNODE, NULL));
    g_assert_null(object_resolve_path("", NULL));
    g_assert_null(object_resolve_path("nothing-here", &ambiguous));
    g_assert_false(ambiguous);
    g_assert(object_resolve_path_component(top, "a") == a);

    /* Absolute paths follow links. */
    Object *s1 = add_node(b, "s", TYPE_T_SECRET);
    Object *s2 = add_node(a, "s2", TYPE_T_SECRET);
    g_assert_true(object_property_set_link(s1, "peer", s2, NULL));
    g_assert(object_resolve_path("/rt/b/s/peer", NULL) == s2);
    g_assert_true(object_property_parse(s1, "peer", "", NULL));
    g_assert_null(object_resolve_path("/rt/b/s/peer", NULL));

    object_unparent(top);
}

static int collect_name(Object *child, void *opaque)
{
    GString *s = opaque;

    g_string_append_printf(s, "%s ",
                           object_get_canonical_path_component(child));
    return 0;
}

static int stop_at_b(Object *child, void *opaque)
{
    return !strcmp(object_get_canonical_path_component(child), "b") ? 7 : 0;
}

static void test_child_iteration(void)
{
    Object *top = add_node(object_get_root(), "it", TYPE_T_NODE);
    Object *z = add_node(top, "z", TYPE_T_NODE);
    add_node(top, "b", TYPE_T_NODE);
    add_node(z, "zz", TYPE_T_NODE);
    add_node(top, "a", TYPE_T_NODE);
    GString *s = g_string_new(NULL);

    object_child_foreach(top, collect_name, s);
    g_assert_cmpstr(s->str, ==, "z b a "); /* creation order */
    g_string_truncate(s, 0);
    object_child_foreach_recursive(top, collect_name, s);
    g_assert_cmpstr(s->str, ==, "z zz b a ");
    g_assert_cmpint(object_child_foreach(top, stop_at_b, NULL), ==, 7);
    g_string_free(s, true);
    object_unparent(top);
}

static void test_info_qom_tree(void)
{
    Object *top = add_node(object_get_root(), "qt", TYPE_T_NODE);
    Object *a = add_node(top, "a", TYPE_T_NODE);
    add_node(a, "leaf", TYPE_T_LEAFNODE);
    add_node(top, "b", TYPE_T_NODE);
    GError *err = NULL;

    char *tree = object_info_qom_tree("/qt", &err);
    g_assert_no_error(err);
    g_assert_cmpstr(tree, ==,
                    "/qt (t-node)\n"
                    "  /a (t-node)\n"
                    "    /leaf (t-leafnode)\n"
                    "  /b (t-node)\n");
    g_free(tree);
    g_assert_null(object_info_qom_tree("/qt/nope", &err));
    g_assert_cmpstr(err->message, ==, "Path '/qt/nope' could not be resolved");
    g_clear_error(&err);
    object_unparent(top);
}

static GHashTable *opts_new(const char *first, ...)
{
    GHashTable *h = g_hash_table_new(g_str_hash, g_str_equal);
    va_list ap;

    va_start(ap, first);
    for (const char *k = first; k; k = va_arg(ap, const char *)) {
        g_hash_table_insert(h, (char *)k, va_arg(ap, char *));
    }
    va_end(ap);
    return h;
}

static void test_user_creatable(void)
{
    GError *err = NULL;
    GHashTable *opts = opts_new("qom-type", TYPE_T_SECRET, "id", "sec0", "data",
                                "letmein", NULL);
    Object *obj = user_creatable_add(opts, &err);
    g_hash_table_unref(opts);
    g_assert_no_error(err);
    g_assert_nonnull(obj);
    g_assert_true(((TSecret *)obj)->completed);
    g_assert(object_resolve_path("/objects/sec0", NULL) == obj);
    char *data = object_property_print(obj, "data", &err);
    g_assert_cmpstr(data, ==, "letmein");
    g_free(data);

    static const struct {
        const char *type, *id, *prop, *value, *error;
    } bad[] = {
        {NULL, "x", NULL, NULL, "Parameter 'qom-type' is missing"},
        {TYPE_T_SECRET, NULL, NULL, NULL, "Parameter 'id' is missing"},
        {"no-such", "x", NULL, NULL, "invalid object type: no-such"},
        {TYPE_T_PLAIN, "x", NULL, NULL,
         "object type 't-plain' isn't supported by object-add"},
        {TYPE_T_SECRET, "0bad", "data", "d",
         "Parameter 'id' expects an identifier"},
        {TYPE_T_SECRET, "sec0", "data", "d",
         "attempt to add duplicate property 'sec0' to object "
         "(type 'container')"},
        {TYPE_T_SECRET, "x", "nope", "1", "Property 't-secret.nope' not found"},
        {TYPE_T_SECRET, "x", NULL, NULL, "'data' must be set"},
        {TYPE_T_SECRET, "x", "peer", "/nowhere", "Device '/nowhere' not found"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        GHashTable *h = g_hash_table_new(g_str_hash, g_str_equal);
        if (bad[i].type) {
            g_hash_table_insert(h, "qom-type", (char *)bad[i].type);
        }
        if (bad[i].id) {
            g_hash_table_insert(h, "id", (char *)bad[i].id);
        }
        if (bad[i].prop) {
            g_hash_table_insert(h, (char *)bad[i].prop, (char *)bad[i].value);
        }
        g_assert_null(user_creatable_add(h, &err));
        g_assert_nonnull(err);
        g_assert_cmpstr(err->message, ==, bad[i].error);
        g_clear_error(&err);
        g_hash_table_unref(h);
    }
    g_assert_null(object_resolve_path("/objects/x", NULL));

    /* object-del */
    ((TSecret *)obj)->in_use = true;
    g_assert_false(user_creatable_del("sec0", &err));
    g_assert_cmpstr(err->message, ==,
                    "object 'sec0' is in use, can not be deleted");
    g_clear_error(&err);
    ((TSecret *)obj)->in_use = false;
    int before = secrets_finalized;
    g_assert_true(user_creatable_del("sec0", &err));
    g_assert_cmpint(secrets_finalized, ==, before + 1);
    g_assert_false(user_creatable_del("sec0", &err));
    g_assert_cmpstr(err->message, ==, "object 'sec0' not found");
    g_clear_error(&err);

    g_assert_null(user_creatable_add_type(TYPE_T_SECRET, "s1", NULL, &err));
    g_assert_cmpstr(err->message, ==, "'data' must be set");
    g_clear_error(&err);
    user_creatable_cleanup();
}

/* Random -object option sets: created or refused, never a crash. */
static void test_user_creatable_random(void)
{
    static const char *const keys[] = {"qom-type", "id",   "data",
                                       "peer",     "nope", "type"};
    static const char *const values[] = {
        "t-secret", "t-plain",     "t-node", "s1", "s2",   "0x",
        "",         "/objects/s1", "s1",     "/",  "x,,y", "user-creatable",
    };
    GError *err = NULL;

    for (int round = 0; round < 500; round++) {
        GHashTable *h = g_hash_table_new(g_str_hash, g_str_equal);
        int n = g_test_rand_int_range(0, 5);
        for (int i = 0; i < n; i++) {
            g_hash_table_insert(
                h, (char *)keys[g_test_rand_int_range(0, G_N_ELEMENTS(keys))],
                (char *)values[g_test_rand_int_range(0, G_N_ELEMENTS(values))]);
        }
        if (!user_creatable_add(h, &err)) {
            g_assert_nonnull(err);
            g_clear_error(&err);
        }
        g_hash_table_unref(h);
        if (round % 7 == 0) {
            user_creatable_del(values[g_test_rand_int_range(0, 6)], NULL);
        }
    }
    user_creatable_cleanup();
}

static void test_user_creatable_help(void)
{
    GError *err = NULL;
    char *list = user_creatable_help_list();

    g_assert_cmpstr(list, ==,
                    "List of user creatable objects:\n"
                    "  t-secret\n");
    g_free(list);
    char *help = user_creatable_help_type(TYPE_T_SECRET, &err);
    g_assert_cmpstr(help, ==,
                    "t-secret options:\n"
                    "  data=<str>             - the secret\n"
                    "  peer=<link<t-secret>>\n");
    g_free(help);
    g_assert_null(user_creatable_help_type(TYPE_T_PLAIN, &err));
    g_assert_cmpstr(err->message, ==, "invalid object type: t-plain");
    g_clear_error(&err);

    GHashTable *h = opts_new("qom-type", "help", NULL);
    g_assert_true(user_creatable_wants_help(h));
    g_hash_table_unref(h);
    h = opts_new("qom-type", TYPE_T_SECRET, "help", "", NULL);
    g_assert_true(user_creatable_wants_help(h));
    g_hash_table_unref(h);
    h = opts_new("qom-type", TYPE_T_SECRET, NULL);
    g_assert_false(user_creatable_wants_help(h));
    g_hash_table_unref(h);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    type_register_static_array(test_types, G_N_ELEMENTS(test_types));

    g_test_add_func("/qom/tree/containers-and-paths",
                    test_containers_and_paths);
    g_test_add_func("/qom/tree/child-naming", test_child_naming);
    g_test_add_func("/qom/tree/resolve", test_resolve);
    g_test_add_func("/qom/tree/child-iteration", test_child_iteration);
    g_test_add_func("/qom/tree/info-qom-tree", test_info_qom_tree);
    g_test_add_func("/qom/user-creatable/add-del", test_user_creatable);
    g_test_add_func("/qom/user-creatable/help", test_user_creatable_help);
    g_test_add_func("/qom/user-creatable/random", test_user_creatable_random);
    return g_test_run();
}
