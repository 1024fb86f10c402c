#!/usr/bin/env python3
"""Reboot loop: the guest reboots itself three times with `reboot -f`
(each boot counts itself in CMOS NVRAM, which survives a reset), each
reboot boots the machine again from the same kernel, and the fourth boot
powers off: four user-space markers and exit status 0. With -no-reboot a
guest reboot ends the emulator instead (status 0, one boot).
usage: test_reboot.py KVMU_BINARY"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guest  # noqa: E402

REBOOTS = 3
CMD = r"""
f=/sys/bus/nvmem/devices/cmos_nvram0/nvmem
n=$(dd if=$f bs=1 skip=50 count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
echo "BOOTCOUNT $n"
if [ "$n" -lt %d ]; then
    printf "\\$(printf %%o $((n + 1)))" | dd of=$f bs=1 seek=50 conv=notrunc 2>/dev/null
    reboot -f
fi
""" % REBOOTS


def main():
    kvmu = sys.argv[1]
    run = guest.boot(kvmu, cmd=CMD, append="quiet", timeout=3000)
    counts = [int(c) for c in re.findall(r"BOOTCOUNT (\d+)", run.output)]
    print(f"{len(counts)} boots in {run.elapsed:.1f} s: {counts}")
    if counts != list(range(REBOOTS + 1)):
        guest.fail(f"expected boot counts {list(range(REBOOTS + 1))}", run)
    run.expect_rc(0)

    run = guest.boot(kvmu, cmd=CMD, append="quiet", args=["-no-reboot"])
    counts = re.findall(r"BOOTCOUNT (\d+)", run.output)
    print(f"-no-reboot: {len(counts)} boot(s), rc {run.rc}")
    if len(counts) != 1:
        guest.fail("-no-reboot: the guest booted more than once", run)
    run.expect_rc(0)
    print("PASS: three reboots each booted again; -no-reboot exits")


if __name__ == "__main__":
    main()
