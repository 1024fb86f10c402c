"""Input and output visitors for every schema type.

Input (QObject -> C) is strict, with QEMU's error texts: a missing
mandatory member, a member of the wrong JSON type, an unknown member, an
enum value out of range all fail with the message QEMU's QObject input
visitor gives. Output (C -> QObject) omits absent optional members.
The runtime helpers for builtin types are in qapi/qapi-visit-core.c.
"""
from .common import HEADER, in_fn, out_fn
from .gen_types import br_field, qtype_of
from .schema import Alternate, Array, Builtin, Enum, Object


def _in_member(c, m, ind='    '):
    c.append(ind + '{')
    c.append(ind + '    g_autofree char *n = qapi_member_name(prefix, "%s");'
             % m.name)
    c.append(ind + '    QObject *v = qapi_in_take(d, unseen, "%s");' % m.name)
    c.append(ind + '    if (v) {')
    c.append(ind + '        if (!%s(v, n, &obj->%s, errp)) {'
             % (in_fn(m.type), m.c_name))
    c.append(ind + '            return false;')
    c.append(ind + '        }')
    if m.needs_has():
        c.append(ind + '        obj->has_%s = true;' % m.c_name)
    if m.optional:
        c.append(ind + '    }')
    else:
        c.append(ind + '    } else {')
        c.append(ind + '        qapi_err_missing(n, errp);')
        c.append(ind + '        return false;')
        c.append(ind + '    }')
    c.append(ind + '}')


def _out_member(c, m):
    put = 'qdict_put_obj(d, "%s", %s(obj->%s));' % (m.name, out_fn(m.type),
                                                    m.c_name)
    if m.needs_has():
        c.append('    if (obj->has_%s) {' % m.c_name)
        c.append('        ' + put)
        c.append('    }')
    elif m.optional:
        c.append('    if (obj->%s) {' % m.c_name)
        c.append('        ' + put)
        c.append('    }')
    else:
        c.append('    ' + put)


def _gen_object(t, h, c):
    cn = t.c_name
    h.append('bool qapi_in_members_%s(QDict *d, const char *prefix, '
             'GHashTable *unseen, %s *obj, GError **errp);' % (cn, cn))
    h.append('void qapi_out_members_%s(QDict *d, const %s *obj);' % (cn, cn))
    c.append('bool qapi_in_members_%s(QDict *d, const char *prefix, '
             'GHashTable *unseen, %s *obj, GError **errp)' % (cn, cn))
    c.append('{')
    for m in t.members():
        _in_member(c, m)
    if t.branches:
        tag = t.tag_member()
        c.append('    switch (obj->%s) {' % tag.c_name)
        for case, br in t.branches:
            c.append('    case %s:' % tag.type.const(case))
            c.append('        return qapi_in_members_%s(d, prefix, unseen, '
                     '&obj->u.%s, errp);' % (br.c_name, br_field(case)))
        c.append('    default:')
        c.append('        break;')
        c.append('    }')
    c.append('    (void)d; (void)prefix; (void)unseen; (void)obj; (void)errp;')
    c.append('    return true;')
    c.append('}')
    c.append('')
    c.append('void qapi_out_members_%s(QDict *d, const %s *obj)' % (cn, cn))
    c.append('{')
    for m in t.members():
        _out_member(c, m)
    if t.branches:
        tag = t.tag_member()
        c.append('    switch (obj->%s) {' % tag.c_name)
        for case, br in t.branches:
            c.append('    case %s:' % tag.type.const(case))
            c.append('        qapi_out_members_%s(d, &obj->u.%s);'
                     % (br.c_name, br_field(case)))
            c.append('        break;')
        c.append('    default:')
        c.append('        break;')
        c.append('    }')
    c.append('    (void)d; (void)obj;')
    c.append('}')
    c.append('')
    c.append('bool qapi_in_%s(QObject *src, const char *name, %s **out, '
             'GError **errp)' % (cn, cn))
    c.append('{')
    c.append('    QDict *d = qapi_in_dict(src, name, errp);')
    c.append('    GHashTable *unseen;')
    c.append('    %s *obj;' % cn)
    c.append('    bool ok;')
    c.append('')
    c.append('    if (!d) {')
    c.append('        return false;')
    c.append('    }')
    c.append('    obj = g_new0(%s, 1);' % cn)
    c.append('    unseen = qapi_in_unseen_new(d);')
    c.append('    ok = qapi_in_members_%s(d, name, unseen, obj, errp) &&' % cn)
    c.append('         qapi_in_check_unseen(d, name, unseen, errp);')
    c.append('    g_hash_table_destroy(unseen);')
    c.append('    if (!ok) {')
    c.append('        qapi_free_%s(obj);' % cn)
    c.append('        return false;')
    c.append('    }')
    c.append('    *out = obj;')
    c.append('    return true;')
    c.append('}')
    c.append('')
    c.append('QObject *qapi_out_%s(const %s *obj)' % (cn, cn))
    c.append('{')
    c.append('    QDict *d = qdict_new();')
    c.append('')
    c.append('    if (obj) {')
    c.append('        qapi_out_members_%s(d, obj);' % cn)
    c.append('    }')
    c.append('    return QOBJECT(d);')
    c.append('}')
    c.append('')


