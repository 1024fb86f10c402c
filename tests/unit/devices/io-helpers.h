/* Port I/O as a guest does it, for device tests that run without a CPU. */
#ifndef TESTS_UNIT_DEVICES_IO_HELPERS_H
#define TESTS_UNIT_DEVICES_IO_HELPERS_H

#include "memory/memory.h"

static inline void outb(uint16_t port, uint8_t v)
{
    address_space_stb(&address_space_io, port, v, MEMTXATTRS_UNSPECIFIED,
                      NULL);
}

static inline uint8_t inb(uint16_t port)
{
    return address_space_ldub(&address_space_io, port,
                              MEMTXATTRS_UNSPECIFIED, NULL);
}

#endif
