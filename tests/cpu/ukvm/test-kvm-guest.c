/*
 * KVM ABI tests that run tiny hand-encoded guests: port I/O and MMIO with
 * completion, HLT, interrupt injection with request_interrupt_window, the
 * dirty log's exact bits, read-only slots, ioeventfd, immediate_exit and a
 * signal kick from another thread, in real mode and in long mode.
 * Each test runs against every provider (abi-common.h).
 */
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "abi-common.h"

#define CODE 0x1000

static uint8_t *io_data(AbiCtx *c)
{
    g_assert_cmpuint(c->run->io.data_offset, >=, sizeof(struct kvm_run));
    g_assert_cmpuint(c->run->io.data_offset + 4096, <=, c->run_size);
    return (uint8_t *)c->run + c->run->io.data_offset;
}

/* OUT, then IN with data filled in by "user space", then HLT */
static void test_pio_real_mode(gconstpointer data)
{
    AbiCtx c;
    if (!abi_open_guest(&c, data)) {
        return;
    }
    static const uint8_t code[] = {
        0xb0, 0x42,                 /* mov al, 0x42 */
        0xe6, 0x10,                 /* out 0x10, al */
        0xe4, 0x20,                 /* in al, 0x20 */
        0xa2, 0x00, 0x20,           /* mov [0x2000], al */
        0x66, 0xba, 0x34, 0x12, 0, 0, /* mov edx, 0x1234 */
        0x66, 0xed,                 /* in eax, dx */
        0x66, 0xa3, 0x04, 0x20,     /* mov [0x2004], eax */
        0xf4,                       /* hlt */
        0xe6, 0x12,                 /* out 0x12, al: after HLT, runs on */
    };
    abi_load(&c, CODE, code, sizeof(code));
    abi_real_mode(&c, CODE);

    abi_expect_exit(&c, KVM_EXIT_IO);
    g_assert_cmpint(c.run->io.direction, ==, KVM_EXIT_IO_OUT);
    g_assert_cmpint(c.run->io.port, ==, 0x10);
    g_assert_cmpint(c.run->io.size, ==, 1);
    g_assert_cmpint(c.run->io.count, ==, 1);
    g_assert_cmphex(io_data(&c)[0], ==, 0x42);

    abi_expect_exit(&c, KVM_EXIT_IO);
    g_assert_cmpint(c.run->io.direction, ==, KVM_EXIT_IO_IN);
    g_assert_cmpint(c.run->io.port, ==, 0x20);
    io_data(&c)[0] = 0x5a;

    abi_expect_exit(&c, KVM_EXIT_IO);
    g_assert_cmpint(c.run->io.direction, ==, KVM_EXIT_IO_IN);
    g_assert_cmpint(c.run->io.port, ==, 0x1234);
    g_assert_cmpint(c.run->io.size, ==, 4);
    uint32_t v = 0xdeadbeef;
    memcpy(io_data(&c), &v, 4);

    abi_expect_exit(&c, KVM_EXIT_HLT);
    g_assert_cmphex(c.mem[0x2000], ==, 0x5a);
    uint32_t got;
    memcpy(&got, c.mem + 0x2004, 4);
    g_assert_cmphex(got, ==, 0xdeadbeef);
    struct kvm_regs regs;
    abi_get_regs(&c, &regs);
    g_assert_cmphex(regs.rip, ==, CODE + sizeof(code) - 2);
    struct kvm_mp_state mp;
    g_assert_cmpint(abi_ioctl(&c, c.vcpu, KVM_GET_MP_STATE, &mp), ==, 0);
    g_assert_cmpint(mp.mp_state, ==, KVM_MP_STATE_RUNNABLE);
    abi_expect_exit(&c, KVM_EXIT_IO);
    g_assert_cmpint(c.run->io.port, ==, 0x12);
    abi_close(&c);
}

