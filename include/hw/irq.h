/*
 * Interrupt lines between devices: a qemu_irq is a handle that, when
 * set, calls its handler(opaque, n, level). Interrupt controllers
 * allocate input lines; devices hold output lines and call
 * qemu_set_irq(). A NULL qemu_irq is a line connected to nothing.
 *
 * Called with the big VMM lock held (devices raise lines while handling
 * an exit); the handler runs synchronously in the caller's thread.
 */
#ifndef HW_IRQ_H
#define HW_IRQ_H

#include <glib.h>

typedef struct IRQState *qemu_irq;
typedef void (*qemu_irq_handler)(void *opaque, int n, int level);

qemu_irq qemu_allocate_irq(qemu_irq_handler handler, void *opaque, int n);
/* n lines numbered 0..n-1; free with qemu_free_irqs(irqs, n). */
qemu_irq *qemu_allocate_irqs(qemu_irq_handler handler, void *opaque, int n);
void qemu_free_irq(qemu_irq irq);
void qemu_free_irqs(qemu_irq *irqs, int n);

void qemu_set_irq(qemu_irq irq, int level);
static inline void qemu_irq_raise(qemu_irq irq)
{
    qemu_set_irq(irq, 1);
}
static inline void qemu_irq_lower(qemu_irq irq)
{
    qemu_set_irq(irq, 0);
}
static inline void qemu_irq_pulse(qemu_irq irq)
{
    qemu_set_irq(irq, 1);
    qemu_set_irq(irq, 0);
}

/* A line that inverts; one that fans out to two lines. */
qemu_irq qemu_irq_invert(qemu_irq irq);
qemu_irq qemu_irq_split(qemu_irq irq1, qemu_irq irq2);

#endif
