/*
 * Native side of the differential harness: runs a test snippet on the host
 * CPU in a forked child, with the guest state loaded by native-asm.S.
 * Faults (SIGSEGV/SIGBUS/SIGILL/SIGFPE/SIGTRAP) are caught on an alternate
 * stack; the kernel's trap number is the exception vector, and the register
 * state at the fault comes from the signal context.  A child that dies for
 * any other reason costs only its current case.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "diff.h"

/* Control page offsets: keep in sync with native-asm.S. */
#define CTL_GPR_IN   0x000
#define CTL_FL_IN    0x080
#define CTL_ENTRY    0x088
#define CTL_EXIT     0x090
#define CTL_FL_OUT   0x0a0
#define CTL_GPR_OUT  0x100
#define CTL_FX_IN    0x200
#define CTL_FX_OUT   0x400

#define BATCH_MAX 256

void diff_native_enter(void);
void diff_native_exit(void);

typedef struct NativeShared {
    volatile size_t done;          /* cases finished by the current child */
    DiffCase cases[BATCH_MAX];
    DiffState outs[BATCH_MAX];
} NativeShared;

static NativeShared *shared;

static void child_stop(void);
static sigjmp_buf fault_jmp;
static DiffState *fault_out;
static uint8_t *ctl;

static bool map_fixed(uint64_t addr, size_t size, int prot)
{
    void *p = mmap((void *)(uintptr_t)addr, size, prot,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

    if (p == MAP_FAILED || p != (void *)(uintptr_t)addr) {
        fprintf(stderr, "diff: cannot map 0x%llx: %s\n",
                (unsigned long long)addr, strerror(errno));
        return false;
    }
    return true;
}

static void native_atexit(void)
{
    child_stop();
}

bool diff_native_init(void)
{
    if (!map_fixed(DIFF_CODE_ADDR, 0x1000,
                   PROT_READ | PROT_WRITE | PROT_EXEC) ||
        !map_fixed(DIFF_DATA_ADDR, DIFF_DATA_SIZE, PROT_READ | PROT_WRITE) ||
        !map_fixed(DIFF_STACK_ADDR, DIFF_STACK_SIZE, PROT_READ | PROT_WRITE) ||
        !map_fixed(DIFF_CTL_ADDR, 0x1000, PROT_READ | PROT_WRITE)) {
        return false;
    }
    ctl = (uint8_t *)(uintptr_t)DIFF_CTL_ADDR;
    signal(SIGPIPE, SIG_IGN);
    atexit(native_atexit);
    shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
                  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) {
        perror("diff: mmap shared");
        return false;
    }
    return true;
}

/* glibc's gregs order -> hardware register numbers */
static const int greg_of[16] = {
    [R_AX] = REG_RAX, [R_CX] = REG_RCX, [R_DX] = REG_RDX, [R_BX] = REG_RBX,
    [R_SP] = REG_RSP, [R_BP] = REG_RBP, [R_SI] = REG_RSI, [R_DI] = REG_RDI,
    [R_8] = REG_R8, [R_9] = REG_R9, [R_10] = REG_R10, [R_11] = REG_R11,
    [R_12] = REG_R12, [R_13] = REG_R13, [R_14] = REG_R14, [R_15] = REG_R15,
};

static void fault_handler(int sig, siginfo_t *si, void *uctx)
{
    ucontext_t *uc = uctx;
    greg_t *g = uc->uc_mcontext.gregs;
    DiffState *out = fault_out;

    for (int i = 0; i < 16; i++) {
        out->gpr[i] = g[greg_of[i]];
    }
    out->rip = g[REG_RIP];
    out->rflags = g[REG_EFL];
    out->vector = (int32_t)g[REG_TRAPNO];
    out->error_code = (uint32_t)g[REG_ERR];
    if (sig == SIGTRAP && out->vector != 1 && out->vector != 3) {
        out->vector = 3;
    }
    if (uc->uc_mcontext.fpregs) {
        memcpy(&out->fx, uc->uc_mcontext.fpregs, sizeof(out->fx));
    }
    siglongjmp(fault_jmp, 1);
}

static void child_setup(void)
{
    static uint8_t altstack[65536];
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
    struct sigaction sa;
    static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP };

    sigaltstack(&ss, NULL);
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = fault_handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        sigaction(sigs[i], &sa, NULL);
    }
}

