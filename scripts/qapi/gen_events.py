"""Event emitters: qapi_event_send_<name>(members...) builds the event's
data with the output visitor and hands it to qapi_event_emit(), which adds
"event" and "timestamp" and passes the message to the monitors."""
from .common import HEADER, params, upper


def gen(schema, prefix):
    p = prefix.replace('-', '_')
    guard = 'GEN_' + prefix.upper().replace('-', '_') + 'QAPI_EVENTS_H'
    h = [HEADER, '#ifndef ' + guard, '#define ' + guard, '',
         '#include "%sqapi-types.h"' % prefix, '#include "qapi/qmp-event.h"',
         '']
    c = [HEADER, '#include "%sqapi-events.h"' % prefix,
         '#include "%sqapi-visit.h"' % prefix, '']
    h.append('typedef enum %sQAPIEvent {' % p)
    for ev in schema.events:
        h.append('    %sQAPI_EVENT_%s,' % (p.upper(), upper(ev.name)))
    h.append('    %sQAPI_EVENT__MAX,' % p.upper())
    h.append('} %sQAPIEvent;' % p)
    h.append('extern const QEnumLookup %sQAPIEvent_lookup;' % p)
    h.append('')
    c.append('static const char *const event_names[] = {')
    for ev in schema.events:
        c.append('    [%sQAPI_EVENT_%s] = "%s",' % (p.upper(), upper(ev.name),
                                                   ev.name))
    c.append('};')
    c.append('const QEnumLookup %sQAPIEvent_lookup = { event_names, %d };'
             % (p, len(schema.events)))
    c.append('')
    for ev in schema.events:
        fn = 'qapi_event_send_%s' % ev.name.lower().replace('-', '_')
        at = ev.arg_type
        if at is None:
            sig = 'void %s(void)' % fn
        elif ev.boxed:
            sig = 'void %s(const %s *arg)' % (fn, at.c_name)
        else:
            sig = 'void %s(%s)' % (fn, params(at.members()))
        h.append(sig + ';')
        c.append(sig)
        c.append('{')
        if at is None:
            c.append('    qapi_event_emit(%sQAPI_EVENT_%s, "%s", NULL);'
                     % (p.upper(), upper(ev.name), ev.name))
        else:
            c.append('    QDict *data = qdict_new();')
            if ev.boxed:
                c.append('    qapi_out_members_%s(data, arg);' % at.c_name)
            else:
                c.append('    %s param = { 0 };' % at.c_name)
                for m in at.members():
                    if m.needs_has():
                        c.append('    param.has_%s = has_%s;' % (m.c_name,
                                                                m.c_name))
                    cast = '(char *)' if m.type.name == 'str' else ''
                    c.append('    param.%s = %s%s;' % (m.c_name, cast, m.c_name))
                c.append('    qapi_out_members_%s(data, &param);' % at.c_name)
            c.append('    qapi_event_emit(%sQAPI_EVENT_%s, "%s", data);'
                     % (p.upper(), upper(ev.name), ev.name))
        c.append('}')
        c.append('')
    h += ['', '#endif']
    return '\n'.join(h) + '\n', '\n'.join(c) + '\n'
