#!/usr/bin/env python3
"""The pc board's DSDT as Linux binds it: Debian's kernel, booted with a
second UART (-serial null), -device pvpanic and -smp 2, must bind its
processor driver to \\_SB.CPUS.C000 and C001 and find through ACPI
PNP the RTC (rtc_cmos), the PS/2 keyboard and mouse (i8042), both
16550As (8250's PNP driver: "00:NN: ttyS0 at I/O 0x3f8 (irq = 4..."),
the HPET (PNP0103) and pvpanic (QEMU0001 at \\_SB.PCI0.ISA.PEVT, present);
the PIIX4 PM function's INTA (01.3, the one PCI INTx pin on the board,
its SCI), once enabled, gets IRQ 9 through LNKS, and the links report
the PIRQ routes the board programs as a BIOS would (A, B: 10; C, D: 11).
When Debian's
qemu-system-x86_64 is installed the same guest runs under it and every
PNP device QEMU's board binds is bound the same way under kvmu, except
the floppy (PNP0700) and parallel port (PNP0400) kvmu does not have, and
the MADT's interrupt overrides Linux reports are QEMU's.
usage: test_pc_acpi.py KVMU_BINARY [--no-qemu]"""
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guest  # noqa: E402

CMD = r"""
for d in /sys/bus/pnp/devices/*; do
  drv=$(readlink $d/driver); drv=${drv##*/}
  echo "PNP ${d##*/} $(cat $d/id | tr '\n' ' ')drv=${drv:-none}"
done
for a in QEMU0001 PNP0103; do
  for d in /sys/bus/acpi/devices/$a:*; do
    [ -e "$d/path" ] && echo "ACPIDEV $a $(cat $d/path) status=$(cat $d/status)"
  done
done
for d in /sys/bus/acpi/devices/LNXCPU:* /sys/bus/acpi/devices/ACPI0007:*; do
  [ -e "$d/path" ] || continue
  drv=$(readlink $d/physical_node/driver); drv=${drv##*/}
  echo "CPUDEV $(cat $d/path) drv=${drv:-none}"
done
echo 1 > /sys/bus/pci/devices/0000:00:01.3/enable
echo "PM irq=$(cat /sys/bus/pci/devices/0000:00:01.3/irq)"
P='ttyS[0-9] at I/O|i8042: PNP|rtc_cmos .*registered|PnP ACPI: found'
P="$P|Interrupt link|INT_SRC_OVR|ACPI.*[Ee]rror"
dmesg | grep -E "$P" | sed 's/^/DMESG /'
"""

ARGS = ["-serial", "null", "-device", "pvpanic", "-smp", "2"]
FAILS = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILS.append(what)


def boot(binary):
    run = guest.boot(binary, cmd=CMD, args=ARGS, nographic=False,
                     timeout=900)
    print(f"{os.path.basename(binary)}: boot + command + poweroff "
          f"{run.elapsed:.1f} s, rc={run.rc}")
    pnp = {}
    for line in run.output.splitlines():
        line = line.strip()
        if line.startswith(("PNP ", "ACPIDEV", "CPUDEV", "PM irq", "DMESG")):
            print("  " + line)
        m = re.match(r"PNP (\S+) (.*)drv=(\w+)", line)
        if m:
            for hid in m.group(2).split():
                pnp.setdefault(hid, []).append(m.group(3))
    return run, pnp


