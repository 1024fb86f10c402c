/*
 * kvmu-system-x86_64: main(). Parse and validate the whole command line
 * (nothing runs with a bad option behind it), then daemonize, write the
 * pid file, build the machine, install the sandbox, run the main loop
 * until shutdown, and clean up (pid file removed, terminal restored).
 */
#include "config-host.h"
#include "cli/build.h"
#include "cli/daemon.h"
#include "cli/machine.h"
#include "cli/options.h"
#include "cli/sandbox.h"
#include "system/main-loop.h"
#include "system/runstate.h"
#include "util/error.h"
#include "util/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

static int run(VmConfig *cfg)
{
    GError *err = NULL;
    int status = 1;

    if (cfg->process_name) {
        process_set_name(cfg->process_name);
    }
    if (cfg->mem_lock && mlockall(MCL_CURRENT | MCL_FUTURE) < 0) {
        error_report("locking memory failed: %s", g_strerror(errno));
        return 1;
    }
    if (cfg->logfile && !log_set_file(cfg->logfile, &err)) {
        error_prepend(&err, "-D %s: ", cfg->logfile);
        error_report_err(err);
        return 1;
    }
    if (cfg->log_items) {
        int mask = 0;
        log_parse_items(cfg->log_items, &mask, NULL);  /* checked by -d */
        log_set_mask(mask);
    }
    if (cfg->daemonize && !daemon_start(&err)) {
        error_report_err(err);
        return 1;
    }
    /* before any thread exists: the signal mask is inherited */
    main_loop_init();
    runstate_set_actions(cfg->no_reboot, cfg->no_shutdown, cfg->panic_action,
                         cfg->watchdog_action);
    if (cfg->pidfile && !pidfile_create(cfg->pidfile, &err)) {
        error_report_err(err);
        goto fail;
    }
    /* building the machine touches chardevs, devices and the run state,
     * all protected by the BQL; the main loop takes it itself */
    bql_lock();
    bool ok = machine_build(cfg, &err) &&
              (!cfg->sandbox || sandbox_install(cfg->sandbox_flags, &err)) &&
              (cfg->start_paused || vm_start(&err));
    bql_unlock();
    if (!ok) {
        error_report_err(err);
        goto fail;
    }
    daemon_ready();
    status = main_loop_run();
    if (!status) {
        status = runstate_exit_status();  /* panic=exit-failure: 1 */
    }
    bql_lock();
    machine_teardown(cfg);
    bql_unlock();
    pidfile_remove();
    return status;

fail:
    daemon_failed();
    bql_lock();
    machine_teardown(cfg);
    bql_unlock();
    pidfile_remove();
    return 1;
}

int main(int argc, char **argv)
{
    VmConfig *cfg = vm_config_new();
    int status;

    error_set_progname(argv[0]);
    cli_register_opt_groups();
    machines_register_all();
    cli_register_qom_names();
    if (!cli_parse(cfg, argc, argv, &status) ||
        cli_print_listings(cfg, &status)) {
        vm_config_free(cfg);
        return status;
    }
    if (!vm_config_finalize(cfg)) {
        vm_config_free(cfg);
        return 1;
    }
    status = run(cfg);
    vm_config_free(cfg);
    return status;
}
