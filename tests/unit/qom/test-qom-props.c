/*
 * QOM properties: every kind parsed from strings (good and bad values),
 * typed GVariant get/set with type and range errors, print, enum, link
 * type checks, callback-backed properties, descriptions and help lines.
 */
#include "qom/object.h"

#include <string.h>

#define TYPE_T_PROPS "t-props"
#define TYPE_T_TARGET "t-target"
#define TYPE_T_OTHER "t-other"

typedef struct {
    Object parent;
    bool b;
    int8_t i8;
    int16_t i16;
    int32_t i32;
    int64_t i64;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    uint64_t sz;
    char *str;
    int mode;
    Object *target;
    Object *cb_link;
    char *cb_str;
    uint32_t ptr32;
} TProps;

static const char *const mode_table[] = {"off", "on", "auto", NULL};

static const ObjectField fields[] = {
    {.kind = OBJ_PROP_BOOL, .offset = offsetof(TProps, b)},
    {.kind = OBJ_PROP_INT8, .offset = offsetof(TProps, i8)},
    {.kind = OBJ_PROP_INT16, .offset = offsetof(TProps, i16)},
    {.kind = OBJ_PROP_INT32, .offset = offsetof(TProps, i32)},
    {.kind = OBJ_PROP_INT64, .offset = offsetof(TProps, i64)},
    {.kind = OBJ_PROP_UINT8, .offset = offsetof(TProps, u8)},
    {.kind = OBJ_PROP_UINT16, .offset = offsetof(TProps, u16)},
    {.kind = OBJ_PROP_UINT32, .offset = offsetof(TProps, u32)},
    {.kind = OBJ_PROP_UINT64, .offset = offsetof(TProps, u64)},
    {.kind = OBJ_PROP_SIZE, .offset = offsetof(TProps, sz)},
    {.kind = OBJ_PROP_STRING, .offset = offsetof(TProps, str)},
    {.kind = OBJ_PROP_ENUM,
     .offset = offsetof(TProps, mode),
     .type_name = "OnOffAuto",
     .enum_table = mode_table},
    {.kind = OBJ_PROP_LINK,
     .offset = offsetof(TProps, target),
     .link_type = TYPE_T_TARGET},
};
static const char *const field_names[] = {
    "b",   "i8",  "i16", "i32", "i64",  "u8",     "u16",
    "u32", "u64", "sz",  "str", "mode", "target",
};

static char *cb_str_get(Object *obj, GError **errp)
{
    TProps *p = (TProps *)obj;

    return g_strdup(p->cb_str);
}

static bool cb_str_set(Object *obj, const char *value, GError **errp)
{
    TProps *p = (TProps *)obj;

    if (!strcmp(value, "reject")) {
        g_set_error(errp, g_quark_from_static_string("test"), 1,
                    "value 'reject' rejected");
        return false;
    }
    g_free(p->cb_str);
    p->cb_str = g_strdup(value);
    return true;
}

static void props_class_init(ObjectClass *oc, void *data)
{
    for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
        object_class_property_add_field(oc, field_names[i], &fields[i]);
    }
    object_class_property_add_str(oc, "cbstr", cb_str_get, cb_str_set);
    object_class_property_set_description(oc, "u32", "an I/O port");
}

static void props_init(Object *obj)
{
    TProps *p = (TProps *)obj;

    object_property_add_link(obj, "cblink", TYPE_T_TARGET, &p->cb_link, NULL);
    object_property_add_uint32_ptr(obj, "ptr32", &p->ptr32, true);
}

static void props_finalize(Object *obj)
{
    g_free(((TProps *)obj)->cb_str);
}

static const TypeInfo test_types[] = {
    {
        .name = TYPE_T_PROPS,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(TProps),
        .class_init = props_class_init,
        .instance_init = props_init,
        .instance_finalize = props_finalize,
    },
    {
        .name = TYPE_T_TARGET,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(Object),
    },
    {
        .name = TYPE_T_OTHER,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(Object),
    },
};

/* --------------------------------------------------- string parse table */

