/*
 * "pvpanic": QEMU's paravirtual panic device on an ISA port (0x505 by
 * default; -device pvpanic[,ioport=N][,events=N]) — hw/misc/pvpanic.c.
 * A read returns the events the device supports (bit 0 "panicked", bit 1
 * "crash loaded"); the guest writes bit 0 when it panics (the VM stops
 * with GUEST_PANICKED through qemu_system_guest_panicked()) and bit 1
 * when a crash kernel took over (GUEST_CRASHLOADED, the VM keeps
 * running). Linux drives it with its pvpanic driver (ACPI QEMU0001).
 *
 * Who calls it: the monitor installs the crash-loaded hook (it emits the
 * QMP event; system/runstate has no crash-loaded request). BQL.
 */
#ifndef HW_MISC_PVPANIC_H
#define HW_MISC_PVPANIC_H

#define TYPE_PVPANIC "pvpanic"
#define PVPANIC_IOPORT 0x505
#define PVPANIC_PANICKED (1u << 0)
#define PVPANIC_CRASH_LOADED (1u << 1)

typedef void PvpanicCrashLoadedHook(void);
void pvpanic_set_crashloaded_hook(PvpanicCrashLoadedHook *fn);

#endif
