#!/usr/bin/env python3
"""The pc board's PCI as Linux sees it: with -device pci-testdev the guest
lists 8086:1237 (i440FX), 8086:7000 (PIIX3), 8086:7113 (PIIX4 PM) and
1b36:0005 (pci-testdev), assigns the test device's BARs from the DSDT's
windows, and runs pci-testdev's protocol on its MMIO BAR with busybox
devmem: each test (no-eventfd, wildcard-eventfd, datamatch-eventfd)
counts the writes. No ACPI errors in dmesg.
usage: test_pci.py KVMU_BINARY"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guest  # noqa: E402

CMD = r"""
for d in /sys/bus/pci/devices/*; do
  echo "PCI ${d##*/} $(cat $d/vendor):$(cat $d/device)"
done
T=$(grep -l 0x0005 /sys/bus/pci/devices/*/device | head -1)
T=${T%/device}
echo 1 > $T/enable
B=$(head -1 $T/resource | cut -d' ' -f1)
echo "BAR0 $B"
for t in 0 1 2; do
  devmem $B 8 $t
  W=$(devmem $((B + 1)) 8)
  OFF=$(devmem $((B + 4)) 32)
  DATA=$(devmem $((B + 8)) 32)
  for i in 1 2 3; do devmem $((B + OFF)) 32 $DATA; done
  echo "TEST $t width=$W count=$(devmem $((B + 12)) 32)"
done
dmesg | grep -iE 'ACPI (BIOS )?Error|PCI.*(error|fail)' | sed 's/^/DMESG /'
"""


def main():
    kvmu = sys.argv[1]
    run = guest.boot(kvmu, cmd=CMD, args=["-device", "pci-testdev"])
    print(f"boot + command + poweroff took {run.elapsed:.1f} s")
    run.expect("KVMU-GUEST-CMD-EXIT 0")
    ids = set(re.findall(r"^PCI \S+ 0x([0-9a-f]{4}):0x([0-9a-f]{4})",
                         run.output, re.M))
    for want in [("8086", "1237"), ("8086", "7000"), ("8086", "7113"),
                 ("1b36", "0005")]:
        if want not in ids:
            guest.fail(f"guest does not list PCI device {':'.join(want)}",
                       run)
    m = re.search(r"^BAR0 (0x[0-9a-f]+)", run.output, re.M)
    if not m or int(m.group(1), 16) == 0:
        guest.fail("pci-testdev's BAR0 was not assigned", run)
    for t in range(3):
        m = re.search(rf"^TEST {t} width=(\S+) count=(\S+)", run.output,
                      re.M)
        if not m or int(m.group(1), 16) != 4 or int(m.group(2), 16) != 3:
            guest.fail(f"pci-testdev test {t} did not count 3 writes", run)
    bad = [l for l in run.output.splitlines() if l.startswith("DMESG ")]
    if bad:
        guest.fail("dmesg errors:\n  " + "\n  ".join(bad), run)
    print("PASS: guest sees the chipset and pci-testdev; testdev counts "
          "writes on every test")


if __name__ == "__main__":
    main()
