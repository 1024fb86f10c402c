#!/usr/bin/env python3
"""Debian's generic kernel on kvmu's pc board with -cpu max -smp 2, whose
CPUID offers x2APIC and the TSC-deadline timer: Linux switches the local
APICs to x2APIC mode (registers through MSRs 0x800-0x8ff, which ukvm
hands to the board's APIC as KVM_EXIT_X86_RDMSR/WRMSR), brings up the AP
with x2APIC INIT/SIPI, uses the TSC-deadline clockevent (IA32_TSC_DEADLINE
through an MSR filter exit) on both CPUs, runs commands, sleeps 2 s
correctly by the host's clock (never less; the fastest of three not much
more), and powers off with status 0.
The flags also work on their own: -cpu qemu64,+x2apic,+tsc-deadline gets
the same, and -cpu max,-x2apic,-tsc-deadline (no x2APIC, no TSC deadline
in CPUID) stays in xAPIC mode with the counting LAPIC timer (the control).
usage: test_x2apic.py KVMU_BINARY"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guest  # noqa: E402
import test_linux_boot  # noqa: E402

CMD = r"""
echo "NPROC $(nproc)"
for c in /sys/devices/system/clockevents/clockevent*; do
  echo "CLOCKEVENT $(cat $c/current_device)"
done
grep -E '^ *(LOC|CAL|RES):' /proc/interrupts | sed 's/^/INTR /'
dmesg | grep -iE 'x2apic|tsc deadline|apic routing|smp: Brought up' | \
  sed 's/^/INFO /'
for i in 1 2 3; do
  read u _ < /proc/uptime; echo "SLEEP-START $u"; sleep 2
  read u _ < /proc/uptime; echo "SLEEP-END $u"
done
dmesg | grep -iE 'error|fail|bug|warn' | sed 's/^/DMESG /'
"""


def sleep_seconds(run):
    """Host seconds and guest uptime seconds of each of the three
    `sleep 2`."""
    t0 = [(t, float(line.split()[1])) for t, line in run.lines
          if line.startswith("SLEEP-START ")]
    t1 = [(t, float(line.split()[1])) for t, line in run.lines
          if line.startswith("SLEEP-END ")]
    return ([b[0] - a[0] for a, b in zip(t0, t1)],
            [b[1] - a[1] for a, b in zip(t0, t1)])


def common(run, what):
    run.expect("KVMU-GUEST-UP")
    run.expect("KVMU-GUEST-CMD-EXIT 0")
    run.expect("reboot: Power down")
    run.expect_rc(0)
    m = re.search(r"NPROC (\d+)", run.output)
    if not m or int(m.group(1)) != 2:
        guest.fail(f"{what}: the guest does not see 2 CPUs", run)
    run.expect("Brought up 1 node, 2 CPUs")
    loc = re.search(r"INTR\s+LOC:\s+(\d+)\s+(\d+)", run.output)
    if not loc or int(loc.group(1)) == 0 or int(loc.group(2)) == 0:
        guest.fail(f"{what}: a CPU took no local timer interrupts", run)
    res = re.search(r"INTR\s+RES:\s+(\d+)\s+(\d+)", run.output)
    cal = re.search(r"INTR\s+CAL:\s+(\d+)\s+(\d+)", run.output)
    if not res or not cal or \
            int(res.group(1)) + int(res.group(2)) + \
            int(cal.group(1)) + int(cal.group(2)) == 0:
        guest.fail(f"{what}: no IPIs (rescheduling/function call)", run)
    took, slept = sleep_seconds(run)
    print(f"{what}: 'sleep 2' took " + ", ".join(f"{t:.2f}" for t in took)
          + " s of host time, " + ", ".join(f"{t:.2f}" for t in slept) +
          " s of guest uptime")
    # never early (by the guest's uptime, in 10 ms steps: the host sees
    # the lines late by varying amounts; by host time, not all three);
    # a late timer is late every time, a busy host (fork+exec of `sleep`
    # on the software CPU) only sometimes: the fastest counts
    if len(took) != 3 or min(slept) < 1.99 or max(took) < 1.8 or \
            min(took) > 4.0:
        guest.fail(f"{what}: sleep 2 took {took} s ({slept} s uptime)", run)
    test_linux_boot.check_dmesg(run)


def check_x2apic(kvmu, cpu):
    run = guest.boot(kvmu, cmd=CMD, args=["-smp", "2", "-cpu", cpu])
    print(f"-cpu {cpu}: boot + commands + poweroff took {run.elapsed:.1f} s")
    run.expect("x2apic enabled")
    run.expect("Switched APIC routing to physical x2apic")
    run.expect("TSC deadline timer available")
    events = re.findall(r"CLOCKEVENT (\S+)", run.output)
    if events.count("lapic-deadline") != 2:
        guest.fail(f"clockevents {events}: want lapic-deadline on both "
                   "CPUs", run)
    common(run, f"-cpu {cpu}")
    print(f"PASS: -cpu {cpu}: x2APIC mode and the TSC-deadline timer "
          "on 2 CPUs")


def main():
    kvmu = sys.argv[1]
    check_x2apic(kvmu, "max")
    check_x2apic(kvmu, "qemu64,+x2apic,+tsc-deadline")
    cpu = "max,-x2apic,-tsc-deadline"
    run = guest.boot(kvmu, cmd=CMD, args=["-smp", "2", "-cpu", cpu])
    if "x2apic enabled" in run.output or "lapic-deadline" in run.output \
            or "TSC deadline timer available" in run.output:
        guest.fail(f"-cpu {cpu} must stay in xAPIC mode", run)
    events = re.findall(r"CLOCKEVENT (\S+)", run.output)
    if events.count("lapic") != 2:
        guest.fail(f"clockevents {events}: want lapic on both CPUs", run)
    common(run, f"-cpu {cpu}")
    print(f"PASS: -cpu {cpu} keeps xAPIC and the counting LAPIC timer")


if __name__ == "__main__":
    main()