/* MMIO write and read (with completion) outside any memslot */
static void test_mmio_real_mode(gconstpointer data)
{
    AbiCtx c;
    if (!abi_open_guest(&c, data)) {
        return;
    }
    static const uint8_t code[] = {
        0xb8, 0x00, 0x50,           /* mov ax, 0x5000 (base 0x50000: MMIO) */
        0x8e, 0xd8,                 /* mov ds, ax */
        0xc6, 0x06, 0x10, 0x00, 0x77, /* mov byte [0x10], 0x77 */
        0x8b, 0x1e, 0x20, 0x00,     /* mov bx, [0x20] */
        0xf4,
    };
    abi_load(&c, CODE, code, sizeof(code));
    abi_real_mode(&c, CODE);

    abi_expect_exit(&c, KVM_EXIT_MMIO);
    g_assert_cmphex(c.run->mmio.phys_addr, ==, 0x50010);
    g_assert_cmpint(c.run->mmio.len, ==, 1);
    g_assert_cmpint(c.run->mmio.is_write, ==, 1);
    g_assert_cmphex(c.run->mmio.data[0], ==, 0x77);

    abi_expect_exit(&c, KVM_EXIT_MMIO);
    g_assert_cmphex(c.run->mmio.phys_addr, ==, 0x50020);
    g_assert_cmpint(c.run->mmio.len, ==, 2);
    g_assert_cmpint(c.run->mmio.is_write, ==, 0);
    c.run->mmio.data[0] = 0x99;
    c.run->mmio.data[1] = 0x88;

    abi_expect_exit(&c, KVM_EXIT_HLT);
    struct kvm_regs regs;
    abi_get_regs(&c, &regs);
    g_assert_cmphex(regs.rbx & 0xffff, ==, 0x8899);
    abi_close(&c);
}

/* 64-bit guest: RAM store, 8-byte MMIO store and load, OUT, HLT */
static void test_long_mode(gconstpointer data)
{
    AbiCtx c;
    if (!abi_open_guest(&c, data)) {
        return;
    }
    static const uint8_t code[] = {
        0x48, 0xb8, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
                                    /* mov rax, 0x1122334455667788 */
        0x48, 0xa3, 0x00, 0x20, 0, 0, 0, 0, 0, 0, /* mov [0x2000], rax */
        0x48, 0xbb, 0, 0, 0, 0x80, 0, 0, 0, 0, /* mov rbx, 0x80000000 */
        0x48, 0x89, 0x03,           /* mov [rbx], rax */
        0x48, 0x8b, 0x4b, 0x08,     /* mov rcx, [rbx + 8] */
        0xe6, 0x10,                 /* out 0x10, al */
        0xf4,
    };
    abi_load(&c, CODE, code, sizeof(code));
    abi_long_mode(&c, CODE);

    abi_expect_exit(&c, KVM_EXIT_MMIO);
    g_assert_cmphex(c.run->mmio.phys_addr, ==, 0x80000000);
    g_assert_cmpint(c.run->mmio.len, ==, 8);
    g_assert_cmpint(c.run->mmio.is_write, ==, 1);
    uint64_t v;
    memcpy(&v, c.run->mmio.data, 8);
    g_assert_cmphex(v, ==, 0x1122334455667788ULL);

    abi_expect_exit(&c, KVM_EXIT_MMIO);
    g_assert_cmphex(c.run->mmio.phys_addr, ==, 0x80000008);
    g_assert_cmpint(c.run->mmio.len, ==, 8);
    g_assert_cmpint(c.run->mmio.is_write, ==, 0);
    v = 0xa5a5a5a5c3c3c3c3ULL;
    memcpy(c.run->mmio.data, &v, 8);

    abi_expect_exit(&c, KVM_EXIT_IO);
    g_assert_cmphex(io_data(&c)[0], ==, 0x88);
    abi_expect_exit(&c, KVM_EXIT_HLT);
    memcpy(&v, c.mem + 0x2000, 8);
    g_assert_cmphex(v, ==, 0x1122334455667788ULL);
    struct kvm_regs regs;
    abi_get_regs(&c, &regs);
    g_assert_cmphex(regs.rcx, ==, 0xa5a5a5a5c3c3c3c3ULL);
    abi_close(&c);
}

