/*
 * HMP, the human monitor: a line editor on the chardev (echo, insertion
 * at the cursor, Left/Right/Home/End, Backspace/Delete, ^A ^E ^K ^U ^C,
 * Up/Down history, Tab completion of commands and info subcommands) and the dispatch of command lines to hmp-cmds.c.
 * Output lines end in CR LF as QEMU's.
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

/* Redraw from the cursor to the end (plus one blank for a deleted
 * character), then move the terminal cursor back to the insertion point. */
static void hmp_redraw_tail(Monitor *mon, bool erased_one)
{
    GString *out = g_string_new(mon->line->str + mon->cursor);
    size_t back = mon->line->len - mon->cursor;

    if (erased_one) {
        g_string_append_c(out, ' ');
        back++;
    }
    for (size_t i = 0; i < back; i++) {
        g_string_append_c(out, '\b');
    }
    monitor_puts(mon, out->str);
    g_string_free(out, TRUE);
}

static void hmp_move_cursor(Monitor *mon, size_t to)
{
    if (to < mon->cursor) {
        for (; mon->cursor > to; mon->cursor--) {
            monitor_puts(mon, "\b");
        }
    } else if (to > mon->cursor && to <= mon->line->len) {
        char *s = g_strndup(mon->line->str + mon->cursor, to - mon->cursor);
        monitor_puts(mon, s);
        g_free(s);
        mon->cursor = to;
    }
}

