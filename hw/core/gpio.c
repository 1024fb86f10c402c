/*
 * Named GPIO lines of a device: inputs it owns (qemu_irqs allocated with
 * its handler, freed with the device) and outputs (pointers to qemu_irq
 * variables in its state, which wiring fills in).
 */
#include "hw/qdev.h"
#include "hw/irq.h"
#include "hw/core/qdev-internal.h"

#include <string.h>

typedef struct {
    char *name;     /* NULL: the unnamed list */
    GPtrArray *in;  /* qemu_irq, owned */
    GPtrArray *out; /* qemu_irq *, into the device state */
} GPIOList;

static GPIOList *gpio_list(DeviceState *dev, const char *name, bool create)
{
    for (GSList *l = dev->gpios; l; l = l->next) {
        GPIOList *g = l->data;
        if (g_strcmp0(g->name, name) == 0) {
            return g;
        }
    }
    if (!create) {
        return NULL;
    }
    GPIOList *g = g_new0(GPIOList, 1);
    g->name = g_strdup(name);
    g->in = g_ptr_array_new_with_free_func((GDestroyNotify)qemu_free_irq);
    g->out = g_ptr_array_new();
    dev->gpios = g_slist_append(dev->gpios, g);
    return g;
}

void qdev_init_gpio_in_named(DeviceState *dev, qdev_gpio_handler handler,
                             const char *name, int n)
{
    GPIOList *g = gpio_list(dev, name, true);

    for (int i = 0; i < n; i++) {
        g_ptr_array_add(g->in, qemu_allocate_irq(handler, dev, g->in->len));
    }
}

void qdev_init_gpio_in(DeviceState *dev, qdev_gpio_handler handler, int n)
{
    qdev_init_gpio_in_named(dev, handler, NULL, n);
}

void qdev_init_gpio_out_named(DeviceState *dev, qemu_irq *pins,
                              const char *name, int n)
{
    GPIOList *g = gpio_list(dev, name, true);

    for (int i = 0; i < n; i++) {
        g_ptr_array_add(g->out, &pins[i]);
    }
}

void qdev_init_gpio_out(DeviceState *dev, qemu_irq *pins, int n)
{
    qdev_init_gpio_out_named(dev, pins, NULL, n);
}

qemu_irq qdev_get_gpio_in_named(DeviceState *dev, const char *name, int n)
{
    GPIOList *g = gpio_list(dev, name, false);

    if (!g || n < 0 || (guint)n >= g->in->len) {
        return NULL; /* an unconnected line; see qdev.h */
    }
    return g->in->pdata[n];
}

qemu_irq qdev_get_gpio_in(DeviceState *dev, int n)
{
    return qdev_get_gpio_in_named(dev, NULL, n);
}

void qdev_connect_gpio_out_named(DeviceState *dev, const char *name, int n,
                                 qemu_irq irq)
{
    GPIOList *g = gpio_list(dev, name, false);

    if (!g || n < 0 || (guint)n >= g->out->len) {
        return; /* see qdev.h */
    }
    *(qemu_irq *)g->out->pdata[n] = irq;
}

void qdev_connect_gpio_out(DeviceState *dev, int n, qemu_irq irq)
{
    qdev_connect_gpio_out_named(dev, NULL, n, irq);
}

int qdev_gpio_count_in(DeviceState *dev, const char *name)
{
    GPIOList *g = gpio_list(dev, name, false);

    return g ? (int)g->in->len : 0;
}

int qdev_gpio_count_out(DeviceState *dev, const char *name)
{
    GPIOList *g = gpio_list(dev, name, false);

    return g ? (int)g->out->len : 0;
}

void qdev_gpio_free_all(DeviceState *dev)
{
    for (GSList *l = dev->gpios; l; l = l->next) {
        GPIOList *g = l->data;
        g_free(g->name);
        g_ptr_array_free(g->in, true);
        g_ptr_array_free(g->out, true);
        g_free(g);
    }
    g_slist_free(dev->gpios);
    dev->gpios = NULL;
}

void qdev_gpio_foreach(DeviceState *dev,
                       void (*fn)(const char *name, int n_in, int n_out,
                                  void *opaque),
                       void *opaque)
{
    for (GSList *l = dev->gpios; l; l = l->next) {
        GPIOList *g = l->data;
        fn(g->name, g->in->len, g->out->len, opaque);
    }
}
