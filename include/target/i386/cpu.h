/*
 * The software x86-64 CPU engine: public interface.
 *
 * What for: executing a guest's x86-64 code without /dev/kvm. ukvm (linux/)
 * builds the KVM ioctl ABI on top of this header; the differential tests
 * (tests/cpu) and the engine tests (tests/cpu/engine) use it directly.
 *
 * Model: an X86VM is the guest-physical address space shared by all vCPUs
 * (the embedder's memory callbacks, the set of pages holding decoded code).
 * An X86CPU is one vCPU; x86_cpu_run() executes it on the calling thread
 * until something needs the embedder (an "exit"), like KVM_RUN.
 *
 * State structs are laid out to copy 1:1 onto <linux/kvm.h>:
 *   X86Regs      == struct kvm_regs
 *   X86Segment   == struct kvm_segment, X86DTable == struct kvm_dtable
 *   X86SRegs     == struct kvm_sregs
 *   X86FPU       == struct kvm_fpu
 *   X86XSave     == struct kvm_xsave (4096-byte legacy region + header)
 *   X86DebugRegs == struct kvm_debugregs
 *   X86CpuidEntry == struct kvm_cpuid_entry2
 * (static asserts in linux/ check the sizes and offsets).
 *
 * Threads and locking: an X86CPU belongs to the thread that calls
 * x86_cpu_run(); every x86_cpu_* function except x86_cpu_kick() and
 * x86_cpu_request_flush() must be called from that thread or while the vCPU
 * is not running. x86_vm_* functions are thread-safe (they post requests the
 * vCPUs act on at their next block boundary; call x86_cpu_kick() as well if
 * the effect must be prompt).
 */
#ifndef TARGET_I386_CPU_H
#define TARGET_I386_CPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct X86VM X86VM;
typedef struct X86CPU X86CPU;

/* ---- guest-physical memory, provided by the embedder ------------------ */

typedef enum {
    X86_MSR_UNHANDLED = 0, /* the hook does not own this MSR: engine decides */
    X86_MSR_OK = 1,        /* handled */
    X86_MSR_GP = 2,        /* handled: raise #GP(0) in the guest */
    /* guest RDMSR/WRMSR only: stop before retiring the instruction with
     * X86_EXIT_MSR; the embedder completes it (x86_cpu_complete_msr) */
    X86_MSR_EXIT = 3,
    /* guest RDMSR/WRMSR: #GP(0); host access: the engine decides (an MSR
     * filter applies to the guest only) */
    X86_MSR_DENY = 4,
} X86MsrResult;

typedef struct X86MemOps {
    /*
     * Return the host address of the 4 KiB guest-physical page containing
     * @gpa (the pointer is to the page start), or NULL when the page is not
     * RAM (MMIO or unassigned: the access becomes an X86_EXIT_MMIO), or, for
     * @write, when the page is read-only (ROM/readonly memslot).
     *
     * @write=true is asked before the engine first writes the page since the
     * last flush: that call is where the embedder marks the page dirty in a
     * dirty-logged memslot. The engine then caches the writable mapping until
     * the embedder flushes it with x86_vm_flush() (after clearing the dirty
     * log, changing memslots, ...). The returned mapping must stay valid
     * until that flush. Called on vCPU threads, concurrently.
     */
    void *(*map_page)(void *opaque, uint64_t gpa, bool write);
    /*
     * Optional: MSRs the engine does not own (kvmclock, x2APIC 0x800-0x8ff,
     * Hyper-V, ...) are offered here first. NULL: none. Also asked for
     * host accesses (x86_cpu_get/set_msr), where X86_MSR_EXIT and
     * X86_MSR_DENY mean "engine decides".
     */
    X86MsrResult (*msr_read)(void *opaque, X86CPU *cpu, uint32_t index,
                             uint64_t *value);
    X86MsrResult (*msr_write)(void *opaque, X86CPU *cpu, uint32_t index,
                              uint64_t value);
    /*
     * Optional: the FERR# pin (CR0.NE=0 legacy x87 error reporting; a PC
     * board routes it to IRQ 13 of the master PIC). With this hook, a
     * waiting x87 instruction that finds an unmasked error pending while
     * CR0.NE=0 asserts FERR# and freezes: x86_cpu_run() returns
     * X86_EXIT_HLT with RIP still at that instruction, which runs again
     * once an interrupt handler cleared the error (FNCLEX) or IGNNE# is
     * asserted (x86_cpu_set_ignne). FERR# is deasserted when an x87
     * instruction clears FSW.ES. Called on the vCPU thread inside
     * x86_cpu_run(): record the level, act on it after the run returns.
     * NULL: #MF is raised whatever CR0.NE says (what KVM does).
     */
    void (*ferr)(void *opaque, X86CPU *cpu, bool asserted);
} X86MemOps;

