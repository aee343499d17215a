/* mbrl pets: PETS with the configuration of its environment (include/mbrl/pets.h); every setting
 * of mbrl mb and --epochs can be changed by flag. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "mb_flags.h"
#include "mbrl/core.h"
#include "mbrl/pets.h"

static void report(void *ctx, const mbrl_mb_progress *p) { mb_progress_line(ctx, p, ""); }

/* the value of --env_name on the command line, or NULL */
static const char *env_name_of(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--env_name") && i + 1 < argc) return argv[i + 1];
    if (!strncmp(argv[i], "--env_name=", 11)) return argv[i] + 11;
  }
  return NULL;
}

int mbrl_cmd_pets(int argc, char **argv) {
  /* the defaults, and so --help, are those of the environment named */
  mbrl_pets_config c = mbrl_pets_defaults(env_name_of(argc, argv));
  const mbrl_pets_config preset = c;
  mb_flag_values v;
  flag flags[MB_FLAGS_MAX];
  int n = mb_flags(flags, &v, &mbrl_pets_table, &c, &c.mb, 1);
  c.mb.ep_len = preset.mb.ep_len; /* the environment's own */
  for (int i = 0; i < mbrl_planner_registry_count() && i < MB_PLANNERS_MAX; i++)
    if (!strcmp(mbrl_planner_registry_get(i)->name, preset.mb.planner.name))
      memcpy(v.opts[i], preset.mb.planner.opts, sizeof v.opts[i]);
  int rc = flags_parse("pets",
                       "PETS (Chua et al. 2018): MPC with CEM through a probabilistic ensemble by trajectory\n"
                       "sampling, one random trial then trials of MPC, the model refitted after each. The\n"
                       "defaults are the PETS configuration of --env_name (mbrl pets --env_name X --help).",
                       flags, n, argc, argv);
  if (rc) return rc == 1 ? 0 : rc;
  char dir[1024] = "", err[1024] = "";
  double last_line = 0.0;
  if (mb_flags_resuming(&v)) {
    if (!v.quiet) printf("mbrl pets: resuming %s, %d threads (%s)\n", v.resume, mbrl_threads_get(), mbrl_backend_info());
    rc = mbrl_pets_resume(v.resume, v.quiet ? NULL : report, &last_line, err, sizeof err);
    return mb_run_status("pets", rc, v.resume, err, v.quiet, "the model");
  }
  if ((rc = mb_flags_finish("pets", &v))) return rc;

  if (!v.quiet)
    printf("mbrl pets: %s, %d trials, %s planner (H %d, N %d, %s x %d particles), %d threads (%s)\n",
           c.mb.env_name, c.mb.n_iter, c.mb.planner.name, c.mb.planner.H, c.mb.planner.N,
           mbrl_propagation_names[c.mb.planner.prop.mode], c.mb.planner.prop.particles, mbrl_threads_get(),
           mbrl_backend_info());
  rc = mbrl_pets_run(&c, v.quiet ? NULL : report, &last_line, dir, sizeof dir, err, sizeof err);
  return mb_run_status("pets", rc, dir, err, v.quiet, "the model");
}
