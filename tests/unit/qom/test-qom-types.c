/*
 * QOM type system: class_init order and class copying, interfaces and
 * casts, abstract/unknown types, class lists, reference counting and
 * finalize order.
 */
#include "qom/object.h"

#include <string.h>

static GString *events;

static void log_event(const char *what)
{
    if (events->len) {
        g_string_append_c(events, ',');
    }
    g_string_append(events, what);
}

/* --- a small hierarchy: base (abstract) <- mid <- leaf; iface on mid --- */

#define TYPE_T_BASE "t-base"
#define TYPE_T_MID "t-mid"
#define TYPE_T_LEAF "t-leaf"
#define TYPE_T_IFACE "t-iface"
#define TYPE_T_IFACE2 "t-iface2"

typedef struct {
    Object parent;
    int base_val;
} TBase;

typedef struct {
    TBase parent;
    int mid_val;
} TMid;

typedef struct {
    TMid parent;
    int leaf_val;
} TLeaf;

typedef struct {
    ObjectClass parent;
    int base_class_val;
    const char *who;
    int base_init_runs;
} TBaseClass;

typedef struct {
    TBaseClass parent;
    int mid_class_val;
} TMidClass;

typedef struct {
    InterfaceClass parent;
    const char *(*hello)(Object *obj);
} TIfaceClass;

static const char *mid_hello(Object *obj)
{
    return "mid";
}

static const char *leaf_hello(Object *obj)
{
    return "leaf";
}

static void base_class_init(ObjectClass *oc, void *data)
{
    TBaseClass *bc = (TBaseClass *)oc;

    log_event("class:base");
    bc->base_class_val = 11;
    bc->who = "base";
}

static void base_class_base_init(ObjectClass *oc, void *data)
{
    TBaseClass *bc = (TBaseClass *)oc;

    bc->base_init_runs++;
    bc->who = "reset-by-base-init";
}

static void mid_class_init(ObjectClass *oc, void *data)
{
    TMidClass *mc = (TMidClass *)oc;
    TIfaceClass *ic = OBJECT_CLASS_CHECK(TIfaceClass, oc, TYPE_T_IFACE);

    log_event("class:mid");
    mc->mid_class_val = 22;
    ic->hello = mid_hello;
}

static void leaf_class_init(ObjectClass *oc, void *data)
{
    log_event("class:leaf");
    g_assert_cmpstr(((TBaseClass *)oc)->who, ==, "reset-by-base-init");
    /* Inherited interface method is there before we override it. */
    TIfaceClass *ic = OBJECT_CLASS_CHECK(TIfaceClass, oc, TYPE_T_IFACE);
    g_assert(ic->hello == mid_hello);
    ic->hello = leaf_hello;
}

static void base_init(Object *obj)
{
    log_event("init:base");
    ((TBase *)obj)->base_val = 1;
}

static void mid_init(Object *obj)
{
    log_event("init:mid");
    g_assert_cmpint(((TBase *)obj)->base_val, ==, 1);
    ((TMid *)obj)->mid_val = 2;
}

static void leaf_init(Object *obj)
{
    log_event("init:leaf");
    ((TLeaf *)obj)->leaf_val = 3;
}

static void leaf_post_init(Object *obj)
{
    log_event("post:leaf");
}

static int finalize_count[3];

static void base_finalize(Object *obj)
{
    finalize_count[0]++;
    log_event("fin:base");
}

static void mid_finalize(Object *obj)
{
    finalize_count[1]++;
    log_event("fin:mid");
}

static void leaf_finalize(Object *obj)
{
    finalize_count[2]++;
    log_event("fin:leaf");
}

static const InterfaceInfo mid_ifaces[] = {{TYPE_T_IFACE}, {NULL}};

static const InterfaceInfo leaf_ifaces[] = {{TYPE_T_IFACE2}, {NULL}};

static const TypeInfo test_types[] = {
    {
        .name = TYPE_T_IFACE,
        .parent = TYPE_INTERFACE,
        .class_size = sizeof(TIfaceClass),
    },
    {
        .name = TYPE_T_IFACE2,
        .parent = TYPE_INTERFACE,
    },
    {
        .name = TYPE_T_BASE,
        .parent = TYPE_OBJECT,
        .abstract = true,
        .instance_size = sizeof(TBase),
        .class_size = sizeof(TBaseClass),
        .class_init = base_class_init,
        .class_base_init = base_class_base_init,
        .instance_init = base_init,
        .instance_finalize = base_finalize,
    },
    {
        .name = TYPE_T_MID,
        .parent = TYPE_T_BASE,
        .instance_size = sizeof(TMid),
        .class_size = sizeof(TMidClass),
        .class_init = mid_class_init,
        .instance_init = mid_init,
        .instance_finalize = mid_finalize,
        .interfaces = mid_ifaces,
    },
    {
        .name = TYPE_T_LEAF,
        .parent = TYPE_T_MID,
        .instance_size = sizeof(TLeaf),
        .class_init = leaf_class_init,
        .instance_init = leaf_init,
        .instance_post_init = leaf_post_init,
        .instance_finalize = leaf_finalize,
        .interfaces = leaf_ifaces,
    },
};