static const struct {
    const char *prop;
    const char *input;
    const char *printed; /* NULL: expect the error below */
    const char *error;
} parse_cases[] = {
    {"b", "on", "true"},
    {"b", "off", "false"},
    {"b", "yes", "true"},
    {"b", "false", "false"},
    {"b", "maybe", NULL, "Parameter 'b' expects 'on' or 'off'"},
    {"b", "", NULL, "Parameter 'b' expects 'on' or 'off'"},
    {"i8", "-128", "-128"},
    {"i8", "127", "127"},
    {"i8", "128", NULL, "Parameter 'i8' expects int8_t"},
    {"i8", "-129", NULL, "Parameter 'i8' expects int8_t"},
    {"i16", "-32768", "-32768"},
    {"i16", "40000", NULL, "Parameter 'i16' expects int16_t"},
    {"i32", "0x7fffffff", "2147483647"},
    {"i32", "2147483648", NULL, "Parameter 'i32' expects int32_t"},
    {"i64", "-9223372036854775808", "-9223372036854775808"},
    {"i64", "9223372036854775808", NULL, "Parameter 'i64' expects int64_t"},
    {"i64", "12abc", NULL, "Parameter 'i64' expects int64_t"},
    {"u8", "255", "255"},
    {"u8", "256", NULL, "Parameter 'u8' expects uint8_t"},
    {"u8", "-1", NULL, "Parameter 'u8' expects uint8_t"},
    {"u16", "0xffff", "65535"},
    {"u16", "65536", NULL, "Parameter 'u16' expects uint16_t"},
    {"u32", "0x3f8", "1016"},
    {"u32", "4294967296", NULL, "Parameter 'u32' expects uint32_t"},
    {"u32", "", NULL, "Parameter 'u32' expects uint32_t"},
    {"u32", " 5", NULL, "Parameter 'u32' expects uint32_t"},
    {"u32", "5 ", NULL, "Parameter 'u32' expects uint32_t"},
    {"u32", "0x", NULL, "Parameter 'u32' expects uint32_t"},
    {"u32", "1e3", NULL, "Parameter 'u32' expects uint32_t"},
    {"u32", NULL, NULL, "Parameter 'u32' expects uint32_t"},
    {"str", NULL, ""},
    {"u64", "18446744073709551615", "18446744073709551615"},
    {"u64", "18446744073709551616", NULL, "Parameter 'u64' expects uint64_t"},
    {"sz", "512", "512"},
    {"sz", "4k", "4096"},
    {"sz", "1M", "1048576"},
    {"sz", "1.5G", "1610612736"},
    {"sz", "2T", "2199023255552"},
    {"sz", "-1", NULL,
     "Parameter 'sz' expects a non-negative number below 2^64"},
    {"sz", "12Q", NULL,
     "Parameter 'sz' expects a non-negative number below 2^64"},
    {"sz", "", NULL, "Parameter 'sz' expects a non-negative number below 2^64"},
    {"str", "hello, world", "hello, world"},
    {"str", "", ""},
    {"mode", "auto", "auto"},
    {"mode", "on", "on"},
    {"mode", "sometimes", NULL,
     "Parameter 'mode' does not accept value 'sometimes'"},
    {"cbstr", "abc", "abc"},
    {"cbstr", "reject", NULL, "value 'reject' rejected"},
    {"ptr32", "5", NULL, "Insufficient permission to perform this operation"},
    {"nope", "1", NULL, "Property 't-props.nope' not found"},
};

static void test_parse_table(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(parse_cases); i++) {
        Object *obj = object_new(TYPE_T_PROPS);
        GError *err = NULL;
        bool ok = object_property_parse(obj, parse_cases[i].prop,
                                        parse_cases[i].input, &err);
        if (parse_cases[i].printed) {
            if (!ok) {
                g_error("case %zu (%s=%s): unexpected error: %s", i,
                        parse_cases[i].prop, parse_cases[i].input,
                        err->message);
            }
            char *s = object_property_print(obj, parse_cases[i].prop, &err);
            g_assert_no_error(err);
            g_assert_cmpstr(s, ==, parse_cases[i].printed);
            g_free(s);
        } else {
            if (ok) {
                g_error("case %zu (%s=%s): expected error '%s'", i,
                        parse_cases[i].prop, parse_cases[i].input,
                        parse_cases[i].error);
            }
            g_assert_nonnull(err);
            g_assert_cmpstr(err->message, ==, parse_cases[i].error);
            g_error_free(err);
        }
        object_unref(obj);
    }
}