X86VM *x86_vm_new(const X86MemOps *ops, void *opaque);
void x86_vm_free(X86VM *vm);
/*
 * Forget every cached translation and every decoded block of every vCPU
 * (memslot change, dirty-log clear). Takes effect on each vCPU before it
 * executes its next block, and before x86_cpu_run() returns to guest code.
 */
void x86_vm_flush(X86VM *vm);
/*
 * Cheaper: forget cached translations only (decoded code stays valid).
 * Enough after clearing a dirty log, when guest memory contents did not
 * change; x86_vm_flush() is needed when a gpa may now show different
 * bytes (memslot add/remove/move, ROM/RAM switches).
 */
void x86_vm_flush_tlb(X86VM *vm);
/*
 * The embedder wrote guest RAM behind the engine (DMA, loader, VMM write):
 * decoded code in [gpa, gpa+len) is dropped before it runs again.
 */
void x86_vm_notify_write(X86VM *vm, uint64_t gpa, uint64_t len);
/* A20 gate (port 92h / keyboard controller): false masks address bit 20. */
void x86_vm_set_a20(X86VM *vm, bool enabled);

/* ---- architectural state --------------------------------------------- */

typedef struct X86Regs {            /* struct kvm_regs */
    uint64_t rax, rbx, rcx, rdx;
    uint64_t rsi, rdi, rsp, rbp;
    uint64_t r8, r9, r10, r11;
    uint64_t r12, r13, r14, r15;
    uint64_t rip, rflags;
} X86Regs;

typedef struct X86Segment {         /* struct kvm_segment */
    uint64_t base;
    uint32_t limit;                 /* byte granular (G already applied) */
    uint16_t selector;
    uint8_t type;
    uint8_t present, dpl, db, s, l, g, avl;
    uint8_t unusable;
    uint8_t padding;
} X86Segment;

typedef struct X86DTable {          /* struct kvm_dtable */
    uint64_t base;
    uint16_t limit;
    uint16_t padding[3];
} X86DTable;

#define X86_NR_INTERRUPTS 256

typedef struct X86SRegs {           /* struct kvm_sregs */
    X86Segment cs, ds, es, fs, gs, ss;
    X86Segment tr, ldt;
    X86DTable gdt, idt;
    uint64_t cr0, cr2, cr3, cr4, cr8;
    uint64_t efer;
    uint64_t apic_base;
    /* pending external interrupt (at most one bit set), as KVM */
    uint64_t interrupt_bitmap[(X86_NR_INTERRUPTS + 63) / 64];
} X86SRegs;

typedef struct X86FPU {             /* struct kvm_fpu */
    uint8_t fpr[8][16];             /* ST(0)..ST(7), 80-bit in low 10 bytes */
    uint16_t fcw;
    uint16_t fsw;
    uint8_t ftwx;                   /* abridged tag word, FXSAVE format */
    uint8_t pad1;
    uint16_t last_opcode;
    uint64_t last_ip;
    uint64_t last_dp;
    uint8_t xmm[16][16];
    uint32_t mxcsr;
    uint32_t pad2;
} X86FPU;