static void test_class_init_order_and_copy(void)
{
    g_string_truncate(events, 0);
    ObjectClass *oc = object_class_by_name(TYPE_T_LEAF);
    g_assert_nonnull(oc);
    /* Parents' classes are built first; each class_init once. */
    g_assert_cmpstr(events->str, ==, "class:base,class:mid,class:leaf");
    TMidClass *mc = (TMidClass *)oc;
    g_assert_cmpint(mc->parent.base_class_val, ==, 11);
    g_assert_cmpint(mc->mid_class_val, ==, 22);
    /* class_base_init ran for mid and for leaf, not for base itself. */
    g_assert_cmpint(
        ((TBaseClass *)object_class_by_name(TYPE_T_MID))->base_init_runs, ==,
        1);
    g_assert_cmpint(((TBaseClass *)oc)->base_init_runs, ==, 2);
    g_assert_cmpstr(((TBaseClass *)object_class_by_name(TYPE_T_BASE))->who, ==,
                    "base");

    g_string_truncate(events, 0);
    object_class_by_name(TYPE_T_LEAF);
    g_assert_cmpstr(events->str, ==, "");
    g_assert_cmpstr(object_class_get_name(object_class_get_parent(oc)), ==,
                    TYPE_T_MID);
}

static void test_instance_init_order(void)
{
    g_string_truncate(events, 0);
    Object *obj = object_new(TYPE_T_LEAF);
    g_assert_cmpstr(events->str, ==, "init:base,init:mid,init:leaf,post:leaf");
    TLeaf *leaf = (TLeaf *)obj;
    g_assert_cmpint(leaf->parent.parent.base_val, ==, 1);
    g_assert_cmpint(leaf->parent.mid_val, ==, 2);
    g_assert_cmpint(leaf->leaf_val, ==, 3);
    g_assert_cmpstr(object_get_typename(obj), ==, TYPE_T_LEAF);
    object_unref(obj);
}

static void test_interfaces_and_casts(void)
{
    Object *leaf = object_new(TYPE_T_LEAF);
    Object *mid = object_new(TYPE_T_MID);

    g_assert(object_dynamic_cast(leaf, TYPE_T_BASE) == leaf);
    g_assert(object_dynamic_cast(leaf, TYPE_T_IFACE) == leaf);
    g_assert(object_dynamic_cast(leaf, TYPE_T_IFACE2) == leaf);
    g_assert(object_dynamic_cast(leaf, TYPE_INTERFACE) == leaf);
    g_assert(object_dynamic_cast(mid, TYPE_T_IFACE2) == NULL);
    g_assert(object_dynamic_cast(mid, TYPE_T_LEAF) == NULL);
    g_assert(object_dynamic_cast(mid, "no-such-type") == NULL);
    g_assert(object_dynamic_cast(NULL, TYPE_T_MID) == NULL);

    TIfaceClass *lic = OBJECT_GET_CLASS(TIfaceClass, leaf, TYPE_T_IFACE);
    TIfaceClass *mic = OBJECT_GET_CLASS(TIfaceClass, mid, TYPE_T_IFACE);
    g_assert_cmpstr(lic->hello(leaf), ==, "leaf");
    g_assert_cmpstr(mic->hello(mid), ==, "mid");
    g_assert(lic->parent.concrete_class == object_get_class(leaf));
    /* Casting the interface class to itself works (class check of it). */
    g_assert(
        object_class_dynamic_cast(&lic->parent.parent_class, TYPE_T_IFACE) ==
        &lic->parent.parent_class);

    TMid *m = OBJECT_CHECK(TMid, leaf, TYPE_T_MID);
    g_assert_cmpint(m->mid_val, ==, 2);
    object_unref(leaf);
    object_unref(mid);
}

/* A wrong OBJECT_CHECK is a programmer error: it aborts. */
static void test_bad_cast_aborts(void)
{
    if (g_test_subprocess()) {
        Object *mid = object_new(TYPE_T_MID);
        OBJECT_CHECK(TLeaf, mid, TYPE_T_LEAF);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDIN);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*is not a 't-leaf'*");
}

