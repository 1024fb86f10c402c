"""kvmu's QAPI generator: reads QEMU's schema language, emits C."""
