#!/usr/bin/env python3
"""Debian's kernel under ukvm sees the -cpu model in /proc/cpuinfo:
 - -cpu Westmere: GenuineIntel family 6 model 44, QEMU's model-id,
   rdtscp/sse4_2/popcnt; aes and pclmulqdq (which ukvm lacks) filtered out
   with QEMU's "TCG doesn't support requested feature" warnings;
 - -cpu EPYC: AuthenticAMD family 23 (17h) model 1, QEMU's model-id;
 - -cpu host,-rdtscp -smp 2,cores=2: ukvm's supported set (its model
   name, x2apic) on both CPUs, minus rdtscp, with the -smp topology
   (2 cores of one package: siblings 2).
usage: test_cpu_models.py KVMU_BINARY"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guest  # noqa: E402

CMD = r"""
grep -E '^(processor|vendor_id|cpu family|model|model name|flags|siblings)' \
  /proc/cpuinfo | sed 's/^/CPUINFO /'
"""


def cpuinfo(run):
    """{field: [values, one per CPU]} from the CPUINFO lines."""
    out = {}
    for _, line in run.lines:
        m = re.match(r"CPUINFO ([a-z _]+?)\s*: ?(.*)$", line)
        if m:
            out.setdefault(m.group(1), []).append(m.group(2).strip())
    return out


def done(run, what):
    run.expect("KVMU-GUEST-CMD-EXIT 0")
    run.expect("reboot: Power down")
    run.expect_rc(0)
    print(f"{what}: boot + cpuinfo + poweroff took {run.elapsed:.1f} s")


def main():
    kvmu = sys.argv[1]

    run = guest.boot(kvmu, cmd=CMD, args=["-cpu", "Westmere"])
    done(run, "-cpu Westmere")
    info = cpuinfo(run)
    if info.get("model name") != ["Westmere E56xx/L56xx/X56xx (Nehalem-C)"] \
            or info.get("vendor_id") != ["GenuineIntel"] \
            or info.get("cpu family") != ["6"] or info.get("model") != ["44"]:
        guest.fail(f"-cpu Westmere: guest sees {info}", run)
    flags = set((info.get("flags") or [""])[0].split())
    missing = {"rdtscp", "sse4_2", "popcnt", "lm", "nx", "hypervisor"} - flags
    if missing:
        guest.fail(f"-cpu Westmere: flags lack {missing}: {flags}", run)
    for feat, bit in (("pclmulqdq", 1), ("aes", 25)):
        if feat in flags:
            guest.fail(f"-cpu Westmere: ukvm has no {feat}, yet the guest "
                       "sees it", run)
        run.expect("warning: TCG doesn't support requested feature: "
                   f"CPUID.01H:ECX.{feat} [bit {bit}]")
    print("PASS: -cpu Westmere: the guest sees the model, minus what ukvm "
          "lacks (warned)")

    run = guest.boot(kvmu, cmd=CMD, args=["-cpu", "EPYC"])
    done(run, "-cpu EPYC")
    info = cpuinfo(run)
    if info.get("model name") != ["AMD EPYC Processor"] or \
            info.get("vendor_id") != ["AuthenticAMD"] or \
            info.get("cpu family") != ["23"] or info.get("model") != ["1"]:
        guest.fail(f"-cpu EPYC: guest sees {info}", run)
    print("PASS: -cpu EPYC: an AuthenticAMD family 17h guest CPU")

    run = guest.boot(kvmu, cmd=CMD,
                     args=["-cpu", "host,-rdtscp", "-smp", "2,cores=2"])
    done(run, "-cpu host,-rdtscp -smp 2,cores=2")
    info = cpuinfo(run)
    if info.get("model name") != ["kvmu software CPU (max)"] * 2 or \
            info.get("siblings") != ["2", "2"]:
        guest.fail(f"-cpu host: guest sees {info}", run)
    for f in info.get("flags", []):
        flags = set(f.split())
        if "rdtscp" in flags or not {"x2apic", "hypervisor", "lm"} <= flags:
            guest.fail(f"-cpu host,-rdtscp: flags {flags}", run)
    if "warning" in run.output:
        guest.fail("-cpu host warned about a feature", run)
    print("PASS: -cpu host,-rdtscp -smp 2,cores=2: ukvm's set minus rdtscp "
          "on both CPUs")


if __name__ == "__main__":
    main()