static void test_new_with_errp(void)
{
    static const struct {
        const char *type;
        const char *error;
    } cases[] = {
        {TYPE_T_BASE, "object type 't-base' is abstract"},
        {"no-such-type", "invalid object type: no-such-type"},
        {TYPE_T_IFACE, "object type 't-iface' is abstract"},
        {TYPE_OBJECT, "object type 'object' is abstract"},
        {TYPE_T_MID, NULL},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        GError *err = NULL;
        Object *obj = object_new_with_errp(cases[i].type, &err);
        if (cases[i].error) {
            g_assert_null(obj);
            g_assert_nonnull(err);
            g_assert_cmpstr(err->message, ==, cases[i].error);
            g_error_free(err);
        } else {
            g_assert_no_error(err);
            g_assert_nonnull(obj);
            object_unref(obj);
        }
    }
}

static void test_class_list(void)
{
    GSList *all = object_class_get_list_sorted(TYPE_T_BASE, true);
    GSList *concrete = object_class_get_list_sorted(TYPE_T_BASE, false);
    GSList *impl = object_class_get_list(TYPE_T_IFACE, false);

    g_assert_cmpint(g_slist_length(all), ==, 3);
    g_assert_cmpstr(object_class_get_name(all->data), ==, TYPE_T_BASE);
    g_assert_cmpint(g_slist_length(concrete), ==, 2);
    g_assert_cmpstr(object_class_get_name(concrete->data), ==, TYPE_T_LEAF);
    g_assert_cmpstr(object_class_get_name(concrete->next->data), ==,
                    TYPE_T_MID);
    /* Interface implementers are listed by interface name. */
    g_assert_cmpint(g_slist_length(impl), ==, 2);
    g_assert_null(object_class_get_list("no-such-type", true));
    g_slist_free(all);
    g_slist_free(concrete);
    g_slist_free(impl);
}

static void test_refcount_and_finalize_order(void)
{
    memset(finalize_count, 0, sizeof(finalize_count));
    Object *obj = object_new(TYPE_T_LEAF);
    g_assert_cmpint(obj->ref, ==, 1);
    object_ref(obj);
    object_ref(obj);
    object_unref(obj);
    object_unref(obj);
    g_assert_cmpint(finalize_count[2], ==, 0);

    g_string_truncate(events, 0);
    object_unref(obj);
    g_assert_cmpstr(events->str, ==, "fin:leaf,fin:mid,fin:base");
    g_assert_cmpint(finalize_count[0], ==, 1);
    g_assert_cmpint(finalize_count[1], ==, 1);
    g_assert_cmpint(finalize_count[2], ==, 1);

    /* A child keeps its parent's reference; unparent releases it. */
    memset(finalize_count, 0, sizeof(finalize_count));
    Object *parent = object_new(TYPE_T_MID);
    Object *child = object_new(TYPE_T_LEAF);
    object_property_add_child(parent, "kid", child);
    object_unref(child);
    g_assert_cmpint(finalize_count[2], ==, 0);
    g_assert(child->parent == parent);
    object_unref(parent); /* finalizing parent drops the child */
    g_assert_cmpint(finalize_count[2], ==, 1);
    g_assert_cmpint(finalize_count[1], ==, 2);
}

static gpointer ref_worker(gpointer opaque)
{
    for (int i = 0; i < 20000; i++) {
        object_ref(opaque);
        object_unref(opaque);
    }
    return NULL;
}

static void test_ref_from_threads(void)
{
    memset(finalize_count, 0, sizeof(finalize_count));
    Object *obj = object_new(TYPE_T_LEAF);
    GThread *threads[4];

    for (int i = 0; i < 4; i++) {
        threads[i] = g_thread_new("ref", ref_worker, obj);
    }
    for (int i = 0; i < 4; i++) {
        g_thread_join(threads[i]);
    }
    g_assert_cmpint(obj->ref, ==, 1);
    g_assert_cmpint(finalize_count[2], ==, 0);
    object_unref(obj);
    g_assert_cmpint(finalize_count[2], ==, 1);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    events = g_string_new(NULL);
    type_register_static_array(test_types, G_N_ELEMENTS(test_types));

    g_test_add_func("/qom/types/class-init-order-and-copy",
                    test_class_init_order_and_copy);
    g_test_add_func("/qom/types/instance-init-order", test_instance_init_order);
    g_test_add_func("/qom/types/interfaces-and-casts",
                    test_interfaces_and_casts);
    g_test_add_func("/qom/types/bad-cast-aborts", test_bad_cast_aborts);
    g_test_add_func("/qom/types/new-with-errp", test_new_with_errp);
    g_test_add_func("/qom/types/class-list", test_class_list);
    g_test_add_func("/qom/types/refcount-and-finalize-order",
                    test_refcount_and_finalize_order);
    g_test_add_func("/qom/types/ref-from-threads", test_ref_from_threads);
    return g_test_run();
}