/*
 * IF=0 at first; the guest executes STI; request_interrupt_window makes
 * KVM_RUN stop once injection is possible; KVM_INTERRUPT delivers vector
 * 0x20 through the real-mode IVT to a handler that reports over port 0x11.
 */
static void test_interrupt_window(gconstpointer data)
{
    AbiCtx c;
    if (!abi_open_guest(&c, data)) {
        return;
    }
    static const uint8_t code[] = {
        0xe6, 0x10,                 /* out 0x10, al  (IF still 0) */
        0xfb,                       /* sti */
        0x90,                       /* nop */
        0xeb, 0xfe,                 /* jmp $ */
    };
    static const uint8_t handler[] = {
        0xb0, 0xaa,                 /* mov al, 0xaa */
        0xe6, 0x11,                 /* out 0x11, al */
        0xf4,                       /* hlt */
    };
    abi_load(&c, CODE, code, sizeof(code));
    abi_load(&c, 0x3000, handler, sizeof(handler));
    uint16_t ivt[2] = { 0x3000, 0x0000 };
    memcpy(c.mem + 0x20 * 4, ivt, sizeof(ivt));
    abi_real_mode(&c, CODE);

    c.run->request_interrupt_window = 1;
    abi_expect_exit(&c, KVM_EXIT_IO);
    g_assert_cmpint(c.run->io.port, ==, 0x10);
    g_assert_cmpint(c.run->if_flag, ==, 0);
    g_assert_cmpint(c.run->ready_for_interrupt_injection, ==, 0);

    abi_expect_exit(&c, KVM_EXIT_IRQ_WINDOW_OPEN);
    g_assert_cmpint(c.run->if_flag, ==, 1);
    g_assert_cmpint(c.run->ready_for_interrupt_injection, ==, 1);

    struct kvm_interrupt irq = { .irq = 0x20 };
    g_assert_cmpint(abi_ioctl(&c, c.vcpu, KVM_INTERRUPT, &irq), ==, 0);
    c.run->request_interrupt_window = 0;
    abi_expect_exit(&c, KVM_EXIT_IO);
    g_assert_cmpint(c.run->io.port, ==, 0x11);
    g_assert_cmphex(io_data(&c)[0], ==, 0xaa);
    g_assert_cmpint(c.run->if_flag, ==, 0);   /* cleared by the delivery */
    abi_expect_exit(&c, KVM_EXIT_HLT);
    abi_close(&c);
}

static void get_dirty(AbiCtx *c, uint32_t slot, uint64_t *bitmap)
{
    struct kvm_dirty_log log = { .slot = slot, .dirty_bitmap = bitmap };
    g_assert_cmpint(abi_ioctl(c, c->vm, KVM_GET_DIRTY_LOG, &log), ==, 0);
}

/* Dirty bits are exactly the pages written, and re-armed after reading */
static void test_dirty_log(gconstpointer data)
{
    AbiCtx c;
    if (!abi_open_guest(&c, data)) {
        return;
    }
    uint8_t *buf = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    struct kvm_userspace_memory_region m = {
        .slot = 1, .flags = KVM_MEM_LOG_DIRTY_PAGES,
        .guest_phys_addr = 0x100000, .memory_size = 0x10000,
        .userspace_addr = (uintptr_t)buf,
    };
    g_assert_cmpint(abi_ioctl(&c, c.vm, KVM_SET_USER_MEMORY_REGION, &m),
                    ==, 0);
    static const uint8_t code[] = {
        0xb8, 0xff, 0xff,           /* mov ax, 0xffff: base 0xffff0 */
        0x8e, 0xd8,                 /* mov ds, ax */
        0xc6, 0x06, 0x10, 0x10, 0x01, /* mov byte [0x1010], 1 -> 0x101000 */
        0xc6, 0x06, 0x10, 0x30, 0x03, /* mov byte [0x3010], 3 -> 0x103000 */
        0xc6, 0x06, 0x10, 0x50, 0x05, /* mov byte [0x5010], 5 -> 0x105000 */
        0xa0, 0x10, 0x70,           /* mov al, [0x7010]: read only */
        0xe6, 0x10,                 /* out 0x10, al */
        0xc6, 0x06, 0x10, 0x30, 0x33, /* mov byte [0x3010], 0x33 */
        0xf4,
    };
    abi_load(&c, CODE, code, sizeof(code));
    abi_real_mode(&c, CODE);

    uint64_t bm[1];
    get_dirty(&c, 1, bm);
    g_assert_cmphex(bm[0], ==, 0);
    abi_expect_exit(&c, KVM_EXIT_IO);
    /* ds base 0xffff0: offsets 0x1010.. land at 0x101000.. */
    g_assert_cmphex(buf[0x1000], ==, 1);
    g_assert_cmphex(buf[0x3000], ==, 3);
    get_dirty(&c, 1, bm);
    g_assert_cmphex(bm[0], ==, (1u << 1) | (1u << 3) | (1u << 5));
    get_dirty(&c, 1, bm);
    g_assert_cmphex(bm[0], ==, 0);
    abi_expect_exit(&c, KVM_EXIT_HLT);
    get_dirty(&c, 1, bm);
    g_assert_cmphex(bm[0], ==, 1u << 3);
    g_assert_cmphex(buf[0x3000], ==, 0x33);
    abi_close(&c);
    munmap(buf, 0x10000);
}

