#!/usr/bin/env python3
"""The generator's schema checks: bad schemas are rejected with a message
naming the file and line, not a traceback. argv[1]: the scripts dir."""
import os
import sys
import tempfile

sys.path.insert(0, sys.argv[1])
from qapi.parser import QAPIError, parse_file  # noqa: E402
from qapi.schema import Schema, camel_to_upper  # noqa: E402
from qapi import gen_introspect  # noqa: E402

BAD = [
    ("{ 'struct': 'A', 'data': { 'x': 'Nope' } }", "unknown type 'Nope'"),
    ("{ 'enum': 'E', 'data': [] }\n{ 'enum': 'E', 'data': [] }",
     "already defined"),
    ("{ 'struct': 'A', 'data': { 'x': 'int' }", "expected ',' or '}'"),
    ("{ 'struct': 'A', 'data': { 'x': 'int', 'x': 'str' } }",
     "duplicate key"),
    ("{ 'union': 'U', 'base': { 'k': 'str' }, 'discriminator': 'k',"
     " 'data': {} }", "must be a mandatory enum"),
    ("{ 'thing': 'X' }", "unknown expression"),
    ("{ 'struct': 'A', 'data': { 'x': 'int' } } junk", "unexpected character"),
    ("{ 'struct': 'A', 'data': { 'a-b': 'int', 'a_b': 'str' } }",
     "clashes with"),
    ("{ 'struct': 'B', 'data': { 'x': 'int' } }\n"
     "{ 'struct': 'A', 'base': 'B', 'data': { 'x': 'str' } }", "clashes with"),
    ("{ 'enum': 'E', 'data': [ 'a' ] }\n{ 'struct': 'S', 'data': {} }\n"
     "{ 'union': 'U', 'base': { 'k': 'E' }, 'discriminator': 'k',"
     " 'data': { 'zz': 'S' } }", "is not a value of"),
    ("{ 'enum': 'E', 'data': [ 'a' ] }\n"
     "{ 'union': 'U', 'base': { 'k': 'E' }, 'discriminator': 'k',"
     " 'data': { 'a': 'E' } }", "must be a struct"),
    ("{ 'command': 'c', 'data': 'str' }", "must be a struct or union"),
    ("{ 'alternate': 'A', 'data': { 'a': 'str', 'b': 'str' } }",
     "ambiguous"),
    ("{ 'enum': 'E', 'data': [ 'a-b', 'a_b' ] }", "clashing values"),
]

failed = 0
for i, (text, want) in enumerate(BAD):
    with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as f:
        f.write(text)
    try:
        Schema(parse_file(f.name))
        print('not ok %d - accepted: %s' % (i + 1, text))
        failed += 1
    except QAPIError as e:
        if want in str(e) and ':' in str(e):
            print('ok %d - %s' % (i + 1, want))
        else:
            print('not ok %d - got %s, want %s' % (i + 1, e, want))
            failed += 1
    os.unlink(f.name)

n = len(BAD)
for name, want in (('RunState', 'RUN_STATE'), ('QMPCapability',
                   'QMP_CAPABILITY'), ('SysEmuTarget', 'SYS_EMU_TARGET')):
    n += 1
    ok = camel_to_upper(name) == want
    failed += not ok
    print('%s %d - camel_to_upper(%s) = %s' % ('ok' if ok else 'not ok', n,
                                                name, camel_to_upper(name)))

# builtin integer types all introspect as "int"; arrays as "[elem]"
with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as f:
    f.write("{ 'command': 'c', 'data': { 'a': 'uint8', 'b': ['int16'] } }")
info = gen_introspect.schema_info(Schema(parse_file(f.name)))
os.unlink(f.name)
arg = [e for e in info if e['name'] == info[0]['arg-type']][0]
n += 1
ok = [m['type'] for m in arg['members']] == ['int', '[int]']
failed += not ok
print('%s %d - integer types introspect as int' % ('ok' if ok else 'not ok', n))
print('1..%d' % n)
sys.exit(1 if failed else 0)
