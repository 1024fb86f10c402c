"""The QAPI schema model: entities built from parsed expressions, with
type references resolved and implicit types (inline command/event
arguments, inline union bases, arrays) created on demand.
"""
import re

from .parser import QAPIError

C_KEYWORDS = set('''auto break case char const continue default do double
else enum extern float for goto if inline int long register restrict return
short signed sizeof static struct switch typedef union unsigned void
volatile while bool true false errno unix'''.split())


def c_name(name, protect=True):
    n = re.sub(r'[^A-Za-z0-9_]', '_', name)
    if protect and (n in C_KEYWORDS or n[0].isdigit()):
        return 'q_' + n
    return n


def camel_to_upper(name):
    """RunState -> RUN_STATE, QKeyCode -> QKEY_CODE, SEVInfo -> SEV_INFO."""
    out = ''
    for i, ch in enumerate(name):
        if ch.isupper() and i > 0:
            prev = name[i - 1]
            nxt = name[i + 1] if i + 1 < len(name) else ''
            if prev.islower() or prev.isdigit() or \
               (prev.isupper() and nxt.islower() and i > 1):
                out += '_'
        out += ch
    return c_name(out, False).upper()


def enum_const(type_name, member, prefix=None):
    return (prefix or camel_to_upper(type_name)) + '_' + \
        c_name(member, False).upper()


def feature_names(feats):
    out = []
    for f in feats or []:
        out.append(f['name'] if isinstance(f, dict) else f)
    return out


class Type:
    meta = None
    builtin = False

    def __init__(self, name, info=None, features=None):
        self.name = name
        self.info = info
        self.features = feature_names(features)
        self.implicit = name.startswith('q_')

    @property
    def c_name(self):
        return c_name(self.name)

    def c_type(self):
        return self.c_name + ' *'

    def c_param_type(self):
        return 'const ' + self.c_type() if self.is_ptr() else self.c_type()

    def is_ptr(self):
        return True

    def json_type(self):
        return 'object'


class Builtin(Type):
    meta = 'builtin'
    builtin = True
    # name: (C type, json type, input helper, output helper)
    TABLE = {
        'str': ('char *', 'string'),
        'number': ('double', 'number'),
        'int': ('int64_t', 'int'),
        'int8': ('int8_t', 'int'), 'int16': ('int16_t', 'int'),
        'int32': ('int32_t', 'int'), 'int64': ('int64_t', 'int'),
        'uint8': ('uint8_t', 'int'), 'uint16': ('uint16_t', 'int'),
        'uint32': ('uint32_t', 'int'), 'uint64': ('uint64_t', 'int'),
        'size': ('uint64_t', 'int'),
        'bool': ('bool', 'boolean'),
        'null': ('QNull *', 'null'),
        'any': ('QObject *', 'value'),
    }

    def c_type(self):
        return self.TABLE[self.name][0]

    def c_param_type(self):
        return 'const char *' if self.name == 'str' else self.c_type()

    def is_ptr(self):
        return self.c_type().endswith('*')

    def json_type(self):
        return self.TABLE[self.name][1]


class Enum(Type):
    meta = 'enum'

    def __init__(self, name, info, members, prefix=None, features=None):
        super().__init__(name, info, features)
        self.members = []       # [(name, [features])]
        for m in members:
            if isinstance(m, dict):
                self.members.append((m['name'], feature_names(m.get('features'))))
            else:
                self.members.append((m, []))
        self.prefix = prefix

    def c_type(self):
        return self.c_name

    def c_param_type(self):
        return self.c_name

    def is_ptr(self):
        return False

    def json_type(self):
        return 'string'

    def const(self, member):
        return enum_const(self.name, member, self.prefix)


class Array(Type):
    meta = 'array'

    def __init__(self, element):
        super().__init__(element.name + 'List')
        self.element = element
        self.implicit = True

    @property
    def c_name(self):
        return c_name(self.element.name, False) + 'List'

    def json_type(self):
        return 'array'


class Member:
    def __init__(self, name, typeref, optional, features=None):
        self.name = name
        self.typeref = typeref
        self.type = None
        self.optional = optional
        self.features = feature_names(features)

    @property
    def c_name(self):
        return c_name(self.name)

    def needs_has(self):
        return self.optional and not self.type.is_ptr()