/* A write to a read-only slot exits as MMIO; reads see the memory */
static void test_readonly_slot(gconstpointer data)
{
    AbiCtx c;
    if (!abi_open_guest(&c, data)) {
        return;
    }
    uint8_t *rom = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    rom[0x10] = 0x3c;
    struct kvm_userspace_memory_region m = {
        .slot = 2, .flags = KVM_MEM_READONLY,
        .guest_phys_addr = 0x60000, .memory_size = 0x1000,
        .userspace_addr = (uintptr_t)rom,
    };
    g_assert_cmpint(abi_ioctl(&c, c.vm, KVM_SET_USER_MEMORY_REGION, &m),
                    ==, 0);
    static const uint8_t code[] = {
        0xb8, 0x00, 0x60,           /* mov ax, 0x6000 */
        0x8e, 0xd8,                 /* mov ds, ax */
        0xa0, 0x10, 0x00,           /* mov al, [0x10] */
        0xc6, 0x06, 0x20, 0x00, 0x55, /* mov byte [0x20], 0x55 */
        0xf4,
    };
    abi_load(&c, CODE, code, sizeof(code));
    abi_real_mode(&c, CODE);
    abi_expect_exit(&c, KVM_EXIT_MMIO);
    g_assert_cmphex(c.run->mmio.phys_addr, ==, 0x60020);
    g_assert_cmpint(c.run->mmio.is_write, ==, 1);
    g_assert_cmphex(c.run->mmio.data[0], ==, 0x55);
    abi_expect_exit(&c, KVM_EXIT_HLT);
    g_assert_cmphex(rom[0x20], ==, 0);
    struct kvm_regs regs;
    abi_get_regs(&c, &regs);
    g_assert_cmphex(regs.rax & 0xff, ==, 0x3c);
    abi_close(&c);
    munmap(rom, 0x1000);
}