static void run_one(const DiffCase *c, DiffState *out)
{
    uint8_t *code = (uint8_t *)(uintptr_t)DIFF_CODE_ADDR;
    uint64_t exit_addr = (uint64_t)(uintptr_t)diff_native_exit;
    uint32_t exit_slot = (uint32_t)(DIFF_CTL_ADDR + CTL_EXIT);
    uint64_t entry = DIFF_CODE_ADDR;
    uint64_t fl = (c->in.rflags & FL_ALL) | 2;
    unsigned n = c->code_len;

    *out = c->in;
    out->vector = -1;
    out->error_code = 0;

    memset(code, 0xcc, 0x1000);
    memcpy(code, c->code, n);
    /* jmp qword [exit_slot] */
    code[n] = 0xff;
    code[n + 1] = 0x24;
    code[n + 2] = 0x25;
    memcpy(code + n + 3, &exit_slot, 4);
    __builtin___clear_cache((char *)code, (char *)code + n + 7);

    memcpy((void *)(uintptr_t)DIFF_DATA_ADDR, c->in.data, DIFF_DATA_SIZE);
    memcpy((void *)(uintptr_t)DIFF_STACK_ADDR, c->in.stack, DIFF_STACK_SIZE);
    memcpy(ctl + CTL_GPR_IN, c->in.gpr, sizeof(c->in.gpr));
    memcpy(ctl + CTL_FL_IN, &fl, 8);
    memcpy(ctl + CTL_ENTRY, &entry, 8);
    memcpy(ctl + CTL_EXIT, &exit_addr, 8);
    memcpy(ctl + CTL_FX_IN, &c->in.fx, sizeof(DiffFx));

    fault_out = out;
    if (sigsetjmp(fault_jmp, 1) == 0) {
        diff_native_enter();
        memcpy(out->gpr, ctl + CTL_GPR_OUT, sizeof(out->gpr));
        memcpy(&out->rflags, ctl + CTL_FL_OUT, 8);
        memcpy(&out->fx, ctl + CTL_FX_OUT, sizeof(DiffFx));
        out->rip = DIFF_CODE_ADDR + n;
    }
    /* Whatever the snippet did to the host's FPU/SSE control state. */
    __asm__ volatile("fninit");
    {
        uint32_t mxcsr = 0x1f80;
        __asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
    }
    out->rflags &= FL_ALL | 2;
    memcpy(out->data, (void *)(uintptr_t)DIFF_DATA_ADDR, DIFF_DATA_SIZE);
    memcpy(out->stack, (void *)(uintptr_t)DIFF_STACK_ADDR, DIFF_STACK_SIZE);
}

/*
 * One child serves many batches: the parent writes the number of cases to
 * run (from shared->done) on cmd_fd, the child answers on ack_fd when they
 * are done.  EOF on ack_fd means the child died on case shared->done.
 */
static pid_t child_pid = -1;
static int cmd_fd = -1, ack_fd = -1;

static void child_stop(void)
{
    int status;

    if (child_pid > 0) {
        close(cmd_fd);
        close(ack_fd);
        while (waitpid(child_pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    child_pid = -1;
    cmd_fd = ack_fd = -1;
}

static bool child_start(void)
{
    int cmd[2], ack[2];

    if (pipe(cmd) < 0 || pipe(ack) < 0) {
        perror("diff: pipe");
        return false;
    }
    fflush(NULL);
    child_pid = fork();
    if (child_pid < 0) {
        perror("diff: fork");
        return false;
    }
    if (child_pid == 0) {
        uint32_t n;

        close(cmd[1]);
        close(ack[0]);
        child_setup();
        while (read(cmd[0], &n, sizeof(n)) == sizeof(n)) {
            for (size_t i = shared->done; i < n; i++) {
                run_one(&shared->cases[i], &shared->outs[i]);
                shared->done = i + 1;
            }
            if (write(ack[1], &n, sizeof(n)) != sizeof(n)) {
                break;
            }
        }
        _exit(0);
    }
    close(cmd[0]);
    close(ack[1]);
    cmd_fd = cmd[1];
    ack_fd = ack[0];
    return true;
}

static void run_chunk(size_t n)
{
    shared->done = 0;
    while (shared->done < n) {
        uint32_t m = (uint32_t)n, reply;
        size_t pos;

        if (child_pid < 0 && !child_start()) {
            break;
        }
        if (write(cmd_fd, &m, sizeof(m)) == sizeof(m) &&
            read(ack_fd, &reply, sizeof(reply)) == sizeof(reply)) {
            break;
        }
        /* the child died on case shared->done */
        child_stop();
        pos = shared->done;
        shared->outs[pos] = shared->cases[pos].in;
        shared->outs[pos].vector = -2;
        shared->done = pos + 1;
    }
    for (size_t pos = shared->done; pos < n; pos++) {
        shared->outs[pos] = shared->cases[pos].in;
        shared->outs[pos].vector = -2;
    }
}

void diff_native_run_batch(const DiffCase *cases, DiffState *outs, size_t n)
{
    for (size_t off = 0; off < n; off += BATCH_MAX) {
        size_t m = n - off < BATCH_MAX ? n - off : BATCH_MAX;

        memcpy(shared->cases, cases + off, m * sizeof(DiffCase));
        run_chunk(m);
        memcpy(outs + off, shared->outs, m * sizeof(DiffState));
    }
}