def members_from_dict(data):
    out = []
    for key, val in data.items():
        optional = key.startswith('*')
        name = key[1:] if optional else key
        feats = None
        if isinstance(val, dict):
            feats = val.get('features')
            val = val['type']
        out.append(Member(name, val, optional, feats))
    return out


class Object(Type):
    """A struct, or a flat union (base + discriminator + branches)."""
    meta = 'object'

    def __init__(self, name, info, local_members, base=None, features=None,
                 tag=None, branches=None):
        super().__init__(name, info, features)
        self.local_members = local_members
        self.baseref = base
        self.base = None
        self.tag = tag              # discriminator member name (unions)
        self.branchrefs = branches or {}
        self.branches = []          # [(case, Object)]

    def members(self):
        """All members, base first."""
        return (self.base.members() if self.base else []) + self.local_members

    def is_union(self):
        return self.tag is not None

    def tag_member(self):
        for m in self.members():
            if m.name == self.tag:
                return m
        return None


class Alternate(Type):
    meta = 'alternate'

    def __init__(self, name, info, data, features=None):
        super().__init__(name, info, features)
        self.branchrefs = data
        self.branches = []          # [(name, Type)]


class Command:
    def __init__(self, name, info, expr, arg_type):
        self.name = name
        self.info = info
        self.argref = arg_type
        self.arg_type = None
        self.retref = expr.get('returns')
        self.ret_type = None
        self.boxed = expr.get('boxed', False)
        self.allow_oob = expr.get('allow-oob', False)
        self.allow_preconfig = expr.get('allow-preconfig', False)
        self.success_response = expr.get('success-response', True)
        self.gen = expr.get('gen', True)
        self.features = feature_names(expr.get('features'))

    @property
    def c_name(self):
        return c_name(self.name)


class Event:
    def __init__(self, name, info, expr, arg_type):
        self.name = name
        self.info = info
        self.argref = arg_type
        self.arg_type = None
        self.boxed = expr.get('boxed', False)
        self.features = feature_names(expr.get('features'))


