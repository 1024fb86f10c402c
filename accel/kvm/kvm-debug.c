/*
 * Guest debugging through KVM_SET_GUEST_DEBUG (single-step for now; the
 * gdbstub, when it comes, adds breakpoints here). A KVM_EXIT_DEBUG exit
 * becomes a debug request (run state "debug") in kvm-cpus.c.
 */
#include <errno.h>
#include <string.h>

#include "kvm-internal.h"
#include "util/error.h"

typedef struct StepReq {
    bool on;
    int r;
} StepReq;

static void set_step_on_cpu(KvmCpu *cpu, void *data)
{
    StepReq *req = data;
    struct kvm_guest_debug dbg;
    memset(&dbg, 0, sizeof(dbg));
    if (req->on) {
        dbg.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP;
    }
    req->r = kvm_vcpu_ioctl(cpu, KVM_SET_GUEST_DEBUG, &dbg);
}

bool kvm_cpu_set_single_step(KvmCpu *cpu, bool on, GError **errp)
{
    StepReq req = { .on = on };
    kvm_cpu_run_on(cpu, set_step_on_cpu, &req);
    if (req.r < 0) {
        error_setg(errp, "KVM_SET_GUEST_DEBUG failed: %s", g_strerror(-req.r));
        return false;
    }
    return true;
}