static void test_variant_set_get(void)
{
    Object *obj = object_new(TYPE_T_PROPS);
    TProps *p = (TProps *)obj;
    GError *err = NULL;

    /* Any integer GVariant type is accepted for integer properties. */
    g_assert_true(
        object_property_set(obj, "u16", g_variant_new_int32(80), &err));
    g_assert_cmpuint(p->u16, ==, 80);
    g_assert_true(
        object_property_set(obj, "i8", g_variant_new_uint64(5), &err));
    g_assert_cmpint(p->i8, ==, 5);
    g_assert_true(object_property_set_uint(obj, "u64", UINT64_MAX, &err));
    g_assert_cmpuint(object_property_get_uint(obj, "u64", &err), ==,
                     UINT64_MAX);
    g_assert_true(object_property_set_int(obj, "i64", INT64_MIN, &err));
    g_assert_cmpint(object_property_get_int(obj, "i64", &err), ==, INT64_MIN);
    g_assert_no_error(err);

    /* Values come back with the kind's fixed type. */
    GVariant *v = object_property_get(obj, "u16", &err);
    g_assert_cmpstr(g_variant_get_type_string(v), ==, "t");
    g_variant_unref(v);
    v = object_property_get(obj, "i8", &err);
    g_assert_cmpstr(g_variant_get_type_string(v), ==, "x");
    g_variant_unref(v);
    v = object_property_get(obj, "mode", &err);
    g_assert_cmpstr(g_variant_get_string(v, NULL), ==, "off");
    g_variant_unref(v);

    static const struct {
        const char *prop;
        const char *gvariant_text;
        const char *error;
    } bad[] = {
        {"u8", "int64 -1", "Parameter 'u8' expects uint8_t"},
        {"u8", "uint64 256", "Parameter 'u8' expects uint8_t"},
        {"i32", "uint64 18446744073709551615",
         "Parameter 'i32' expects int32_t"},
        {"i64", "uint64 9223372036854775808",
         "Parameter 'i64' expects int64_t"},
        {"b", "int64 1", "Invalid parameter type for 'b', expected: boolean"},
        {"u32", "'12'", "Invalid parameter type for 'u32', expected: integer"},
        {"str", "true", "Invalid parameter type for 'str', expected: string"},
        {"u32", "3.5", "Invalid parameter type for 'u32', expected: integer"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        GVariant *val =
            g_variant_parse(NULL, bad[i].gvariant_text, NULL, NULL, NULL);
        g_assert_nonnull(val);
        g_assert_false(object_property_set(obj, bad[i].prop, val, &err));
        g_assert_nonnull(err);
        g_assert_cmpstr(err->message, ==, bad[i].error);
        g_clear_error(&err);
        g_variant_unref(val);
    }
    /* Typed getters check the type too. */
    g_assert_false(object_property_get_bool(obj, "u8", &err));
    g_assert_nonnull(err);
    g_clear_error(&err);
    object_unref(obj);
}

static void test_link(void)
{
    Object *root = object_get_root();
    Object *obj = object_new(TYPE_T_PROPS);
    Object *target = object_new(TYPE_T_TARGET);
    Object *other = object_new(TYPE_T_OTHER);
    TProps *p = (TProps *)obj;
    GError *err = NULL;

    object_property_add_child(root, "link-target", target);
    object_property_add_child(root, "link-other", other);
    object_unref(target);
    object_unref(other);

    g_assert_true(object_property_parse(obj, "target", "/link-target", &err));
    g_assert_no_error(err);
    g_assert(p->target == target);
    g_assert_cmpint(target->ref, ==, 2); /* tree + link */
    char *s = object_property_print(obj, "target", &err);
    g_assert_cmpstr(s, ==, "/link-target");
    g_free(s);
    /* Partial paths resolve too. */
    g_assert_true(object_property_parse(obj, "cblink", "link-target", &err));
    g_assert(p->cb_link == target);
    g_assert(object_property_get_link(obj, "cblink", &err) == target);

    static const struct {
        const char *prop;
        const char *path;
        const char *error;
    } bad[] = {
        {"target", "/link-other",
         "Invalid parameter type for 'target', expected: t-target"},
        {"target", "/nowhere", "Device '/nowhere' not found"},
        {"cblink", "/link-other",
         "Invalid parameter type for 'cblink', expected: t-target"},
        {"cblink", "nowhere", "Device 'nowhere' not found"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_false(
            object_property_parse(obj, bad[i].prop, bad[i].path, &err));
        g_assert_cmpstr(err->message, ==, bad[i].error);
        g_clear_error(&err);
    }
    g_assert(p->target == target); /* unchanged on error */

    /* The link keeps the target alive after it leaves the tree. */
    object_ref(target);
    object_unparent(target);
    g_assert_cmpint(target->ref, ==, 3); /* ours + 2 links */
    object_unref(target);
    object_unref(obj); /* drops both links */

    object_unparent(other);
}

static void test_list_types_and_help(void)
{
    Object *obj = object_new(TYPE_T_PROPS);
    GPtrArray *props = object_property_list(obj);
    GString *types = g_string_new(NULL);

    for (guint i = 0; i < props->len; i++) {
        ObjectProperty *prop = props->pdata[i];
        g_string_append_printf(types, "%s:%s ", prop->name, prop->type);
    }
    g_assert_cmpstr(types->str, ==,
                    "type:string b:bool i8:int8 i16:int16 i32:int32 i64:int64 "
                    "u8:uint8 u16:uint16 u32:uint32 u64:uint64 sz:size "
                    "str:str mode:OnOffAuto target:link<t-target> "
                    "cbstr:str cblink:link<t-target> ptr32:uint32 ");
    g_string_free(types, true);

    ObjectProperty *u32 = object_property_find(obj, "u32");
    object_property_set_default(u32, g_variant_new_uint64(1016));
    char *help = object_property_help(u32);
    g_assert_cmpstr(help, ==,
                    "  u32=<uint32>           - an I/O port (default: 1016)");
    g_free(help);
    ObjectProperty *mode = object_property_find(obj, "mode");
    object_property_set_default(mode, g_variant_new_string("auto"));
    help = object_property_help(mode);
    g_assert_cmpstr(help, ==,
                    "  mode=<OnOffAuto>       -  (default: \"auto\")");
    g_free(help);
    help = object_property_help(object_property_find(obj, "b"));
    g_assert_cmpstr(help, ==, "  b=<bool>");
    g_free(help);
    object_property_set_default(mode, NULL);
    object_property_set_default(u32, NULL);

    g_ptr_array_free(props, true);
    object_unref(obj);
}

static void test_alias(void)
{
    Object *outer = object_new(TYPE_T_PROPS);
    Object *inner = object_new(TYPE_T_PROPS);
    GError *err = NULL;

    object_property_add_child(outer, "inner", inner);
    object_unref(inner);
    object_property_add_alias(outer, "inner-mode", inner, "mode");
    object_property_add_alias(outer, "inner-u8", inner, "u8");
    object_property_add_alias(outer, "kid", outer, "inner");

    g_assert_true(object_property_parse(outer, "inner-mode", "auto", &err));
    g_assert_cmpint(((TProps *)inner)->mode, ==, 2);
    g_assert_false(object_property_parse(outer, "inner-mode", "bad", &err));
    g_assert_cmpstr(err->message, ==,
                    "Parameter 'mode' does not accept value 'bad'");
    g_clear_error(&err);
    g_assert_false(object_property_parse(outer, "inner-u8", "300", &err));
    g_assert_cmpstr(err->message, ==, "Parameter 'inner-u8' expects uint8_t");
    g_clear_error(&err);
    g_assert_true(object_property_set_uint(outer, "inner-u8", 200, &err));
    g_assert_cmpuint(((TProps *)inner)->u8, ==, 200);
    char *s = object_property_print(outer, "inner-u8", &err);
    g_assert_cmpstr(s, ==, "200");
    g_free(s);
    g_assert_cmpstr(object_property_find(outer, "inner-mode")->type, ==,
                    "OnOffAuto");
    g_assert_cmpstr(object_property_find(outer, "kid")->type, ==,
                    "link<t-props>");
    object_unref(outer);
}

/* Random strings into every property and the path resolver: no crash. */
static void test_random_input(void)
{
    static const char charset[] = "0123456789abcdefxXkKmMgGtT/.-:[]* \"";
    Object *obj = object_new(TYPE_T_PROPS);
    GPtrArray *props = object_property_list(obj);

    for (int round = 0; round < 3000; round++) {
        char buf[24];
        int len = g_test_rand_int_range(0, sizeof(buf));
        for (int i = 0; i < len; i++) {
            buf[i] = charset[g_test_rand_int_range(0, sizeof(charset) - 1)];
        }
        buf[len] = 0;
        ObjectProperty *prop = props->pdata[round % props->len];
        GError *err = NULL;
        if (!object_property_parse(obj, prop->name, buf, &err)) {
            g_assert_nonnull(err);
            g_clear_error(&err);
        } else {
            g_assert_no_error(err);
        }
        object_resolve_path(buf, NULL);
    }
    g_ptr_array_free(props, true);
    object_unref(obj);
}

static void test_json_rendering(void)
{
    static const struct {
        const char *gvariant_text;
        const char *json;
    } cases[] = {
        {"true", "true"},
        {"uint64 1016", "1016"},
        {"int64 -3", "-3"},
        {"'a\"b\\\\c'", "\"a\\\"b\\\\c\""},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        GVariant *v =
            g_variant_parse(NULL, cases[i].gvariant_text, NULL, NULL, NULL);
        g_assert_nonnull(v);
        char *json = object_property_value_to_json(v);
        g_assert_cmpstr(json, ==, cases[i].json);
        g_free(json);
        g_variant_unref(v);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    type_register_static_array(test_types, G_N_ELEMENTS(test_types));

    g_test_add_func("/qom/props/parse-table", test_parse_table);
    g_test_add_func("/qom/props/variant-set-get", test_variant_set_get);
    g_test_add_func("/qom/props/link", test_link);
    g_test_add_func("/qom/props/list-types-and-help", test_list_types_and_help);
    g_test_add_func("/qom/props/alias", test_alias);
    g_test_add_func("/qom/props/random-input", test_random_input);
    g_test_add_func("/qom/props/json-rendering", test_json_rendering);
    return g_test_run();
}
