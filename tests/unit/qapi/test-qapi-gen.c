/*
 * The QAPI generator end to end, on tests/unit/qapi/qapi-schema-test.json:
 * generated types and free functions, strict input visiting with QEMU's
 * error texts (table), output visiting, command dispatch, events and the
 * introspection value.
 */
#include "test-qapi-commands.h"
#include "test-qapi-events.h"
#include "test-qapi-visit.h"
#include "qobject/json.h"

#include <string.h>

extern const char test_qmp_schema_json[];

/* ---- implementations of the test schema's commands ---- */

SubThing *qmp_sub_thing(GError **errp)
{
    SubThing *t = g_new0(SubThing, 1);
    intList *e = g_new0(intList, 1);

    t->n = UINT64_MAX;
    e->value = -3;
    t->list = e;
    return t;
}

Point *qmp_echo_point(Point *p, bool has_count, int64_t count, GError **errp)
{
    Point *r = g_new0(Point, 1);

    r->x = p->x * (has_count ? count : 1);
    r->y = p->y;
    r->label = g_strdup(p->label);
    return r;
}

PixelList *qmp_list_pixels(int64_t x, int64_t y, const char *label,
                           GError **errp)
{
    PixelList *l = g_new0(PixelList, 1);

    l->value = g_new0(Pixel, 1);
    l->value->x = x;
    l->value->y = y;
    l->value->colour = COLOUR_GREEN;
    l->value->has_alpha = true;
    l->value->alpha = 255;
    return l;
}

char *qmp_draw(Figure *arg, GError **errp)
{
    if (arg->kind == SHAPE_KIND_CIRCLE) {
        return g_strdup_printf("circle r=%u", arg->u.circle.radius);
    }
    return g_strdup_printf("square s=%d filled=%d", arg->u.square.side,
                           arg->u.square.has_filled && arg->u.square.filled);
}

void qmp_ping(GError **errp)
{
}

int64_t qmp_pick(IntOrPoint *v, bool has_c, Colour c, GError **errp)
{
    switch (v->type) {
    case QTYPE_QNUM:
        return v->u.i;
    case QTYPE_QDICT:
        return v->u.p->x + v->u.p->y;
    default:
        return (int64_t)strlen(v->u.s);
    }
}

void qmp_old_cmd(GError **errp)
{
    error_set(errp, KVMU_ERROR_DEVICE_NOT_FOUND, "Device 'old' not found");
}

Conditional *qmp_cond_cmd(int64_t a, bool has_b, Colour b, GError **errp)
{
    Conditional *c = g_new0(Conditional, 1);

    c->a = a + 1;
    c->has_b = has_b;
    c->b = b;
    return c;
}

static int fire_count;
void qmp_fire_and_forget(GError **errp)
{
    fire_count++;
}

/* ---- helpers ---- */

static QmpCommandList cmds;

static char *run(const char *request)
{
    GError *err = NULL;
    QObject *req = qobject_from_json(request, &err);
    g_assert_no_error(err);
    QDict *rsp = qmp_dispatch(&cmds, req, true, NULL);
    char *out = rsp ? qobject_to_json(QOBJECT(rsp)) : g_strdup("(none)");
    qobject_unref(rsp);
    qobject_unref(req);
    return out;
}

static void check(const char *request, const char *want)
{
    char *got = run(request);
    if (strcmp(got, want)) {
        g_test_message("request %s\n  expected %s\n  got      %s", request,
                       want, got);
        g_test_fail();
    }
    g_free(got);
}

/* ---- tests ---- */

