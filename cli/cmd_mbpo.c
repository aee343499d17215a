/* mbrl mbpo: CS285 HW4's run_hw4_mbpo.py (problem 6), with the same flags, aliases and defaults. */
#include <stdio.h>

#include "cli.h"
#include "mb_flags.h"
#include "mbrl/core.h"
#include "mbrl/mbpo.h"

static void report(void *ctx, const mbrl_mbpo_progress *p) {
  char extra[160];
  snprintf(extra, sizeof extra, "  sac updates %lld  model transitions %lld  alpha %.4f",
           (long long)p->sac_updates, (long long)p->model_transitions, (double)p->sac.temperature);
  mb_progress_line(ctx, &p->mb, extra);
}

int mbrl_cmd_mbpo(int argc, char **argv) {
  mbrl_mbpo_config c = mbrl_mbpo_defaults();
  mb_flag_values v;
  flag flags[MB_FLAGS_MAX];
  int n = mb_flags(flags, &v, &mbrl_mbpo_table, &c, &c.mb, 0);
  int rc = flags_parse("mbpo",
                       "Model-based policy optimisation (CS285 HW4 problem 6, run_hw4_mbpo.py): SAC trained\n"
                       "on real data and on rollouts of its actor through a learned dynamics ensemble.",
                       flags, n, argc, argv);
  if (rc) return rc == 1 ? 0 : rc;
  char dir[1024] = "", err[1024] = "";
  double last_line = 0.0;
  if (mb_flags_resuming(&v)) {
    if (!v.quiet) printf("mbrl mbpo: resuming %s, %d threads (%s)\n", v.resume, mbrl_threads_get(), mbrl_backend_info());
    rc = mbrl_mbpo_resume(v.resume, v.quiet ? NULL : report, &last_line, err, sizeof err);
    return mb_run_status("mbpo", rc, v.resume, err, v.quiet, "the model and agent checkpoints");
  }
  if ((rc = mb_flags_finish("mbpo", &v))) return rc;

  if (!v.quiet)
    printf("mbrl mbpo: %s, %d iterations, rollouts of %d steps, %lld SAC updates per iteration, %d threads (%s)\n",
           c.mb.env_name, c.mb.n_iter, c.mbpo_rollout_length,
           (long long)c.sac_n_iter * c.sac_num_agent_train_steps_per_iter, mbrl_threads_get(), mbrl_backend_info());
  rc = mbrl_mbpo_run(&c, v.quiet ? NULL : report, &last_line, dir, sizeof dir, err, sizeof err);
  return mb_run_status("mbpo", rc, dir, err, v.quiet, "the model and agent checkpoints");
}
