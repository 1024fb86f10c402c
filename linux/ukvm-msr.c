/*
 * ukvm: MSR accesses handed to user space, as the kernel's
 * KVM_CAP_X86_USER_SPACE_MSR and KVM_X86_SET_MSR_FILTER (api.rst 7.21 and
 * 4.97; arch/x86/kvm/x86.c kvm_msr_allowed, kvm_msr_user_space).
 *
 * - KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR, args[0] = mask of
 *   KVM_MSR_EXIT_REASON_INVAL/UNKNOWN/FILTER): a guest RDMSR/WRMSR that
 *   would #GP for one of those reasons exits with KVM_EXIT_X86_RDMSR/WRMSR
 *   instead; user space fills msr.data (RDMSR) and msr.error (non-zero:
 *   #GP) and the next KVM_RUN completes the instruction.
 * - The reasons, as the kernel without an in-kernel LAPIC gives them:
 *   FILTER for an access the MSR filter denies; INVAL for the x2APIC range
 *   0x800-0x8ff (the kernel has a handler that refuses: no in-kernel
 *   APIC); UNKNOWN for an MSR neither the engine nor ukvm's PV code knows.
 *   Invalid values written to MSRs the engine owns still #GP directly
 *   (the kernel would say INVAL): not modelled.
 * - The filter: up to 16 ranges with a bitmap each (1 allows), first
 *   matching range for the access type decides, default allow or deny;
 *   x2APIC MSRs are never filtered; host accesses (KVM_GET/SET_MSRS) are
 *   never filtered.
 * - IA32_TSC_DEADLINE (0x6e0) without an in-kernel LAPIC reads 0 and
 *   ignores writes, as the kernel's; user space that wants it filters it.
 */
#include <string.h>

#include "ukvm-internal.h"

#define X2APIC_FIRST 0x800
#define X2APIC_LAST 0x8ff
#define MSR_TSC_DEADLINE_ 0x6e0
#define REASONS_VALID (KVM_MSR_EXIT_REASON_INVAL | \
                       KVM_MSR_EXIT_REASON_UNKNOWN | \
                       KVM_MSR_EXIT_REASON_FILTER)
#define FILTER_MAX_BITMAP 0x600     /* KVM_MSR_FILTER_MAX_BITMAP_SIZE */

typedef struct UkvmMsrRange {
    uint32_t flags, nmsrs, base;
    uint8_t *bitmap;
} UkvmMsrRange;

struct UkvmMsrFilter {
    bool default_allow;
    int count;
    UkvmMsrRange ranges[KVM_MSR_FILTER_MAX_RANGES];
};

static void filter_free(UkvmMsrFilter *f)
{
    if (!f) {
        return;
    }
    for (int i = 0; i < f->count; i++) {
        g_free(f->ranges[i].bitmap);
    }
    g_free(f);
}

void ukvm_msr_vm_init(UkvmVM *vm)
{
    pthread_rwlock_init(&vm->msr_lock, NULL);
}

void ukvm_msr_vm_free(UkvmVM *vm)
{
    filter_free(vm->msr_filter);
    vm->msr_filter = NULL;
    pthread_rwlock_destroy(&vm->msr_lock);
}

int ukvm_msr_enable_cap(UkvmVM *vm, uint64_t mask)
{
    if (mask & ~(uint64_t)REASONS_VALID) {
        return -EINVAL;
    }
    atomic_store(&vm->user_msr_mask, (uint32_t)mask);
    return 0;
}

int ukvm_msr_set_filter(UkvmVM *vm, void *arg)
{
    struct kvm_msr_filter uf;
    bool empty = true;

    if (ukvm_copy_from_user(&uf, arg, sizeof(uf))) {
        return -EFAULT;
    }
    if (uf.flags & ~(uint32_t)KVM_MSR_FILTER_DEFAULT_DENY) {
        return -EINVAL;
    }
    for (int i = 0; i < KVM_MSR_FILTER_MAX_RANGES; i++) {
        empty &= !uf.ranges[i].nmsrs;
    }
    bool default_allow = !(uf.flags & KVM_MSR_FILTER_DEFAULT_DENY);
    if (empty && !default_allow) {
        return -EINVAL;
    }
    UkvmMsrFilter *f = g_new0(UkvmMsrFilter, 1);
    f->default_allow = default_allow;
    for (int i = 0; i < KVM_MSR_FILTER_MAX_RANGES; i++) {
        struct kvm_msr_filter_range *r = &uf.ranges[i];
        if (!r->nmsrs) {
            continue;
        }
        size_t size = ((uint64_t)r->nmsrs + 63) / 64 * 8;
        if (!r->flags ||
            (r->flags & ~(uint32_t)(KVM_MSR_FILTER_READ |
                                    KVM_MSR_FILTER_WRITE)) ||
            size > FILTER_MAX_BITMAP) {
            filter_free(f);
            return -EINVAL;
        }
        UkvmMsrRange *d = &f->ranges[f->count];
        d->bitmap = g_malloc(size);
        if (ukvm_copy_from_user(d->bitmap, r->bitmap, size)) {
            g_free(d->bitmap);
            filter_free(f);
            return -EFAULT;
        }
        d->flags = r->flags;
        d->nmsrs = r->nmsrs;
        d->base = r->base;
        f->count++;
    }
    pthread_rwlock_wrlock(&vm->msr_lock);
    UkvmMsrFilter *old = vm->msr_filter;
    vm->msr_filter = f;
    pthread_rwlock_unlock(&vm->msr_lock);
    filter_free(old);
    return 0;
}

