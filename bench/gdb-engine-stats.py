# gdb script (gdb -p PID -batch -x bench/gdb-engine-stats.py): prints one
# line per ukvm vCPU (found through linux/ukvm.c's fd table) with the engine's
# instruction and block-cache counters:
#   ENGINE-STATS insns=N nblocks=N [max-chain=N mean-chain=F
#                compares-per-hit=F jcache-valid=N/M]
# A stopgap used by bench/mips --gdb until ukvm reports
# instructions-retired over the KVM ABI (docs/perf-notes.md, request R1).
# Chain statistics (slow: walks every bucket) only with $kvmu_chains = 1;
# the hash size is a macro gdb cannot see, so the caller sets $kvmu_buckets
# (guestrun.engine_stats reads X86_BLOCK_HASH from target/i386/engine.h).
# Needs kvmu built with debug info (meson's default buildtype has it); reads
# target/i386 internals by name, so it breaks if those fields are renamed.
import gdb

gdb.execute("set pagination off")


def vcpus():
    """X86CPU values of every ukvm vCPU fd (linux/ukvm.c fd table), so the
    vCPU need not be inside x86_cpu_run (a halted guest is not)."""
    chunks = gdb.parse_and_eval("fd_chunks")
    n_chunks = chunks.type.sizeof // chunks[0].type.sizeof
    vcpu_t = gdb.lookup_type("UkvmVcpu").pointer()
    kind_vcpu = int(gdb.parse_and_eval("UKVM_FD_VCPU"))
    for c in range(n_chunks):
        chunk = chunks[c]
        if int(chunk) == 0:
            continue
        for i in range(1024):                 # FD_CHUNK (linux/ukvm.c)
            obj = chunk[i]
            if int(obj) != 0 and int(obj["kind"]) == kind_vcpu:
                yield obj.cast(vcpu_t)["cpu"].dereference()


try:
    cpus = list(vcpus())
except gdb.error as e:
    cpus = []
    print(f"ENGINE-STATS unreadable: {e}")
for cpu in cpus:
    try:
        line = (f"ENGINE-STATS insns={int(cpu['insns_retired'])} "
                f"nblocks={int(cpu['nblocks'])}")
        if int(gdb.parse_and_eval("$kvmu_chains")):
            tab = cpu["blocks"]
            nbuckets = int(gdb.parse_and_eval("$kvmu_buckets"))
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
            line += (f" max-chain={max(lens)} mean-chain={tot / nbuckets:.2f}"
                     f" compares-per-hit={hit:.2f} jcache-valid={jvalid}/{jn}")
        print(line)
    except gdb.error as e:
        print(f"ENGINE-STATS unreadable: {e}")
