/* HMP command handlers shared between monitor/hmp-cmds*.c. */
#ifndef MONITOR_HMP_H
#define MONITOR_HMP_H

#include "monitor-internal.h"
#include "x86-paging.h"

void hmp_xp(Monitor *mon, char **argv);
void hmp_dump_guest_memory(Monitor *mon, char **argv);
void hmp_x(Monitor *mon, char **argv);
/* "x/10i addr" -> "x" "/10i" "addr" (hmp-cmds-mem.c) */
char **hmp_split_fmt(char **argv);
void hmp_gpa2hva(Monitor *mon, char **argv);
void hmp_info_mtree(Monitor *mon, char **argv);
void hmp_device_add(Monitor *mon, char **argv);
void hmp_info_registers(Monitor *mon, char **argv);
void hmp_info_cpus(Monitor *mon, char **argv);
void hmp_cpu(Monitor *mon, char **argv);
/* The monitor's CPU's paging registers; false without a CPU. */
bool monitor_cpu_paging(Monitor *mon, PagingCtx *pc);
/* qmp-cmds-mem.c */
void hmp_memsave(Monitor *mon, char **argv);
void hmp_pmemsave(Monitor *mon, char **argv);
/* hmp-cmds-paging.c */
void hmp_info_mem(Monitor *mon, char **argv);
void hmp_info_tlb(Monitor *mon, char **argv);
/* hmp-cmds-dev.c */
void hmp_info_lapic(Monitor *mon, char **argv);
void hmp_info_pic(Monitor *mon, char **argv);
void hmp_info_irq(Monitor *mon, char **argv);
void hmp_sendkey(Monitor *mon, char **argv);
int hmp_sendkey_encode(const char *combo, bool release, GByteArray *out,
                       char **bad);
const char *hmp_key_name_of_qnum(int64_t qnum);
bool monitor_send_keys(const char *combo, int64_t hold_ms, GError **errp);
void hmp_log(Monitor *mon, char **argv);
void hmp_logfile(Monitor *mon, char **argv);
/* kvm-stats.c */
void hmp_info_kvm_stats(Monitor *mon, char **argv);

#endif
