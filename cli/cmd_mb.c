/* mbrl mb: CS285 HW4's run_hw4_mb.py, with the same flags, aliases and defaults. */
#include <stdio.h>

#include "cli.h"
#include "mb_flags.h"
#include "mbrl/core.h"
#include "mbrl/mb.h"

static void report(void *ctx, const mbrl_mb_progress *p) { mb_progress_line(ctx, p, ""); }

int mbrl_cmd_mb(int argc, char **argv) {
  mbrl_mb_config c = mbrl_mb_defaults();
  mb_flag_values v;
  flag flags[MB_FLAGS_MAX];
  int n = mb_flags(flags, &v, &mbrl_mb_table, &c, &c, 1);
  int rc = flags_parse("mb",
                       "Model-based RL with MPC through a learned dynamics ensemble (CS285 HW4,\n"
                       "run_hw4_mb.py): each iteration collects data, refits the model and evaluates.",
                       flags, n, argc, argv);
  if (rc) return rc == 1 ? 0 : rc;
  char dir[1024] = "", err[1024] = "";
  double last_line = 0.0;
  if (mb_flags_resuming(&v)) {
    if (!v.quiet) printf("mbrl mb: resuming %s, %d threads (%s)\n", v.resume, mbrl_threads_get(), mbrl_backend_info());
    rc = mbrl_mb_resume(v.resume, v.quiet ? NULL : report, &last_line, err, sizeof err);
    return mb_run_status("mb", rc, v.resume, err, v.quiet, "the model");
  }
  if ((rc = mb_flags_finish("mb", &v))) return rc;

  if (!v.quiet)
    printf("mbrl mb: %s, %d iterations, %s planner, %d threads (%s)\n", c.env_name, c.n_iter, c.planner.name,
           mbrl_threads_get(), mbrl_backend_info());
  rc = mbrl_mb_run(&c, v.quiet ? NULL : report, &last_line, dir, sizeof dir, err, sizeof err);
  return mb_run_status("mb", rc, dir, err, v.quiet, "the model");
}