static void test_dispatch_returns(void)
{
    check("{'execute': 'echo-point', 'arguments': "
          "{'p': {'x': 2, 'y': 3, 'label': 'a'}, 'count': 5}, 'id': [1]}",
          "{\"return\": {\"x\": 10, \"y\": 3, \"label\": \"a\"}, "
          "\"id\": [1]}");
    check("{'execute': 'list-pixels', 'arguments': {'x': 1, 'y': 2}}",
          "{\"return\": [{\"x\": 1, \"y\": 2, \"colour\": \"green\", "
          "\"alpha\": 255}]}");
    check("{'execute': 'sub-thing'}",
          "{\"return\": {\"n\": 18446744073709551615, \"list\": [-3]}}");
    check("{'execute': 'draw', 'arguments': {'kind': 'circle', 'radius': 4}}",
          "{\"return\": \"circle r=4\"}");
    check("{'execute': 'draw', 'arguments': "
          "{'kind': 'square', 'side': -2, 'filled': true, 'name': 'n'}}",
          "{\"return\": \"square s=-2 filled=1\"}");
    check("{'execute': 'ping', 'id': 'x'}", "{\"return\": {}, \"id\": \"x\"}");
    check("{'execute': 'pick', 'arguments': {'v': 7}}", "{\"return\": 7}");
    check("{'execute': 'pick', 'arguments': {'v': {'x': 1, 'y': 2}}}",
          "{\"return\": 3}");
    check("{'execute': 'pick', 'arguments': {'v': 'abcd', 'c': 'red'}}",
          "{\"return\": 4}");
    check("{'exec-oob': 'ping', 'id': 1}", "{\"return\": {}, \"id\": 1}");
    check("{'execute': 'old-cmd'}",
          "{\"error\": {\"class\": \"DeviceNotFound\", "
          "\"desc\": \"Device 'old' not found\"}}");
    check("{'execute': 'cond-cmd', 'arguments': {'a': 1, 'b': 'green'}}",
          "{\"return\": {\"a\": 2, \"b\": \"green\"}}");
    check("{'execute': 'fire-and-forget'}", "(none)");
    g_assert_cmpint(fire_count, ==, 1);
}

