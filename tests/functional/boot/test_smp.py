#!/usr/bin/env python3
"""Debian's generic kernel boots on kvmu's pc board with -smp N (default:
2, 4, and 4 CPUs as 2 sockets x 3 cores, whose APIC IDs have a gap) on
the software CPU: the MADT lists N local APICs, the APs
start through INIT/SIPI, the guest sees N CPUs (`nproc`), every CPU
takes local APIC timer interrupts, interrupts arrive through the IOAPIC
(timer on GSI2, the serial port), the HPET is found, and the guest
powers off with exit status 0. dmesg is checked as in test_linux_boot.
usage: test_smp.py KVMU_BINARY [SMP-ARG ...]"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guest  # noqa: E402
import test_linux_boot  # noqa: E402

CMD = r"""
echo "NPROC $(nproc)"
grep -E '^ *(LOC|[0-9]+):' /proc/interrupts | sed 's/^/INTR /'
dmesg | grep -iE 'smp: Brought up|hpet0:|logical packages' | sed 's/^/INFO /'
dmesg | grep -iE 'error|fail|bug|warn' | sed 's/^/DMESG /'
"""


def check(kvmu, smp):
    ncpus = int(smp.split(",")[0])
    opts = dict(kv.split("=") for kv in smp.split(",")[1:])
    run = guest.boot(kvmu, cmd=CMD, args=["-smp", smp])
    print(f"-smp {smp}: boot + command + poweroff took "
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
    if "sockets" in opts:
        run.expect(f"Max logical packages: {opts['sockets']}")
    test_linux_boot.check_dmesg(run)


def main():
    kvmu = sys.argv[1]
    cases = sys.argv[2:] or ["2", "4", "4,sockets=2,cores=3,maxcpus=6"]
    for smp in cases:
        check(kvmu, smp)
        print(f"PASS: -smp {smp}: the guest runs on all its CPUs")


if __name__ == "__main__":
    main()