class Schema:
    def __init__(self, exprs):
        self.types = {}
        self.type_order = []
        self.commands = []
        self.events = []
        for name in Builtin.TABLE:
            self._add(Builtin(name))
        self.empty = self._add(Object('q_empty', None, []))
        for expr, info in exprs:
            self._define(expr, info)
        for t in list(self.type_order):
            self._resolve_type(t)
        for c in self.commands:
            c.arg_type = self.lookup(c.argref, c.info) if c.argref else None
            if c.retref is not None:
                c.ret_type = self.lookup(c.retref, c.info)
        for e in self.events:
            e.arg_type = self.lookup(e.argref, e.info) if e.argref else None
        # arrays created during resolution
        for t in list(self.type_order):
            self._resolve_type(t)
        self._check()

    def _check(self):
        """Semantic checks QEMU's generator also makes."""
        for t in self.type_order:
            if isinstance(t, Object):
                seen = {}
                for m in t.members():
                    if m.c_name in seen:
                        raise QAPIError("%s: member '%s' of %s clashes with "
                                        "'%s'" % (t.info, m.name, t.name,
                                                  seen[m.c_name]))
                    seen[m.c_name] = m.name
                if t.base is not None and (not isinstance(t.base, Object) or
                                           t.base.is_union()):
                    raise QAPIError("%s: base of %s must be a struct"
                                    % (t.info, t.name))
                for case, br in t.branches:
                    tag = t.tag_member().type
                    if case not in [n for n, _ in tag.members]:
                        raise QAPIError("%s: branch '%s' of %s is not a "
                                        "value of %s" % (t.info, case,
                                                         t.name, tag.name))
                    if not isinstance(br, Object) or br.is_union():
                        raise QAPIError("%s: branch '%s' of %s must be a "
                                        "struct" % (t.info, case, t.name))
                    for m in br.members():
                        if m.c_name in seen:
                            raise QAPIError("%s: member '%s' of branch '%s' "
                                            "of %s clashes with the base"
                                            % (t.info, m.name, case, t.name))
            elif isinstance(t, Enum):
                names = [c_name(n, False).upper() for n, _ in t.members]
                if len(set(names)) != len(names):
                    raise QAPIError("%s: enum %s has clashing values"
                                    % (t.info, t.name))
            elif isinstance(t, Alternate):
                kinds = [br.json_type() for _, br in t.branches]
                kinds = ['number' if k == 'int' else k for k in kinds]
                # one branch per JSON type: int and number both are QNums
                if len(set(kinds)) != len(kinds):
                    raise QAPIError("%s: alternate %s has ambiguous branches"
                                    % (t.info, t.name))
        for c in self.commands + self.events:
            if c.arg_type is not None and not isinstance(c.arg_type, Object):
                raise QAPIError("%s: 'data' of %s must be a struct or union"
                                % (c.info, c.name))
            if c.arg_type is not None and c.arg_type.is_union() and \
                    not c.boxed:
                raise QAPIError("%s: %s takes a union: it must be 'boxed'"
                                % (c.info, c.name))

    def _add(self, t):
        if t.name in self.types:
            raise QAPIError("%s: '%s' is already defined" % (t.info, t.name))
        self.types[t.name] = t
        self.type_order.append(t)
        return t

    def _implicit(self, name, data, info):
        if data is None:
            return None
        if isinstance(data, str):
            return data
        self._add(Object(name, info, members_from_dict(data)))
        return name

    def _define(self, expr, info):
        feats = expr.get('features')
        if 'enum' in expr:
            self._add(Enum(expr['enum'], info, expr['data'],
                           expr.get('prefix'), feats))
        elif 'struct' in expr:
            self._add(Object(expr['struct'], info,
                             members_from_dict(expr.get('data', {})),
                             expr.get('base'), feats))
        elif 'union' in expr:
            name = expr['union']
            if 'discriminator' not in expr:
                raise QAPIError('%s: union %s needs a discriminator (simple '
                                'unions are not supported)' % (info, name))
            base = self._implicit('q_obj_%s-base' % name, expr['base'], info)
            branches = {}
            for case, br in expr['data'].items():
                branches[case] = br['type'] if isinstance(br, dict) else br
            self._add(Object(name, info, [], base, feats,
                             expr['discriminator'], branches))
        elif 'alternate' in expr:
            data = {}
            for k, v in expr['data'].items():
                data[k] = v['type'] if isinstance(v, dict) else v
            self._add(Alternate(expr['alternate'], info, data, feats))
        elif 'command' in expr:
            name = expr['command']
            arg = self._implicit('q_obj_%s-arg' % name, expr.get('data'), info)
            self.commands.append(Command(name, info, expr, arg))
        elif 'event' in expr:
            name = expr['event']
            arg = self._implicit('q_obj_%s-arg' % name, expr.get('data'), info)
            self.events.append(Event(name, info, expr, arg))
        else:
            raise QAPIError('%s: unknown expression %r' % (info, list(expr)))

    def lookup(self, ref, info=None):
        if isinstance(ref, list):
            elem = self.lookup(ref[0], info)
            name = elem.name + 'List'
            if name not in self.types:
                self._add(Array(elem))
            return self.types[name]
        if ref not in self.types:
            raise QAPIError("%s: unknown type '%s'" % (info, ref))
        return self.types[ref]

    def _resolve_type(self, t):
        if isinstance(t, Object):
            if t.baseref and not t.base:
                t.base = self.lookup(t.baseref, t.info)
            for m in t.local_members:
                if m.type is None:
                    m.type = self.lookup(m.typeref, t.info)
            if t.is_union() and not t.branches:
                tm = t.tag_member()
                if tm is None or not isinstance(tm.type, Enum) or tm.optional:
                    raise QAPIError('%s: discriminator %s of %s must be a '
                                    'mandatory enum member of the base'
                                    % (t.info, t.tag, t.name))
                for case, ref in t.branchrefs.items():
                    t.branches.append((case, self.lookup(ref, t.info)))
        elif isinstance(t, Alternate) and not t.branches:
            for k, ref in t.branchrefs.items():
                t.branches.append((k, self.lookup(ref, t.info)))

    def user_types(self):
        return [t for t in self.type_order if not t.builtin]
