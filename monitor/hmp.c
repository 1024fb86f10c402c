/*
 * HMP, the human monitor: a line editor on the chardev (printable
 * characters echo, backspace, Enter, Up/Down history) and the dispatch of
 * command lines to hmp-cmds.c. Output lines end in CR LF as QEMU's.
 */
#include "monitor-internal.h"
#include "config-host.h"

#include <string.h>

#define HMP_PROMPT "(qemu) "
#define HMP_MAX_LINE 4096
#define HMP_HISTORY 64

static void hmp_prompt(Monitor *mon)
{
    monitor_puts(mon, HMP_PROMPT);
}

static void hmp_replace_line(Monitor *mon, const char *text)
{
    /* erase what is shown, then show text */
    for (gsize i = 0; i < mon->line->len; i++) {
        monitor_puts(mon, "\b \b");
    }
    g_string_assign(mon->line, text);
    monitor_puts(mon, text);
}

static void hmp_history_move(Monitor *mon, int dir)
{
    int n = mon->history->len;
    int pos = mon->history_pos + dir;

    if (pos < 0 || pos > n) {
        return;
    }
    mon->history_pos = pos;
    hmp_replace_line(mon, pos == n ? "" : g_ptr_array_index(mon->history,
                                                            pos));
}

static void hmp_enter(Monitor *mon)
{
    char *cmd = g_strdup(mon->line->str);

    monitor_puts(mon, "\n");
    g_string_truncate(mon->line, 0);
    if (*g_strstrip(cmd)) {
        if (mon->history->len >= HMP_HISTORY) {
            g_ptr_array_remove_index(mon->history, 0);
        }
        g_ptr_array_add(mon->history, g_strdup(cmd));
    }
    mon->history_pos = mon->history->len;
    hmp_handle_command(mon, cmd);
    g_free(cmd);
    if (g_list_find(monitor_list(), mon)) {
        hmp_prompt(mon);
    }
}

static void hmp_read_byte(Monitor *mon, uint8_t c)
{
    if (mon->esc_state == 1) {
        mon->esc_state = c == '[' || c == 'O' ? 2 : 0;
        return;
    }
    if (mon->esc_state == 2) {
        if (c >= '0' && c <= '9') {
            return;             /* parameters of the sequence */
        }
        mon->esc_state = 0;
        if (c == 'A') {
            hmp_history_move(mon, -1);
        } else if (c == 'B') {
            hmp_history_move(mon, 1);
        }
        return;
    }
    switch (c) {
    case 27:
        mon->esc_state = 1;
        break;
    case '\r':
    case '\n':
        hmp_enter(mon);
        break;
    case 8:
    case 127:
        if (mon->line->len) {
            g_string_truncate(mon->line, mon->line->len - 1);
            monitor_puts(mon, "\b \b");
        }
        break;
    case 3:                     /* ^C: drop the line */
        g_string_truncate(mon->line, 0);
        monitor_puts(mon, "\n");
        hmp_prompt(mon);
        break;
    default:
        if ((c >= 32 || c == '\t') && mon->line->len < HMP_MAX_LINE) {
            char s[2] = { (char)c, 0 };
            g_string_append_c(mon->line, c);
            monitor_puts(mon, s);
        }
        break;
    }
}

static int hmp_can_read(void *opaque)
{
    return 1024;
}

static void hmp_read(void *opaque, const uint8_t *buf, int size)
{
    Monitor *mon = opaque;

    for (int i = 0; i < size && g_list_find(monitor_list(), mon); i++) {
        /* a CR LF pair is one Enter */
        if (buf[i] == '\n' && i > 0 && buf[i - 1] == '\r') {
            continue;
        }
        hmp_read_byte(mon, buf[i]);
    }
}

static void hmp_event(void *opaque, ChardevEvent event)
{
    Monitor *mon = opaque;

    switch (event) {
    case CHR_EVENT_OPENED:
    case CHR_EVENT_MUX_IN:
        if (!mon->connected || event == CHR_EVENT_OPENED) {
            monitor_printf(mon, "QEMU %s monitor - type 'help' for more "
                           "information\n", QEMU_IFACE_VERSION);
        }
        mon->connected = true;
        g_string_truncate(mon->line, 0);
        hmp_prompt(mon);
        break;
    case CHR_EVENT_CLOSED:
        mon->connected = false;
        g_string_truncate(mon->line, 0);
        break;
    default:
        break;
    }
}

void monitor_hmp_setup(Monitor *mon)
{
    mon->line = g_string_new(NULL);
    mon->history = g_ptr_array_new_with_free_func(g_free);
    chr_fe_set_handlers(&mon->fe, hmp_can_read, hmp_read, hmp_event, mon);
}

void monitor_hmp_free(Monitor *mon)
{
    g_string_free(mon->line, TRUE);
    g_ptr_array_free(mon->history, TRUE);
}
