/*
 * MSI capability, PCI Local Bus Specification 3.0 §6.8.1; see
 * include/hw/pci/msi.h. Layout after the 2-byte header: Message Control
 * (+2), Message Address (+4), [Upper Address (+8)], Message Data (+8 or
 * +12), [Mask Bits, Pending Bits] when per-vector masking is capable.
 */
#include "hw/pci/msi.h"
#include "util/error.h"

static void (*msi_deliver)(uint64_t addr, uint32_t data);

void pci_set_msi_handler(void (*deliver)(uint64_t addr, uint32_t data))
{
    msi_deliver = deliver;
}

static uint16_t msi_flags(PCIDevice *d)
{
    return pci_get_word(d->config + d->msi_cap + PCI_MSI_FLAGS);
}

static bool msi_is_64(PCIDevice *d)
{
    return msi_flags(d) & PCI_MSI_FLAGS_64BIT;
}

static uint8_t msi_data_off(PCIDevice *d)
{
    return d->msi_cap + (msi_is_64(d) ? 12 : 8);
}

static uint8_t msi_mask_off(PCIDevice *d)
{
    return d->msi_cap + (msi_is_64(d) ? 16 : 12);
}

static uint8_t msi_size(bool msi64, bool mask)
{
    return (msi64 ? 14 : 10) + (mask ? 10 : 0);
}

bool msi_init(PCIDevice *d, uint8_t offset, unsigned nvectors, bool msi64,
              bool per_vector_mask, GError **errp)
{
    if (!nvectors || nvectors > 32 || (nvectors & (nvectors - 1))) {
        error_setg(errp, "MSI: %u vectors is not a power of two up to 32",
                   nvectors);
        return false;
    }
    uint8_t size = msi_size(msi64, per_vector_mask);
    if (!pci_add_capability(d, PCI_CAP_ID_MSI, offset, size, errp)) {
        return false;
    }
    d->msi_cap = offset;
    uint16_t flags = (__builtin_ctz(nvectors) << 1) |
                     (msi64 ? PCI_MSI_FLAGS_64BIT : 0) |
                     (per_vector_mask ? PCI_MSI_FLAGS_MASKBIT : 0);
    pci_set_word(d->config + offset + PCI_MSI_FLAGS, flags);
    pci_set_word(d->wmask + offset + PCI_MSI_FLAGS,
                 PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
    pci_set_long(d->wmask + offset + PCI_MSI_ADDRESS_LO, 0xfffffffc);
    if (msi64) {
        pci_set_long(d->wmask + offset + PCI_MSI_ADDRESS_HI, 0xffffffff);
    }
    pci_set_word(d->wmask + msi_data_off(d), 0xffff);
    if (per_vector_mask) {
        uint32_t bits = nvectors == 32 ? 0xffffffffu : (1u << nvectors) - 1;
        pci_set_long(d->wmask + msi_mask_off(d), bits);
    }
    return true;
}

bool msi_enabled(PCIDevice *d)
{
    return d->msi_cap && (msi_flags(d) & PCI_MSI_FLAGS_ENABLE);
}

/* Vectors the guest enabled (Multiple Message Enable, capped by MMC). */
static unsigned msi_nr_enabled(PCIDevice *d)
{
    uint16_t f = msi_flags(d);
    unsigned mmc = (f & PCI_MSI_FLAGS_QMASK) >> 1;
    unsigned mme = (f & PCI_MSI_FLAGS_QSIZE) >> 4;
    return 1u << MIN(mmc, mme);
}

static bool msi_masked(PCIDevice *d, unsigned vector)
{
    return (msi_flags(d) & PCI_MSI_FLAGS_MASKBIT) &&
           (pci_get_long(d->config + msi_mask_off(d)) & (1u << vector));
}

static void msi_set_pending(PCIDevice *d, unsigned vector, bool on)
{
    uint8_t *p = d->config + msi_mask_off(d) + 4;
    uint32_t v = pci_get_long(p);
    pci_set_long(p, on ? v | (1u << vector) : v & ~(1u << vector));
}

bool msi_is_pending(PCIDevice *d, unsigned vector)
{
    return d->msi_cap && vector < 32 &&
           (msi_flags(d) & PCI_MSI_FLAGS_MASKBIT) &&
           (pci_get_long(d->config + msi_mask_off(d) + 4) & (1u << vector));
}

static void msi_send(PCIDevice *d, unsigned vector)
{
    uint64_t addr = pci_get_long(d->config + d->msi_cap + PCI_MSI_ADDRESS_LO);
    if (msi_is_64(d)) {
        addr |= (uint64_t)pci_get_long(d->config + d->msi_cap +
                                       PCI_MSI_ADDRESS_HI) << 32;
    }
    unsigned n = msi_nr_enabled(d);
    uint32_t data = pci_get_word(d->config + msi_data_off(d));
    data = (data & ~(n - 1)) | vector;

    /* a memory write by the device: needs bus mastering */
    if (!(pci_get_word(d->config + PCI_COMMAND) & PCI_COMMAND_MASTER)) {
        return;
    }
    if ((addr >> 20) == 0xfee && msi_deliver) {
        msi_deliver(addr, data);
    } else {
        uint8_t b[4] = { data, data >> 8, data >> 16, data >> 24 };
        pci_dma_write(d, addr, b, sizeof(b));   /* refused unless RAM */
    }
}

void msi_notify(PCIDevice *d, unsigned vector)
{
    if (!msi_enabled(d) || vector >= msi_nr_enabled(d)) {
        return;
    }
    if (msi_masked(d, vector)) {
        msi_set_pending(d, vector, true);
        return;
    }
    msi_send(d, vector);
}

void msi_write_config(PCIDevice *d, uint32_t addr, uint32_t val, int len)
{
    if (!msi_enabled(d) || !(msi_flags(d) & PCI_MSI_FLAGS_MASKBIT)) {
        return;
    }
    /* unmasking a pending vector sends it */
    for (unsigned v = 0; v < msi_nr_enabled(d); v++) {
        if (msi_is_pending(d, v) && !msi_masked(d, v)) {
            msi_set_pending(d, v, false);
            msi_send(d, v);
        }
    }
}

void msi_reset(PCIDevice *d)
{
    if (!d->msi_cap) {
        return;
    }
    uint8_t *c = d->config + d->msi_cap;
    pci_set_word(c + PCI_MSI_FLAGS, msi_flags(d) & ~(PCI_MSI_FLAGS_ENABLE |
                                                     PCI_MSI_FLAGS_QSIZE));
    pci_set_long(c + PCI_MSI_ADDRESS_LO, 0);
    if (msi_is_64(d)) {
        pci_set_long(c + PCI_MSI_ADDRESS_HI, 0);
    }
    pci_set_word(d->config + msi_data_off(d), 0);
    if (msi_flags(d) & PCI_MSI_FLAGS_MASKBIT) {
        pci_set_long(d->config + msi_mask_off(d), 0);
        pci_set_long(d->config + msi_mask_off(d) + 4, 0);
    }
}
