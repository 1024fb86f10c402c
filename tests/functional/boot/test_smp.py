#!/usr/bin/env python3
"""Debian's generic kernel boots on kvmu's pc board with -smp N (default:
2, then 4) on the software CPU: the MADT lists N local APICs, the APs
start through INIT/SIPI, the guest sees N CPUs (`nproc`), every CPU
takes local APIC timer interrupts, interrupts arrive through the IOAPIC
(timer on GSI2, the serial port), the HPET is found, and the guest
powers off with exit status 0. dmesg is checked as in test_linux_boot.
usage: test_smp.py KVMU_BINARY [N ...]"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guest  # noqa: E402
import test_linux_boot  # noqa: E402

# Beyond test_linux_boot's list: what an SMP guest adds on this board.
SMP_ALLOWED = [
    (r"TSC synchronization|TSC warp|Marking TSC unstable due to "
     r"check_tsc_sync_source",
     "the software CPU's per-vCPU TSC offsets differ by the time between "
     "their resets (ukvm/accel, not the APICs); the guest then uses "
     "kvm-clock, as on hosts with unsynchronised TSCs"),
]

CMD = r"""
echo "NPROC $(nproc)"
grep -E '^ *(LOC|[0-9]+):' /proc/interrupts | sed 's/^/INTR /'
dmesg | grep -iE 'smp: Brought up|hpet0:' | sed 's/^/INFO /'
dmesg | grep -iE 'error|fail|bug|warn' | sed 's/^/DMESG /'
"""


def check(kvmu, ncpus):
    run = guest.boot(kvmu, cmd=CMD, args=["-smp", str(ncpus)])
    print(f"-smp {ncpus}: boot + command + poweroff took "
          f"{run.elapsed:.1f} s")
    run.expect("KVMU-GUEST-UP")
    run.expect("KVMU-GUEST-CMD-EXIT 0")
    run.expect("reboot: Power down")
    run.expect_rc(0)
    m = re.search(r"NPROC (\d+)", run.output)
    if not m or int(m.group(1)) != ncpus:
        guest.fail(f"guest does not see {ncpus} CPUs", run)
    run.expect(f"Brought up 1 node, {ncpus} CPUs")
    run.expect("hpet0: 3 comparators, 64-bit 100.000000 MHz counter")
    loc = re.search(r"INTR\s+LOC:((?:\s+\d+){%d})" % ncpus, run.output)
    if not loc or any(int(x) == 0 for x in loc.group(1).split()):
        guest.fail("a CPU took no local APIC timer interrupts", run)
    if not re.search(r"INTR\s+0:.*IO-APIC\s+2-edge\s+timer", run.output):
        guest.fail("the timer does not arrive through IOAPIC pin 2", run)
    if not re.search(r"INTR\s+4:.*IO-APIC\s+4-edge\s+ttyS0", run.output):
        guest.fail("the serial port does not use IOAPIC pin 4", run)
    test_linux_boot.check_dmesg(run)


def main():
    kvmu = sys.argv[1]
    counts = [int(n) for n in sys.argv[2:]] or [2, 4]
    test_linux_boot.ALLOWED[:0] = SMP_ALLOWED
    for n in counts:
        check(kvmu, n)
        print(f"PASS: -smp {n}: the guest runs on {n} CPUs")


if __name__ == "__main__":
    main()
