/* QObject types: refcounting, number kinds, dict order, equality, clone. */
#include "qobject/qobject.h"

static void test_dict_keeps_insertion_order(void)
{
    QDict *d = qdict_new();
    const char *keys[] = { "zeta", "alpha", "mid", "beta" };
    const QDictEntry *e;
    int i = 0;

    for (int k = 0; k < 4; k++) {
        qdict_put_int(d, keys[k], k);
    }
    qdict_put_str(d, "alpha", "replaced");  /* replace keeps position */
    qdict_del(d, "mid");
    qdict_put_bool(d, "mid", true);         /* re-add goes last */
    const char *want[] = { "zeta", "alpha", "beta", "mid" };
    for (e = qdict_first(d); e; e = qdict_next(d, e)) {
        g_assert_cmpstr(e->key, ==, want[i++]);
    }
    g_assert_cmpint(i, ==, 4);
    g_assert_cmpuint(qdict_size(d), ==, 4);
    g_assert_cmpstr(qdict_get_try_str(d, "alpha"), ==, "replaced");
    g_assert_true(qdict_get_try_bool(d, "mid", false));
    g_assert_cmpint(qdict_get_try_int(d, "zeta", -1), ==, 0);
    g_assert_cmpint(qdict_get_try_int(d, "nope", -1), ==, -1);
    qobject_unref(d);
}

static void test_number_kinds_do_not_mix(void)
{
    QNum *i = qnum_from_int(-5), *u = qnum_from_uint(UINT64_MAX);
    QNum *d = qnum_from_double(1.5);
    int64_t iv;
    uint64_t uv;

    g_assert_true(qnum_get_try_int(i, &iv) && iv == -5);
    g_assert_false(qnum_get_try_uint(i, &uv));
    g_assert_false(qnum_get_try_int(u, &iv));
    g_assert_true(qnum_get_try_uint(u, &uv) && uv == UINT64_MAX);
    g_assert_false(qnum_get_try_int(d, &iv));
    g_assert_cmpfloat(qnum_get_double(d), ==, 1.5);
    qobject_unref(i);
    qobject_unref(u);
    qobject_unref(d);
}

static void test_refcount_shared_value(void)
{
    QList *l = qlist_new();
    QString *s = qstring_from_str("x");

    qlist_append(l, qobject_ref(s));
    qlist_append(l, qobject_ref(s));
    g_assert_cmpuint(QOBJECT(s)->refcnt, ==, 3);
    qobject_unref(l);
    g_assert_cmpuint(QOBJECT(s)->refcnt, ==, 1);
    qobject_unref(s);
}

static void test_equal_and_clone(void)
{
    QDict *d = qdict_new();
    QList *l = qlist_new();

    qlist_append_int(l, 1);
    qlist_append_str(l, "two");
    qlist_append(l, qnull());
    qdict_put(d, "list", l);
    qdict_put_uint(d, "u", 7);
    QObject *c = qobject_clone(QOBJECT(d));
    g_assert_true(qobject_is_equal(c, QOBJECT(d)));
    qdict_put_int(qobject_to_qdict(c), "u", 7);     /* int 7 == uint 7 */
    g_assert_true(qobject_is_equal(c, QOBJECT(d)));
    qdict_put_int(qobject_to_qdict(c), "u", 8);
    g_assert_false(qobject_is_equal(c, QOBJECT(d)));
    g_assert_null(qobject_to_qlist(c));
    qobject_unref(c);
    qobject_unref(d);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qobject/dict-keeps-insertion-order",
                    test_dict_keeps_insertion_order);
    g_test_add_func("/qobject/number-kinds-do-not-mix",
                    test_number_kinds_do_not_mix);
    g_test_add_func("/qobject/refcount-shared-value",
                    test_refcount_shared_value);
    g_test_add_func("/qobject/equal-and-clone", test_equal_and_clone);
    return g_test_run();
}
