/* PETS: the configurations it takes per environment, and a short run's directory (one random
 * trial, then MPC trials through a probabilistic ensemble, the best return so far logged). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "../io/io_test.h"
#include "mbrl/core.h"
#include "mbrl/pets.h"

Test(pets, defaults_follow_the_environments_pets_configuration) {
  mbrl_pets_config c = mbrl_pets_defaults("cartpole-continuous-v0");
  cr_expect_str_eq(c.mb.env_name, "cartpole-continuous-v0");
  cr_expect_eq(c.mb.n_iter, 11, "one random trial and ten of MPC");
  cr_expect(c.mb.model.probabilistic && c.mb.model.bootstrap);
  cr_expect_eq(c.mb.model.E, 5);
  cr_expect_eq(c.mb.model.n_layers, 3);
  cr_expect_eq(c.mb.model.size, 200);
  cr_expect_eq(c.mb.model.train_batch_size, 32);
  cr_expect_float_eq(c.mb.model.weight_decay, 5e-5f, 1e-9);
  cr_expect_eq(c.epochs, 50);
  cr_expect_str_eq(c.mb.planner.name, "cem");
  cr_expect_eq(c.mb.planner.H, 15);
  cr_expect_eq(c.mb.planner.N, 500);
  cr_expect_eq(c.mb.planner.prop.mode, MBRL_PROP_TSINF);
  cr_expect_eq(c.mb.planner.prop.particles, 20);
  cr_expect(c.mb.planner.prop.use_done, "cart-pole balance ends its episodes");
  cr_expect_eq(c.mb.scalar_log_freq, -1, "no evaluation episodes besides the trials");
  cr_expect_str_eq(c.mb.model.angle_dims, "");
  mbrl_pets_config sw = mbrl_pets_defaults("cartpole-pets-v0");
  cr_expect_eq(sw.mb.model.size, 500);
  cr_expect_eq(sw.mb.planner.H, 25);
  cr_expect_eq(sw.mb.planner.N, 400);
  cr_expect_str_eq(sw.mb.model.angle_dims, "1", "PETS's sine and cosine of the pole angle");
  mbrl_pets_config g = mbrl_pets_defaults("no-such-env-v0");
  cr_expect_eq(g.mb.planner.H, 25, "PETS's general horizon elsewhere");
  cr_expect_eq(g.epochs, 5);
  cr_expect(!g.mb.planner.prop.use_done);
}

Test(pets, a_short_run_logs_trials_and_the_best_so_far, .timeout = 120) {
  char dir[64], path[1300], err[512] = "", run[1024] = "";
  io_test_mkdtemp(dir);
  mbrl_pets_config c = mbrl_pets_defaults("cartpole-continuous-v0");
  snprintf(c.mb.logdir, sizeof c.mb.logdir, "%s", dir);
  c.mb.n_iter = 3, c.epochs = 2, c.mb.ep_len = 30;
  c.mb.planner.N = 60, c.mb.planner.H = 5, c.mb.planner.prop.particles = 4;
  c.mb.model.n_layers = 1, c.mb.model.size = 32;
  int rc = mbrl_pets_run(&c, NULL, NULL, run, sizeof run, err, sizeof err);
  cr_assert_eq(rc, 0, "%s", err);
  snprintf(path, sizeof path, "%s/metrics.csv", run);
  FILE *f = fopen(path, "r");
  cr_assert_not_null(f, "%s", path);
  char line[2048];
  cr_assert_not_null(fgets(line, sizeof line, f));
  cr_expect(strstr(line, "Best_Return_So_Far") != NULL, "%s", line);
  int rows = 0;
  while (fgets(line, sizeof line, f)) rows++;
  fclose(f);
  cr_expect_eq(rows, 3, "one row per trial");
  const char *files[] = {"returns.png", "model.safetensors", "config.json", "itr_0_predictions.png"};
  for (size_t i = 0; i < sizeof files / sizeof *files; i++)
    cr_expect(io_test_nonempty(run, files[i]), "%s/%s", run, files[i]);
  /* a bad setting is refused before anything runs */
  c.epochs = -1;
  cr_expect_eq(mbrl_pets_run(&c, NULL, NULL, NULL, 0, err, sizeof err), MBRL_EINVAL);
  io_test_rmtree(dir);
}