/* Writes matching an ioeventfd signal it and do not exit */
static void test_ioeventfd(gconstpointer data)
{
    AbiCtx c;
    if (!abi_open_guest(&c, data)) {
        return;
    }
    int pio_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    int mmio_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    struct kvm_ioeventfd a = {
        .addr = 0x30, .len = 1, .fd = pio_fd, .flags = KVM_IOEVENTFD_FLAG_PIO,
    };
    g_assert_cmpint(abi_ioctl(&c, c.vm, KVM_IOEVENTFD, &a), ==, 0);
    struct kvm_ioeventfd b = {
        .addr = 0x50000, .len = 2, .fd = mmio_fd, .datamatch = 5,
        .flags = KVM_IOEVENTFD_FLAG_DATAMATCH,
    };
    g_assert_cmpint(abi_ioctl(&c, c.vm, KVM_IOEVENTFD, &b), ==, 0);
    static const uint8_t code[] = {
        0xe6, 0x30,                 /* out 0x30, al: eventfd, no exit */
        0xb8, 0x00, 0x50,           /* mov ax, 0x5000 */
        0x8e, 0xd8,                 /* mov ds, ax */
        0xc7, 0x06, 0x00, 0x00, 0x04, 0x00, /* mov word [0], 4: exits */
        0xc7, 0x06, 0x00, 0x00, 0x05, 0x00, /* mov word [0], 5: eventfd */
        0xe6, 0x10,                 /* out 0x10, al */
        0xf4,
    };
    abi_load(&c, CODE, code, sizeof(code));
    abi_real_mode(&c, CODE);
    abi_expect_exit(&c, KVM_EXIT_MMIO);
    g_assert_cmphex(c.run->mmio.phys_addr, ==, 0x50000);
    g_assert_cmphex(c.run->mmio.data[0], ==, 4);
    uint64_t n = 0;
    g_assert_cmpint(read(pio_fd, &n, 8), ==, 8);
    g_assert_cmpint(n, ==, 1);
    abi_expect_exit(&c, KVM_EXIT_IO);
    g_assert_cmpint(c.run->io.port, ==, 0x10);
    g_assert_cmpint(read(mmio_fd, &n, 8), ==, 8);
    g_assert_cmpint(n, ==, 1);
    abi_expect_exit(&c, KVM_EXIT_HLT);
    close(pio_fd);
    close(mmio_fd);
    abi_close(&c);
}

static void test_immediate_exit(gconstpointer data)
{
    AbiCtx c;
    if (!abi_open_guest(&c, data)) {
        return;
    }
    static const uint8_t code[] = { 0xe6, 0x10, 0xf4 };
    abi_load(&c, CODE, code, sizeof(code));
    abi_real_mode(&c, CODE);
    c.run->immediate_exit = 1;
    c.run->exit_reason = 0xabcd;
    g_assert_cmpint(abi_run(&c), ==, -EINTR);
    /*
     * The kernel leaves exit_reason untouched here (measured: Linux 6.18);
     * ukvm reports KVM_EXIT_INTR, which callers may rely on either way.
     */
    if (c.p == &kvm_provider_kernel) {
        g_assert_cmpuint(c.run->exit_reason, ==, 0xabcd);
    } else {
        g_assert_cmpuint(c.run->exit_reason, ==, KVM_EXIT_INTR);
    }
    struct kvm_regs regs;
    abi_get_regs(&c, &regs);
    g_assert_cmphex(regs.rip, ==, CODE);    /* nothing ran */
    c.run->immediate_exit = 0;
    abi_expect_exit(&c, KVM_EXIT_IO);
    abi_close(&c);
}

static volatile sig_atomic_t got_signal;
static void on_sigusr1(int sig)
{
    got_signal = 1;
}

typedef struct Kicker {
    pthread_t target;
    unsigned period_us;             /* 0: 20 ms */
    volatile bool done;
} Kicker;

static void *kicker_main(void *opaque)
{
    Kicker *k = opaque;
    while (!k->done) {
        usleep(k->period_us ? k->period_us : 20000);
        if (!k->done) {
            pthread_kill(k->target, SIGUSR1);
        }
    }
    return NULL;
}

/* A signal sent to the vCPU thread makes KVM_RUN return EINTR/INTR */
static void test_signal_kick(gconstpointer data)
{
    AbiCtx c;
    if (!abi_open_guest(&c, data)) {
        return;
    }
    static const uint8_t code[] = { 0xeb, 0xfe };  /* jmp $ */
    abi_load(&c, CODE, code, sizeof(code));
    abi_real_mode(&c, CODE);
    struct sigaction sa = { .sa_handler = on_sigusr1 }, old;
    sigaction(SIGUSR1, &sa, &old);
    got_signal = 0;

    Kicker k = { .target = pthread_self() };
    pthread_t th;
    pthread_create(&th, NULL, kicker_main, &k);
    int r = abi_run(&c);
    k.done = true;
    pthread_join(th, NULL);
    g_assert_cmpint(r, ==, -EINTR);
    g_assert_cmpint(c.run->exit_reason, ==, KVM_EXIT_INTR);
    g_assert_cmpint(got_signal, ==, 1);     /* and the handler ran */
    sigaction(SIGUSR1, &old, NULL);
    abi_close(&c);
}

