/*
 * The DSDT's processors (ACPI 6.5 §8.4 "Declaring Processors"): a
 * processor container \_SB.CPUS (ACPI0010) with one processor device per
 * CPU, Cnnn (ACPI0007), whose _UID is the ACPI processor UID of its MADT
 * local APIC entry (acpi-build.c numbers them 0..n-1). Linux binds its
 * "processor" driver to each, as it does to QEMU's \_SB.CPUS.Cnnn. No
 * hotplug: every CPU is present from the start (no _STA: present).
 */
#include "hw/acpi/acpi-build.h"
#include "hw/acpi/aml.h"

#include <stdio.h>

void acpi_dsdt_add_cpus(Aml *dsdt, const AcpiBuildConfig *cfg)
{
    Aml *cpus = aml_new();
    aml_append(cpus, aml_name_decl("_HID", aml_string("ACPI0010")));
    aml_append(cpus, aml_name_decl("_CID", aml_eisaid("PNP0A05")));
    for (unsigned i = 0; i < cfg->num_cpus && i < 0x1000; i++) {
        char name[8];
        snprintf(name, sizeof(name), "C%03X", i);
        Aml *dev = aml_new();
        aml_append(dev, aml_name_decl("_HID", aml_string("ACPI0007")));
        aml_append(dev, aml_name_decl("_UID", aml_int(i)));
        aml_append(cpus, aml_device(name, dev));
    }
    Aml *sb = aml_new();
    aml_append(sb, aml_device("CPUS", cpus));
    aml_append(dsdt, aml_scope("\\_SB", sb));
}
