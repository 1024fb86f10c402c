#!/usr/bin/env python3
"""Firmware boot on the pc board: with no -kernel, kvmu runs SeaBIOS from
Debian's seabios package. Its banner and "No bootable device." reach the
serial console (etc/sercon-port) and the debug console (isa-debugcon at
0x402), it enumerates the chipset's PCI functions, counts -smp CPUs,
takes kvmu's ACPI tables from fw_cfg (etc/table-loader),
reboots after -boot reboot-timeout (PAM and the CPUs reset, the banner
comes again), -bios loads another image (the 128 KiB bios.bin), and a
missing or wrongly sized -bios is one error line and exit status 1.
usage: test_seabios.py KVMU_BINARY"""
import os
import subprocess
import sys
import tempfile
import time

TIMEOUT = 120
BANNER = "SeaBIOS (version "
NOBOOT = "No bootable device."
SEABIOS_DIR = "/usr/share/seabios"


def fail(msg, out=""):
    print(f"FAIL: {msg}")
    if out:
        print("---- output ----")
        print(out[-4000:])
    sys.exit(1)


def run_until(kvmu, args, want, log=None, count=1, timeout=TIMEOUT):
    """Run kvmu until every string in want appears count times in its
    stdout (or in file log); returns (text, seconds). Kills it after."""
    cmd = [kvmu, "-M", "pc", "-display", "none", "-monitor", "none"] + args
    start = time.monotonic()
    with tempfile.TemporaryFile() as out:
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                             stderr=subprocess.STDOUT)
        text = ""
        try:
            while time.monotonic() - start < timeout:
                time.sleep(0.2)
                if log:
                    with open(log, "rb") as f:
                        text = f.read().decode("latin-1")
                else:
                    out.seek(0)
                    text = out.read().decode("latin-1")
                if "AddressSanitizer" in text or "runtime error:" in text:
                    break
                if all(text.count(w) >= count for w in want):
                    return text, time.monotonic() - start
                if p.poll() is not None:
                    break
        finally:
            if p.poll() is None:
                p.kill()
            p.wait()
            out.seek(0)
            rest = out.read().decode("latin-1")
    fail(f"{' '.join(cmd)}: {want} not seen {count}x within {timeout} s "
         f"(rc {p.returncode})", text + "\n---- stdout ----\n" + rest)


def expect_error(kvmu, bios, name):
    p = subprocess.run([kvmu, "-M", "pc", "-display", "none", "-bios", bios],
                       stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=60)
    want = f"could not load PC BIOS '{name}'"
    lines = p.stderr.strip().splitlines()
    if (p.returncode != 1 or len(lines) != 1 or want not in lines[0] or
            "Sanitizer" in p.stderr):
        fail(f"-bios {bios}: want exit 1 and one line '{want}', got rc "
             f"{p.returncode}: {p.stderr!r}")
    print(f"ok: -bios {name}: {lines[0]}")


def dsdt_in_ram(kvmu, extra):
    """Boot SeaBIOS to "No bootable device." with -qmp, save the low
    64 MiB of guest RAM (where SeaBIOS put the ACPI tables it loaded from
    fw_cfg) and return it."""
    import json
    import socket
    with tempfile.TemporaryDirectory() as d:
        sock, log, dump = (os.path.join(d, n) for n in ("qmp", "con", "ram"))
        cmd = [kvmu, "-M", "pc", "-m", "64", "-display", "none",
               "-monitor", "none", "-serial", "none",
               "-qmp", f"unix:{sock},server=on,wait=off",
               "-chardev", f"file,id=dbg,path={log}",
               "-device", "isa-debugcon,iobase=0x402,chardev=dbg"] + extra
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        try:
            start = time.monotonic()
            while time.monotonic() - start < TIMEOUT:
                time.sleep(0.2)
                if os.path.exists(log) and NOBOOT in open(
                        log, "rb").read().decode("latin-1"):
                    break
                if p.poll() is not None:
                    fail(f"{' '.join(cmd)} exited with {p.returncode}")
            else:
                fail(f"{' '.join(cmd)}: no '{NOBOOT}' within {TIMEOUT} s")
            c = socket.socket(socket.AF_UNIX)
            c.connect(sock)
            f = c.makefile("rw")
            f.readline()
            for cmd_ in ({"execute": "qmp_capabilities"},
                         {"execute": "pmemsave", "arguments": {
                             "val": 0, "size": 64 << 20, "filename": dump}}):
                f.write(json.dumps(cmd_) + "\n")
                f.flush()
                while True:
                    r = json.loads(f.readline())
                    if "return" in r or "error" in r:
                        break
                if "error" in r:
                    fail(f"QMP {cmd_['execute']}: {r}")
            c.close()
            return loaded_dsdt(open(dump, "rb").read())
        finally:
            p.kill()
            p.wait()