/* Blocked in the KVM_SET_SIGNAL_MASK mask: the signal does not stop it */
static void test_signal_mask(gconstpointer data)
{
    AbiCtx c;
    if (!abi_open_guest(&c, data)) {
        return;
    }
    static const uint8_t code[] = { 0xf4 };
    abi_load(&c, CODE, code, sizeof(code));
    abi_real_mode(&c, CODE);
    sigset_t usr1, old;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &usr1, &old);
    pthread_kill(pthread_self(), SIGUSR1);   /* now pending */

    /* struct kvm_signal_mask: __u32 len, then the 8-byte kernel sigset */
    uint8_t sm[12];
    uint32_t len = 8;
    uint64_t set = 1ULL << (SIGUSR1 - 1);
    memcpy(sm, &len, 4);
    memcpy(sm + 4, &set, 8);
    g_assert_cmpint(abi_ioctl(&c, c.vcpu, KVM_SET_SIGNAL_MASK, sm), ==, 0);
    abi_expect_exit(&c, KVM_EXIT_HLT);          /* blocked: runs */
    set = 0;
    memcpy(sm + 4, &set, 8);
    g_assert_cmpint(abi_ioctl(&c, c.vcpu, KVM_SET_SIGNAL_MASK, sm), ==, 0);
    g_assert_cmpint(abi_run(&c), ==, -EINTR);   /* unblocked: EINTR */
    g_assert_cmpint(c.run->exit_reason, ==, KVM_EXIT_INTR);

    struct timespec zero = { 0, 0 };
    g_assert_cmpint(sigtimedwait(&usr1, NULL, &zero), ==, SIGUSR1);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    abi_close(&c);
}

static bool host_is_amd(void)
{
    uint32_t a, b, c, d;
    __asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
    return b == 0x68747541;         /* "Auth"enticAMD */
}

/* Unknown hypercalls return -KVM_ENOSYS in RAX (never #UD) */
static void test_hypercall(gconstpointer data)
{
    AbiCtx c;
    if (!abi_open_guest(&c, data)) {
        return;
    }
    uint8_t code[] = {
        0x48, 0xc7, 0xc0, 0x39, 0x30, 0, 0, /* mov rax, 12345 */
        0x0f, 0x01, 0xc1,           /* vmcall */
        0x48, 0x89, 0xc3,           /* mov rbx, rax */
        0x48, 0xc7, 0xc0, 0x01, 0, 0, 0, /* mov rax, KVM_HC_VAPIC_POLL_IRQ */
        0x0f, 0x01, 0xc1,           /* vmcall */
        0xf4,
    };
    if (host_is_amd()) {
        /* the host's own instruction: VMMCALL (KVM patches the other) */
        code[9] = 0xd9;
        code[22] = 0xd9;
    }
    abi_load(&c, CODE, code, sizeof(code));
    abi_long_mode(&c, CODE);

    /* watchdog: a nested host KVM may loop on the instruction forever */
    struct sigaction sa = { .sa_handler = on_sigusr1 }, old;
    sigaction(SIGUSR1, &sa, &old);
    Kicker k = { .target = pthread_self(), .period_us = 1000000 };
    pthread_t th;
    pthread_create(&th, NULL, kicker_main, &k);
    int r = abi_run(&c);
    k.done = true;
    pthread_join(th, NULL);
    sigaction(SIGUSR1, &old, NULL);
    struct kvm_regs regs;
    abi_get_regs(&c, &regs);
    if (r == -EINTR && regs.rip == CODE + 7) {
        g_test_skip("this host's KVM never completes VMCALL/VMMCALL "
                    "(nested virtualization): cannot check the kernel");
        abi_close(&c);
        return;
    }
    g_assert_cmpint(r, ==, 0);
    g_assert_cmpint(c.run->exit_reason, ==, KVM_EXIT_HLT);
    g_assert_cmphex(regs.rbx, ==, (uint64_t)-1000);
    g_assert_cmphex(regs.rax, ==, 0);
    abi_close(&c);
}