typedef struct X86XSave {           /* struct kvm_xsave: XSAVE standard form */
    uint32_t region[1024];
} X86XSave;

typedef struct X86DebugRegs {       /* struct kvm_debugregs */
    uint64_t db[4];
    uint64_t dr6;
    uint64_t dr7;
    uint64_t flags;
    uint64_t reserved[9];
} X86DebugRegs;

/* vCPU events (the fields of struct kvm_vcpu_events the engine models). */
typedef struct X86Events {
    struct {
        bool injected;              /* being delivered (re-deliver on run) */
        bool pending;               /* raised, not yet delivered */
        uint8_t nr;
        bool has_error_code;
        uint32_t error_code;
    } exception;
    struct {
        bool injected;              /* external interrupt accepted */
        uint8_t nr;
        bool soft;
        uint8_t shadow;             /* X86_SHADOW_* */
    } interrupt;
    struct {
        bool injected;
        bool pending;
        bool masked;                /* NMIs blocked until IRET */
    } nmi;
    uint32_t sipi_vector;
} X86Events;

#define X86_SHADOW_MOV_SS 1         /* KVM_X86_SHADOW_INT_MOV_SS */
#define X86_SHADOW_STI    2         /* KVM_X86_SHADOW_INT_STI */

typedef enum {                      /* KVM_MP_STATE_* values */
    X86_MP_RUNNABLE = 0,
    X86_MP_UNINITIALIZED = 1,
    X86_MP_INIT_RECEIVED = 2,
    X86_MP_HALTED = 3,
    X86_MP_SIPI_RECEIVED = 4,
} X86MPState;

typedef struct X86CpuidEntry {      /* struct kvm_cpuid_entry2 */
    uint32_t function;
    uint32_t index;
    uint32_t flags;                 /* X86_CPUID_FLAG_SIGNIFICANT_INDEX */
    uint32_t eax, ebx, ecx, edx;
    uint32_t padding[3];
} X86CpuidEntry;

#define X86_CPUID_FLAG_SIGNIFICANT_INDEX 1
#define X86_CPUID_MAX_ENTRIES 256

/* -smp topology, for CPUID leaves 0x1, 0x4, 0xB, 0x1F. */
typedef struct X86Topology {
    uint32_t sockets, dies, clusters, cores, threads;
} X86Topology;

/* ---- exits ------------------------------------------------------------- */

typedef enum {
    X86_EXIT_IO = 1,                /* port I/O: see io */
    X86_EXIT_MMIO,                  /* memory outside RAM: see mmio */
    X86_EXIT_HLT,                   /* HLT retired (RIP is past it) */
    X86_EXIT_SHUTDOWN,              /* triple fault: see shutdown */
    X86_EXIT_IRQ_WINDOW_OPEN,       /* requested window: injection possible */
    X86_EXIT_KICKED,                /* x86_cpu_kick() or a flush request */
    X86_EXIT_DEBUG,                 /* guest debug (single-step/breakpoint) */
    X86_EXIT_INTERNAL_ERROR,        /* engine cannot continue: see internal */
    X86_EXIT_HYPERCALL,             /* VMCALL/VMMCALL: see hypercall */
    X86_EXIT_MSR,                   /* msr hook said X86_MSR_EXIT: see msr */
} X86ExitReason;

#define X86_IO_DATA_MAX 4096        /* bytes of data in one I/O exit */

