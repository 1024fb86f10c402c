#!/usr/bin/env python3
"""Debian's generic kernel boots on kvmu's pc board (-accel tcg -M pc
-m 512 -nographic) to the busybox init; the guest runs commands (its
console output must reach our stdout through -nographic's mon:stdio),
sees its memory, reads a sane clock, and powers off through ACPI S5 so
the emulator exits with status 0. The guest's dmesg is checked for
errors/warnings from the devices kvmu implements.
usage: test_linux_boot.py KVMU_BINARY"""
import re
import sys
import os

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guest  # noqa: E402

# dmesg lines matching error|fail|bug|warn that are expected on this
# board, each with the reason. Anything else fails the test.
ALLOWED = [
    (r"i8042: No controller found", "no i8042 yet (issue: PC board)"),
    (r"fail to add MMCONFIG information", "i440FX has no MMCONFIG, as on QEMU's pc"),
    (r"PCI: Using host bridge windows from ACPI", "informational, as on QEMU"),
    (r"AMD-Vi: AMD IOMMUv2 functionality not available", "informational"),
    (r"mce: Unable to init MCE device", "no MCE banks advertised"),
    (r"ima: No TPM chip found", "no TPM, as on QEMU without -tpmdev"),
    (r"failed to load regulatory|cfg80211", "no wireless database"),
    (r"Spectre|MDS|MMIO Stale|GDS|Retbleed|SRSO|RFDS|ITS|vulnerab|mitigation",
     "CPU vulnerability reporting, depends on the CPU model"),
    (r"x86/fpu|x86/cpu: VMX|TSC frequency|tsc: Fast TSC calibration failed|"
     r"tsc: Unable to calibrate", "calibration notes under a software CPU"),
    (r"hrtimer: interrupt took", "a slow software CPU makes long interrupts"),
    (r"ACPI BIOS Error|ACPI Error", None),   # never allowed (None = fail)
    (r"clocksource.*unstable", None),
    (r"Call Trace|BUG:|Oops", None),
    (r"error: -2|firmware: failed", "no firmware files in the initramfs"),
    (r"Warning: unable to open an initial console", None),
    (r"RAS: Correctable Errors collector", "informational"),
    (r"wmi_bus|EDAC", "informational"),
]

CMD = r"""
echo "MEM $(grep MemTotal /proc/meminfo)"
echo "DATE $(date +%s)"
echo "NPROC $(nproc)"
dmesg | grep -iE 'error|fail|bug|warn' | sed 's/^/DMESG /'
"""


def check_dmesg(run):
    bad = []
    for line in run.output.splitlines():
        if not line.startswith("DMESG "):
            continue
        text = line[6:]
        verdict = "unlisted"
        for pattern, reason in ALLOWED:
            if re.search(pattern, text):
                verdict = "allowed" if reason else "forbidden"
                break
        if verdict != "allowed":
            bad.append(f"{verdict}: {text}")
    if bad:
        guest.fail("unexpected dmesg lines:\n  " + "\n  ".join(bad), run)


def main():
    kvmu = sys.argv[1]
    run = guest.boot(kvmu, cmd=CMD)
    print(f"boot + command + poweroff took {run.elapsed:.1f} s")
    run.expect("KVMU-GUEST-UP")
    run.expect("KVMU-GUEST-CMD-EXIT 0")
    run.expect("reboot: Power down")
    run.expect_rc(0)
    m = re.search(r"MEM MemTotal:\s+(\d+) kB", run.output)
    if not m or not 400 * 1024 < int(m.group(1)) <= 512 * 1024:
        guest.fail("guest does not see about 512 MiB", run)
    m = re.search(r"DATE (\d+)", run.output)
    import time
    if not m or abs(int(m.group(1)) - time.time()) > 600:
        guest.fail("guest clock is not the host's time", run)
    check_dmesg(run)
    print("PASS: Debian kernel booted to busybox, ran commands, powered off")


if __name__ == "__main__":
    main()
