/*
 * Multiplexer (mux=on, mon:stdio): several frontends share one backend;
 * input goes to the frontend with focus, output from all of them is
 * written to the backend. Escape sequences after Ctrl-a, as in QEMU:
 *   C-a h / C-a ?  print help          C-a x  quit ("QEMU: Terminated")
 *   C-a c          switch focus        C-a b  send break to the focus
 *   C-a C-a        a literal Ctrl-a    C-a t  toggle "[hh:mm:ss.mmm] "
 *   C-a s          accepted, no effect        line timestamps on output
 * Other bytes after Ctrl-a are dropped.
 */
#include "char-internal.h"
#include "system/runstate.h"
#include "system/timer.h"

#include <string.h>

#define MUX_ESCAPE 0x01

static void mux_print(Chardev *chr, const char *s)
{
    chardev_write(chr, (const uint8_t *)s, strlen(s));
}

static void mux_help(Chardev *chr)
{
    static const char *const lines[] = {
        "C-a h    print this help\n\r",
        "C-a x    exit emulator\n\r",
        "C-a s    save disk data back to file (if -snapshot)\n\r",
        "C-a t    toggle console timestamps\n\r",
        "C-a b    send break (magic sysrq)\n\r",
        "C-a c    switch between console and monitor\n\r",
        "C-a C-a  sends C-a\n\r",
    };
    mux_print(chr, "\n\r");
    for (size_t i = 0; i < G_N_ELEMENTS(lines); i++) {
        mux_print(chr, lines[i]);
    }
}

void chr_mux_set_focus(Chardev *chr, int tag)
{
    if (tag < 0 || tag >= CHR_MAX_FRONTENDS || !chr->fe[tag]) {
        return;
    }
    CharFrontend *old = chr->fe[chr->focus];
    if (old && chr->focus != tag && old->event) {
        old->event(old->opaque, CHR_EVENT_MUX_OUT);
    }
    chr->focus = tag;
    CharFrontend *fe = chr->fe[tag];
    if (fe->event) {
        fe->event(fe->opaque, CHR_EVENT_MUX_IN);
    }
}

static void mux_next_focus(Chardev *chr)
{
    for (int i = 1; i <= CHR_MAX_FRONTENDS; i++) {
        int tag = (chr->focus + i) % CHR_MAX_FRONTENDS;
        if (chr->fe[tag]) {
            chr_mux_set_focus(chr, tag);
            return;
        }
    }
}

bool chr_mux_proc_byte(Chardev *chr, uint8_t ch)
{
    if (!chr->mux_escape) {
        if (ch == MUX_ESCAPE) {
            chr->mux_escape = true;
            return true;
        }
        return false;
    }
    chr->mux_escape = false;
    switch (ch) {
    case MUX_ESCAPE:
        return false; /* C-a C-a: deliver one C-a */
    case 'h':
    case '?':
        mux_help(chr);
        break;
    case 't':
        chr->mux_timestamps = !chr->mux_timestamps;
        chr->mux_ts_start = clock_get_ms(QEMU_CLOCK_REALTIME);
        chr->mux_linestart = false;
        break;
    case 'x':
        mux_print(chr, "QEMU: Terminated\n\r");
        /* QEMU handles C-a x as the "quit" command. */
        qemu_system_shutdown_request(SHUTDOWN_CAUSE_HOST_QMP_QUIT);
        break;
    case 'c':
        mux_next_focus(chr);
        break;
    case 'b': {
        CharFrontend *fe = chr->fe[chr->focus];
        if (fe && fe->event) {
            fe->event(fe->opaque, CHR_EVENT_BREAK);
        }
        break;
    }
    default:
        break;
    }
    return true;
}