typedef struct X86Exit {
    X86ExitReason reason;
    union {
        struct {
            uint16_t port;
            uint8_t size;           /* 1, 2 or 4 */
            bool in;
            uint32_t count;         /* elements; >1 for REP INS/OUTS */
            /*
             * count*size bytes, owned by the vCPU. OUT: the data written.
             * IN: the embedder fills it before the next x86_cpu_run(), which
             * completes the instruction (KVM semantics).
             */
            uint8_t *data;
        } io;
        struct {
            uint64_t addr;          /* guest-physical */
            uint32_t len;           /* 1..8 */
            bool write;
            /* len bytes, owned by the vCPU; fill it for a read (!write) */
            uint8_t *data;
        } mmio;
        struct {
            uint32_t exception;     /* 1 (#DB) or 3 (#BP) */
            uint64_t pc;
            uint64_t dr6, dr7;
        } debug;
        struct {
            uint32_t last_exception;/* what could not be delivered */
        } shutdown;
        struct {
            uint64_t rip;
            char msg[96];
        } internal;
        struct {
            /* RAX..R9 as the guest left them; set the result with set_regs */
            uint64_t nr;
            uint64_t args[6];
        } hypercall;
        struct {
            /*
             * RDMSR/WRMSR not retired. Call x86_cpu_complete_msr() before
             * the next x86_cpu_run(): the instruction then completes
             * (RDMSR loads the value) or raises #GP, as KVM's
             * KVM_EXIT_X86_RDMSR/WRMSR. Without a completion it runs again.
             */
            uint32_t index;
            bool write;
            uint64_t data;          /* WRMSR: the value written */
        } msr;
    };
} X86Exit;

/* ---- vCPU --------------------------------------------------------------- */

/* Creates a vCPU in the reset state (real mode, CS:IP f000:fff0). */
X86CPU *x86_cpu_new(X86VM *vm, uint32_t index);
void x86_cpu_free(X86CPU *cpu);
uint32_t x86_cpu_index(const X86CPU *cpu);
/* Architectural RESET (power on) or INIT: registers per SDM 10.1.1. */
void x86_cpu_reset(X86CPU *cpu, bool init_only);

/*
 * Run until an exit; returns 0 and fills @exit, or -1 on a misuse by the
 * embedder (e.g. running an X86_MP_UNINITIALIZED vCPU: returns -1, nothing
 * executed). Never blocks waiting for events: with the vCPU halted it
 * returns X86_EXIT_HLT immediately unless an interrupt is injectable.
 */
int x86_cpu_run(X86CPU *cpu, X86Exit *exit);
/* Any thread: make x86_cpu_run() return X86_EXIT_KICKED at the next block
 * boundary (or immediately on its next call if not running). */
void x86_cpu_kick(X86CPU *cpu);
/* Any thread: flush this vCPU's TLB and decoded code before its next block */
void x86_cpu_request_flush(X86CPU *cpu);

void x86_cpu_get_regs(X86CPU *cpu, X86Regs *regs);
void x86_cpu_set_regs(X86CPU *cpu, const X86Regs *regs);
void x86_cpu_get_sregs(X86CPU *cpu, X86SRegs *sregs);
/* false: inconsistent state (e.g. LMA without PAE), nothing changed */
bool x86_cpu_set_sregs(X86CPU *cpu, const X86SRegs *sregs);
void x86_cpu_get_fpu(X86CPU *cpu, X86FPU *fpu);
void x86_cpu_set_fpu(X86CPU *cpu, const X86FPU *fpu);
void x86_cpu_get_xsave(X86CPU *cpu, X86XSave *xsave);
/* false: reserved bits set in the header or MXCSR */
bool x86_cpu_set_xsave(X86CPU *cpu, const X86XSave *xsave);
uint64_t x86_cpu_get_xcr0(X86CPU *cpu);
bool x86_cpu_set_xcr0(X86CPU *cpu, uint64_t xcr0);
void x86_cpu_get_debugregs(X86CPU *cpu, X86DebugRegs *dbg);
void x86_cpu_set_debugregs(X86CPU *cpu, const X86DebugRegs *dbg);
void x86_cpu_get_events(X86CPU *cpu, X86Events *ev);
void x86_cpu_set_events(X86CPU *cpu, const X86Events *ev);
X86MPState x86_cpu_get_mp_state(X86CPU *cpu);
void x86_cpu_set_mp_state(X86CPU *cpu, X86MPState state);

