/* Shared helpers for the chardev unit tests: a recording frontend and
 * main loop pumping. */
#ifndef CHAR_TEST_UTIL_H
#define CHAR_TEST_UTIL_H

#include "chardev/char.h"
#include "system/main-loop.h"
#include "system/timer.h"

typedef struct {
    CharFrontend fe;
    GString *got;    /* bytes received */
    GString *events; /* "O" opened, "C" closed, "B" break, "I"/"U" mux */
    int can;         /* can_read answer */
} TestFe;

static int tfe_can_read(void *opaque)
{
    TestFe *t = opaque;
    return t->can;
}

static void tfe_read(void *opaque, const uint8_t *buf, int size)
{
    TestFe *t = opaque;
    g_assert_cmpint(size, <=, t->can); /* never more than can_read() */
    g_string_append_len(t->got, (const char *)buf, size);
}

static void tfe_event(void *opaque, ChardevEvent ev)
{
    TestFe *t = opaque;
    static const char code[] = {[CHR_EVENT_BREAK] = 'B',
                                [CHR_EVENT_OPENED] = 'O',
                                [CHR_EVENT_MUX_IN] = 'I',
                                [CHR_EVENT_MUX_OUT] = 'U',
                                [CHR_EVENT_CLOSED] = 'C'};
    g_string_append_c(t->events, code[ev]);
}

static inline void tfe_attach(TestFe *t, Chardev *chr)
{
    t->got = g_string_new("");
    t->events = g_string_new("");
    t->can = 4096;
    g_assert_true(chr_fe_init(&t->fe, chr, NULL));
    chr_fe_set_handlers(&t->fe, tfe_can_read, tfe_read, tfe_event, t);
}

static inline void tfe_detach(TestFe *t)
{
    chr_fe_deinit(&t->fe);
    g_string_free(t->got, TRUE);
    g_string_free(t->events, TRUE);
}

/* Iterate the main loop until cond(opaque) or timeout_ms passed. */
static inline bool pump_until(bool (*cond)(void *), void *opaque,
                              int timeout_ms)
{
    int64_t end =
        clock_get_ns(QEMU_CLOCK_REALTIME) + (int64_t)timeout_ms * SCALE_MS;
    while (!cond(opaque)) {
        if (clock_get_ns(QEMU_CLOCK_REALTIME) > end) {
            return false;
        }
        main_loop_iteration(false);
        g_usleep(1000);
    }
    return true;
}

static inline void pump_for(int ms)
{
    int64_t end = clock_get_ns(QEMU_CLOCK_REALTIME) + (int64_t)ms * SCALE_MS;
    while (clock_get_ns(QEMU_CLOCK_REALTIME) < end) {
        main_loop_iteration(false);
        g_usleep(1000);
    }
}

#endif
