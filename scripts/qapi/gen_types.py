"""C types for every schema type: enums with lookup tables, structs,
flat unions (base members + tag-selected branch embedded by value),
alternates (QType-tagged unions), lists; and their free functions."""
from .common import HEADER, decl, free_stmt, has_free
from .schema import Alternate, Array, Builtin, Enum, Object


def _struct_order(schema):
    """Objects ordered so that union branches (embedded by value) come
    before the unions that embed them."""
    done, order = set(), []

    def visit(t):
        if t.name in done:
            return
        done.add(t.name)
        if isinstance(t, Object):
            for _, br in t.branches:
                visit(br)
        order.append(t)
    for t in schema.user_types():
        if isinstance(t, (Object, Alternate)):
            visit(t)
    return order


def gen(schema, prefix):
    h = [HEADER, '#ifndef GEN_%sQAPI_TYPES_H' % prefix.upper().replace('-', '_'),
         '#define GEN_%sQAPI_TYPES_H' % prefix.upper().replace('-', '_'), '',
         '#include "qapi/util.h"', '']
    c = [HEADER, '#include "%sqapi-types.h"' % prefix, '']
    types = schema.user_types()
    for t in types:
        if isinstance(t, (Object, Alternate, Array)):
            h.append('typedef struct %s %s;' % (t.c_name, t.c_name))
    h.append('')
    for t in types:
        if isinstance(t, Enum):
            h.append('typedef enum %s {' % t.c_name)
            for m, _ in t.members:
                h.append('    %s,' % t.const(m))
            h.append('    %s,' % t.const('_MAX'))
            h.append('} %s;' % t.c_name)
            h.append('extern const QEnumLookup %s_lookup;' % t.c_name)
            h.append('#define %s_str(val) qapi_enum_lookup(&%s_lookup, (val))'
                     % (t.c_name, t.c_name))
            h.append('')
            c.append('static const char *const %s_names[] = {' % t.c_name)
            for m, _ in t.members:
                c.append('    [%s] = "%s",' % (t.const(m), m))
            c.append('};')
            c.append('const QEnumLookup %s_lookup = { %s_names, %d };'
                     % (t.c_name, t.c_name, len(t.members)))
            c.append('')
    for t in _struct_order(schema):
        if isinstance(t, Object):
            h.append('struct %s {' % t.c_name)
            for m in t.members():
                if m.needs_has():
                    h.append('    bool has_%s;' % m.c_name)
                h.append('    %s;' % decl(m.type.c_type(), m.c_name))
            if t.branches:
                h.append('    union {')
                for case, br in t.branches:
                    h.append('        %s %s;' % (br.c_name, br_field(case)))
                h.append('    } u;')
            if not t.members() and not t.branches:
                h.append('    char qapi_dummy_for_empty_struct;')
            h.append('};')
        else:
            h.append('struct %s {' % t.c_name)
            h.append('    QType type;')
            h.append('    union {')
            for name, br in t.branches:
                h.append('        %s;' % decl(br.c_type(), br_field(name)))
            h.append('    } u;')
            h.append('};')
        h.append('')
    # lists after structs (they hold pointers or scalars only)
    for t in types:
        if isinstance(t, Array):
            h.append('struct %s {' % t.c_name)
            h.append('    struct %s *next;' % t.c_name)
            h.append('    %s;' % decl(t.element.c_type(), 'value'))
            h.append('};')
            h.append('')
    for t in types:
        if isinstance(t, Enum):
            continue
        cn = t.c_name
        h.append('void qapi_free_%s(%s *obj);' % (cn, cn))
        if isinstance(t, Object):
            h.append('void qapi_free_members_%s(%s *obj);' % (cn, cn))
            c.append('void qapi_free_members_%s(%s *obj)' % (cn, cn))
            c.append('{')
            for m in t.members():
                s = free_stmt(m.type, 'obj->' + m.c_name)
                if s:
                    c.append('    ' + s)
                    if m.type.is_ptr():
                        c.append('    obj->%s = NULL;' % m.c_name)
            if t.branches:
                tag = t.tag_member()
                c.append('    switch (obj->%s) {' % tag.c_name)
                for case, br in t.branches:
                    c.append('    case %s:' % tag.type.const(case))
                    c.append('        qapi_free_members_%s(&obj->u.%s);'
                             % (br.c_name, br_field(case)))
                    c.append('        break;')
                c.append('    default:')
                c.append('        break;')
                c.append('    }')
            c.append('    (void)obj;')
            c.append('}')
            c.append('')
            c.append('void qapi_free_%s(%s *obj)' % (cn, cn))
            c.append('{')
            c.append('    if (obj) {')
            c.append('        qapi_free_members_%s(obj);' % cn)
            c.append('        g_free(obj);')
            c.append('    }')
            c.append('}')
        elif isinstance(t, Alternate):
            c.append('void qapi_free_%s(%s *obj)' % (cn, cn))
            c.append('{')
            c.append('    if (!obj) {')
            c.append('        return;')
            c.append('    }')
            for name, br in t.branches:
                s = free_stmt(br, 'obj->u.' + br_field(name))
                if s:
                    c.append('    if (obj->type == %s) {' % qtype_of(br))
                    c.append('        ' + s)
                    c.append('    }')
            c.append('    g_free(obj);')
            c.append('}')
        elif isinstance(t, Array):
            c.append('void qapi_free_%s(%s *obj)' % (cn, cn))
            c.append('{')
            c.append('    while (obj) {')
            c.append('        %s *next = obj->next;' % cn)
            s = free_stmt(t.element, 'obj->value')
            if s:
                c.append('        ' + s)
            c.append('        g_free(obj);')
            c.append('        obj = next;')
            c.append('    }')
            c.append('}')
        c.append('')
    h.append('')
    h.append('#endif')
    return '\n'.join(h) + '\n', '\n'.join(c) + '\n'


def br_field(name):
    from .schema import c_name
    return c_name(name)


def qtype_of(t):
    jt = t.json_type()
    return {'string': 'QTYPE_QSTRING', 'int': 'QTYPE_QNUM',
            'number': 'QTYPE_QNUM', 'boolean': 'QTYPE_QBOOL',
            'null': 'QTYPE_QNULL', 'object': 'QTYPE_QDICT',
            'array': 'QTYPE_QLIST', 'value': 'QTYPE_NONE'}[jt]
