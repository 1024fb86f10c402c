#!/usr/bin/env python3
"""Generate C from the QAPI schema.

usage: qapi-gen.py [-o OUTDIR] [-p PREFIX] SCHEMA.json

Writes PREFIXqapi-types.{h,c}, PREFIXqapi-visit.{h,c},
PREFIXqapi-commands.{h,c}, PREFIXqapi-events.{h,c} and
PREFIXqapi-introspect.c into OUTDIR. Standard library only.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from qapi import gen_commands, gen_events, gen_introspect, gen_types, gen_visit  # noqa: E402
from qapi.parser import QAPIError, parse_file  # noqa: E402
from qapi.schema import Schema  # noqa: E402


def write(path, text):
    # Always rewrite: ninja compares every output's mtime with the inputs,
    # so an output left untouched would make it rerun us on every build.
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[1])
    ap.add_argument('-o', '--output-dir', default='.')
    ap.add_argument('-p', '--prefix', default='')
    ap.add_argument('schema')
    args = ap.parse_args()
    try:
        schema = Schema(parse_file(args.schema))
    except (QAPIError, KeyError, TypeError) as e:
        print('qapi-gen: %s' % e, file=sys.stderr)
        return 1
    out, p = args.output_dir, args.prefix
    os.makedirs(out, exist_ok=True)
    for kind, mod in (('types', gen_types), ('visit', gen_visit),
                      ('commands', gen_commands), ('events', gen_events)):
        h, c = mod.gen(schema, p)
        write(os.path.join(out, '%sqapi-%s.h' % (p, kind)), h)
        write(os.path.join(out, '%sqapi-%s.c' % (p, kind)), c)
    write(os.path.join(out, '%sqapi-introspect.c' % p),
          gen_introspect.gen(schema, p))
    return 0


if __name__ == '__main__':
    sys.exit(main())