/*
 * MSRs by index, as KVM_GET/SET_MSRS: false when the engine (and the
 * embedder's hook) do not know the MSR or reject the value. Host-initiated:
 * no privilege checks, some read-only MSRs become writable (TSC, ...).
 */
/* IGNNE# (a PC's port F0h write while FERR# is asserted): with CR0.NE=0
 * pending x87 errors are ignored until FERR# drops, which also clears
 * this latch. */
void x86_cpu_set_ignne(X86CPU *cpu, bool asserted);
bool x86_cpu_get_msr(X86CPU *cpu, uint32_t index, uint64_t *value);
bool x86_cpu_set_msr(X86CPU *cpu, uint32_t index, uint64_t value);
/* Complete the RDMSR/WRMSR of the last X86_EXIT_MSR: @error raises #GP,
 * otherwise RDMSR returns @data. */
void x86_cpu_complete_msr(X86CPU *cpu, uint64_t data, bool error);
/* The MSRs the engine owns (KVM_GET_MSR_INDEX_LIST); returns the count
 * (which may exceed @max: only @max are written). */
int x86_msr_index_list(uint32_t *out, int max);

/* CPUID as seen by the guest (KVM_SET_CPUID2); false if n is too large. */
bool x86_cpu_set_cpuid(X86CPU *cpu, const X86CpuidEntry *entries, int n);
int x86_cpu_get_cpuid(X86CPU *cpu, X86CpuidEntry *out, int max);
/*
 * Entries of a named model ("qemu64", "Westmere", "EPYC", ... listed by
 * x86_cpu_model_names(); "-v1", "-IBRS", "-noTSX" accepted) for @topo
 * and vCPU @apic_id; returns the count or -1 for an unknown model. "max"
 * is what the engine implements (ukvm's KVM_GET_SUPPORTED_CPUID); "host"
 * here is the same (the accelerator builds it from its provider:
 * x86_cpuid_host_entries).
 */
int x86_cpuid_model_entries(const char *model, const X86Topology *topo,
                            uint32_t apic_id, X86CpuidEntry *out, int max);
const char *const *x86_cpu_model_names(void);
/* QEMU's -cpu help text for @model (its model-id), NULL if unknown. */
const char *x86_cpu_model_description(const char *model);
/*
 * "-cpu host": the provider's KVM_GET_SUPPORTED_CPUID (@sup, @nsup) as the
 * model, without its hypervisor leaves (0x40000000..), with the -smp
 * topology leaves (0x1 EBX/HTT, 0x4, 0xB, 0x1F, 0x80000008 ECX) of the
 * named models and the hypervisor bit. Returns the count (<= @max).
 */
int x86_cpuid_host_entries(const X86CpuidEntry *sup, int nsup,
                           const X86Topology *topo, uint32_t apic_id,
                           X86CpuidEntry *out, int max);

/* QEMU's names of the CPUID feature bits of one leaf/subleaf/register. */
typedef struct X86FeatureWord {
    uint32_t leaf, index;
    int reg;                        /* 0 eax, 1 ebx, 2 ecx, 3 edx */
    const char *names[32];
} X86FeatureWord;

const X86FeatureWord *x86_cpu_feature_words(int *n);
const X86FeatureWord *x86_cpu_feature_word(uint32_t leaf, uint32_t index,
                                           int reg);

/* ---- interrupts --------------------------------------------------------- */

/* RFLAGS.IF=1, no interrupt shadow, no event being delivered. */
bool x86_cpu_can_inject_irq(X86CPU *cpu);
/* KVM_INTERRUPT: deliver external interrupt @vector at the next boundary
 * (false: one is already queued). Wakes a halted vCPU. */
bool x86_cpu_inject_irq(X86CPU *cpu, uint8_t vector);
void x86_cpu_inject_nmi(X86CPU *cpu);
/* kvm_run.request_interrupt_window: exit X86_EXIT_IRQ_WINDOW_OPEN as soon
 * as x86_cpu_can_inject_irq() holds. */