def loaded_dsdt(ram):
    """The DSDT the guest sees: RSDP in 0xe0000-0xfffff -> RSDT -> FACP
    -> DSDT (SeaBIOS's image also holds a DSDT of its own, unused)."""
    import struct
    rsdp = next((a for a in range(0xe0000, 0x100000, 16)
                 if ram[a:a + 8] == b"RSD PTR "), None)
    if rsdp is None:
        fail("no RSDP in the BIOS area")
    rsdt = struct.unpack_from("<I", ram, rsdp + 16)[0]
    n = (struct.unpack_from("<I", ram, rsdt + 4)[0] - 36) // 4
    for i in range(n):
        t = struct.unpack_from("<I", ram, rsdt + 36 + 4 * i)[0]
        if ram[t:t + 4] == b"FACP":
            d = struct.unpack_from("<I", ram, t + 40)[0]
            dlen = struct.unpack_from("<I", ram, d + 4)[0]
            if ram[d:d + 4] != b"DSDT":
                fail("FADT's DSDT pointer does not point at a DSDT")
            return ram[d:d + dlen]
    fail("no FADT in the RSDT")


def check_dsdt_devices(kvmu):
    """-device pvpanic is created after the board: the ACPI tables in
    fw_cfg are built again when the guest first runs, so the DSDT that
    SeaBIOS loads describes it (PEVT, QEMU0001), as QEMU's does."""
    ram = dsdt_in_ram(kvmu, ["-device", "pvpanic"])
    if b"PEVT" not in ram or b"QEMU0001" not in ram:
        fail("-device pvpanic: the DSDT SeaBIOS loaded has no PEVT/QEMU0001")
    ram = dsdt_in_ram(kvmu, [])
    if b"PEVT" in ram or b"KBD_" not in ram:
        fail("without pvpanic: want a DSDT without PEVT")
    print("ok: the DSDT SeaBIOS loads describes -device pvpanic "
          "(and not without it)")


def main():
    kvmu = sys.argv[1]
    if not os.path.exists(os.path.join(SEABIOS_DIR, "bios-256k.bin")):
        print("SKIP: Debian's seabios package is not installed")
        sys.exit(77)

    # 1. the default firmware on the serial console
    text, secs = run_until(kvmu, ["-serial", "stdio"], [BANNER, NOBOOT])
    print(f"ok: serial console: banner and '{NOBOOT}' in {secs:.1f} s")

    with tempfile.TemporaryDirectory() as tmp:
        # 2. the debug console: PCI enumeration, CPU count, fw_cfg found
        log = os.path.join(tmp, "debugcon.log")
        text, secs = run_until(
            kvmu, ["-serial", "none", "-smp", "2",
                   "-chardev", f"file,id=dbg,path={log}",
                   "-device", "isa-debugcon,iobase=0x402,chardev=dbg"],
            [BANNER, NOBOOT], log=log)
        for want in ["Found QEMU fw_cfg", "QEMU fw_cfg DMA interface",
                     "Running on QEMU (i440fx)",
                     "PCI: init bdf=00:00.0 id=8086:1237",
                     "PCI: init bdf=00:01.0 id=8086:7000",
                     "PCI: init bdf=00:01.3 id=8086:7113",
                     "Found 2 cpu(s)",
                     # kvmu's ACPI tables through etc/table-loader
                     "table(50434146)=", "ACPI: parse DSDT"]:
            if want not in text:
                fail(f"debugcon: '{want}' missing", text)
        if "ACPI DSDT=" in text:
            fail("SeaBIOS built its own ACPI tables", text)
        print(f"ok: debugcon: fw_cfg, 3 PCI functions, 2 CPUs, ACPI, "
              f"'{NOBOOT}' in {secs:.1f} s")

        # 2b. devices from -device are in the DSDT SeaBIOS loads
        check_dsdt_devices(kvmu)

        # 3. reboot-timeout=0: SeaBIOS resets the machine and runs again
        text, secs = run_until(kvmu, ["-serial", "stdio", "-boot",
                                      "reboot-timeout=0"],
                               [BANNER, "Retrying in 0 seconds"], count=3)
        print(f"ok: reboot-timeout=0: three boots in {secs:.1f} s")

        # 4. -bios with another image: the 128 KiB build
        text, secs = run_until(
            kvmu, ["-serial", "stdio", "-bios",
                   os.path.join(SEABIOS_DIR, "bios.bin")], [BANNER, NOBOOT])
        print(f"ok: -bios bios.bin in {secs:.1f} s")

        # 5. bad images
        expect_error(kvmu, os.path.join(tmp, "missing.bin"),
                     os.path.join(tmp, "missing.bin"))
        for name, size in [("empty.bin", 0), ("odd.bin", 1000),
                           ("almost.bin", 0x20000 - 1),
                           ("huge.bin", 32 << 20)]:
            path = os.path.join(tmp, name)
            with open(path, "wb") as f:
                f.truncate(size)
            expect_error(kvmu, path, path)
    print("PASS: SeaBIOS boots to 'No bootable device.'; -bios errors")


if __name__ == "__main__":
    main()
