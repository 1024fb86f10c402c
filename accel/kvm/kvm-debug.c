/*
 * Guest debugging through KVM_SET_GUEST_DEBUG: single-step, software (INT3)
 * and hardware (DR0-3/DR7) breakpoints, for the gdbstub. A KVM_EXIT_DEBUG
 * exit becomes a debug request (run state "debug") in kvm-cpus.c.
 */
#include <errno.h>
#include <string.h>

#include "kvm-internal.h"
#include "util/error.h"

typedef struct DebugReq {
    struct kvm_guest_debug dbg;
    int r;
} DebugReq;

static void set_debug_on_cpu(KvmCpu *cpu, void *data)
{
    DebugReq *req = data;
    req->r = kvm_vcpu_ioctl(cpu, KVM_SET_GUEST_DEBUG, &req->dbg);
}

bool kvm_cpu_set_guest_debug(KvmCpu *cpu, const struct kvm_guest_debug *dbg,
                             GError **errp)
{
    DebugReq req = { .dbg = *dbg };
    kvm_cpu_run_on(cpu, set_debug_on_cpu, &req);
    if (req.r < 0) {
        error_setg(errp, "KVM_SET_GUEST_DEBUG failed: %s", g_strerror(-req.r));
        return false;
    }
    return true;
}

bool kvm_cpu_set_single_step(KvmCpu *cpu, bool on, GError **errp)
{
    struct kvm_guest_debug dbg;
    memset(&dbg, 0, sizeof(dbg));
    if (on) {
        dbg.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP;
    }
    return kvm_cpu_set_guest_debug(cpu, &dbg, errp);
}
