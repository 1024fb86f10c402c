/*
 * The event log that guests-events.S keeps in guest RAM, shared by the
 * bare-metal event tests (test-events.c, test-debug.c): every handler
 * appends {vector, RIP, RFLAGS, extra} at EV_LOG and counts at EV_LOGN.
 * The guest code is loaded at EV_BASE.
 */
#ifndef TESTS_CPU_ENGINE_EVENTS_LOG_H
#define TESTS_CPU_ENGINE_EVENTS_LOG_H

#include <glib.h>
#include <string.h>

#include "engine-env.h"

#define EV_BASE 0x100000ULL
#define EV_LOGN 0x6ff000
#define EV_LOG  0x700000

typedef struct LogEnt {
    uint64_t vec, rip, rflags, extra;
} LogEnt;

static inline unsigned log_n(Env *e)
{
    return get64(e, EV_LOGN);
}

static inline LogEnt log_at(Env *e, unsigned i)
{
    LogEnt l;

    memcpy(&l, e->ram + EV_LOG + i * 32, sizeof(l));
    return l;
}

static inline void dump_log(Env *e)
{
    for (unsigned i = 0; i < log_n(e) && i < 16; i++) {
        LogEnt l = log_at(e, i);
        g_test_message("log[%u] vec %#llx rip %#llx rflags %#llx extra %#llx",
                       i, (unsigned long long)l.vec,
                       (unsigned long long)l.rip,
                       (unsigned long long)l.rflags,
                       (unsigned long long)l.extra);
    }
}

#endif
