#!/usr/bin/env python3
"""Option ROMs and the fw_cfg boot configuration on the pc board, run by
Debian's SeaBIOS. The test builds tiny PnP option ROMs (python bytes:
0x55AA header, length, init entry at 3, a "PCIR" structure for
pci-testdev 1b36:0005, a "$PnP" header with a boot entry vector (BEV),
correct checksums); the init entry and the BEV write "INIT:<tag>" and
"BEV:<tag>" to the isa-debugcon at 0xe9, and the BEV returns so SeaBIOS
goes on to the next boot entry. Checked:
  - -option-rom A: SeaBIOS copies it from fw_cfg genroms/ and runs it;
  - bootorder: bootindex=2 for A, 1 for B makes B's BEV run before A's
    (without bootindex A, first by name, runs first);
  - -boot strict=on: only the listed ROM boots, then "HALT";
  - -boot menu=on,splash-time=N: SeaBIOS shows its boot menu prompt
    (FW_CFG_BOOT_MENU, etc/boot-menu-wait); not without menu=on;
  - -device pci-testdev,romfile=: SeaBIOS finds the ROM through the
    expansion ROM BAR and runs it; rombar=0 puts it in fw_cfg instead;
    its bootindex= ranks it against an -option-rom in bootorder;
  - -fw_cfg name=,file=: a user file SeaBIOS reads; its errors;
  - -boot splash=FILE: fw_cfg bootsplash.jpg, which SeaBIOS picks up;
  - Debian's sgabios.bin (a real ROM, by bare name) prints its banner;
  - bad -option-rom / romfile= files: one error line, exit 1, no guest.
usage: test_option_rom.py KVMU_BINARY"""
import os
import subprocess
import sys
import tempfile
import time

TIMEOUT = 120
NOBOOT = "No bootable device."
SEABIOS = "/usr/share/seabios/bios-256k.bin"


def fail(msg, out=""):
    print(f"FAIL: {msg}")
    if out:
        print("---- output ----")
        print(out[-4000:])
    sys.exit(1)


def print_code(msg_off):
    """16-bit code: print the NUL-terminated string at cs:msg_off to port
    0xe9, keep every register, far return."""
    code = bytes([0x60, 0x1E, 0x0E, 0x1F,           # pusha push ds; ds=cs
                  0xBE, msg_off & 0xff, msg_off >> 8,  # mov si, msg
                  0xBA, 0xE9, 0x00,                  # mov dx, 0xe9
                  0xAC,                              # lodsb
                  0x84, 0xC0,                        # test al, al
                  0x74, 0x03,                        # jz done
                  0xEE,                              # out dx, al
                  0xEB, 0xF8,                        # jmp lodsb
                  0x1F, 0x61, 0xCB])                 # pop ds popa retf
    return code


def make_rom(tag, vendor=0x1b36, device=0x0005, checksum=True):
    rom = bytearray(512)
    rom[0:3] = b"\x55\xaa\x01"                       # 1 x 512 bytes
    rom[3:5] = bytes([0xEB, 0x80 - 5])               # jmp short 0x80
    rom[0x18:0x1a] = (0x20).to_bytes(2, "little")    # PCIR at 0x20
    rom[0x1a:0x1c] = (0x40).to_bytes(2, "little")    # $PnP at 0x40
    pcir = bytearray(24)
    pcir[0:4] = b"PCIR"
    pcir[4:6] = vendor.to_bytes(2, "little")
    pcir[6:8] = device.to_bytes(2, "little")
    pcir[10:12] = (24).to_bytes(2, "little")         # structure length
    pcir[13:16] = bytes([0x00, 0xff, 0x00])          # class code
    pcir[16:18] = (1).to_bytes(2, "little")          # image length
    pcir[20] = 0                                      # code type: x86
    pcir[21] = 0x80                                   # last image
    rom[0x20:0x38] = pcir
    pnp = bytearray(32)
    pnp[0:4] = b"$PnP"
    pnp[4] = 1                                        # revision
    pnp[5] = 2                                        # 2 x 16 bytes
    pnp[0x0e:0x10] = (0x60).to_bytes(2, "little")     # manufacturer
    pnp[0x10:0x12] = (0x68).to_bytes(2, "little")     # product name
    pnp[0x12:0x15] = bytes([0x02, 0x00, 0x00])
    pnp[0x15] = 0x14
    pnp[0x1a:0x1c] = (0x100).to_bytes(2, "little")    # BEV
    pnp[9] = (-sum(pnp)) & 0xff
    rom[0x40:0x60] = pnp
    rom[0x60:0x65] = b"kvmu\0"
    name = f"kvmu test ROM {tag}\0".encode()
    rom[0x68:0x68 + len(name)] = name
    rom[0x80:0x80 + 21] = print_code(0xc0)            # init entry
    rom[0x100:0x100 + 21] = print_code(0x140)         # BEV
    rom[0xc0:0xc0 + len(tag) + 7] = f"INIT:{tag}\n\0".encode()
    rom[0x140:0x140 + len(tag) + 6] = f"BEV:{tag}\n\0".encode()
    if checksum:
        rom[511] = (-sum(rom[:511])) & 0xff
    assert not checksum or sum(rom) & 0xff == 0
    return bytes(rom)


