/* The mbrl command: usage errors exit 2 with a message; the demo trains and saves a model. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mbrl/dynamics.h"
#include "run_cli.h"

Test(cli, bad_flags_exit_2_with_a_message) {
  char out[4096];
  cr_assert_eq(run_mbrl("demo --no_such_flag", out, sizeof out), 2);
  cr_assert(strstr(out, "unknown flag '--no_such_flag'"), "%s", out);
  cr_assert_eq(run_mbrl("demo --steps ten", out, sizeof out), 2);
  cr_assert(strstr(out, "--steps needs an integer"), "%s", out);
  cr_assert_eq(run_mbrl("demo --size 0", out, sizeof out), 2);
  cr_assert(strstr(out, "--size must be in"), "%s", out);
  cr_assert_eq(run_mbrl("demo --seed", out, sizeof out), 2);
  cr_assert(strstr(out, "needs a value"), "%s", out);
  cr_assert_eq(run_mbrl("no-such-command", out, sizeof out), 2);
  cr_assert_eq(run_mbrl("demo --env_name nowhere-v0", out, sizeof out), 2);
  cr_assert(strstr(out, "cheetah-cs285-v0"), "unknown env should list the known ones: %s", out);
}

Test(cli, help_lists_flags_with_defaults) {
  char out[8192];
  cr_assert_eq(run_mbrl("demo --help", out, sizeof out), 0);
  cr_assert(strstr(out, "--ensemble_size, -e N") && strstr(out, "[3]"), "%s", out);
  cr_assert_eq(run_mbrl("--help", out, sizeof out), 0);
  cr_assert(strstr(out, "demo"), "%s", out);
}

Test(cli, demo_trains_and_saves_a_loadable_model) {
  char dir[64] = "/tmp/mbrl-demo-XXXXXX", args[256], out[8192], path[128], err[256];
  cr_assert_not_null(mkdtemp(dir));
  snprintf(args, sizeof args, "demo --env_name pendulum-swingup-v0 --n_data 2000 --steps 50 -s 32 --out %s", dir);
  cr_assert_eq(run_mbrl(args, out, sizeof out), 0, "%s", out);
  cr_assert(strstr(out, "held-out MSE"), "%s", out);
  snprintf(path, sizeof path, "%s/model.safetensors", dir);
  mbrl_dynamics dyn;
  mbrl_rng r;
  mbrl_rng_init(&r, 1, 0);
  cr_assert_eq(mbrl_dynamics_load(&dyn, path, &r, err, sizeof err), 0, "%s", err);
  cr_assert_eq(dyn.cfg.E, 3);
  cr_assert_eq(dyn.cfg.size, 32);
  cr_assert(dyn.has_stats, "the saved model keeps its statistics");
  mbrl_dynamics_free(&dyn);
  remove(path);
  rmdir(dir);
}