static void test_dispatch_bad_input_table(void)
{
    static const struct { const char *req, *desc; } cases[] = {
        { "[1]", "QMP input must be a JSON object" },
        { "{}", "QMP input lacks member 'execute'" },
        { "{'execute': 1}", "QMP input member 'execute' must be a string" },
        { "{'execute': 'ping', 'arguments': []}",
          "QMP input member 'arguments' must be an object" },
        { "{'execute': 'ping', 'foo': 1}",
          "QMP input member 'foo' is unexpected" },
        { "{'execute': 'nope'}", "The command nope has not been found" },
        { "{'exec-oob': 'sub-thing'}",
          "The command sub-thing does not support OOB" },
        { "{'execute': 'ping', 'arguments': {'x': 1}}",
          "Parameter 'x' is unexpected" },
        { "{'execute': 'echo-point', 'arguments': {}}",
          "Parameter 'p' is missing" },
        { "{'execute': 'echo-point', 'arguments': {'p': {'x': 1}}}",
          "Parameter 'p.y' is missing" },
        { "{'execute': 'echo-point', 'arguments': {'p': {'x': 's', 'y': 1}}}",
          "Invalid parameter type for 'p.x', expected: integer" },
        { "{'execute': 'echo-point', 'arguments': {'p': {'x': 1.5, 'y': 1}}}",
          "Invalid parameter type for 'p.x', expected: integer" },
        { "{'execute': 'echo-point', 'arguments': "
          "{'p': {'x': 1, 'y': 1, 'z': 1}}}",
          "Parameter 'p.z' is unexpected" },
        { "{'execute': 'echo-point', 'arguments': {'p': 3}}",
          "Invalid parameter type for 'p', expected: object" },
        { "{'execute': 'echo-point', 'arguments': "
          "{'p': {'x': 18446744073709551615, 'y': 1}}}",
          "Invalid parameter type for 'p.x', expected: integer" },
        { "{'execute': 'list-pixels', 'arguments': {'x': 1, 'y': true}}",
          "Invalid parameter type for 'y', expected: integer" },
        { "{'execute': 'list-pixels', 'arguments': "
          "{'x': 1, 'y': 1, 'label': null}}",
          "Invalid parameter type for 'label', expected: string" },
        { "{'execute': 'draw', 'arguments': {'radius': 4}}",
          "Parameter 'kind' is missing" },
        { "{'execute': 'draw', 'arguments': {'kind': 'blob'}}",
          "Parameter 'kind' does not accept value 'blob'" },
        { "{'execute': 'draw', 'arguments': {'kind': 'circle', 'radius': -1}}",
          "Parameter 'radius' expects uint32_t" },
        { "{'execute': 'draw', 'arguments': "
          "{'kind': 'circle', 'radius': 1, 'side': 2}}",
          "Parameter 'side' is unexpected" },
        { "{'execute': 'draw', 'arguments': {'kind': 'square', 'side': 40000}}",
          "Parameter 'side' expects int16_t" },
        { "{'execute': 'draw', 'arguments': "
          "{'kind': 'square', 'side': 1, 'filled': 'yes'}}",
          "Invalid parameter type for 'filled', expected: boolean" },
        { "{'execute': 'pick', 'arguments': {'v': [1]}}",
          "Invalid parameter type for 'v', expected: IntOrPoint" },
        { "{'execute': 'pick', 'arguments': {'v': {'x': 1}}}",
          "Parameter 'v.y' is missing" },
        { "{'execute': 'pick', 'arguments': {'v': 1, 'c': 1}}",
          "Invalid parameter type for 'c', expected: string" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *got = run(cases[i].req);
        QObject *rsp = qobject_from_json(got, NULL);
        QDict *e = qdict_get_qdict(qobject_to_qdict(rsp), "error");
        const char *desc = e ? qdict_get_try_str(e, "desc") : NULL;
        if (g_strcmp0(desc, cases[i].desc)) {
            g_test_message("case %zu %s\n  expected desc %s\n  got %s", i,
                           cases[i].req, cases[i].desc, got);
            g_test_fail();
        }
        qobject_unref(rsp);
        g_free(got);
    }
}

static void test_output_visitor_omits_absent(void)
{
    Pixel px = { .x = 1, .y = 2, .colour = COLOUR_OLD_BLUE };
    strList tag = { .next = NULL, .value = (char *)"t" };
    QObject *o = qapi_out_Pixel(&px);
    char *s = qobject_to_json(o);

    g_assert_cmpstr(s, ==, "{\"x\": 1, \"y\": 2, \"colour\": \"old-blue\"}");
    g_free(s);
    qobject_unref(o);
    px.tags = &tag;
    px.has_scale = true;
    px.scale = 0.5;
    o = qapi_out_Pixel(&px);
    s = qobject_to_json(o);
    g_assert_cmpstr(s, ==, "{\"x\": 1, \"y\": 2, \"colour\": \"old-blue\", "
                    "\"tags\": [\"t\"], \"scale\": 0.5}");
    g_free(s);
    qobject_unref(o);
}

static void test_input_output_round_trip(void)
{
    const char *in = "{\"x\": -1, \"y\": 9, \"label\": \"l\", "
                     "\"colour\": \"red\", \"alpha\": 3, \"tags\": [\"a\", "
                     "\"b\"], \"extra\": {\"any\": [null]}, \"scale\": 2.5}";
    QObject *src = qobject_from_json(in, NULL);
    Pixel *px = NULL;
    GError *err = NULL;

    g_assert_true(qapi_in_Pixel(src, NULL, &px, &err));
    g_assert_no_error(err);
    QObject *out = qapi_out_Pixel(px);
    g_assert_true(qobject_is_equal(src, out));
    qapi_free_Pixel(px);
    qobject_unref(out);
    qobject_unref(src);
}

static GPtrArray *events;
static void collect_event(int event, QDict *msg, void *opaque)
{
    g_ptr_array_add(events, qobject_ref(msg));
}

static void test_events_have_envelope(void)
{
    Point to = { .x = 1, .y = 2 };

    events = g_ptr_array_new();
    qapi_event_set_handler(collect_event, NULL);
    qapi_event_send_point_moved(&to, "because");
    qapi_event_send_beep();
    Figure fig = { .kind = SHAPE_KIND_CIRCLE, .u.circle.radius = 3 };
    qapi_event_send_figure_drawn(&fig);
    qapi_event_set_handler(NULL, NULL);
    g_assert_cmpuint(events->len, ==, 3);

    QDict *m = events->pdata[0];
    g_assert_cmpstr(qdict_get_try_str(m, "event"), ==, "POINT_MOVED");
    QDict *ts = qdict_get_qdict(m, "timestamp");
    g_assert_nonnull(ts);
    g_assert_cmpint(qdict_get_try_int(ts, "seconds", -1), >, 0);
    g_assert_true(qdict_haskey(ts, "microseconds"));
    char *data = qobject_to_json(qdict_get(m, "data"));
    g_assert_cmpstr(data, ==, "{\"to\": {\"x\": 1, \"y\": 2}, "
                    "\"why\": \"because\"}");
    g_free(data);
    m = events->pdata[1];
    g_assert_cmpstr(qdict_get_try_str(m, "event"), ==, "BEEP");
    g_assert_false(qdict_haskey(m, "data"));
    data = qobject_to_json(qdict_get(events->pdata[2], "data"));
    g_assert_cmpstr(data, ==, "{\"kind\": \"circle\", \"radius\": 3}");
    g_free(data);
    for (guint i = 0; i < events->len; i++) {
        qobject_unref((QDict *)events->pdata[i]);
    }
    g_ptr_array_free(events, TRUE);
}

static QDict *find_entity(QList *schema, const char *name)
{
    for (size_t i = 0; i < qlist_size(schema); i++) {
        QDict *e = qobject_to_qdict(qlist_get(schema, i));
        if (!g_strcmp0(qdict_get_try_str(e, "name"), name)) {
            return e;
        }
    }
    return NULL;
}

static void test_introspection_shape(void)
{
    GError *err = NULL;
    QObject *v = qobject_from_json(test_qmp_schema_json, &err);
    QList *schema = qobject_to_qlist(v);

    g_assert_no_error(err);
    g_assert_nonnull(schema);

    QDict *cmd = find_entity(schema, "echo-point");
    g_assert_cmpstr(qdict_get_try_str(cmd, "meta-type"), ==, "command");
    const char *arg = qdict_get_try_str(cmd, "arg-type");
    g_assert_true(g_ascii_isdigit(arg[0]));     /* names are masked */
    QDict *argt = find_entity(schema, arg);
    g_assert_cmpstr(qdict_get_try_str(argt, "meta-type"), ==, "object");
    QList *members = qdict_get_qlist(argt, "members");
    g_assert_cmpuint(qlist_size(members), ==, 2);
    QDict *count = qobject_to_qdict(qlist_get(members, 1));
    g_assert_cmpstr(qdict_get_try_str(count, "name"), ==, "count");
    g_assert_cmpstr(qdict_get_try_str(count, "type"), ==, "int");
    g_assert_true(qobject_type(qdict_get(count, "default")) == QTYPE_QNULL);

    cmd = find_entity(schema, "ping");
    g_assert_true(qdict_get_try_bool(cmd, "allow-oob", false));
    cmd = find_entity(schema, "list-pixels");
    g_assert_cmpstr(qdict_get_try_str(cmd, "ret-type"), ==,
                    qdict_get_try_str(find_entity(schema, qdict_get_try_str(
                        cmd, "ret-type")), "name"));
    QList *feats = qdict_get_qlist(cmd, "features");
    g_assert_cmpstr(qstring_get_str(qobject_to_qstring(qlist_get(feats, 0))),
                    ==, "unstable");
    QDict *arr = find_entity(schema, qdict_get_try_str(cmd, "ret-type"));
    g_assert_cmpstr(qdict_get_try_str(arr, "meta-type"), ==, "array");

    cmd = find_entity(schema, "draw");
    QDict *fig = find_entity(schema, qdict_get_try_str(cmd, "arg-type"));
    g_assert_cmpstr(qdict_get_try_str(fig, "tag"), ==, "kind");
    g_assert_cmpuint(qlist_size(qdict_get_qlist(fig, "variants")), ==, 2);

    QDict *ev = find_entity(schema, "POINT_MOVED");
    g_assert_cmpstr(qdict_get_try_str(ev, "meta-type"), ==, "event");
    g_assert_nonnull(find_entity(schema, "int"));
    g_assert_nonnull(find_entity(schema, "str"));
    g_assert_null(find_entity(schema, "Point"));    /* masked */

    /* member features reach the introspection */
    cmd = find_entity(schema, "cond-cmd");
    QDict *ct = find_entity(schema, qdict_get_try_str(cmd, "arg-type"));
    QDict *ma = qobject_to_qdict(qlist_get(qdict_get_qlist(ct, "members"), 0));
    g_assert_cmpstr(qdict_get_try_str(ma, "name"), ==, "a");
    g_assert_nonnull(qdict_get_qlist(ma, "features"));
    g_assert_nonnull(qdict_get_qlist(ct, "features"));
    qobject_unref(v);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qmp_command_list_init(&cmds);
    test_qmp_init_marshal(&cmds);
    g_test_add_func("/qapi/dispatch-returns", test_dispatch_returns);
    g_test_add_func("/qapi/dispatch-bad-input-table",
                    test_dispatch_bad_input_table);
    g_test_add_func("/qapi/output-visitor-omits-absent",
                    test_output_visitor_omits_absent);
    g_test_add_func("/qapi/input-output-round-trip",
                    test_input_output_round_trip);
    g_test_add_func("/qapi/events-have-envelope", test_events_have_envelope);
    g_test_add_func("/qapi/introspection-shape", test_introspection_shape);
    return g_test_run();
}
