/*
 * KVM ABI test helpers (see abi-common.h).
 */
#include <string.h>
#include <sys/mman.h>

#include "abi-common.h"

int abi_ioctl(AbiCtx *c, int fd, unsigned long req, void *arg)
{
    return c->p->ioctl(fd, req, arg);
}

bool abi_open_vm(AbiCtx *c, const KvmProvider *p)
{
    memset(c, 0, sizeof(*c));
    c->p = p;
    c->sys = c->vm = c->vcpu = -1;
    c->sys = p->open_system();
    if (c->sys < 0) {
        g_autofree char *msg = g_strdup_printf(
            "provider %s unavailable: %s", p->name, g_strerror(-c->sys));
        g_test_skip(msg);
        return false;
    }
    c->vm = p->ioctl(c->sys, KVM_CREATE_VM, 0);
    g_assert_cmpint(c->vm, >=, 0);
    return true;
}

bool abi_open_guest(AbiCtx *c, const KvmProvider *p)
{
    if (!abi_open_vm(c, p)) {
        return false;
    }
    c->mem_size = GUEST_MEM_SIZE;
    c->mem = mmap(NULL, c->mem_size, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    g_assert(c->mem != MAP_FAILED);
    struct kvm_userspace_memory_region m = {
        .slot = 0, .guest_phys_addr = 0, .memory_size = c->mem_size,
        .userspace_addr = (uintptr_t)c->mem,
    };
    g_assert_cmpint(p->ioctl(c->vm, KVM_SET_USER_MEMORY_REGION, &m), ==, 0);
    g_assert_cmpint(p->ioctl(c->vm, KVM_SET_TSS_ADDR,
                             (void *)0xfffbd000UL), ==, 0);
    c->vcpu = abi_create_vcpu(c, 0, &c->run);
    return true;
}

int abi_create_vcpu(AbiCtx *c, unsigned long id, struct kvm_run **run)
{
    const KvmProvider *p = c->p;
    int fd = p->ioctl(c->vm, KVM_CREATE_VCPU, (void *)id);
    g_assert_cmpint(fd, >=, 0);
    int sz = p->ioctl(c->sys, KVM_GET_VCPU_MMAP_SIZE, 0);
    g_assert_cmpint(sz, >=, 2 * 4096);
    c->run_size = sz;
    *run = p->mmap(fd, c->run_size);
    g_assert(*run != MAP_FAILED);

    struct kvm_cpuid2 *cpuid = g_malloc0(sizeof(*cpuid) +
                                         256 * sizeof(cpuid->entries[0]));
    cpuid->nent = 256;
    g_assert_cmpint(p->ioctl(c->sys, KVM_GET_SUPPORTED_CPUID, cpuid), ==, 0);
    g_assert_cmpint(p->ioctl(fd, KVM_SET_CPUID2, cpuid), ==, 0);
    g_free(cpuid);
    return fd;
}

void abi_close(AbiCtx *c)
{
    if (c->run) {
        c->p->munmap(c->run, c->run_size);
    }
    if (c->vcpu >= 0) {
        c->p->close(c->vcpu);
    }
    if (c->vm >= 0) {
        c->p->close(c->vm);
    }
    if (c->sys >= 0) {
        c->p->close(c->sys);
    }
    if (c->mem) {
        munmap(c->mem, c->mem_size);
    }
    memset(c, 0, sizeof(*c));
}

static void seg_real(struct kvm_segment *s, uint16_t type)
{
    memset(s, 0, sizeof(*s));
    s->limit = 0xffff;
    s->type = type;
    s->present = 1;
    s->s = 1;
}

void abi_real_mode(AbiCtx *c, uint64_t rip)
{
    struct kvm_sregs s;
    g_assert_cmpint(abi_ioctl(c, c->vcpu, KVM_GET_SREGS, &s), ==, 0);
    seg_real(&s.cs, 0xb);
    seg_real(&s.ds, 3);
    seg_real(&s.es, 3);
    seg_real(&s.fs, 3);
    seg_real(&s.gs, 3);
    seg_real(&s.ss, 3);
    g_assert_cmpint(abi_ioctl(c, c->vcpu, KVM_SET_SREGS, &s), ==, 0);
    struct kvm_regs r = { .rip = rip, .rflags = 2, .rsp = 0xf000 };
    abi_set_regs(c, &r);
}

#define PML4 0x30000
#define PDPT 0x31000
#define GDT 0x32000
#define PD 0x33000       /* 4 pages */

void abi_long_mode(AbiCtx *c, uint64_t rip)
{
    abi_long_mode_fd(c, c->vcpu, rip);
}

void abi_long_mode_fd(AbiCtx *c, int vcpu, uint64_t rip)
{
    uint64_t *pml4 = (uint64_t *)(c->mem + PML4);
    uint64_t *pdpt = (uint64_t *)(c->mem + PDPT);
    memset(pml4, 0, 4096);
    memset(pdpt, 0, 4096);
    pml4[0] = PDPT | 3;
    uint64_t *pd = (uint64_t *)(c->mem + PD);
    for (int i = 0; i < 4; i++) {
        pdpt[i] = (PD + i * 0x1000) | 3;
    }
    for (int i = 0; i < 4 * 512; i++) {
        pd[i] = ((uint64_t)i << 21) | 0x83;     /* 2 MiB pages: P, RW, PS */
    }
    uint64_t *gdt = (uint64_t *)(c->mem + GDT);
    gdt[0] = 0;
    gdt[1] = 0x00af9b000000ffffULL;  /* 64-bit code */
    gdt[2] = 0x00cf93000000ffffULL;  /* data */

    struct kvm_sregs s;
    g_assert_cmpint(abi_ioctl(c, vcpu, KVM_GET_SREGS, &s), ==, 0);
    struct kvm_segment code = {
        .base = 0, .limit = 0xffffffff, .selector = 8, .type = 0xb,
        .present = 1, .dpl = 0, .db = 0, .s = 1, .l = 1, .g = 1,
    };
    struct kvm_segment data = {
        .base = 0, .limit = 0xffffffff, .selector = 16, .type = 3,
        .present = 1, .dpl = 0, .db = 1, .s = 1, .l = 0, .g = 1,
    };
    s.cs = code;
    s.ds = s.es = s.fs = s.gs = s.ss = data;
    s.gdt.base = GDT;
    s.gdt.limit = 23;
    s.cr3 = PML4;
    s.cr4 = 1u << 5;                /* PAE */
    s.cr0 = 0x80050033;             /* PG, AM, WP, NE, ET, MP, PE */
    s.efer = (1u << 8) | (1u << 10); /* LME, LMA */
    g_assert_cmpint(abi_ioctl(c, vcpu, KVM_SET_SREGS, &s), ==, 0);
    struct kvm_regs r = { .rip = rip, .rflags = 2, .rsp = 0x2f000 };
    g_assert_cmpint(abi_ioctl(c, vcpu, KVM_SET_REGS, &r), ==, 0);
}

int abi_run(AbiCtx *c)
{
    return abi_ioctl(c, c->vcpu, KVM_RUN, 0);
}

void abi_get_regs(AbiCtx *c, struct kvm_regs *r)
{
    g_assert_cmpint(abi_ioctl(c, c->vcpu, KVM_GET_REGS, r), ==, 0);
}

void abi_set_regs(AbiCtx *c, const struct kvm_regs *r)
{
    g_assert_cmpint(abi_ioctl(c, c->vcpu, KVM_SET_REGS, (void *)r), ==, 0);
}

void abi_add_test(const char *path, void (*fn)(gconstpointer))
{
    static const KvmProvider *const providers[] = {
        &kvm_provider_kernel,
#ifdef HAVE_UKVM
        &kvm_provider_ukvm,
#endif
    };
    for (size_t i = 0; i < G_N_ELEMENTS(providers); i++) {
        g_autofree char *p = g_strdup_printf("%s/%s", path,
                                             providers[i]->name);
        g_test_add_data_func(p, providers[i], fn);
    }
}

void abi_load(AbiCtx *c, uint64_t gpa, const uint8_t *code, size_t len)
{
    memcpy(c->mem + gpa, code, len);
}

void abi_expect_exit(AbiCtx *c, uint32_t reason)
{
    int r = abi_run(c);
    if (r != 0 || c->run->exit_reason != reason) {
        struct kvm_regs regs;
        abi_get_regs(c, &regs);
        g_error("[%s] KVM_RUN: expected exit %u, got r=%d exit %u "
                "(rip=%#llx)", c->p->name, reason, r, c->run->exit_reason,
                (unsigned long long)regs.rip);
    }
}
