/*
 * Bad input never crashes a provider: every KVM ioctl we know, on system,
 * VM and vCPU fds, with NULL, a small integer, an unmapped address and a
 * buffer of random bytes (so embedded pointers and sizes are garbage).
 * Each call must return (>= 0 or -errno with errno in range). KVM_RUN is
 * left out (random guest state may legitimately run forever). Where both
 * providers are present, the errno each gives for a NULL argument is
 * compared and differences are listed in the test log.
 */
#include <string.h>
#include <sys/mman.h>

#include "abi-common.h"

#define BUF 65536

typedef struct Req {
    const char *name;
    unsigned long req;
    int fd_kind;                    /* 0 system, 1 VM, 2 vCPU */
} Req;

#define R(x, k) { #x, x, k }
static const Req reqs[] = {
    R(KVM_GET_API_VERSION, 0), R(KVM_CHECK_EXTENSION, 0),
    R(KVM_GET_VCPU_MMAP_SIZE, 0), R(KVM_GET_SUPPORTED_CPUID, 0),
    R(KVM_GET_MSR_INDEX_LIST, 0), R(KVM_GET_MSR_FEATURE_INDEX_LIST, 0),
    R(KVM_CHECK_EXTENSION, 1), R(KVM_SET_USER_MEMORY_REGION, 1),
    R(KVM_GET_DIRTY_LOG, 1), R(KVM_CLEAR_DIRTY_LOG, 1),
    R(KVM_SET_TSS_ADDR, 1), R(KVM_SET_IDENTITY_MAP_ADDR, 1),
    R(KVM_GET_CLOCK, 1), R(KVM_SET_CLOCK, 1), R(KVM_IOEVENTFD, 1),
    R(KVM_IRQFD, 1), R(KVM_IRQ_LINE, 1), R(KVM_SET_GSI_ROUTING, 1),
    R(KVM_SIGNAL_MSI, 1), R(KVM_ENABLE_CAP, 1), R(KVM_GET_TSC_KHZ, 1),
    R(KVM_GET_REGS, 2), R(KVM_SET_REGS, 2), R(KVM_GET_SREGS, 2),
    R(KVM_SET_SREGS, 2), R(KVM_GET_FPU, 2), R(KVM_SET_FPU, 2),
    R(KVM_GET_XSAVE, 2), R(KVM_SET_XSAVE, 2), R(KVM_GET_XCRS, 2),
    R(KVM_SET_XCRS, 2), R(KVM_GET_MSRS, 2), R(KVM_SET_MSRS, 2),
    R(KVM_SET_CPUID2, 2), R(KVM_GET_CPUID2, 2), R(KVM_GET_MP_STATE, 2),
    R(KVM_SET_MP_STATE, 2), R(KVM_GET_VCPU_EVENTS, 2),
    R(KVM_SET_VCPU_EVENTS, 2), R(KVM_GET_DEBUGREGS, 2),
    R(KVM_SET_DEBUGREGS, 2), R(KVM_INTERRUPT, 2), R(KVM_NMI, 2),
    R(KVM_SET_SIGNAL_MASK, 2), R(KVM_SET_GUEST_DEBUG, 2),
    R(KVM_GET_TSC_KHZ, 2), R(KVM_TRANSLATE, 2), R(KVM_GET_LAPIC, 2),
    R(KVM_SET_LAPIC, 2), R(KVM_GET_SREGS2, 2), R(KVM_SET_SREGS2, 2),
    R(KVM_KVMCLOCK_CTRL, 2), R(KVM_ENABLE_CAP, 2),
    { "unknown 0xff", _IO(KVMIO, 0xff), 1 },
    { "unknown 0xff", _IO(KVMIO, 0xff), 2 },
};

static int fd_of(AbiCtx *c, int kind)
{
    return kind == 0 ? c->sys : kind == 1 ? c->vm : c->vcpu;
}

/* NULL-argument errno per request, for the cross-provider comparison */
static int null_errno[2][G_N_ELEMENTS(reqs)];
static bool have_null[2];

static void test_bad_args(gconstpointer data)
{
    const KvmProvider *p = data;
    AbiCtx c;
    if (!abi_open_guest(&c, p)) {
        return;
    }
    int which = !strcmp(p->name, "ukvm");
    uint8_t *buf = g_malloc(BUF);
    void *unmapped = mmap(NULL, 4096, PROT_NONE,
                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    GRand *rand = g_rand_new_with_seed(1234);

    for (size_t i = 0; i < G_N_ELEMENTS(reqs); i++) {
        int fd = fd_of(&c, reqs[i].fd_kind);
        int r = p->ioctl(fd, reqs[i].req, NULL);
        g_assert_cmpint(r, >=, -4095);
        null_errno[which][i] = r < 0 ? -r : 0;
        r = p->ioctl(fd, reqs[i].req, (void *)1);
        g_assert_cmpint(r, >=, -4095);
        r = p->ioctl(fd, reqs[i].req, unmapped);
        g_assert_cmpint(r, >=, -4095);
        for (int round = 0; round < 20; round++) {
            for (int j = 0; j < BUF / 4; j++) {
                ((uint32_t *)buf)[j] = g_rand_int(rand);
            }
            if (round & 1) {
                /* small counts so the walk goes further than the header */
                ((uint32_t *)buf)[0] &= 0x1f;
            }
            if (reqs[i].req == KVM_SET_USER_MEMORY_REGION) {
                /* never hand it our own live memory */
                ((struct kvm_userspace_memory_region *)buf)->userspace_addr
                    |= 0x800000000000ULL;
            }
            if (reqs[i].req == KVM_SET_SIGNAL_MASK) {
                continue;           /* a random mask may block SIGSEGV */
            }
            r = p->ioctl(fd, reqs[i].req, buf);
            g_assert_cmpint(r, >=, -4095);
        }
    }
    have_null[which] = true;
    /* the VM still works afterwards */
    g_assert_cmpint(p->ioctl(c.sys, KVM_GET_API_VERSION, 0), ==, 12);
    g_rand_free(rand);
    munmap(unmapped, 4096);
    g_free(buf);
    abi_close(&c);

    if (have_null[0] && have_null[1]) {
        for (size_t i = 0; i < G_N_ELEMENTS(reqs); i++) {
            if (null_errno[0][i] != null_errno[1][i]) {
                g_test_message("%s on %s fd with NULL: kernel %s, ukvm %s",
                               reqs[i].name,
                               (const char *[]){ "system", "VM", "vCPU" }
                                   [reqs[i].fd_kind],
                               g_strerror(null_errno[0][i]),
                               g_strerror(null_errno[1][i]));
            }
        }
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    abi_add_test("/kvm-abi/bad-input-never-crashes", test_bad_args);
    return g_test_run();
}
