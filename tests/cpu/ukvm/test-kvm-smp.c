/*
 * KVM ABI tests with several vCPUs on their own threads and with the
 * paravirtual clock:
 *  - two vCPUs doing LOCK INC on the same qword lose no increment;
 *  - code written by one vCPU is executed by another that loops on it;
 *  - kvmclock: the pvclock record the guest enables agrees with
 *    KVM_GET_CLOCK through the guest TSC (KVM_GET_MSRS), and the wall
 *    clock record agrees with the host's real time.
 * Each test runs against every provider (abi-common.h).
 */
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "abi-common.h"

#define LOOPS 100000

typedef struct VcpuRun {
    AbiCtx *c;
    int fd;
    struct kvm_run *run;
    int r;
    uint32_t exit_reason;
    uint16_t port;
} VcpuRun;

static void *vcpu_main(void *opaque)
{
    VcpuRun *v = opaque;
    v->r = v->c->p->ioctl(v->fd, KVM_RUN, 0);
    v->exit_reason = v->run->exit_reason;
    v->port = v->run->io.port;
    return NULL;
}

static void test_locked_increments(gconstpointer data)
{
    AbiCtx c;
    if (!abi_open_guest(&c, data)) {
        return;
    }
    static const uint8_t code[] = {
        0xb9, LOOPS & 0xff, (LOOPS >> 8) & 0xff, LOOPS >> 16, 0,
                                        /* mov ecx, LOOPS */
        0xf0, 0x48, 0xff, 0x04, 0x25, 0x00, 0x20, 0x00, 0x00,
                                        /* lock inc qword [0x2000] */
        0xff, 0xc9,                     /* dec ecx */
        0x75, 0xf3,                     /* jnz back to the lock inc */
        0xe6, 0x10,                     /* out 0x10, al */
        0xf4,
    };
    memcpy(c.mem + 0x1000, code, sizeof(code));
    memset(c.mem + 0x2000, 0, 8);
    abi_long_mode(&c, 0x1000);
    VcpuRun v[2] = {
        { .c = &c, .fd = c.vcpu, .run = c.run },
        { .c = &c },
    };
    v[1].fd = abi_create_vcpu(&c, 1, &v[1].run);
    abi_long_mode_fd(&c, v[1].fd, 0x1000);

    pthread_t th[2];
    for (int i = 0; i < 2; i++) {
        pthread_create(&th[i], NULL, vcpu_main, &v[i]);
    }
    for (int i = 0; i < 2; i++) {
        pthread_join(th[i], NULL);
        g_assert_cmpint(v[i].r, ==, 0);
        g_assert_cmpint(v[i].exit_reason, ==, KVM_EXIT_IO);
        g_assert_cmpint(v[i].port, ==, 0x10);
    }
    uint64_t sum;
    memcpy(&sum, c.mem + 0x2000, 8);
    g_assert_cmpuint(sum, ==, 2 * LOOPS);
    c.p->munmap(v[1].run, c.run_size);
    c.p->close(v[1].fd);
    abi_close(&c);
}

static void on_sigusr2(int sig)
{
}

/* vCPU 1 spins on "jmp $"; vCPU 0 overwrites it with "out 0x11, al" */
static void test_cross_vcpu_smc(gconstpointer data)
{
    AbiCtx c;
    if (!abi_open_guest(&c, data)) {
        return;
    }
    static const uint8_t writer[] = {
        0x66, 0xc7, 0x04, 0x25, 0x00, 0x50, 0x00, 0x00, 0xe6, 0x11,
                                        /* mov word [0x5000], 0x11e6 */
        0xe6, 0x10,                     /* out 0x10, al */
        0xf4,
    };
    static const uint8_t spinner[] = { 0xeb, 0xfe, 0xf4 };  /* jmp $ */
    memcpy(c.mem + 0x1000, writer, sizeof(writer));
    memcpy(c.mem + 0x5000, spinner, sizeof(spinner));
    abi_long_mode(&c, 0x1000);
    VcpuRun spin = { .c = &c };
    spin.fd = abi_create_vcpu(&c, 1, &spin.run);
    abi_long_mode_fd(&c, spin.fd, 0x5000);

    struct sigaction sa = { .sa_handler = on_sigusr2 }, old;
    sigaction(SIGUSR2, &sa, &old);
    pthread_t th;
    pthread_create(&th, NULL, vcpu_main, &spin);
    usleep(20000);                      /* let it spin (and cache) first */
    g_assert_cmpint(abi_run(&c), ==, 0);
    g_assert_cmpint(c.run->exit_reason, ==, KVM_EXIT_IO);
    g_assert_cmpint(c.run->io.port, ==, 0x10);

    /* the spinner must leave by itself within 5 s; then stop it hard */
    for (int i = 0; i < 500 && !spin.exit_reason; i++) {
        usleep(10000);
    }
    if (!spin.exit_reason && !spin.r) {
        pthread_kill(th, SIGUSR2);
    }
    pthread_join(th, NULL);
    sigaction(SIGUSR2, &old, NULL);
    g_assert_cmpint(spin.r, ==, 0);
    g_assert_cmpint(spin.exit_reason, ==, KVM_EXIT_IO);
    g_assert_cmpint(spin.port, ==, 0x11);
    c.p->munmap(spin.run, c.run_size);
    c.p->close(spin.fd);
    abi_close(&c);
}