static void hmp_replace_line(Monitor *mon, const char *text)
{
    /* erase what is shown, then show text */
    hmp_move_cursor(mon, mon->line->len);
    for (gsize i = 0; i < mon->line->len; i++) {
        monitor_puts(mon, "\b \b");
    }
    g_string_assign(mon->line, text);
    mon->cursor = mon->line->len;
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

static void hmp_insert(Monitor *mon, char c)
{
    if (mon->line->len >= HMP_MAX_LINE) {
        return;
    }
    g_string_insert_c(mon->line, mon->cursor, c);
    mon->cursor++;
    if (mon->cursor == mon->line->len) {
        char s[2] = { c, 0 };
        monitor_puts(mon, s);
    } else {
        char s[2] = { c, 0 };
        monitor_puts(mon, s);
        hmp_redraw_tail(mon, false);
    }
}

static void hmp_delete_at(Monitor *mon, size_t pos)
{
    if (pos >= mon->line->len) {
        return;
    }
    hmp_move_cursor(mon, pos);
    g_string_erase(mon->line, pos, 1);
    hmp_redraw_tail(mon, true);
}

static void hmp_kill_to_end(Monitor *mon)
{
    size_t n = mon->line->len - mon->cursor;
    GString *out = g_string_new(NULL);

    for (size_t i = 0; i < n; i++) {
        g_string_append_c(out, ' ');
    }
    for (size_t i = 0; i < n; i++) {
        g_string_append_c(out, '\b');
    }
    monitor_puts(mon, out->str);
    g_string_free(out, TRUE);
    g_string_truncate(mon->line, mon->cursor);
}

/* Tab: complete the word before the cursor; list the choices if several. */
static void hmp_tab(Monitor *mon)
{
    g_autofree char *head = g_strndup(mon->line->str, mon->cursor);
    const char *word = strrchr(head, ' ') ? strrchr(head, ' ') + 1 : head;
    GPtrArray *c = hmp_complete(head);
    size_t common;

    if (c->len == 0) {
        g_ptr_array_free(c, TRUE);
        return;
    }
    /* longest common prefix of the candidates */
    common = strlen(c->pdata[0]);
    for (guint i = 1; i < c->len; i++) {
        size_t k = 0;
        const char *a = c->pdata[0], *b = c->pdata[i];
        while (k < common && a[k] == b[k]) {
            k++;
        }
        common = k;
    }
    for (size_t k = strlen(word); k < common; k++) {
        hmp_insert(mon, ((char *)c->pdata[0])[k]);
    }
    if (c->len == 1) {
        hmp_insert(mon, ' ');
    } else if (common == strlen(word)) {
        GString *list = g_string_new("\n");
        for (guint i = 0; i < c->len; i++) {
            g_string_append_printf(list, "%s ", (char *)c->pdata[i]);
        }
        g_string_append(list, "\n" HMP_PROMPT);
        g_string_append(list, mon->line->str);
        monitor_puts(mon, list->str);
        g_string_free(list, TRUE);
        mon->cursor = mon->line->len;
    }
    g_ptr_array_free(c, TRUE);
}

static void hmp_enter(Monitor *mon)
{
    char *cmd = g_strdup(mon->line->str);

    monitor_puts(mon, "\n");
    g_string_truncate(mon->line, 0);
    mon->cursor = 0;
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

/* The final byte of ESC [ ... or ESC O ... (xterm/vt100 keys). */
static void hmp_escape(Monitor *mon, uint8_t c)
{
    switch (c) {
    case 'A':
        hmp_history_move(mon, -1);
        break;
    case 'B':
        hmp_history_move(mon, 1);
        break;
    case 'C':
        hmp_move_cursor(mon, mon->cursor + 1);
        break;
    case 'D':
        if (mon->cursor) {
            hmp_move_cursor(mon, mon->cursor - 1);
        }
        break;
    case 'H':
        hmp_move_cursor(mon, 0);
        break;
    case 'F':
        hmp_move_cursor(mon, mon->line->len);
        break;
    case '~':
        if (mon->esc_param == 1 || mon->esc_param == 7) {
            hmp_move_cursor(mon, 0);                    /* Home */
        } else if (mon->esc_param == 4 || mon->esc_param == 8) {
            hmp_move_cursor(mon, mon->line->len);       /* End */
        } else if (mon->esc_param == 3) {
            hmp_delete_at(mon, mon->cursor);            /* Delete */
        }
        break;
    default:
        break;
    }
}

static void hmp_read_byte(Monitor *mon, uint8_t c)
{
    if (mon->esc_state == 1) {
        mon->esc_state = c == '[' || c == 'O' ? 2 : 0;
        mon->esc_param = 0;
        return;
    }
    if (mon->esc_state == 2) {
        if (c >= '0' && c <= '9') {
            mon->esc_param = MIN(mon->esc_param * 10 + (c - '0'), 1000);
            return;
        }
        if (c == ';') {
            return;
        }
        mon->esc_state = 0;
        hmp_escape(mon, c);
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
        if (mon->cursor) {
            hmp_delete_at(mon, mon->cursor - 1);
        }
        break;
    case 1:                     /* ^A */
        hmp_move_cursor(mon, 0);
        break;
    case 5:                     /* ^E */
        hmp_move_cursor(mon, mon->line->len);
        break;
    case 11:                    /* ^K */
        hmp_kill_to_end(mon);
        break;
    case 21:                    /* ^U */
        hmp_replace_line(mon, "");
        break;
    case '\t':
        hmp_tab(mon);
        break;
    case 3:                     /* ^C: drop the line */
        g_string_truncate(mon->line, 0);
        mon->cursor = 0;
        monitor_puts(mon, "\n");
        hmp_prompt(mon);
        break;
    default:
        if (c >= 32) {
            hmp_insert(mon, (char)c);
        }
        break;
    }
}

static int hmp_can_read(void *opaque)
{
    Monitor *mon = opaque;

    /* a slow terminal: let the output drain before taking more input */
    return monitor_output_blocked(mon) ? 0 : 1024;
}

static void hmp_write_ready(void *opaque)
{
    Monitor *mon = opaque;

    chr_fe_accept_input(&mon->fe);
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

/*
 * On a mux (mon:stdio, -nographic) the monitor shares the terminal with
 * the guest's serial port and, as QEMU's, shows nothing while another
 * frontend has the focus: its output is held (monitor_puts) and appears
 * at MUX_IN (C-a c), which also redraws the prompt and the line.
 */
static void hmp_event(void *opaque, ChardevEvent event)
{
    Monitor *mon = opaque;
    Chardev *chr = mon->fe.chr;
    bool on_mux = chr && chardev_is_mux(chr);

    switch (event) {
    case CHR_EVENT_OPENED:
        mon->connected = true;
        mon->mux_out = on_mux && chardev_mux_focus(chr) != mon->fe.tag;
        g_string_truncate(mon->line, 0);
        mon->cursor = 0;
        monitor_printf(mon, "QEMU %s monitor - type 'help' for more "
                       "information\n", QEMU_IFACE_VERSION);
        hmp_prompt(mon);
        break;
    case CHR_EVENT_MUX_IN:
        if (!mon->mux_out) {
            break;              /* already shown (OPENED with the focus) */
        }
        mon->mux_out = false;
        if (mon->held && mon->held->len) {
            monitor_puts(mon, mon->held->str);
            g_string_truncate(mon->held, 0);
        } else {
            hmp_prompt(mon);
            monitor_puts(mon, mon->line->str);
            mon->cursor = mon->line->len;
        }
        break;
    case CHR_EVENT_MUX_OUT:
        mon->mux_out = true;
        break;
    case CHR_EVENT_CLOSED:
        mon->connected = false;
        g_string_truncate(mon->line, 0);
        mon->cursor = 0;
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
    chr_fe_set_write_ready(&mon->fe, hmp_write_ready);
}

void monitor_hmp_free(Monitor *mon)
{
    if (mon->held) {
        g_string_free(mon->held, TRUE);
    }
    g_string_free(mon->line, TRUE);
    g_ptr_array_free(mon->history, TRUE);
}