/* An exception with no IDT in long mode ends as KVM_EXIT_SHUTDOWN */
static void test_triple_fault(gconstpointer data)
{
    AbiCtx c;
    if (!abi_open_guest(&c, data)) {
        return;
    }
    static const uint8_t code[] = { 0x0f, 0x0b };   /* ud2 */
    abi_load(&c, CODE, code, sizeof(code));
    abi_long_mode(&c, CODE);
    abi_expect_exit(&c, KVM_EXIT_SHUTDOWN);

    /* real mode with an IVT limit of 0: the same */
    abi_load(&c, CODE, code, sizeof(code));
    abi_real_mode(&c, CODE);
    struct kvm_sregs s;
    g_assert_cmpint(abi_ioctl(&c, c.vcpu, KVM_GET_SREGS, &s), ==, 0);
    s.idt.limit = 0;
    g_assert_cmpint(abi_ioctl(&c, c.vcpu, KVM_SET_SREGS, &s), ==, 0);
    abi_expect_exit(&c, KVM_EXIT_SHUTDOWN);
    abi_close(&c);
}

/* KVM_SET_GUEST_DEBUG single-step: one KVM_EXIT_DEBUG per instruction */
static void test_single_step(gconstpointer data)
{
    AbiCtx c;
    if (!abi_open_guest(&c, data)) {
        return;
    }
    static const uint8_t code[] = {
        0x90,                       /* nop */
        0xb0, 0x01,                 /* mov al, 1 */
        0xe6, 0x10,                 /* out 0x10, al */
        0xf4,
    };
    abi_load(&c, CODE, code, sizeof(code));
    abi_real_mode(&c, CODE);
    struct kvm_guest_debug dbg = {
        .control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP,
    };
    g_assert_cmpint(abi_ioctl(&c, c.vcpu, KVM_SET_GUEST_DEBUG, &dbg), ==, 0);
    int r = abi_run(&c);
    g_assert_cmpint(r, ==, 0);
    g_assert_cmpint(c.run->exit_reason, ==, KVM_EXIT_DEBUG);
    g_assert_cmpint(c.run->debug.arch.exception, ==, 1);
    g_assert_cmphex(c.run->debug.arch.pc, ==, CODE + 1);
    abi_expect_exit(&c, KVM_EXIT_DEBUG);
    g_assert_cmphex(c.run->debug.arch.pc, ==, CODE + 3);
    struct kvm_regs regs;
    abi_get_regs(&c, &regs);
    g_assert_cmphex(regs.rax & 0xff, ==, 1);
    dbg.control = 0;
    g_assert_cmpint(abi_ioctl(&c, c.vcpu, KVM_SET_GUEST_DEBUG, &dbg), ==, 0);
    abi_expect_exit(&c, KVM_EXIT_IO);
    abi_expect_exit(&c, KVM_EXIT_HLT);
    abi_close(&c);
}

/* USE_SW_BP: INT3 exits as KVM_EXIT_DEBUG #BP at the INT3 */
static void test_sw_breakpoint(gconstpointer data)
{
    AbiCtx c;
    if (!abi_open_guest(&c, data)) {
        return;
    }
    static const uint8_t code[] = {
        0x90,                       /* nop */
        0xcc,                       /* int3 (the debugger's breakpoint) */
        0xe6, 0x10,                 /* out 0x10, al */
        0xf4,
    };
    abi_load(&c, CODE, code, sizeof(code));
    abi_real_mode(&c, CODE);
    struct kvm_guest_debug dbg = {
        .control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP,
    };
    g_assert_cmpint(abi_ioctl(&c, c.vcpu, KVM_SET_GUEST_DEBUG, &dbg), ==, 0);
    /* watchdog: this nested host's KVM loops on the INT3 forever */
    struct sigaction sa = { .sa_handler = on_sigusr1 }, old;
    sigaction(SIGUSR1, &sa, &old);
    Kicker k = { .target = pthread_self(), .period_us = 1000000 };
    pthread_t th;
    pthread_create(&th, NULL, kicker_main, &k);
    int r = abi_run(&c);
    k.done = true;
    pthread_join(th, NULL);
    sigaction(SIGUSR1, &old, NULL);
    if (r == -EINTR && !strcmp(c.p->name, "kernel")) {
        g_test_skip("this host's KVM never reports the INT3 "
                    "(nested virtualization): cannot check the kernel");
        abi_close(&c);
        return;
    }
    g_assert_cmpint(r, ==, 0);
    g_assert_cmpint(c.run->exit_reason, ==, KVM_EXIT_DEBUG);
    g_assert_cmpint(c.run->debug.arch.exception, ==, 3);
    g_assert_cmphex(c.run->debug.arch.pc, ==, CODE + 1);
    struct kvm_regs regs;
    abi_get_regs(&c, &regs);
    g_assert_cmphex(regs.rip, ==, CODE + 1);
    /* the debugger steps over it by moving RIP, as gdbstubs do */
    regs.rip = CODE + 2;
    abi_set_regs(&c, &regs);
    abi_expect_exit(&c, KVM_EXIT_IO);
    abi_close(&c);
}