/*
 * A vCPU keeps reading a slot while another thread deletes the slot: once
 * KVM_SET_USER_MEMORY_REGION returns, the vCPU no longer sees that memory
 * (its next read exits as MMIO), even though it never left KVM_RUN.
 */
static void test_delete_slot_while_running(gconstpointer data)
{
    AbiCtx c;
    if (!abi_open_guest(&c, data)) {
        return;
    }
    uint8_t *buf = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(buf, 0x42, 0x1000);
    struct kvm_userspace_memory_region m = {
        .slot = 1, .guest_phys_addr = 0x100000, .memory_size = 0x1000,
        .userspace_addr = (uintptr_t)buf,
    };
    g_assert_cmpint(abi_ioctl(&c, c.vm, KVM_SET_USER_MEMORY_REGION, &m),
                    ==, 0);
    static const uint8_t code[] = {
        0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x10, 0x00,
                                        /* mov rax, [0x100000] */
        0xeb, 0xf6,                     /* jmp back */
    };
    memcpy(c.mem + 0x1000, code, sizeof(code));
    abi_long_mode(&c, 0x1000);
    VcpuRun v = { .c = &c, .fd = c.vcpu, .run = c.run };
    pthread_t th;
    pthread_create(&th, NULL, vcpu_main, &v);
    usleep(20000);
    m.memory_size = 0;
    g_assert_cmpint(abi_ioctl(&c, c.vm, KVM_SET_USER_MEMORY_REGION, &m),
                    ==, 0);
    munmap(buf, 0x1000);                /* must be safe now */
    pthread_join(th, NULL);
    g_assert_cmpint(v.r, ==, 0);
    g_assert_cmpint(v.exit_reason, ==, KVM_EXIT_MMIO);
    g_assert_cmphex(c.run->mmio.phys_addr, ==, 0x100000);
    g_assert_cmpint(c.run->mmio.is_write, ==, 0);
    abi_close(&c);
}

typedef struct Pvclock {
    uint32_t version, pad0;
    uint64_t tsc_timestamp, system_time;
    uint32_t mul;
    int8_t shift;
    uint8_t flags, pad[2];
} Pvclock;

static uint64_t pvclock_read(const Pvclock *p, uint64_t tsc)
{
    uint64_t delta = tsc - p->tsc_timestamp;
    if (p->shift < 0) {
        delta >>= -p->shift;
    } else {
        delta <<= p->shift;
    }
    return p->system_time + (uint64_t)(((unsigned __int128)delta * p->mul)
                                       >> 32);
}

