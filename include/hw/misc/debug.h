/* Guest test devices: isa-debug-exit and isa-debugcon (hw/misc/). */
#ifndef HW_MISC_DEBUG_H
#define HW_MISC_DEBUG_H

#define TYPE_ISA_DEBUG_EXIT "isa-debug-exit"
#define TYPE_ISA_DEBUGCON "isa-debugcon"

/* Called by isa-debug-exit with the status; default: exit(status). */
typedef void DebugExitHook(int status);
void debug_exit_set_hook(DebugExitHook *hook);

#endif
