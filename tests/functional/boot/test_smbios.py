#!/usr/bin/env python3
"""SMBIOS/DMI as guests see it. Debian's kernel, booted directly with
-smp 2,sockets=2 -uuid U -smbios type=1,serial=kvmu-test-123 (plus Type 3
asset and Type 11 OEM strings), finds kvmu's 3.0 entry point in the BIOS
area ("SMBIOS 3.0.0 present", /sys/firmware/dmi/tables; a 2.1 "_SM_"
anchor follows it for older software, both seen through /dev/mem) and reports in
/sys/class/dmi/id QEMU's system strings, the serial and UUID, BIOS vendor
kvmu; the table it exports has both Type 4 sockets, Type 11, 16, 17,
19, 32 and every structure well formed. When Debian's qemu-system-x86_64
is installed the same guest runs under it and the system, chassis and
UUID fields must be equal (the BIOS fields are SeaBIOS's there, and the
machine version differs: pc-i440fx-8.2 vs QEMU's own). With SeaBIOS
(no -kernel), the firmware takes the tables from fw_cfg (debug console:
"Copying SMBIOS"), adds its own Type 0, and the copy it leaves in guest
memory (read back through QMP's xp) has a valid 2.1 entry point and the
-smbios serial.
usage: test_smbios.py KVMU_BINARY [--no-qemu]"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guest  # noqa: E402

UUID = "12345678-1234-5678-9abc-def012345678"
SERIAL = "kvmu-test-123"
FIELDS = ["sys_vendor", "product_name", "product_version", "product_serial",
          "product_uuid", "product_sku", "product_family", "bios_vendor",
          "bios_version", "bios_date", "chassis_vendor", "chassis_type",
          "chassis_version", "chassis_asset_tag"]
CMD = "cd /sys/class/dmi/id\n" + "".join(
    f'echo "DMI {f}=$(cat {f})"\n' for f in FIELDS) + r"""
echo ANCHOR; od -An -tx1 -v /sys/firmware/dmi/tables/smbios_entry_point
echo TABLES; od -An -tx1 -v /sys/firmware/dmi/tables/DMI
echo END
dmesg | grep -E 'SMBIOS|DMI:' | sed 's/^/DMESG /'
dd if=/dev/mem of=/tmp/fseg bs=4096 skip=240 count=16 2>/dev/null
od -An -tx1 -v -w16 /tmp/fseg | grep -n -E '^ 5f 53 4d (33 5f|5f)' | \
  sed 's/^/FSEG /'