/* USE_HW_BP: an execute breakpoint in debugreg[0] exits before the insn */
static void test_hw_breakpoint(gconstpointer data)
{
    AbiCtx c;
    if (!abi_open_guest(&c, data)) {
        return;
    }
    static const uint8_t code[] = {
        0x90, 0x90, 0x90,           /* nops */
        0xb0, 0x07,                 /* mov al, 7   <- breakpoint */
        0xe6, 0x10,                 /* out 0x10, al */
        0xf4,
    };
    abi_load(&c, CODE, code, sizeof(code));
    abi_real_mode(&c, CODE);
    struct kvm_guest_debug dbg = {
        .control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP,
    };
    dbg.arch.debugreg[0] = CODE + 3;
    dbg.arch.debugreg[7] = 0x1;     /* L0, execute, 1 byte */
    g_assert_cmpint(abi_ioctl(&c, c.vcpu, KVM_SET_GUEST_DEBUG, &dbg), ==, 0);
    abi_expect_exit(&c, KVM_EXIT_DEBUG);
    g_assert_cmpint(c.run->debug.arch.exception, ==, 1);
    g_assert_cmphex(c.run->debug.arch.pc, ==, CODE + 3);
    g_assert_cmphex(c.run->debug.arch.dr6 & 1, ==, 1);
    struct kvm_regs regs;
    abi_get_regs(&c, &regs);
    g_assert_cmphex(regs.rax & 0xff, !=, 7);    /* not executed yet */
    dbg.control = 0;
    g_assert_cmpint(abi_ioctl(&c, c.vcpu, KVM_SET_GUEST_DEBUG, &dbg), ==, 0);
    abi_expect_exit(&c, KVM_EXIT_IO);
    g_assert_cmphex(io_data(&c)[0], ==, 7);
    abi_close(&c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    abi_add_test("/kvm-guest/pio-real-mode", test_pio_real_mode);
    abi_add_test("/kvm-guest/mmio-real-mode", test_mmio_real_mode);
    abi_add_test("/kvm-guest/long-mode-mmio-pio", test_long_mode);
    abi_add_test("/kvm-guest/interrupt-window", test_interrupt_window);
    abi_add_test("/kvm-guest/dirty-log-exact", test_dirty_log);
    abi_add_test("/kvm-guest/readonly-slot", test_readonly_slot);
    abi_add_test("/kvm-guest/ioeventfd", test_ioeventfd);
    abi_add_test("/kvm-guest/immediate-exit", test_immediate_exit);
    abi_add_test("/kvm-guest/signal-kick", test_signal_kick);
    abi_add_test("/kvm-guest/signal-mask", test_signal_mask);
    abi_add_test("/kvm-guest/hypercall", test_hypercall);
    abi_add_test("/kvm-guest/triple-fault", test_triple_fault);
    abi_add_test("/kvm-guest/single-step", test_single_step);
    abi_add_test("/kvm-guest/sw-breakpoint", test_sw_breakpoint);
    abi_add_test("/kvm-guest/hw-breakpoint", test_hw_breakpoint);
    return g_test_run();
}
