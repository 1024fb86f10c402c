/* HMP command handlers shared between monitor/hmp-cmds*.c. */
#ifndef MONITOR_HMP_H
#define MONITOR_HMP_H

#include "monitor-internal.h"

void hmp_xp(Monitor *mon, char **argv);
void hmp_x(Monitor *mon, char **argv);
void hmp_gpa2hva(Monitor *mon, char **argv);
void hmp_info_mtree(Monitor *mon, char **argv);
void hmp_device_add(Monitor *mon, char **argv);
void hmp_info_registers(Monitor *mon, char **argv);
void hmp_info_cpus(Monitor *mon, char **argv);
/* kvm-stats.c */
void hmp_info_kvm_stats(Monitor *mon, char **argv);

#endif
