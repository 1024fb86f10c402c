"""The value of query-qmp-schema, in QEMU's SchemaInfo format.

Entities are listed as QEMU lists them: every command and event in schema
order, then every type they use (transitively) in order of first use. Type
names other than builtins are masked to decimal numbers in order of first
use, so clients depend on commands and events, not on type names; arrays
are named "[element]"; all integer types appear as the builtin "int".
The result is embedded in C as JSON text and parsed once at run time.
"""
import json

from .common import HEADER
from .schema import Alternate, Array, Builtin, Enum, Object


class _Gen:
    def __init__(self, schema):
        self.schema = schema
        self.names = {}
        self.used = []
        self.trees = []

    def name(self, n):
        if n not in self.names:
            self.names[n] = str(len(self.names))
        return self.names[n]

    def use(self, t):
        if isinstance(t, Builtin) and t.json_type() == 'int':
            t = self.schema.types['int']
        elif isinstance(t, Array) and t.element.json_type() == 'int' and \
                isinstance(t.element, Builtin):
            t = self.schema.lookup(['int'])
        if t not in self.used:
            self.used.append(t)
        if isinstance(t, Builtin):
            return t.name
        if isinstance(t, Array):
            return '[' + self.use(t.element) + ']'
        return self.name(t.name)

    def tree(self, name, meta, obj, features):
        if meta not in ('command', 'event', 'builtin', 'array'):
            name = self.name(name)
        obj['name'] = name
        obj['meta-type'] = meta
        feats = [f for f in features]
        if feats:
            obj['features'] = feats
        self.trees.append(obj)

    def member(self, m):
        obj = {'name': m.name, 'type': self.use(m.type)}
        if m.optional:
            obj['default'] = None
        if m.features:
            obj['features'] = list(m.features)
        return obj

    def visit_type(self, t):
        if isinstance(t, Builtin):
            self.tree(t.name, 'builtin', {'json-type': t.json_type()}, [])
        elif isinstance(t, Enum):
            members = []
            for n, f in t.members:
                mo = {'name': n}
                if f:
                    mo['features'] = list(f)
                members.append(mo)
            self.tree(t.name, 'enum', {'members': members,
                                       'values': [n for n, _ in t.members]},
                      t.features)
        elif isinstance(t, Array):
            el = self.use(t.element)
            self.tree('[' + el + ']', 'array', {'element-type': el}, [])
        elif isinstance(t, Object):
            obj = {'members': [self.member(m) for m in t.members()]}
            if t.is_union():
                obj['tag'] = t.tag
                obj['variants'] = [{'case': case, 'type': self.use(br)}
                                   for case, br in t.branches]
            self.tree(t.name, 'object', obj, t.features)
        elif isinstance(t, Alternate):
            self.tree(t.name, 'alternate',
                      {'members': [{'type': self.use(br)}
                                   for _, br in t.branches]}, t.features)

    def run(self):
        empty = self.schema.empty
        for cmd in self.schema.commands:
            obj = {'arg-type': self.use(cmd.arg_type or empty),
                   'ret-type': self.use(cmd.ret_type or empty)}
            if cmd.allow_oob:
                obj['allow-oob'] = True
            self.tree(cmd.name, 'command', obj, cmd.features)
        for ev in self.schema.events:
            self.tree(ev.name, 'event', {'arg-type': self.use(ev.arg_type or
                                                              empty)},
                      ev.features)
        i = 0
        while i < len(self.used):
            self.visit_type(self.used[i])
            i += 1
        return self.trees


def schema_info(schema):
    return _Gen(schema).run()


def gen(schema, prefix):
    text = json.dumps(schema_info(schema), separators=(',', ':'))
    c = [HEADER, '/* query-qmp-schema: SchemaInfo list as JSON */',
         'extern const char %sqmp_schema_json[];' % prefix.replace('-', '_'),
         'const char %sqmp_schema_json[] =' % prefix.replace('-', '_')]
    for i in range(0, len(text), 72):
        chunk = text[i:i + 72].replace('\\', '\\\\').replace('"', '\\"')
        c.append('    "%s"' % chunk)
    c.append('    ;')
    return '\n'.join(c) + '\n'
