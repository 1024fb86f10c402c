/*
 * The DSDT's fw_cfg device, as QEMU describes it so that Linux's
 * qemu_fw_cfg driver finds the ports: \_SB.FWCF, _HID "QEMU0002",
 * _STA present/enabled/hidden, _CRS its 12 I/O ports (selector, data,
 * DMA address).
 */
#include "hw/acpi/acpi-build.h"
#include "hw/acpi/aml.h"

void acpi_dsdt_add_fw_cfg(GByteArray *dsdt, uint16_t port)
{
    const uint8_t crs[] = {
        0x47, 0x01, port & 0xff, port >> 8, port & 0xff, port >> 8,
        0x01, 0x0c,                          /* IO(Decode16, port, 12) */
        0x79, 0x00,
    };
    Aml *dev = aml_new();
    aml_append(dev, aml_name_decl("_HID", aml_string("QEMU0002")));
    aml_append(dev, aml_name_decl("_STA", aml_int(0x0b)));
    aml_append(dev, aml_name_decl("_CRS", aml_buffer(crs, sizeof(crs))));
    Aml *sb = aml_new();
    aml_append(sb, aml_device("FWCF", dev));
    aml_append(dsdt, aml_scope("\\_SB", sb));
}