grep -m3 -E '^(cpu family|model|stepping)\s*:' /proc/cpuinfo | sed 's/^/CPUINFO /'
"""
ARGS = ["-smp", "2,sockets=2,cores=1,threads=1", "-uuid", UUID,
        "-smbios", f"type=1,serial={SERIAL}",
        "-smbios", "type=3,asset=ASSET-3",
        "-smbios", "type=11,value=kvmu-oem-1,value=kvmu-oem-2"]
FAILS = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILS.append(what)


def hexbytes(text):
    return bytes(int(x, 16) for x in re.findall(r"\b[0-9a-f]{2}\b", text))


def parse_tables(tab):
    """[(type, formatted bytes, [strings])]; None if malformed."""
    out, i = [], 0
    while i < len(tab):
        if i + 4 > len(tab) or tab[i + 1] < 4 or i + tab[i + 1] > len(tab):
            return None
        ty, ln = tab[i], tab[i + 1]
        j = tab.find(b"\0\0", i + ln)
        if j < 0:
            return None
        strs = [s.decode("latin-1") for s in tab[i + ln:j].split(b"\0") if s]
        out.append((ty, tab[i:i + ln], strs))
        i = j + 2
        if ty == 127:
            break
    return out


def boot(binary):
    run = guest.boot(binary, cmd=CMD, args=ARGS, timeout=900)
    print(f"{os.path.basename(binary)}: boot + command + poweroff "
          f"{run.elapsed:.1f} s, rc={run.rc}")
    dmi = {}
    for line in run.output.splitlines():
        m = re.match(r"\s*DMI (\w+)=(.*?)\s*$", line)
        if m:
            dmi[m.group(1)] = m.group(2)
            print("  " + line.strip())
        elif line.startswith("DMESG"):
            print("  " + line.strip())
    out = run.output
    anchor = tables = b""
    if "ANCHOR" in out and "TABLES" in out and "\nEND" in out:
        anchor = hexbytes(out[out.index("ANCHOR") + 6:out.index("TABLES")])
        tables = hexbytes(out[out.index("TABLES") + 6:out.index("\nEND")])
    return run, dmi, anchor, tables


def check_kvmu(kvmu):
    run, dmi, anchor, tables = boot(kvmu)
    check(run.rc == 0, "guest powered off, exit status 0")
    check("AddressSanitizer" not in run.output and
          "runtime error:" not in run.output, "no sanitizer reports")
    check("SMBIOS 3.0.0 present" in run.output,
          "Linux found the 3.0 entry point: 'SMBIOS 3.0.0 present'")
    want = {"sys_vendor": "QEMU",
            "product_name": "Standard PC (i440FX + PIIX, 1996)",
            "product_version": "pc-i440fx-8.2", "product_serial": SERIAL,
            "product_uuid": UUID, "bios_vendor": "kvmu",
            "chassis_vendor": "QEMU", "chassis_type": "1",
            "chassis_asset_tag": "ASSET-3"}
    for k, v in want.items():
        check(dmi.get(k) == v, f"/sys/class/dmi/id/{k} = {v!r} "
              f"(got {dmi.get(k)!r})")
    check(anchor[:5] == b"_SM3_" and len(anchor) == 24 and
          sum(anchor) % 256 == 0, "entry point: _SM3_, 24 bytes, checksum")
    # the BIOS area as a scanner of /dev/mem sees it: both anchors
    fseg = re.findall(r"FSEG (\d+): 5f 53 4d (33 5f|5f)", run.output)
    kinds = sorted(k for _, k in fseg)
    check(kinds == ["33 5f", "5f"],
          f"F segment: one _SM3_ and one _SM_ anchor, 16-byte aligned "
          f"(lines {fseg})")
    structs = parse_tables(tables)
    check(structs is not None and structs[-1][0] == 127,
          "every structure well formed, Type 127 last")
    types = [s[0] for s in structs or []]
    check(types == [0, 1, 3, 4, 4, 11, 16, 17, 19, 32, 127],
          f"structure types {types}")
    cpus = [s[2][0] for s in structs or [] if s[0] == 4]
    check(cpus == ["CPU 0", "CPU 1"], f"one Type 4 per socket: {cpus}")
    # Type 4 processor ID: CPUID leaf 1 EAX, as /proc/cpuinfo decodes it
    ids = [int.from_bytes(s[1][8:12], "little") for s in structs or []
           if s[0] == 4]
    info = dict(re.findall(r"CPUINFO (cpu family|model|stepping)\s*:\s*(\d+)",
                           run.output))
    if ids and len(info) == 3:
        eax = ids[0]
        fam = (eax >> 8) & 0xf
        model = (eax >> 4) & 0xf
        if fam in (6, 15):
            model |= ((eax >> 16) & 0xf) << 4
        if fam == 15:
            fam += (eax >> 20) & 0xff
        got = (fam, model, eax & 0xf)
        want_sig = (int(info["cpu family"]), int(info["model"]),
                    int(info["stepping"]))
        check(got == want_sig, f"Type 4 processor ID {eax:#x} is the CPU's "
              f"signature {want_sig}")
    else:
        check(False, f"Type 4 processor ID and /proc/cpuinfo ({info})")
    oem = [s[2] for s in structs or [] if s[0] == 11]
    check(oem == [["kvmu-oem-1", "kvmu-oem-2"]], f"Type 11 strings {oem}")
    return dmi, structs or []


def qmp(path, cmds):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(30)
    s.connect(path)
    f = s.makefile("rw")
    f.readline()
    replies = []
    for c in [{"execute": "qmp_capabilities"}] + cmds:
        f.write(json.dumps(c) + "\n")
        f.flush()
        while True:
            r = json.loads(f.readline())
            if "return" in r or "error" in r:
                replies.append(r.get("return"))
                break
    s.close()
    return replies[1:]


def xp(path, addr, n):
    text = qmp(path, [{"execute": "human-monitor-command",
                       "arguments": {"command-line":
                                     f"xp /{n}xb {addr:#x}"}}])[0] or ""
    data = re.sub(r"^[0-9a-f]+:", "", text, flags=re.M)
    return bytes(int(x, 16) for x in re.findall(r"0x([0-9a-f]{2})\b", data))


def check_seabios(kvmu):
    if not os.path.exists("/usr/share/seabios/bios-256k.bin"):
        print("skip: no SeaBIOS")
        return
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "debugcon.log")
        sock = os.path.join(tmp, "qmp.sock")
        p = subprocess.Popen(
            [kvmu, "-M", "pc", "-display", "none", "-monitor", "none",
             "-chardev", f"file,id=dbg,path={log}",
             "-device", "isa-debugcon,iobase=0x402,chardev=dbg",
             "-qmp", f"unix:{sock},server=on,wait=off",
             "-smbios", "type=1,serial=SB-1"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT)
        text, start = "", time.monotonic()
        try:
            while time.monotonic() - start < 120 and p.poll() is None:
                time.sleep(0.5)
                if os.path.exists(log):
                    with open(log, "rb") as f:
                        text = f.read().decode("latin-1")
                if "No bootable device." in text:
                    break
            m = re.search(r"Copying SMBIOS from 0x[0-9a-f]+ to "
                          r"0x([0-9a-f]+)", text)
            check(m is not None, "SeaBIOS copied kvmu's SMBIOS tables")
            if not m:
                return
            ep = xp(sock, int(m.group(1), 16), 31)
            check(ep[:4] == b"_SM_" and ep[16:21] == b"_DMI_" and
                  sum(ep) % 256 == 0 and sum(ep[16:]) % 256 == 0,
                  f"SeaBIOS's 2.1 entry point valid ({ep[:8]!r})")
            if len(ep) < 31:
                return
            tlen = int.from_bytes(ep[22:24], "little")
            taddr = int.from_bytes(ep[24:28], "little")
            structs = parse_tables(xp(sock, taddr, tlen)) or []
            types = [s[0] for s in structs]
            check(types[:1] == [0] and 1 in types and 127 in types,
                  f"SeaBIOS table: its Type 0 first, then kvmu's {types}")
            t0 = [s[2] for s in structs if s[0] == 0]
            t1 = [s[2] for s in structs if s[0] == 1]
            check(t0 and t0[0][0] == "SeaBIOS", f"Type 0 vendor {t0}")
            check(t1 and "SB-1" in t1[0] and "QEMU" in t1[0],
                  f"Type 1 strings {t1}")
        finally:
            p.kill()
            p.wait()


def main():
    kvmu = sys.argv[1]
    dmi, structs = check_kvmu(kvmu)
    check_seabios(kvmu)
    qemu = shutil.which("qemu-system-x86_64")
    if "--no-qemu" in sys.argv[2:] or not qemu:
        print("skip: no comparison with QEMU")
    else:
        qrun, qdmi, _, qtables = boot(qemu)
        check(qrun.rc == 0, "the same guest ran under QEMU")
        for k in ["sys_vendor", "product_name", "product_serial",
                  "product_uuid", "product_sku", "product_family",
                  "chassis_vendor", "chassis_type", "chassis_asset_tag"]:
            check(dmi.get(k) == qdmi.get(k),
                  f"{k} as QEMU's ({qdmi.get(k)!r})")
        check(qdmi.get("product_version", "").startswith("pc-i440fx-"),
              "QEMU's product_version is its machine type too")
        qtypes = sorted({s[0] for s in parse_tables(qtables) or []})
        ktypes = sorted({s[0] for s in structs})
        check(qtypes == ktypes, f"same structure types as QEMU ({qtypes})")
    if FAILS:
        print(f"{len(FAILS)} check(s) failed")
        sys.exit(1)
    print("all SMBIOS checks passed")


if __name__ == "__main__":
    main()
