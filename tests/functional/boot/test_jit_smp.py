#!/usr/bin/env python3
"""The block translator under SMP with a real guest: Debian's kernel on
kvmu's software CPU with -smp 4 (translator at its default threshold) runs
CPU-bound shell arithmetic, hashing of generated data and fork+exec loops
on all CPUs at once (the kernel migrates tasks between CPUs, reuses their
code pages, shoots TLBs down with IPIs). Every result is compared with the
value computed here on the host, and the guest must see all its CPUs and
power off cleanly.
usage: test_jit_smp.py KVMU_BINARY [SMP ...]"""
import hashlib
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guest  # noqa: E402

JOBS = 4
ARITH_N = 4000          # iterations of shell arithmetic per job
FORKS = 60              # fork+exec (md5sum in a pipeline) per job
SEQ_N = 20000           # lines of `seq` hashed per job

CMD = r"""
job() {
    j=$1; n=0; s=$j
    while [ $n -lt %(arith)d ]; do
        s=$(( (s * 31 + n * j) %% 1000003 )); n=$((n + 1))
    done
    echo "ARITH $j $s"
    echo "SEQ $j $(seq $j $((j + %(seq)d - 1)) | md5sum | cut -c1-32)"
    k=0; out=""
    while [ $k -lt %(forks)d ]; do
        out="$out$(echo "$j.$k" | md5sum | cut -c1-8)"; k=$((k + 1))
    done
    echo "FORK $j $(echo "$out" | md5sum | cut -c1-32)"
}
echo "NPROC $(nproc)"
for j in %(jobs)s; do job $j > /tmp/job$j & done
wait
cat /tmp/job*
""" % {"arith": ARITH_N, "seq": SEQ_N, "forks": FORKS,
       "jobs": " ".join(str(j) for j in range(1, JOBS + 1))}


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def expected(j):
    s, n = j, 0
    while n < ARITH_N:
        s = (s * 31 + n * j) % 1000003
        n += 1
    seq = "".join(f"{i}\n" for i in range(j, j + SEQ_N))
    out = "".join(md5(f"{j}.{k}\n")[:8] for k in range(FORKS))
    return [f"ARITH {j} {s}", f"SEQ {j} {md5(seq)}",
            f"FORK {j} {md5(out + chr(10))}"]


def check(kvmu, smp):
    run = guest.boot(kvmu, cmd=CMD, args=["-smp", smp], timeout=600)
    print(f"-smp {smp}: boot + jobs + poweroff took {run.elapsed:.1f} s")
    run.expect("KVMU-GUEST-UP")
    run.expect("KVMU-GUEST-CMD-EXIT 0")
    run.expect("reboot: Power down")
    run.expect_rc(0)
    m = re.search(r"NPROC (\d+)", run.output)
    if not m or int(m.group(1)) != int(smp):
        guest.fail(f"guest does not see {smp} CPUs", run)
    for j in range(1, JOBS + 1):
        for line in expected(j):
            if line not in run.output:
                guest.fail(f"expected {line!r} (computed on the host)", run)
    for bad in ("BUG:", "Oops", "segfault", "general protection",
                "Kernel panic"):
        if bad in run.output:
            guest.fail(f"{bad!r} in the console output", run)


def main():
    kvmu = sys.argv[1]
    for smp in sys.argv[2:] or ["4"]:
        check(kvmu, smp)
        print(f"PASS: -smp {smp}: {JOBS} parallel jobs' results match")


if __name__ == "__main__":
    main()