def _gen_alternate(t, c):
    cn = t.c_name
    c.append('bool qapi_in_%s(QObject *src, const char *name, %s **out, '
             'GError **errp)' % (cn, cn))
    c.append('{')
    c.append('    %s *obj = g_new0(%s, 1);' % (cn, cn))
    c.append('    bool ok;')
    c.append('')
    c.append('    obj->type = qobject_type(src);')
    c.append('    switch (obj->type) {')
    seen = set()
    for bname, br in t.branches:
        qt = qtype_of(br)
        if qt in seen:
            continue
        seen.add(qt)
        c.append('    case %s:' % qt)
        c.append('        ok = %s(src, name, &obj->u.%s, errp);'
                 % (in_fn(br), br_field(bname)))
        c.append('        break;')
    c.append('    default:')
    c.append('        qapi_err_type(name, "%s", errp);' % t.name)
    c.append('        ok = false;')
    c.append('        break;')
    c.append('    }')
    c.append('    if (!ok) {')
    c.append('        obj->type = QTYPE_NONE;')
    c.append('        qapi_free_%s(obj);' % cn)
    c.append('        return false;')
    c.append('    }')
    c.append('    *out = obj;')
    c.append('    return true;')
    c.append('}')
    c.append('')
    c.append('QObject *qapi_out_%s(const %s *obj)' % (cn, cn))
    c.append('{')
    c.append('    switch (obj ? obj->type : QTYPE_NONE) {')
    seen = set()
    for bname, br in t.branches:
        qt = qtype_of(br)
        if qt in seen:
            continue
        seen.add(qt)
        c.append('    case %s:' % qt)
        c.append('        return %s(obj->u.%s);' % (out_fn(br), br_field(bname)))
    c.append('    default:')
    c.append('        return QOBJECT(qnull());')
    c.append('    }')
    c.append('}')
    c.append('')


def _gen_array(t, c):
    cn = t.c_name
    el = t.element
    c.append('bool qapi_in_%s(QObject *src, const char *name, %s **out, '
             'GError **errp)' % (cn, cn))
    c.append('{')
    c.append('    QList *l = qapi_in_list(src, name, errp);')
    c.append('    %s *head = NULL, **tail = &head;' % cn)
    c.append('')
    c.append('    if (!l) {')
    c.append('        return false;')
    c.append('    }')
    c.append('    for (size_t i = 0; i < qlist_size(l); i++) {')
    c.append('        g_autofree char *n = qapi_elem_name(name, i);')
    c.append('        %s *e = g_new0(%s, 1);' % (cn, cn))
    c.append('        *tail = e;')
    c.append('        tail = &e->next;')
    c.append('        if (!%s(qlist_get(l, i), n, &e->value, errp)) {'
             % in_fn(el))
    c.append('            qapi_free_%s(head);' % cn)
    c.append('            return false;')
    c.append('        }')
    c.append('    }')
    c.append('    *out = head;')
    c.append('    return true;')
    c.append('}')
    c.append('')
    c.append('QObject *qapi_out_%s(const %s *list)' % (cn, cn))
    c.append('{')
    c.append('    QList *l = qlist_new();')
    c.append('')
    c.append('    for (; list; list = list->next) {')
    c.append('        qlist_append_obj(l, %s(list->value));' % out_fn(el))
    c.append('    }')
    c.append('    return QOBJECT(l);')
    c.append('}')
    c.append('')


def gen(schema, prefix):
    guard = 'GEN_' + prefix.upper().replace('-', '_') + 'QAPI_VISIT_H'
    h = [HEADER, '#ifndef ' + guard, '#define ' + guard, '',
         '#include "%sqapi-types.h"' % prefix, '#include "qapi/visit.h"', '']
    c = [HEADER, '#include "%sqapi-visit.h"' % prefix, '']
    for t in schema.user_types():
        cn = t.c_name
        if isinstance(t, Enum):
            h.append('bool qapi_in_%s(QObject *src, const char *name, %s *out, '
                     'GError **errp);' % (cn, cn))
            h.append('QObject *qapi_out_%s(%s val);' % (cn, cn))
            c.append('bool qapi_in_%s(QObject *src, const char *name, %s *out, '
                     'GError **errp)' % (cn, cn))
            c.append('{')
            c.append('    int v;')
            c.append('')
            c.append('    if (!qapi_in_enum(src, name, &%s_lookup, &v, errp)) {'
                     % cn)
            c.append('        return false;')
            c.append('    }')
            c.append('    *out = (%s)v;' % cn)
            c.append('    return true;')
            c.append('}')
            c.append('')
            c.append('QObject *qapi_out_%s(%s val)' % (cn, cn))
            c.append('{')
            c.append('    return qapi_out_str(%s_str(val));' % cn)
            c.append('}')
            c.append('')
            continue
        h.append('bool qapi_in_%s(QObject *src, const char *name, %s **out, '
                 'GError **errp);' % (cn, cn))
        h.append('QObject *qapi_out_%s(const %s *obj);' % (cn, cn))
        if isinstance(t, Object):
            _gen_object(t, h, c)
        elif isinstance(t, Alternate):
            _gen_alternate(t, c)
        elif isinstance(t, Array):
            _gen_array(t, c)
    h += ['', '#endif']
    return '\n'.join(h) + '\n', '\n'.join(c) + '\n'
