/*
 * Test-only device and bus types for the qdev unit tests. Every realize,
 * unrealize, reset and hotplug callback appends "what:id" to test_log.
 */
#ifndef TEST_QDEV_TYPES_H
#define TEST_QDEV_TYPES_H

#include "hw/qdev.h"

#define TYPE_TEST_BUS "TEST"
#define TYPE_TEST_ONE_BUS "ONE"              /* holds one device */
#define TYPE_TEST_BRIDGE "test-bridge"       /* on System, owns a TEST bus */
#define TYPE_TEST_HP_BRIDGE "test-hp-bridge" /* same, hotplug handler */
#define TYPE_TEST_DEV "test-dev"             /* on TEST, property table */
#define TYPE_TEST_SUB_DEV "test-sub-dev"     /* subclass of test-dev */
#define TYPE_TEST_NOUSER "test-nouser"       /* user_creatable = false */
#define TYPE_TEST_NOHOTPLUG "test-nohotplug"
#define TYPE_TEST_ABSTRACT_DEV "test-abstract-dev"
#define TYPE_TEST_ONE_DEV "test-one-dev" /* on ONE */
#define TYPE_TEST_BUSLESS "test-busless" /* no bus */

typedef struct {
    DeviceState parent;
    uint32_t iobase;
    uint8_t irq;
    bool enabled;
    uint64_t size;
    int mode;
    char *name;
} TestDev;

typedef struct {
    TestDev parent;
    uint16_t extra;
} TestSubDev;

extern GString *test_log;
extern int test_finalized;
void test_log_reset(void);
void test_qdev_types_register(void);

#endif