static bool filter_allows(UkvmVM *vm, uint32_t index, uint32_t type)
{
    bool allowed = true;

    if (index >= X2APIC_FIRST && index <= X2APIC_LAST) {
        return true;
    }
    pthread_rwlock_rdlock(&vm->msr_lock);
    UkvmMsrFilter *f = vm->msr_filter;
    if (f) {
        allowed = f->default_allow;
        for (int i = 0; i < f->count; i++) {
            UkvmMsrRange *r = &f->ranges[i];
            if (index >= r->base && index - r->base < r->nmsrs &&
                (r->flags & type)) {
                uint32_t bit = index - r->base;
                allowed = (r->bitmap[bit / 8] >> (bit % 8)) & 1;
                break;
            }
        }
    }
    pthread_rwlock_unlock(&vm->msr_lock);
    return allowed;
}

static bool engine_knows(uint32_t index)
{
    uint32_t list[256];
    int n = MIN(x86_msr_index_list(list, G_N_ELEMENTS(list)),
                (int)G_N_ELEMENTS(list));
    for (int i = 0; i < n; i++) {
        if (list[i] == index) {
            return true;
        }
    }
    return index == MSR_TSC_DEADLINE_;
}

/* Exit with @reason if user space asked for it, else #GP. */
static X86MsrResult to_user(UkvmVM *vm, X86CPU *cpu, uint32_t reason)
{
    uint32_t id = x86_cpu_index(cpu);
    UkvmVcpu *v = id < UKVM_MAX_VCPU_ID ? vm->vcpus[id] : NULL;

    if (!v || !(atomic_load(&vm->user_msr_mask) & reason)) {
        return X86_MSR_DENY;
    }
    v->msr_reason = reason;
    return X86_MSR_EXIT;
}

static X86MsrResult msr_access(UkvmVM *vm, X86CPU *cpu, uint32_t index,
                               uint64_t *value, bool write)
{
    uint32_t type = write ? KVM_MSR_FILTER_WRITE : KVM_MSR_FILTER_READ;

    if (!filter_allows(vm, index, type)) {
        return to_user(vm, cpu, KVM_MSR_EXIT_REASON_FILTER);
    }
    X86MsrResult r = write ? ukvm_pv_msr_write(vm, cpu, index, *value)
                           : ukvm_pv_msr_read(vm, cpu, index, value);
    if (r != X86_MSR_UNHANDLED) {
        return r;
    }
    if (index >= X2APIC_FIRST && index <= X2APIC_LAST) {
        return to_user(vm, cpu, KVM_MSR_EXIT_REASON_INVAL);
    }
    if (index == MSR_TSC_DEADLINE_) {
        if (!write) {
            *value = 0;
        }
        return X86_MSR_OK;
    }
    if ((atomic_load(&vm->user_msr_mask) & KVM_MSR_EXIT_REASON_UNKNOWN) &&
        !engine_knows(index)) {
        return to_user(vm, cpu, KVM_MSR_EXIT_REASON_UNKNOWN);
    }
    return X86_MSR_UNHANDLED;
}

X86MsrResult ukvm_msr_read(void *opaque, X86CPU *cpu, uint32_t index,
                           uint64_t *value)
{
    return msr_access(opaque, cpu, index, value, false);
}

X86MsrResult ukvm_msr_write(void *opaque, X86CPU *cpu, uint32_t index,
                            uint64_t value)
{
    return msr_access(opaque, cpu, index, &value, true);
}

void ukvm_msr_exit_to_user(UkvmVcpu *v, const X86Exit *ex)
{
    struct kvm_run *run = v->run;

    run->exit_reason = ex->msr.write ? KVM_EXIT_X86_WRMSR
                                     : KVM_EXIT_X86_RDMSR;
    run->msr.error = 0;
    memset(run->msr.pad, 0, sizeof(run->msr.pad));
    run->msr.reason = v->msr_reason;
    run->msr.index = ex->msr.index;
    run->msr.data = ex->msr.write ? ex->msr.data : 0;
}

void ukvm_msr_complete(UkvmVcpu *v)
{
    x86_cpu_complete_msr(v->cpu, v->run->msr.data, v->run->msr.error != 0);
}
