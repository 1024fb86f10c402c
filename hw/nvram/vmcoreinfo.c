/*
 * vmcoreinfo (QEMU's -device vmcoreinfo): a writable fw_cfg file,
 * "etc/vmcoreinfo", through which the guest says where its VMCOREINFO
 * ELF note is. Linux's qemu_fw_cfg driver writes it by fw_cfg DMA when
 * it probes: 16 bytes, little-endian {u16 host_format, u16 guest_format,
 * u32 size, u64 paddr}; the host offers format 1 (ELF note).
 *
 * kvmu has no dump-guest-memory yet, the one consumer in QEMU: the note's
 * place is kept (vmcoreinfo_get) and the guest can read the file back.
 * A machine reset puts the file back to the host's offer (the next
 * kernel writes it again); the written bytes migrate with the device.
 * Needs the board's fw_cfg with DMA; at most one per machine (QEMU's
 * errors). Not hotpluggable.
 */
#include "hw/nvram/fw_cfg.h"
#include "hw/qdev.h"
#include "migration/vmstate.h"
#include "system/runstate.h"
#include "util/error.h"
#include "util/ldst.h"

#include <string.h>

#define TYPE_VMCOREINFO "vmcoreinfo"
#define VMCOREINFO_FILE "etc/vmcoreinfo"
#define VMCOREINFO_FORMAT_ELF 1

typedef struct VMCoreInfoState {
    DeviceState parent;
    FWCfgState *fw;
    uint8_t data[16];           /* the file's bytes, for migration */
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

static void vmcoreinfo_written(void *opaque, uint32_t off, uint32_t len)
{
    VMCoreInfoState *s = opaque;
    size_t flen;
    const uint8_t *p = fw_cfg_file_data(s->fw, VMCOREINFO_FILE, &flen);
    if (p && flen == sizeof(s->data)) {
        memcpy(s->data, p, flen);
    }
}

static void vmcoreinfo_reset(void *opaque)
{
    VMCoreInfoState *s = opaque;
    memset(s->data, 0, sizeof(s->data));
    stw_le_p(s->data, VMCOREINFO_FORMAT_ELF);
    fw_cfg_modify_file(s->fw, VMCOREINFO_FILE, s->data, sizeof(s->data));
}

static int vmcoreinfo_post_load(void *opaque, int version_id)
{
    VMCoreInfoState *s = opaque;
    fw_cfg_modify_file(s->fw, VMCOREINFO_FILE, s->data, sizeof(s->data));
    return 0;
}

static const VMStateDescription vmstate_vmcoreinfo = {
    .name = "vmcoreinfo",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = vmcoreinfo_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8_ARRAY(data, VMCoreInfoState, 16),
        VMSTATE_END_OF_LIST(),
    },
};

static bool vmcoreinfo_realize(DeviceState *dev, GError **errp)
{
    VMCoreInfoState *s = VMCOREINFO(dev);
    FWCfgState *fw = fw_cfg_find();

    if (!fw || !fw_cfg_dma_enabled(fw)) {
        error_setg(errp, "vmcoreinfo device requires fw_cfg with DMA");
        return false;
    }
    if (vmcoreinfo_the || fw_cfg_file_key(fw, VMCOREINFO_FILE) >= 0) {
        error_setg(errp, "at most one vmcoreinfo device is permitted");
        return false;
    }
    memset(s->data, 0, sizeof(s->data));
    stw_le_p(s->data, VMCOREINFO_FORMAT_ELF);
    if (!fw_cfg_add_file_writable(fw, VMCOREINFO_FILE, s->data,
                                  sizeof(s->data), vmcoreinfo_written, s,
                                  errp)) {
        return false;
    }
    s->fw = fw;
    vmcoreinfo_the = s;
    /* a bus-less device: no bus resets it */
    qemu_register_reset(vmcoreinfo_reset, s);
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
    dc->vmsd = &vmstate_vmcoreinfo;
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
