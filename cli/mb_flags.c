/* The flags, checks and progress lines mbrl mb and mbrl mbpo share. */
#include "mb_flags.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

#include "mbrl/core.h"
#include "mbrl/planner.h"

int mb_flags(flag *out, mb_flag_values *v, const mbrl_config_table *table, void *base, mbrl_mb_config *c, int mb) {
  memset(v, 0, sizeof *v);
  v->c = c, v->mb = mb;
  c->ep_len = 200; /* run_hw4_mb.py's default, for environments outside the course */
  int n = flags_from_config(out, MB_FLAGS_MAX, table, base);
  const int n_classes = mbrl_planner_registry_count();
  for (int i = 0; i < n_classes && i < MB_PLANNERS_MAX; i++) {
    const mbrl_config_table *t = mbrl_planner_registry_get(i)->options;
    if (!t) continue;
    mbrl_config_defaults(t, v->opts[i]);
    n += flags_from_config(out + n, MB_FLAGS_MAX - n, t, v->opts[i]);
  }
  const flag cli[] = {
      {"--no_gpu", "-ngpu", FLAG_BOOL, &v->no_gpu, 0, 0, "accepted for compatibility; mbrl runs on the CPU"},
      {"--which_gpu", "-gpu_id", FLAG_INT, &v->which_gpu, 0, 1024, "accepted for compatibility; no effect"},
      {"--threads", NULL, FLAG_INT, &v->threads, 0, 1024, "threads for float work (0: all cores)"},
      {"--quiet", NULL, FLAG_BOOL, &v->quiet, 0, 0, "no progress lines"},
      {"--resume", NULL, FLAG_STRING, &v->resume, 0, 0,
       "go on with a stopped run from its directory, with its settings (give the same --threads\n"
       "for results identical to a run never stopped)"},
  };
  for (size_t i = 0; i < sizeof cli / sizeof *cli && n < MB_FLAGS_MAX; i++) out[n++] = cli[i];
  if (mb) return n;
  /* run_hw4_mbpo.py: fewer short aliases, and MPC settings that nothing uses */
  const char *keep[] = {"-n", "-tb", "-eb", "-ngpu", "-gpu_id"};
  const char *lo = (const char *)&c->planner, *hi = lo + sizeof c->planner;
  for (int i = 0; i < n; i++) {
    int kept = 0;
    for (size_t k = 0; k < sizeof keep / sizeof *keep && out[i].alias; k++) kept |= !strcmp(out[i].alias, keep[k]);
    if (!kept) out[i].alias = NULL;
    if (out[i].type != FLAG_FIELD) continue;
    const char *at = ((const flag_field *)out[i].value)->owner;
    int planner = (at >= lo && at < hi) || (at >= (const char *)v->opts && at < (const char *)(v->opts + MB_PLANNERS_MAX));
    if (planner) out[i].help = "accepted and unused, as in run_hw4_mbpo.py";
  }
  return n;
}

int mb_flags_resuming(const mb_flag_values *v) {
  if (!v->resume) return 0;
  mbrl_threads_set(v->threads);
  return 1;
}

int mb_flags_finish(const char *cmd, mb_flag_values *v) {
  mbrl_mb_config *c = v->c;
  if (!c->env_name[0]) {
    fprintf(stderr, "mbrl %s: --env_name is required (mbrl envs lists the environments)\n", cmd);
    return 2;
  }
  /* the chosen planner takes the options the flags set for it */
  const mbrl_planner_class *cls = mbrl_planner_find(c->planner.name);
  if (!cls) {
    fprintf(stderr, "mbrl %s: --mpc_action_sampling_strategy must name a planner (", cmd);
    for (int i = 0; i < mbrl_planner_registry_count(); i++)
      fprintf(stderr, "%s%s", i ? ", " : "", mbrl_planner_registry_get(i)->name);
    fprintf(stderr, "), got '%s'\n", c->planner.name);
    return 2;
  }
  for (int i = 0; i < mbrl_planner_registry_count() && i < MB_PLANNERS_MAX; i++)
    if (mbrl_planner_registry_get(i) == cls) memcpy(c->planner.opts, v->opts[i], sizeof c->planner.opts);
  if (c->precision == MBRL_PRECISION_BF16 && !mbrl_bf16_native())
    fprintf(stderr, "mbrl %s: this CPU has no bfloat16 units (AVX-512 BF16 or AMX); predicting in fp32\n", cmd);
  /* the course's scripts force the episode length of its three environments */
  if (!strncmp(c->env_name, "cheetah-cs285", 13) || !strncmp(c->env_name, "obstacles-cs285", 15) ||
      !strncmp(c->env_name, "reacher-cs285", 13))
    c->ep_len = 0;
  mbrl_threads_set(v->threads);
  return 0;
}

void mb_progress_line(double *last_line, const mbrl_mb_progress *p, const char *extra) {
  if (p->warning) {
    fprintf(stderr, "mbrl: %s; the run goes on without video\n", p->warning);
    return;
  }
  if (strcmp(p->phase, "done") != 0) {
    if (p->elapsed - *last_line < 30.0) return;
    *last_line = p->elapsed;
    printf("itr %3d/%d  %s %d/%d steps  %6.0f s elapsed\n", p->itr + 1, p->n_iter, p->phase, p->steps,
           p->steps_total, p->elapsed);
    fflush(stdout);
    return;
  }
  *last_line = p->elapsed;
  /* the remaining time assumes later iterations cost what the ones so far did on average */
  double eta = p->elapsed / (p->itr + 1) * (p->n_iter - p->itr - 1);
  printf("itr %3d/%d  envsteps %8lld  train %9.2f  eval %9.2f  loss %.4f%s  %6.0f s elapsed, ~%.0f s left\n",
         p->itr + 1, p->n_iter, (long long)p->envsteps, p->train_return, p->eval_return, p->loss, extra,
         p->elapsed, eta);
  fflush(stdout);
}

int mb_run_status(const char *cmd, int rc, const char *dir, const char *err, int quiet, const char *what) {
  if (rc) {
    fprintf(stderr, "mbrl %s: %s\n", cmd, err);
    if (dir[0]) fprintf(stderr, "mbrl %s: what was written is in %s\n", cmd, dir);
    return cli_status(rc);
  }
  if (quiet && err[0]) fprintf(stderr, "mbrl %s: %s; the run went on without video\n", cmd, err);
  if (!quiet) printf("logs, plots and %s are in %s\n", what, dir);
  return 0;
}