def run_until(kvmu, args, log, want, timeout=TIMEOUT, done=NOBOOT):
    """Run kvmu until every string in want is in the debugcon log (and
    SeaBIOS is done booting: done, NOBOOT by default, on the serial
    line); returns the log and serial texts. Kills it after."""
    cmd = [kvmu, "-M", "pc", "-display", "none", "-monitor", "none",
           "-serial", "stdio", "-chardev", f"file,id=dbg,path={log}",
           "-device", "isa-debugcon,iobase=0xe9,chardev=dbg"] + args
    start = time.monotonic()
    with tempfile.TemporaryFile() as out:
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                             stderr=subprocess.STDOUT)
        text = serial = ""
        try:
            while time.monotonic() - start < timeout:
                time.sleep(0.2)
                with open(log, "rb") as f:
                    text = f.read().decode("latin-1")
                out.seek(0)
                serial = out.read().decode("latin-1")
                if "Sanitizer" in serial or "runtime error:" in serial:
                    break
                if done in serial and all(w in text for w in want):
                    return text, serial
                if p.poll() is not None:
                    break
        finally:
            if p.poll() is None:
                p.kill()
            p.wait()
    fail(f"{' '.join(cmd)}: {want} not seen within {timeout} s "
         f"(rc {p.returncode})", text + "\n---- serial ----\n" + serial)


def expect_error(kvmu, args, want):
    p = subprocess.run([kvmu, "-M", "pc", "-display", "none"] + args,
                       stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=60)
    lines = p.stderr.strip().splitlines()
    if (p.returncode != 1 or len(lines) != 1 or want not in lines[0] or
            "Sanitizer" in p.stderr or p.stdout):
        fail(f"{args}: want exit 1 and one line with '{want}', got rc "
             f"{p.returncode}: {p.stderr!r} {p.stdout!r}")
    print(f"ok: {' '.join(args)}: {lines[0]}")


def order(text, first, second):
    return 0 <= text.find(first) < text.find(second)


