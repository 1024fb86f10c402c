"""Command marshallers and the registration of every command.

For each command the schema declares, qapi-commands.h declares the
hand-written implementation qmp_<name>(args..., GError **errp), and
qapi-commands.c defines a marshaller that converts the QMP arguments with
the strict input visitor, calls the implementation and converts its
result with the output visitor. qmp_init_marshal() registers every
marshaller, so a command the schema declares but nobody implements is a
link error, never silently absent.
"""
from .common import HEADER, decl, free_stmt, out_fn, params


def _impl_params(cmd):
    if cmd.arg_type is None:
        return 'GError **errp'
    if cmd.boxed:
        return '%s *arg, GError **errp' % cmd.arg_type.c_name
    return params(cmd.arg_type.members(), 'GError **errp')


def _call_args(cmd):
    if cmd.arg_type is None:
        return '&err'
    if cmd.boxed:
        return '&arg, &err'
    out = []
    for m in cmd.arg_type.members():
        if m.needs_has():
            out.append('arg.has_%s' % m.c_name)
        out.append('arg.%s' % m.c_name)
    out.append('&err')
    return ', '.join(out)


def gen(schema, prefix):
    guard = 'GEN_' + prefix.upper().replace('-', '_') + 'QAPI_COMMANDS_H'
    h = [HEADER, '#ifndef ' + guard, '#define ' + guard, '',
         '#include "%sqapi-types.h"' % prefix, '#include "qapi/qmp-dispatch.h"',
         '']
    c = [HEADER, '#include "%sqapi-commands.h"' % prefix,
         '#include "%sqapi-visit.h"' % prefix, '']
    reg = []
    for cmd in schema.commands:
        if not cmd.gen:
            continue
        ret = cmd.ret_type.c_type() if cmd.ret_type else 'void'
        h.append(decl(ret, 'qmp_%s(%s)' % (cmd.c_name, _impl_params(cmd))) + ';')
        c.append('static void qmp_marshal_%s(QDict *args, QObject **ret, '
                 'GError **errp)' % cmd.c_name)
        c.append('{')
        c.append('    GError *err = NULL;')
        c.append('    GHashTable *unseen = qapi_in_unseen_new(args);')
        at = cmd.arg_type
        if at is not None:
            c.append('    %s arg = { 0 };' % at.c_name)
        if cmd.ret_type is not None:
            c.append('    %s;' % decl(cmd.ret_type.c_type(), 'retval'))
        c.append('')
        if at is not None:
            c.append('    if (!qapi_in_members_%s(args, NULL, unseen, &arg, '
                     'errp)) {' % at.c_name)
            c.append('        goto out;')
            c.append('    }')
        c.append('    if (!qapi_in_check_unseen(args, NULL, unseen, errp)) {')
        c.append('        goto out;')
        c.append('    }')
        call = 'qmp_%s(%s)' % (cmd.c_name, _call_args(cmd))
        if cmd.ret_type is not None:
            c.append('    retval = %s;' % call)
        else:
            c.append('    %s;' % call)
        c.append('    if (err) {')
        c.append('        g_propagate_error(errp, err);')
        c.append('        goto out;')
        c.append('    }')
        if cmd.ret_type is not None:
            c.append('    *ret = %s(retval);' % out_fn(cmd.ret_type))
            fs = free_stmt(cmd.ret_type, 'retval')
            if fs:
                c.append('    ' + fs)
        else:
            c.append('    *ret = QOBJECT(qdict_new());')
        c.append('out:')
        c.append('    g_hash_table_destroy(unseen);')
        if at is not None:
            c.append('    qapi_free_members_%s(&arg);' % at.c_name)
        c.append('}')
        c.append('')
        opts = []
        if not cmd.success_response:
            opts.append('QCO_NO_SUCCESS_RESP')
        if cmd.allow_oob:
            opts.append('QCO_ALLOW_OOB')
        if cmd.allow_preconfig:
            opts.append('QCO_ALLOW_PRECONFIG')
        feats = []
        if 'deprecated' in cmd.features:
            feats.append('QAPI_FEATURE_DEPRECATED')
        if 'unstable' in cmd.features:
            feats.append('QAPI_FEATURE_UNSTABLE')
        reg.append('    qmp_register_command(cmds, "%s", qmp_marshal_%s, %s, %s);'
                   % (cmd.name, cmd.c_name, ' | '.join(opts) or '0',
                      ' | '.join(feats) or '0'))
    h += ['', 'void %sqmp_init_marshal(QmpCommandList *cmds);'
          % prefix.replace('-', '_'), '', '#endif']
    c.append('void %sqmp_init_marshal(QmpCommandList *cmds)'
             % prefix.replace('-', '_'))
    c.append('{')
    c += reg
    c.append('}')
    return '\n'.join(h) + '\n', '\n'.join(c) + '\n'