def main():
    kvmu = sys.argv[1]
    run, pnp = boot(kvmu)
    out = run.output
    check(run.rc == 0, "guest powered off, exit status 0")
    check(pnp.get("PNP0b00") == ["rtc_cmos"], "RTC PNP0B00 bound to rtc_cmos")
    check(re.search(r"rtc_cmos 00:\d\d: registered as rtc0", out)
          is not None, "rtc_cmos registered rtc0 from the PNP device")
    check(pnp.get("PNP0303") == ["i8042"] and pnp.get("PNP0f13") == ["i8042"],
          "keyboard PNP0303 and mouse PNP0F13 bound to i8042")
    check("i8042: PNP: PS/2 Controller [PNP0303:KBD,PNP0f13:MOU] at "
          "0x60,0x64 irq 1,12" in out, "i8042 found its ports and IRQs by PNP")
    check(pnp.get("PNP0501") == ["serial", "serial"],
          "two PNP0501 UARTs bound to the 8250 driver")
    check(re.search(r"00:\d\d: ttyS0 at I/O 0x3f8 \(irq = 4, base_baud = "
                    r"115200\) is a 16550A", out) is not None,
          "ttyS0 at 0x3f8 IRQ 4 through PNP")
    check(re.search(r"00:\d\d: ttyS1 at I/O 0x2f8 \(irq = 3, base_baud = "
                    r"115200\) is a 16550A", out) is not None,
          "ttyS1 at 0x2f8 IRQ 3 through PNP")
    check(re.search(r"ACPIDEV QEMU0001 \\_SB_.PCI0.ISA_.PEVT status=15", out)
          is not None, "pvpanic QEMU0001 present at \\_SB.PCI0.ISA.PEVT")
    check(re.search(r"ACPIDEV PNP0103 \\_SB_.HPET status=15", out)
          is not None, "HPET PNP0103 present at \\_SB.HPET")
    check("PM irq=9" in out,
          "PIIX4 PM (01.3 INTA, its SCI) enabled with IRQ 9 via LNKS")
    links = set(re.findall(r"Interrupt link (LNK.) configured for IRQ "
                           r"(\d+)", out))
    check(sorted(links) == [("LNKA", "10"), ("LNKB", "10"), ("LNKC", "11"),
                            ("LNKD", "11"), ("LNKS", "9")],
          f"links routed as a BIOS leaves them: {sorted(links)}")
    cpus = re.findall(r"CPUDEV (\S+) drv=(\w+)", out)
    check(cpus == [("\\_SB_.CPUS.C000", "processor"),
                   ("\\_SB_.CPUS.C001", "processor")],
          f"both CPUs' processor devices bound to 'processor': {cpus}")
    check(not re.search(r"DMESG .*ACPI.*[Ee]rror", out), "no ACPI errors")

    qemu = shutil.which("qemu-system-x86_64")
    if "--no-qemu" in sys.argv[2:] or not qemu:
        print("skip: no comparison with QEMU")
    else:
        qrun, qpnp = boot(qemu)
        check(qrun.rc == 0, "the same guest ran under QEMU")
        for hid, drvs in sorted(qpnp.items()):
            if hid in ("PNP0700", "PNP0400"):
                continue                  # floppy, parallel: not in kvmu
            check(pnp.get(hid) == drvs,
                  f"{hid}: {drvs} under QEMU, {pnp.get(hid)} under kvmu")
        check("PM irq=9" in qrun.output, "QEMU gives 01.3 INTA IRQ 9 too")
        qcpus = re.findall(r"CPUDEV (\S+) drv=(\w+)", qrun.output)
        check(qcpus == cpus, f"processor devices as QEMU's: {qcpus}")
        qlinks = set(re.findall(r"Interrupt link (LNK.) configured for "
                                r"IRQ (\d+)", qrun.output))
        check(sorted(qlinks) == sorted(links),
              f"the links' IRQs equal QEMU's: {sorted(qlinks)}")
        ovr = r"DMESG .*ACPI: (INT_SRC_OVR [^\r]*)"
        kovr = sorted(set(re.findall(ovr, out)))
        qovr = sorted(set(re.findall(ovr, qrun.output)))
        check(kovr == qovr and len(kovr) == 5,
              f"MADT interrupt overrides as QEMU's: {qovr}")
    if FAILS:
        print(f"FAIL: {len(FAILS)} checks")
        sys.exit(1)
    print("PASS: DSDT ISA devices, HPET and pvpanic bound as under QEMU")


if __name__ == "__main__":
    main()
