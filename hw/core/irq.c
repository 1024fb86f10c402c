/* Interrupt lines (include/hw/irq.h). */
#include "hw/irq.h"

struct IRQState {
    qemu_irq_handler handler;
    void *opaque;
    int n;
    void *owned; /* freed with the line (split state) */
};

qemu_irq qemu_allocate_irq(qemu_irq_handler handler, void *opaque, int n)
{
    qemu_irq irq = g_new0(struct IRQState, 1);

    irq->handler = handler;
    irq->opaque = opaque;
    irq->n = n;
    return irq;
}

qemu_irq *qemu_allocate_irqs(qemu_irq_handler handler, void *opaque, int n)
{
    qemu_irq *irqs = g_new0(qemu_irq, n);

    for (int i = 0; i < n; i++) {
        irqs[i] = qemu_allocate_irq(handler, opaque, i);
    }
    return irqs;
}

void qemu_free_irq(qemu_irq irq)
{
    if (irq) {
        g_free(irq->owned);
    }
    g_free(irq);
}

void qemu_free_irqs(qemu_irq *irqs, int n)
{
    for (int i = 0; i < n; i++) {
        qemu_free_irq(irqs[i]);
    }
    g_free(irqs);
}

void qemu_set_irq(qemu_irq irq, int level)
{
    if (irq) {
        irq->handler(irq->opaque, irq->n, level);
    }
}

static void invert_handler(void *opaque, int n, int level)
{
    qemu_set_irq(opaque, !level);
}

qemu_irq qemu_irq_invert(qemu_irq irq)
{
    /* The line starts low, so its target starts high. */
    qemu_irq_raise(irq);
    return qemu_allocate_irq(invert_handler, irq, 0);
}

typedef struct {
    qemu_irq a, b;
} SplitIRQ;

static void split_handler(void *opaque, int n, int level)
{
    SplitIRQ *s = opaque;

    qemu_set_irq(s->a, level);
    qemu_set_irq(s->b, level);
}

qemu_irq qemu_irq_split(qemu_irq irq1, qemu_irq irq2)
{
    SplitIRQ *s = g_new0(SplitIRQ, 1);

    s->a = irq1;
    s->b = irq2;
    qemu_irq irq = qemu_allocate_irq(split_handler, s, 0);
    irq->owned = s;
    return irq;
}
