"""Reader for QEMU's schema language.

A schema file is a sequence of top-level expressions written in a JSON
dialect: single-quoted strings, '#' comments to end of line, Python-like
literals true/false. 'include' pulls in another file relative to the
including one (each file once). Returns a list of (expr dict, info) where
info names the file and line for error messages.
"""
import os


class QAPIError(Exception):
    pass


class Info:
    def __init__(self, fname, line):
        self.fname = fname
        self.line = line

    def __str__(self):
        return '%s:%d' % (self.fname, self.line)


class _Lexer:
    def __init__(self, text, fname):
        self.text = text
        self.fname = fname
        self.pos = 0
        self.line = 1

    def error(self, msg):
        raise QAPIError('%s:%d: %s' % (self.fname, self.line, msg))

    def skip_ws(self):
        t = self.text
        while self.pos < len(t):
            c = t[self.pos]
            if c == '\n':
                self.line += 1
                self.pos += 1
            elif c in ' \t\r':
                self.pos += 1
            elif c == '#':
                while self.pos < len(t) and t[self.pos] != '\n':
                    self.pos += 1
            else:
                break

    def value(self):
        self.skip_ws()
        t = self.text
        if self.pos >= len(t):
            self.error('unexpected end of file')
        c = t[self.pos]
        if c == '{':
            self.pos += 1
            d = {}
            self.skip_ws()
            if t[self.pos:self.pos + 1] == '}':
                self.pos += 1
                return d
            while True:
                self.skip_ws()
                if t[self.pos:self.pos + 1] != "'":
                    self.error('expected string key')
                k = self.string()
                self.skip_ws()
                if t[self.pos:self.pos + 1] != ':':
                    self.error("expected ':'")
                self.pos += 1
                if k in d:
                    self.error("duplicate key '%s'" % k)
                d[k] = self.value()
                self.skip_ws()
                c = t[self.pos:self.pos + 1]
                self.pos += 1
                if c == '}':
                    return d
                if c != ',':
                    self.error("expected ',' or '}'")
        if c == '[':
            self.pos += 1
            lst = []
            self.skip_ws()
            if t[self.pos:self.pos + 1] == ']':
                self.pos += 1
                return lst
            while True:
                lst.append(self.value())
                self.skip_ws()
                c = t[self.pos:self.pos + 1]
                self.pos += 1
                if c == ']':
                    return lst
                if c != ',':
                    self.error("expected ',' or ']'")
        if c == "'":
            return self.string()
        for word, val in (('true', True), ('false', False)):
            if t.startswith(word, self.pos):
                self.pos += len(word)
                return val
        self.error("unexpected character '%s'" % c)

    def string(self):
        t = self.text
        self.pos += 1
        out = []
        while True:
            if self.pos >= len(t) or t[self.pos] == '\n':
                self.error('unterminated string')
            c = t[self.pos]
            self.pos += 1
            if c == "'":
                return ''.join(out)
            if c == '\\':
                c = t[self.pos]
                self.pos += 1
            out.append(c)


def parse_file(fname, seen=None):
    """Parse fname and its includes; returns [(expr, Info)]."""
    if seen is None:
        seen = set()
    path = os.path.realpath(fname)
    if path in seen:
        return []
    seen.add(path)
    with open(fname, encoding='utf-8') as f:
        lex = _Lexer(f.read(), fname)
    exprs = []
    while True:
        lex.skip_ws()
        if lex.pos >= len(lex.text):
            break
        line = lex.line
        expr = lex.value()
        if not isinstance(expr, dict):
            lex.error('top-level expression must be an object')
        info = Info(fname, line)
        if 'include' in expr:
            inc = os.path.join(os.path.dirname(fname), expr['include'])
            exprs.extend(parse_file(inc, seen))
        elif 'pragma' in expr:
            continue
        else:
            exprs.append((expr, info))
    return exprs
