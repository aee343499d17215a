/* PETS: the configurations it takes per environment, and a short run's directory (one random
 * trial, then MPC trials through a probabilistic ensemble, the best return so far logged). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../io/io_test.h"
#include "mbrl/core.h"
#include "mbrl/env.h"
#include "mbrl/pets.h"
#include "mbrl/planner.h"

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

/* ---- mbrl-lib's planner smoke test: a point mass on a line ---- */

/* obs (position, velocity) from (1, 0); the action in [-1, 1] is added to the velocity, then the
 * velocity to the position; reward -0.001 position^2 after the step; 30 steps */
typedef struct {
  double x, v;
} point_mass;

static void pm_reset(void *self, mbrl_rng *rng, float *obs) {
  (void)rng;
  point_mass *m = self;
  m->x = 1.0, m->v = 0.0;
  obs[0] = 1.0f, obs[1] = 0.0f;
}
static int pm_step(void *self, const float *act, float *next_obs) {
  point_mass *m = self;
  m->v += act[0], m->x += m->v;
  next_obs[0] = (float)m->x, next_obs[1] = (float)m->v;
  return 0;
}
static void pm_reward(const void *self, const float *obs, const float *act, const float *next_obs, int B,
                      float *reward, int *done) {
  (void)self, (void)obs, (void)act;
  for (int b = 0; b < B; b++) {
    reward[b] = -0.001f * next_obs[2 * b] * next_obs[2 * b];
    if (done) done[b] = 0;
  }
}
static void pm_get_state(const void *self, double *state) {
  const point_mass *m = self;
  state[0] = m->x, state[1] = m->v;
}
static void pm_set_state(void *self, const double *state, float *obs) {
  point_mass *m = self;
  m->x = state[0], m->v = state[1];
  obs[0] = (float)m->x, obs[1] = (float)m->v;
}
static const mbrl_env_class point_mass_class = {
    .name = "test-point-mass-v0", .obs_dim = 2, .act_dim = 1, .ep_len = 30, .state_dim = 2,
    .self_size = sizeof(point_mass), .reset = pm_reset, .step = pm_step, .reward = pm_reward,
    .get_state = pm_get_state, .set_state = pm_set_state};

typedef struct {
  double best; /* the best MPC trial's return */
} best_trial;

static void keep_best(void *ctx, const mbrl_mb_progress *p) {
  best_trial *b = ctx;
  if (!strcmp(p->phase, "done") && p->itr > 0 && p->train_return > b->best) b->best = p->train_return;
}

/* after 500 random steps and at most 5 model-based episodes, CEM, MPPI and iCEM each reach a best
 * episode return above -0.02, which a random policy reaches with a probability below 1e-5 */
Test(pets, every_sampling_planner_solves_the_point_mass, .timeout = 300) {
  char dir[64], err[512] = "";
  int rc = mbrl_env_register(&point_mass_class, err, sizeof err);
  cr_assert(rc == 0 || strstr(err, "already"), "%s", err);
  io_test_mkdtemp(dir);
  const char *planners[] = {"cem", "mppi", "icem"};
  for (int i = 0; i < 3; i++) {
    mbrl_pets_config c = mbrl_pets_defaults("test-point-mass-v0");
    snprintf(c.mb.logdir, sizeof c.mb.logdir, "%s", dir);
    snprintf(c.mb.exp_name, sizeof c.mb.exp_name, "%s", planners[i]);
    c.mb.batch_size_initial = 500, c.mb.n_iter = 6, c.epochs = 20;
    c.mb.model.n_layers = 2, c.mb.model.size = 64;
    cr_assert_eq(mbrl_planner_set(&c.mb.planner, "mpc_action_sampling_strategy", planners[i], err, sizeof err), 0);
    c.mb.planner.H = 15, c.mb.planner.N = 200, c.mb.planner.prop.particles = 5;
    best_trial b = {-INFINITY};
    rc = mbrl_pets_run(&c, keep_best, &b, NULL, 0, err, sizeof err);
    cr_assert_eq(rc, 0, "%s: %s", planners[i], err);
    cr_expect(b.best > -0.02, "%s: best MPC episode %g", planners[i], b.best);
    fprintf(stderr, "point mass, %s: best MPC episode %g\n", planners[i], b.best);
  }
  io_test_rmtree(dir);
}