void x86_cpu_request_irq_window(X86CPU *cpu, bool request);
/* INIT and SIPI (in-kernel-APIC-less MP startup). */
void x86_cpu_deliver_init(X86CPU *cpu);
void x86_cpu_deliver_sipi(X86CPU *cpu, uint8_t vector);

/* ---- debug, time, statistics ------------------------------------------- */

/* KVM_SET_GUEST_DEBUG: single-step exits and DR0-3 as host breakpoints. */
void x86_cpu_set_guest_debug(X86CPU *cpu, bool enable, bool single_step);
/* The full KVM_SET_GUEST_DEBUG: @kvm_control is KVM_GUESTDBG_* (values
 * below); @debugreg (may be NULL without USE_HW_BP) are the embedder's
 * DR0-3 and DR7, independent of the guest's. USE_SW_BP: INT3 exits as
 * X86_EXIT_DEBUG exception 3 with RIP at the INT3. USE_HW_BP: execute
 * breakpoints exit before the instruction (re-running resumes over it),
 * data breakpoints after it. INJECT_DB/INJECT_BP queue #DB/#BP. */
#define X86_GUESTDBG_ENABLE     0x00000001
#define X86_GUESTDBG_SINGLESTEP 0x00000002
#define X86_GUESTDBG_INJECT_DB  0x00000004
#define X86_GUESTDBG_INJECT_BP  0x00000008
#define X86_GUESTDBG_USE_SW_BP  0x00010000
#define X86_GUESTDBG_USE_HW_BP  0x00020000
void x86_cpu_set_guest_debug_ex(X86CPU *cpu, uint32_t kvm_control,
                                const uint64_t debugreg[8]);
/* At most @blocks decoded blocks per x86_cpu_run() (then X86_EXIT_KICKED),
 * bounding signal latency without kicks; 0 (default): no limit. */
void x86_cpu_set_time_slice(X86CPU *cpu, uint32_t blocks);
uint64_t x86_cpu_insns_retired(X86CPU *cpu);
/* Guest TSC = host monotonic ns scaled to tsc_khz + offset. */
void x86_cpu_set_tsc_khz(X86CPU *cpu, uint32_t khz);
uint32_t x86_cpu_get_tsc_khz(X86CPU *cpu);
void x86_cpu_set_tsc_offset(X86CPU *cpu, int64_t offset);

/* ---- test helper: run a 64-bit snippet in a private sandbox ------------ */
/*
 * For the differential harness (tests/cpu): a VM with 4 MiB of private RAM
 * identity-mapped by 4-level page tables, one vCPU in 64-bit mode at CPL 0
 * (flat segments, CR0.PE|PG|NE|MP, CR4.PAE|OSFXSR|OSXMMEXCPT, EFER.LME|LMA|
 * NXE|SCE), no IDT: any exception ends the run as X86_EXIT_SHUTDOWN with
 * shutdown.last_exception set.
 */
#define X86_SANDBOX_CODE  0x100000ULL  /* code is copied here */
#define X86_SANDBOX_DATA  0x200000ULL  /* free for data (1 MiB) */
#define X86_SANDBOX_STACK 0x3ff000ULL  /* initial RSP */
typedef struct X86Sandbox X86Sandbox;
X86Sandbox *x86_sandbox_new(void);
void x86_sandbox_free(X86Sandbox *sb);
X86CPU *x86_sandbox_cpu(X86Sandbox *sb);
/* Host pointer to sandbox guest-physical (= virtual) @gpa, or NULL. */
uint8_t *x86_sandbox_mem(X86Sandbox *sb, uint64_t gpa, size_t len);
/*
 * Copy @code to X86_SANDBOX_CODE followed by HLT, set RIP there, run it until
 * the HLT (returns 0) or another exit (returns the X86ExitReason; details in
 * *exit if non-NULL). Registers stay as set with x86_cpu_set_regs()/fpu.
 */
int x86_sandbox_run(X86Sandbox *sb, const uint8_t *code, size_t len,
                    X86Exit *exit);

#endif
