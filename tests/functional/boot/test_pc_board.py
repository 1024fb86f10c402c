#!/usr/bin/env python3
"""The pc board's remaining pieces, without booting Linux:

- a bare-metal multiboot guest (tests/functional/baremetal/pc-board.S)
  drives pc-testdev (0xe0 scratch at every width, MMIO scratch, GSI line
  control seen in the 8259's IRR), finds and checks the MP tables and
  counts their processors (-smp 2), printing over -debugcon;
- -debugcon errors (a second one, a bad backend);
- query-pci and HMP `info pci` with -S: QEMU's reply shape, and, when
  Debian's qemu-system-x86_64 is installed, every kvmu device equal to
  QEMU's at the same slot.function (kvmu has no PIIX3 IDE at 01.1 yet);
- one Linux boot (skipped with --no-boot) with acpi=off -smp 2: Debian's
  kernel finds both CPUs and the IOAPIC through the MP tables alone and
  takes the timer on IOAPIC pin 2, and the PIIX4 PM function's INTA
  (its SCI), once enabled, gets IRQ 9 from the MP table's PCI entries;
  it ends with reboot -f (no ACPI poweroff without ACPI) and -no-reboot.
usage: test_pc_board.py KVMU_BINARY PC_BOARD_ELF [--no-boot]"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

FAILS = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILS.append(what)


def baremetal(kvmu, elf, tmp):
    con = os.path.join(tmp, "debugcon.txt")
    argv = [kvmu, "-accel", "tcg", "-M", "pc", "-smp", "2", "-m", "128",
            "-display", "none", "-nodefaults", "-kernel", elf,
            "-debugcon", f"file:{con}", "-device", "pc-testdev",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=4"]
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=300)
    text = open(con).read() if os.path.exists(con) else ""
    print(f"rc={p.returncode} debugcon={text!r} "
          f"stderr={p.stderr.decode(errors='replace').strip()!r}")
    check(p.returncode == 0x43, "bare-metal guest passed every check")
    check("pc-testdev ok" in text, "-debugcon carried the guest's output")
    check("mp cpus 2" in text, "MP table lists 2 processors")
    # the same pc-testdev checks pass against QEMU's device (its MP table
    # comes from SeaBIOS and is not compared)
    qemu = shutil.which("qemu-system-x86_64")
    if qemu:
        qcon = os.path.join(tmp, "qemu-debugcon.txt")
        argv[0] = qemu
        argv[argv.index(f"file:{con}")] = f"file:{qcon}"
        p = subprocess.run(argv, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=300)
        text = open(qcon).read() if os.path.exists(qcon) else ""
        check(p.returncode == 0x43 and "pc-testdev ok" in text,
              f"the bare-metal pc-testdev checks pass on QEMU too "
              f"(rc={p.returncode} {text!r})")


def debugcon_errors(kvmu):
    base = [kvmu, "-M", "pc", "-S", "-display", "none", "-nodefaults"]
    p = subprocess.run(base + ["-debugcon", "null", "-debugcon", "null"],
                       capture_output=True, timeout=60, text=True)
    check(p.returncode == 1 and "already have a debugcon" in p.stderr,
          f"second -debugcon refused ({p.stderr.strip()!r})")
    p = subprocess.run(base + ["-debugcon", "bogus:x"],
                       capture_output=True, timeout=60, text=True)
    check(p.returncode == 1 and "-debugcon bogus:x" in p.stderr,
          f"bad -debugcon backend refused ({p.stderr.strip()!r})")


def qmp_session(binary):
    cmds = [{"execute": "qmp_capabilities"},
            {"execute": "query-pci"},
            {"execute": "human-monitor-command",
             "arguments": {"command-line": "info pci"}},
            {"execute": "quit"}]
    argv = [binary, "-M", "pc", "-S", "-display", "none", "-nodefaults",
            "-device", "pci-testdev,id=t0", "-qmp", "stdio"]
    p = subprocess.run(argv, input="".join(json.dumps(c) + "\n"
                                           for c in cmds),
                       capture_output=True, timeout=60, text=True)
    replies = [json.loads(line) for line in p.stdout.splitlines()
               if line.startswith("{") and '"return"' in line]
    return replies[1]["return"], replies[2]["return"]


def hmp_blocks(text):
    blocks, cur = {}, None
    for line in text.replace("\r\n", "\n").splitlines():
        if line.startswith("  Bus"):
            cur = line
            blocks[cur] = []
        elif cur:
            blocks[cur].append(line)
    return blocks


def query_pci(kvmu):
    pci, hmp = qmp_session(kvmu)
    check(len(pci) == 1 and pci[0]["bus"] == 0, "query-pci: one bus, 0")
    devs = {(d["slot"], d["function"]): d for d in pci[0]["devices"]}
    want = {(0, 0): (0x8086, 0x1237, 0x0600), (1, 0): (0x8086, 0x7000, 0x0601),
            (1, 3): (0x8086, 0x7113, 0x0680), (2, 0): (0x1b36, 0x0005, 0x00ff)}
    for k, (ven, dev, cls) in want.items():
        d = devs.get(k)
        check(d is not None and d["id"]["vendor"] == ven and
              d["id"]["device"] == dev and d["class_info"]["class"] == cls,
              f"query-pci: {k[0]:02x}.{k[1]} is {ven:04x}:{dev:04x}")
    t = devs.get((2, 0), {})
    check(t.get("qdev_id") == "t0", "query-pci: qdev_id of -device id=t0")
    regions = {r["bar"]: r for r in t.get("regions", [])}
    check(regions.get(0, {}).get("type") == "memory" and
          regions[0]["size"] == 4096 and regions[0]["address"] == -1 and
          regions[0].get("mem_type_64") is False,
          "query-pci: pci-testdev BAR0 4 KiB memory, unmapped (-1)")
    check(regions.get(1, {}).get("type") == "io" and
          "prefetch" not in regions[1], "query-pci: BAR1 is I/O")
    check("Bridge: PCI device 8086:7113" in hmp and "IRQ 0, pin A" in hmp and
          'id "t0"' in hmp, "info pci: QEMU's text layout")

    qemu = shutil.which("qemu-system-x86_64")
    if not qemu:
        print("skip: no qemu-system-x86_64 to compare with")
        return
    qpci, qhmp = qmp_session(qemu)
    qdevs = {(d["slot"], d["function"]): d for d in qpci[0]["devices"]}
    for k, d in sorted(devs.items()):
        check(qdevs.get(k) == d, f"query-pci {k[0]:02x}.{k[1]} equals QEMU's")
    kb, qb = hmp_blocks(hmp), hmp_blocks(qhmp)
    for head, lines in kb.items():
        check(qb.get(head) == lines, f"info pci block equals QEMU's: {head}")


MP_CMD = r"""
echo "NPROC $(nproc)"
grep -E '^ *0:' /proc/interrupts | sed 's/^/INTR /'
dmesg | grep -E 'MultiProcessor|MPTABLE|Processor #|IOAPIC\[' | sed 's/^/MP /'
echo 1 > /sys/bus/pci/devices/0000:00:01.3/enable
echo "PMIRQ $(cat /sys/bus/pci/devices/0000:00:01.3/irq)"
dmesg | grep -E 'PCI->APIC|MP table|PCI INT' | sed 's/^/MP /'
reboot -f
"""


def linux_mp_boot(kvmu):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import guest
    run = guest.boot(kvmu, cmd=MP_CMD, append="acpi=off", timeout=900,
                     args=["-smp", "2", "-no-reboot"])
    print(f"acpi=off boot took {run.elapsed:.1f} s, rc={run.rc}")
    out = run.output
    for line in out.splitlines():
        if line.startswith(("MP ", "NPROC", "INTR", "PMIRQ")):
            print("  " + line.strip())
    check("Intel MultiProcessor Specification v1.4" in out and
          "MPTABLE: OEM ID: KVMU" in out, "Linux read the MP tables")
    check("Processor #1" in out and "NPROC 2" in out,
          "Linux started the AP listed in the MP tables")
    check(re.search(r"IOAPIC\[0\]: apic_id 2,.*address 0xfec00000, GSI 0-23",
                    out) is not None, "Linux found the IOAPIC in them")
    check(re.search(r"INTR\s+0:.*IO-APIC\s+2-edge\s+timer", out)
          is not None, "timer on IOAPIC pin 2 (the MP table's IRQ0 entry)")
    check(re.search(r"0000:00:01\.3: PCI->APIC IRQ transform: INT A -> "
                    r"IRQ 9", out) is not None and "PMIRQ 9" in out,
          "PCI INTA of 01.3 (the SCI) routed by the MP table to IRQ 9")
    check("ExtINT not setup in hardware" not in out,
          "the MP table lists no ExtINT input the board does not wire")
    check(run.rc == 0, "reboot -f with -no-reboot ended the emulator")


def main():
    kvmu, elf = sys.argv[1], sys.argv[2]
    tmpdir = tempfile.TemporaryDirectory()     # removed at exit
    tmp = tmpdir.name
    baremetal(kvmu, elf, tmp)
    debugcon_errors(kvmu)
    query_pci(kvmu)
    if "--no-boot" not in sys.argv[3:]:
        linux_mp_boot(kvmu)
    if FAILS:
        print(f"FAIL: {len(FAILS)} checks")
        sys.exit(1)
    print("PASS: pc-testdev, MP table, -debugcon, query-pci/info pci")


if __name__ == "__main__":
    main()
