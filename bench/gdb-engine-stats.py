# gdb script (gdb -p PID -batch -x bench/gdb-engine-stats.py): prints one
# line per vCPU thread that is inside x86_cpu_run with the engine's
# instruction and block-cache counters:
#   ENGINE-STATS insns=N nblocks=N max-chain=N mean-chain=F
#                compares-per-hit=F jcache-valid=N/M
# A stopgap used by bench/mips --gdb until ukvm reports
# instructions-retired over the KVM ABI (docs/perf-notes.md, request R1).
# Needs kvmu built with debug info (meson's default buildtype has it); reads
# target/i386 internals by name, so it breaks if those fields are renamed.
import gdb

gdb.execute("set pagination off")
for th in gdb.selected_inferior().threads():
    th.switch()
    f = gdb.newest_frame()
    while f is not None and f.name() != "x86_cpu_run":
        f = f.older()
    if f is None:
        continue
    try:
        cpu = f.read_var("cpu")
        tab = cpu["blocks"]
        nbuckets = 4096                     # X86_BLOCK_HASH (engine.h)
        lens = []
        for i in range(nbuckets):
            b, n = tab[i], 0
            while int(b) != 0 and n < 1000000:
                n, b = n + 1, b["next"]
            lens.append(n)
        jc = cpu["jcache"]
        jn = int(jc.type.sizeof // jc[0].type.sizeof)
        jvalid = sum(1 for i in range(jn) if int(jc[i]["b"]) != 0)
        tot = sum(lens)
        hit = sum(n * (n + 1) / 2 for n in lens) / max(tot, 1)
        print(f"ENGINE-STATS insns={int(cpu['insns_retired'])} "
              f"nblocks={int(cpu['nblocks'])} max-chain={max(lens)} "
              f"mean-chain={tot / nbuckets:.1f} compares-per-hit={hit:.1f} "
              f"jcache-valid={jvalid}/{jn}")
    except gdb.error as e:
        print(f"ENGINE-STATS unreadable: {e}")
