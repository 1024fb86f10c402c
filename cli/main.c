/* Placeholder main(): replaced by the command line (issue: foundation). */
#include "config-host.h"
#include "util/error.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    error_set_progname(argv[0]);
    if (argc > 1 && (!strcmp(argv[1], "-version") ||
                     !strcmp(argv[1], "--version"))) {
        printf("QEMU emulator version %s (kvmu %s)\n", QEMU_IFACE_VERSION,
               KVMU_VERSION);
        return 0;
    }
    error_report("the command line is not implemented yet");
    return 1;
}