static void test_kvmclock(gconstpointer data)
{
    AbiCtx c;
    if (!abi_open_guest(&c, data)) {
        return;
    }
    static const uint8_t code[] = {
        0xb9, 0x01, 0x4d, 0x56, 0x4b,   /* mov ecx, MSR_KVM_SYSTEM_TIME_NEW */
        0xb8, 0x01, 0x30, 0x00, 0x00,   /* mov eax, 0x3000 | enable */
        0x31, 0xd2,                     /* xor edx, edx */
        0x0f, 0x30,                     /* wrmsr */
        0xb9, 0x00, 0x4d, 0x56, 0x4b,   /* mov ecx, MSR_KVM_WALL_CLOCK_NEW */
        0xb8, 0x00, 0x31, 0x00, 0x00,   /* mov eax, 0x3100 */
        0x0f, 0x30,                     /* wrmsr */
        0xe6, 0x10,                     /* out 0x10, al */
        0xf4,
    };
    memcpy(c.mem + 0x1000, code, sizeof(code));
    abi_long_mode(&c, 0x1000);

    /* the guest sees the KVM signature and the kvmclock feature */
    struct kvm_cpuid2 *cpuid = g_malloc0(sizeof(*cpuid) +
                                         256 * sizeof(cpuid->entries[0]));
    cpuid->nent = 256;
    g_assert_cmpint(abi_ioctl(&c, c.vcpu, KVM_GET_CPUID2, cpuid), ==, 0);
    bool clocksource2 = false;
    for (uint32_t i = 0; i < cpuid->nent; i++) {
        if (cpuid->entries[i].function == 0x40000001) {
            clocksource2 = cpuid->entries[i].eax & (1u << 3);
        }
    }
    g_free(cpuid);
    g_assert_true(clocksource2);

    int r = abi_run(&c);
    g_assert_cmpint(r, ==, 0);
    g_assert_cmpint(c.run->exit_reason, ==, KVM_EXIT_IO);

    Pvclock pv;
    memcpy(&pv, c.mem + 0x3000, sizeof(pv));
    g_assert_cmpuint(pv.version, !=, 0);
    g_assert_cmpuint(pv.version % 2, ==, 0);
    g_assert_cmpuint(pv.mul, !=, 0);

    struct {
        struct kvm_msrs h;
        struct kvm_msr_entry e[2];
    } msrs = { .h = { .nmsrs = 2 } };
    msrs.e[0].index = 0x10;             /* IA32_TSC */
    msrs.e[1].index = 0x4b564d01;
    struct kvm_clock_data before, after;
    g_assert_cmpint(abi_ioctl(&c, c.vm, KVM_GET_CLOCK, &before), ==, 0);
    g_assert_cmpint(abi_ioctl(&c, c.vcpu, KVM_GET_MSRS, &msrs), ==, 2);
    g_assert_cmpint(abi_ioctl(&c, c.vm, KVM_GET_CLOCK, &after), ==, 0);
    g_assert_cmphex(msrs.e[1].data, ==, 0x3001);
    uint64_t guest_ns = pvclock_read(&pv, msrs.e[0].data);
    /* the guest's view of kvmclock is the VM's KVM_GET_CLOCK (1 ms) */
    g_assert_cmpuint(guest_ns + 1000000, >=, before.clock);
    g_assert_cmpuint(guest_ns, <=, after.clock + 1000000);

    uint64_t clock_at_wall = after.clock;   /* before the clock moves */

    /* KVM_SET_CLOCK moves it; the record follows at the next entry */
    struct kvm_clock_data moved = { .clock = after.clock + 1000000000000ULL };
    g_assert_cmpint(abi_ioctl(&c, c.vm, KVM_SET_CLOCK, &moved), ==, 0);
    g_assert_cmpint(abi_run(&c), ==, 0);
    g_assert_cmpint(c.run->exit_reason, ==, KVM_EXIT_HLT);
    memcpy(&pv, c.mem + 0x3000, sizeof(pv));
    g_assert_cmpuint(pv.version % 2, ==, 0);
    msrs.h.nmsrs = 1;
    g_assert_cmpint(abi_ioctl(&c, c.vm, KVM_GET_CLOCK, &before), ==, 0);
    g_assert_cmpint(abi_ioctl(&c, c.vcpu, KVM_GET_MSRS, &msrs), ==, 1);
    g_assert_cmpint(abi_ioctl(&c, c.vm, KVM_GET_CLOCK, &after), ==, 0);
    guest_ns = pvclock_read(&pv, msrs.e[0].data);
    g_assert_cmpuint(guest_ns + 1000000, >=, before.clock);
    g_assert_cmpuint(guest_ns, <=, after.clock + 1000000);

    uint32_t wall[3];
    memcpy(wall, c.mem + 0x3100, sizeof(wall));
    g_assert_cmpuint(wall[0] % 2, ==, 0);
    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    int64_t boot = rt.tv_sec - (int64_t)(clock_at_wall / 1000000000);
    g_assert_cmpint(wall[1], >=, boot - 2);
    g_assert_cmpint(wall[1], <=, boot + 2);
    abi_close(&c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    abi_add_test("/kvm-smp/locked-increments", test_locked_increments);
    abi_add_test("/kvm-smp/cross-vcpu-smc", test_cross_vcpu_smc);
    abi_add_test("/kvm-smp/delete-slot-while-running",
                 test_delete_slot_while_running);
    abi_add_test("/kvm-pv/kvmclock", test_kvmclock);
    return g_test_run();
}