def main():
    kvmu = sys.argv[1]
    if not os.path.exists(SEABIOS):
        print("SKIP: Debian's seabios package is not installed")
        sys.exit(77)
    with tempfile.TemporaryDirectory() as tmp:
        roms = {}
        for tag in "AB":
            roms[tag] = os.path.join(tmp, f"{tag.lower()}.bin")
            with open(roms[tag], "wb") as f:
                f.write(make_rom(tag))
        log = os.path.join(tmp, "dbg.log")

        # 1. one ROM: initialised, then booted (its BEV), then no device
        text, serial = run_until(kvmu, ["-option-rom", roms["A"]], log,
                                 ["INIT:A", "BEV:A"])
        if not order(text, "INIT:A", "BEV:A") or "Booting from ROM" \
                not in serial:
            fail("ROM A: init before BEV, 'Booting from ROM' expected",
                 text + serial)
        print("ok: -option-rom: SeaBIOS ran the ROM's init and its BEV")

        # 2. no bootindex: SeaBIOS's own order (the reverse of its fw_cfg
        # file list); bootindex reverses that
        text, _ = run_until(kvmu, ["-option-rom", roms["A"], "-option-rom",
                                   roms["B"]], log, ["BEV:A", "BEV:B"])
        first, second = ("A", "B") if order(text, "BEV:A", "BEV:B") \
            else ("B", "A")
        text, _ = run_until(kvmu, ["-option-rom",
                                   f"{roms[first]},bootindex=2",
                                   "-option-rom",
                                   f"{roms[second]},bootindex=1"],
                            log, ["BEV:A", "BEV:B"])
        if not order(text, f"BEV:{second}", f"BEV:{first}"):
            fail(f"bootindex {second}=1 {first}=2: want {second}'s BEV "
                 "first", text)
        print(f"ok: bootorder: bootindex puts {second}'s BEV before "
              f"{first}'s (the other way round without)")

        # 3. strict=on: only the listed ROM boots
        text, _ = run_until(kvmu, ["-option-rom", roms[second],
                                   "-option-rom", f"{roms[first]},bootindex=1",
                                   "-boot", "strict=on"], log,
                            [f"INIT:{second}", f"BEV:{first}"])
        if f"BEV:{second}" in text:
            fail("strict=on: a ROM not in bootorder booted", text)
        print("ok: -boot strict=on: unlisted ROM not booted (HALT)")

        # 4. boot menu prompt
        _, serial = run_until(kvmu, ["-boot", "menu=on,splash-time=500"],
                              log, [])
        if "Press ESC for boot menu" not in serial:
            fail("menu=on: no boot menu prompt", serial)
        _, serial = run_until(kvmu, [], log, [])
        if "Press ESC for boot menu" in serial:
            fail("menu off: boot menu prompt shown", serial)
        # the prompt waits splash-time ms (etc/boot-menu-wait): a lower
        # bound only, which no host load can break
        start = time.monotonic()
        run_until(kvmu, ["-boot", "menu=on,splash-time=4000"], log, [])
        secs = time.monotonic() - start
        if secs < 3.9:
            fail(f"splash-time=4000: booted after {secs:.1f} s")
        print(f"ok: -boot menu=on,splash-time=500 shows the menu prompt; "
              f"splash-time=4000 waits ({secs:.1f} s)")

        # -fw_cfg: a user file SeaBIOS reads (the same menu wait, 4000 ms
        # as a little-endian u16, given as etc/boot-menu-wait by hand)
        wait = os.path.join(tmp, "wait.bin")
        with open(wait, "wb") as f:
            f.write((4000).to_bytes(2, "little"))
        start = time.monotonic()
        _, serial = run_until(kvmu, ["-boot", "menu=on", "-fw_cfg",
                                     f"name=etc/boot-menu-wait,file={wait}"],
                              log, [])
        secs = time.monotonic() - start
        if secs < 3.9:
            fail(f"-fw_cfg etc/boot-menu-wait=4000: booted after {secs:.1f} "
                 "s", serial)
        if 'names should be prefixed with "opt/"' not in serial:
            fail("-fw_cfg etc/...: QEMU's opt/ warning missing", serial)
        print(f"ok: -fw_cfg name=etc/boot-menu-wait,file=: SeaBIOS waited "
              f"{secs:.1f} s; opt/ warning")

        # -boot splash=: SeaBIOS finds bootsplash.jpg and looks for VBE
        # to show it (its log at 0x402 says so only when the file is
        # there); a non-picture is QEMU's error line and boot goes on
        jpg = os.path.join(tmp, "splash.jpg")
        with open(jpg, "wb") as f:
            f.write(b"\xff\xd8\xff\xe0" + bytes(60))
        blog = os.path.join(tmp, "bios.log")
        for splash, want in [(jpg, True), (None, False)]:
            args = ["-chardev", f"file,id=bios,path={blog}", "-device",
                    "isa-debugcon,iobase=0x402,chardev=bios"]
            args += ["-boot", f"menu=on,splash-time=0"
                     + (f",splash={splash}" if splash else "")]
            run_until(kvmu, args, log, [])
            with open(blog, "rb") as f:
                seen = b"No VBE2 found" in f.read()
            if seen != want:
                fail(f"splash={splash}: SeaBIOS {'did not find' if want else 'found'} "
                     "a bootsplash file")
        _, serial = run_until(kvmu, ["-boot", f"splash={roms['A']}"], log, [])
        if f"splash file '{roms['A']}' format not recognized" not in serial:
            fail("splash=non-picture: QEMU's error line missing", serial)
        print("ok: -boot splash=: bootsplash.jpg reaches SeaBIOS; a "
              "non-picture is reported")

        # 5. the ROM on a PCI device: ROM BAR, and rombar=0 (fw_cfg)
        text, _ = run_until(kvmu, ["-device",
                                   f"pci-testdev,romfile={roms['A']}"],
                            log, ["INIT:A", "BEV:A"])
        print("ok: pci-testdev,romfile=: SeaBIOS ran it from the ROM BAR")
        text, _ = run_until(kvmu, ["-device", f"pci-testdev,romfile="
                                   f"{roms['B']},rombar=0"],
                            log, ["INIT:B", "BEV:B"])
        print("ok: pci-testdev,romfile=,rombar=0: run from fw_cfg")
        # bootindex on the PCI device: its path (/pci@i0cf8/...@N) in
        # bootorder ranks its ROM's BEV against an -option-rom's
        for pci_bi, rom_bi in [(1, 2), (2, 1)]:
            text, _ = run_until(kvmu, [
                "-device", f"pci-testdev,romfile={roms['A']},"
                f"bootindex={pci_bi},addr=6",
                "-option-rom", f"{roms['B']},bootindex={rom_bi}",
                "-chardev", f"file,id=bios,path={blog}", "-device",
                "isa-debugcon,iobase=0x402,chardev=bios"],
                log, ["BEV:A", "BEV:B"])
            with open(blog, "rb") as f:
                bios = f.read().decode("latin-1")
            # SeaBIOS lists bootorder as it read it (QEMU's path format)
            for line in [f"{pci_bi}: /pci@i0cf8/pci1b36,0005@6",
                         f"{rom_bi}: /rom@genroms/b.bin"]:
                if line not in bios:
                    fail(f"SeaBIOS boot order: '{line}' missing", bios)
            want = ("BEV:A", "BEV:B") if pci_bi < rom_bi else \
                ("BEV:B", "BEV:A")
            if not order(text, *want):
                fail(f"pci bootindex={pci_bi}, rom {rom_bi}: want "
                     f"{want[0]} first", text)
        print("ok: pci-testdev bootindex= orders its ROM against "
              "-option-rom's")

        # 6. a real option ROM nobody here wrote: Debian's sgabios.bin
        # (found by bare name in /usr/share/qemu, as QEMU finds it)
        if os.path.exists("/usr/share/qemu/sgabios.bin"):
            # (its screen goes out as cursor moves: no plain NOBOOT)
            run_until(kvmu, ["-option-rom", "sgabios.bin"], log, [],
                      done="Serial Graphics Adapter")
            print("ok: -option-rom sgabios.bin: its banner on the serial "
                  "line")
        else:
            print("skip: /usr/share/qemu/sgabios.bin not installed")

        # 7. bad files: one line, exit 1, before the guest runs
        missing = os.path.join(tmp, "missing.bin")
        expect_error(kvmu, ["-option-rom", missing],
                     f"Could not open option rom '{missing}'")
        junk = os.path.join(tmp, "junk.bin")
        with open(junk, "wb") as f:
            f.write(b"MZ" + bytes(1000))
        expect_error(kvmu, ["-option-rom", junk], "no 0x55 0xAA signature")
        big = os.path.join(tmp, "big.bin")
        with open(big, "wb") as f:
            f.write(b"\x55\xaa\xff" + bytes(0x20000))
        expect_error(kvmu, ["-option-rom", big], "is too large")
        empty = os.path.join(tmp, "empty.bin")
        open(empty, "wb").close()
        expect_error(kvmu, ["-option-rom", empty], "is empty")
        fifo = os.path.join(tmp, "fifo")
        os.mkfifo(fifo)
        for dev in ["/dev/zero", fifo, tmp]:
            expect_error(kvmu, ["-option-rom", dev], "is not a regular file")
            expect_error(kvmu, ["-fw_cfg", f"name=opt/x,file={dev}"],
                         f"can't load {dev}: not a regular file")
        expect_error(kvmu, ["-option-rom", "bootindex=1"],
                     "Option ROM file is not specified")
        expect_error(kvmu, ["-option-rom", f"{roms['A']},bootindex=x"],
                     "Parameter 'bootindex' expects a number")
        expect_error(kvmu, ["-option-rom", roms["A"], "-option-rom",
                            roms["A"]],
                     "duplicate fw_cfg file name: genroms/a.bin")
        expect_error(kvmu, ["-device", f"pci-testdev,romfile={missing}"],
                     f'failed to find romfile "{missing}"')
        expect_error(kvmu, ["-device", f"pci-testdev,romfile={empty}"],
                     f'romfile "{empty}" is empty')
        need = "name, plus exactly one of file, string and gen_id, are needed"
        for arg in ["name=opt/x", f"file={wait}",
                    f"name=opt/x,file={wait},string=y"]:
            expect_error(kvmu, ["-fw_cfg", arg], f"-fw_cfg {arg}: {need}")
        expect_error(kvmu, ["-fw_cfg", f"name=opt/x,file={missing}"],
                     f"can't load {missing}")
        expect_error(kvmu, ["-fw_cfg", "name=opt/" + "x" * 60 + ",string=a"],
                     "name too long (max. 55 char)")
        expect_error(kvmu, ["-fw_cfg", "opt/x,string=a", "-fw_cfg",
                            "name=opt/x,string=b"],
                     "-fw_cfg name=opt/x,string=b: duplicate fw_cfg file "
                     "name: opt/x")
        expect_error(kvmu, ["-device", "pci-testdev,bootindex=1",
                            "-device", "pci-testdev,bootindex=1"],
                     "The bootindex 1 has already been used")
        expect_error(kvmu, ["-boot", "splash-time=70000"],
                     "splash-time is invalid")
    print("PASS: option ROMs, bootorder, boot menu, PCI ROM BAR, errors")


if __name__ == "__main__":
    main()
