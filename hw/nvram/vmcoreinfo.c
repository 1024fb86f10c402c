/*
 * vmcoreinfo (QEMU's -device vmcoreinfo): a writable fw_cfg file,
 * "etc/vmcoreinfo", through which the guest says where its VMCOREINFO
 * ELF note is. Linux's qemu_fw_cfg driver writes it by fw_cfg DMA when
 * it probes: 16 bytes, little-endian {u16 host_format, u16 guest_format,
 * u32 size, u64 paddr}; the host offers format 1 (ELF note).
 *
 * kvmu has no dump-guest-memory yet, the one consumer in QEMU: the note's
 * place is kept (vmcoreinfo_get) and the guest can read the file back.
 * Needs the board's fw_cfg with DMA; at most one per machine (QEMU's
 * errors). Not hotpluggable.
 */
#include "hw/nvram/fw_cfg.h"
#include "hw/qdev.h"
#include "util/error.h"
#include "util/ldst.h"

#include <string.h>

#define TYPE_VMCOREINFO "vmcoreinfo"
#define VMCOREINFO_FILE "etc/vmcoreinfo"
#define VMCOREINFO_FORMAT_ELF 1

typedef struct VMCoreInfoState {
    DeviceState parent;
    FWCfgState *fw;
} VMCoreInfoState;

#define VMCOREINFO(obj) OBJECT_CHECK(VMCoreInfoState, (obj), TYPE_VMCOREINFO)

static VMCoreInfoState *vmcoreinfo_the;

bool vmcoreinfo_get(uint16_t *guest_format, uint32_t *size, uint64_t *paddr)
{
    size_t len;
    const uint8_t *p = vmcoreinfo_the ?
        fw_cfg_file_data(vmcoreinfo_the->fw, VMCOREINFO_FILE, &len) : NULL;
    if (!p || len != 16) {
        return false;
    }
    *guest_format = lduw_le_p(p + 2);
    *size = ldl_le_p(p + 4);
    *paddr = ldq_le_p(p + 8);
    return *guest_format != 0;
}

static bool vmcoreinfo_realize(DeviceState *dev, GError **errp)
{
    VMCoreInfoState *s = VMCOREINFO(dev);
    FWCfgState *fw = fw_cfg_find();
    uint8_t init[16] = { 0 };

    if (!fw || !fw_cfg_dma_enabled(fw)) {
        error_setg(errp, "vmcoreinfo device requires fw_cfg with DMA");
        return false;
    }
    if (vmcoreinfo_the || fw_cfg_file_key(fw, VMCOREINFO_FILE) >= 0) {
        error_setg(errp, "at most one vmcoreinfo device is permitted");
        return false;
    }
    stw_le_p(init, VMCOREINFO_FORMAT_ELF);
    if (!fw_cfg_add_file_writable(fw, VMCOREINFO_FILE, init, sizeof(init),
                                  NULL, NULL, errp)) {
        return false;
    }
    s->fw = fw;
    vmcoreinfo_the = s;
    return true;
}

static void vmcoreinfo_finalize(Object *obj)
{
    if (vmcoreinfo_the == VMCOREINFO(obj)) {
        vmcoreinfo_the = NULL;
    }
}

static void vmcoreinfo_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    dc->desc = "VMCOREINFO note location from the guest (fw_cfg "
               "etc/vmcoreinfo)";
    dc->categories = 1u << DEVICE_CATEGORY_MISC;
    dc->realize = vmcoreinfo_realize;
    dc->hotpluggable = false;
}

static const TypeInfo vmcoreinfo_info = {
    .name = TYPE_VMCOREINFO,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(VMCoreInfoState),
    .instance_finalize = vmcoreinfo_finalize,
    .class_init = vmcoreinfo_class_init,
};

static void vmcoreinfo_register(void)
{
    type_register_static_array(&vmcoreinfo_info, 1);
}
type_init(vmcoreinfo_register)
