/* MPC planners: random shooting and CEM on a quadratic task of the test's own, the random policy
 * before the model is ready, bad settings, a registered class of the test's, and planning on the
 * true obstacles dynamics through the environment's task. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "mbrl/core.h"
#include "mbrl/env.h"
#include "mbrl/planner.h"

/* ---- a task without an environment: obs 1, act 2 in [-1, 1], r = obs'[0] - |a - target|^2 ---- */

static float target[2] = {0.3f, -0.6f};
static const float lo[2] = {-1.0f, -1.0f}, hi[2] = {1.0f, 1.0f};

static void quad_reward(void *ctx, const float *obs, const float *act, const float *next_obs, int B,
                        float *reward, int *done) {
  (void)ctx, (void)obs;
  for (int b = 0; b < B; b++) {
    float d0 = act[2 * b] - target[0], d1 = act[2 * b + 1] - target[1];
    reward[b] = next_obs[b] - (d0 * d0 + d1 * d1);
    if (done) done[b] = 0;
  }
}

static const mbrl_task quad = {.obs_dim = 1, .act_dim = 2, .act_low = lo, .act_high = hi, .reward = quad_reward};

/* ---- simple models ---- */

/* member e moves the state by shift * (e + 1) whatever the action; counts its calls */
typedef struct {
  float shift;
  int E, calls;
  int ready;
} shift_model;

static int shift_predict(void *ctx, const float *s, const float *a, float *s2, float *var, int B, mbrl_rng *rng) {
  (void)var, (void)rng;
  shift_model *m = ctx;
  m->calls++;
  cr_assert(m->ready);
  /* the planner hands the model actions within the bounds only */
  for (int i = 0; i < m->E * B * 2; i++) cr_assert(a[i] >= -1.0f && a[i] <= 1.0f, "action %g", (double)a[i]);
  /* obs_dim 1: E blocks of B rows */
  for (int i = 0; i < m->E * B; i++) s2[i] = s[i] + m->shift * (float)(i / B + 1);
  return 0;
}

static int shift_ready(const void *ctx) { return ((const shift_model *)ctx)->ready; }

static mbrl_model make_shift(shift_model *m, int E, int max_B) {
  m->E = E;
  return (mbrl_model){.E = E, .obs_dim = 1, .act_dim = 2, .max_B = max_B, .predict = shift_predict,
                      .ready = shift_ready, .ctx = m};
}

static mbrl_planner_config config(const char *name, int H, int N) {
  mbrl_planner_config c;
  cr_assert_eq(mbrl_planner_defaults(&c, name, NULL, 0), 0);
  c.H = H, c.N = N;
  return c;
}

static void set(mbrl_planner_config *c, const char *name, const char *value) {
  char err[256] = "";
  cr_assert_eq(mbrl_planner_set(c, name, value, err, sizeof err), 0, "%s", err);
}

Test(model_planner, random_shooting_takes_the_best_candidate) {
  shift_model sm = {.shift = 0.0f, .ready = 1};
  mbrl_model m = make_shift(&sm, 1, 1000);
  mbrl_planner_config c = config("random", 1, 1000);
  mbrl_rng r;
  mbrl_rng_init(&r, 2, 0);
  mbrl_planner *p;
  mbrl_planner_make(&p, &c, &quad, &m, &r, NULL, 0);
  cr_assert_not_null(p);
  float obs = 0.0f, act[2];
  cr_assert_eq(mbrl_planner_act(p, &obs, act), 0);
  cr_expect_eq(sm.calls, 1);
  cr_expect_eq(act[0], mbrl_planner_plan(p)[0]);
  cr_expect_eq(act[1], mbrl_planner_plan(p)[1]);
  /* the nearest of 1000 uniform points in the square */
  cr_expect(hypotf(act[0] - target[0], act[1] - target[1]) < 0.1f, "act (%g, %g)", (double)act[0],
            (double)act[1]);
  cr_expect_eq(mbrl_planner_nonfinite(p), 0);
  mbrl_planner_free(p);
}

/* each CEM check runs from several seeds: one lucky draw must not pass it */
enum { SEEDS = 3 };

/* CEM from seed on an H-step quadratic with its optimum at (t0, t1), 2 members, 400 sequences, 20
 * elites: plans once and writes the action; returns the planner */
static mbrl_planner *cem_plan(shift_model *sm, float act[2], float t0, float t1, int H, const char *alpha,
                              const char *iters, uint64_t seed) {
  target[0] = t0, target[1] = t1;
  *sm = (shift_model){.shift = 0.0f, .ready = 1};
  mbrl_model m = make_shift(sm, 2, 400);
  mbrl_planner_config c = config("cem", H, 400);
  set(&c, "cem_iterations", iters);
  set(&c, "cem_num_elites", "20");
  set(&c, "cem_alpha", alpha);
  mbrl_rng r;
  mbrl_rng_init(&r, seed, 0);
  mbrl_planner *p;
  mbrl_planner_make(&p, &c, &quad, &m, &r, NULL, 0);
  cr_assert_not_null(p);
  float obs = 0.0f;
  cr_assert_eq(mbrl_planner_act(p, &obs, act), 0);
  return p;
}

/* CEM's final mean over an H-step quadratic, within tol of the target at every step */
static void cem_converges(float t0, float t1, int H, const char *alpha, int iters, float tol, uint64_t seed) {
  shift_model sm;
  float act[2];
  char it[16];
  snprintf(it, sizeof it, "%d", iters);
  mbrl_planner *p = cem_plan(&sm, act, t0, t1, H, alpha, it, seed);
  cr_assert_eq(sm.calls, H * iters);
  const float *plan = mbrl_planner_plan(p);
  for (int h = 0; h < H; h++)
    for (int d = 0; d < 2; d++)
      cr_expect(fabsf(plan[h * 2 + d] - target[d]) < tol, "seed %d alpha %s: plan[%d][%d] = %g, want %g",
                (int)seed, alpha, h, d, (double)plan[h * 2 + d], (double)target[d]);
  cr_expect_eq(act[0], plan[0]);
  cr_expect_eq(act[1], plan[1]);
  mbrl_planner_free(p);
}

Test(model_planner, cem_mean_converges_to_the_optimum) {
  for (uint64_t seed = 1; seed <= SEEDS; seed++) cem_converges(0.3f, -0.6f, 3, "1", 6, 0.02f, seed);
}

Test(model_planner, cem_with_slow_updates_converges_too) {
  for (uint64_t seed = 1; seed <= SEEDS; seed++) cem_converges(0.3f, -0.6f, 3, "0.6", 10, 0.03f, seed);
}

Test(model_planner, cem_finds_an_optimum_next_to_a_bound) {
  for (uint64_t seed = 1; seed <= SEEDS; seed++) cem_converges(0.99f, -0.98f, 1, "1", 8, 0.03f, seed);
}

/* an optimum beyond the bounds: the model sees clipped actions only (shift_predict checks), and the
 * executed action saturates exactly at the bound */
Test(model_planner, cem_saturates_when_the_optimum_lies_beyond_a_bound) {
  for (uint64_t seed = 1; seed <= SEEDS; seed++) {
    shift_model sm;
    float act[2];
    mbrl_planner *p = cem_plan(&sm, act, 1.6f, -1.4f, 2, "1", "6", seed);
    cr_expect_eq(act[0], 1.0f);
    cr_expect_eq(act[1], -1.0f);
    mbrl_planner_free(p);
  }
  target[0] = 0.3f, target[1] = -0.6f;
}

Test(model_planner, acts_at_random_until_the_model_is_ready) {
  shift_model sm = {.shift = 0.0f, .ready = 0};
  mbrl_model m = make_shift(&sm, 3, 100);
  mbrl_planner_config c = config("cem", 10, 100);
  mbrl_rng r;
  mbrl_rng_init(&r, 4, 0);
  mbrl_planner *p;
  mbrl_planner_make(&p, &c, &quad, &m, &r, NULL, 0);
  cr_assert_not_null(p);
  float obs = 0.0f, act[2], sum[2] = {0, 0};
  for (int i = 0; i < 200; i++) {
    cr_assert_eq(mbrl_planner_policy(p, &obs, act), 0);
    cr_assert(act[0] >= -1.0f && act[0] < 1.0f && act[1] >= -1.0f && act[1] < 1.0f);
    sum[0] += act[0], sum[1] += act[1];
  }
  cr_expect_eq(sm.calls, 0);
  /* uniform in [-1, 1]: the mean of 200 is within 0.25 of 0 (about 6 standard errors) */
  cr_expect(fabsf(sum[0] / 200) < 0.25f && fabsf(sum[1] / 200) < 0.25f);
  mbrl_planner_free(p);
}

Test(model_planner, make_rejects_bad_configurations) {
  shift_model sm = {.ready = 1};
  mbrl_model m = make_shift(&sm, 2, 50);
  mbrl_rng r;
  mbrl_rng_init(&r, 5, 0);
  char err[256];
  mbrl_planner_config c = config("random", 10, 1000);
  cr_expect_neq(mbrl_planner_make(&(mbrl_planner *){NULL}, &c, &quad, &m, &r, err, sizeof err), 0); /* N 1000 > 50 */
  cr_expect(strstr(err, "rows") != NULL, "%s", err);
  c = config("cem", 10, 50);
  set(&c, "cem_num_elites", "51");
  cr_expect_neq(mbrl_planner_make(&(mbrl_planner *){NULL}, &c, &quad, &m, &r, err, sizeof err), 0);
  cr_expect(strstr(err, "elites") != NULL, "%s", err);
  set(&c, "cem_num_elites", "5");
  cr_expect_eq(mbrl_planner_set(&c, "cem_alpha", "0", err, sizeof err), MBRL_EINVAL, "out of its range");
  cr_expect_eq(mbrl_planner_set(&c, "cem_alpha", "fast", err, sizeof err), MBRL_EINVAL);
  cr_expect_eq(mbrl_planner_set(&c, "no_such_setting", "1", err, sizeof err), MBRL_ENOTFOUND);
  c.H = 0;
  cr_expect_neq(mbrl_planner_make(&(mbrl_planner *){NULL}, &c, &quad, &m, &r, err, sizeof err), 0);
  c.H = 5, m.obs_dim = 2;
  cr_expect_neq(mbrl_planner_make(&(mbrl_planner *){NULL}, &c, &quad, &m, &r, err, sizeof err), 0);
  m.obs_dim = 1;
  mbrl_planner *p;
  mbrl_planner_make(&p, &c, &quad, &m, &r, err, sizeof err);
  cr_expect_not_null(p, "%s", err);
  mbrl_planner_free(p);
  cr_expect_eq(mbrl_planner_defaults(&c, "mppi-not-yet", err, sizeof err), MBRL_ENOTFOUND);
  snprintf(c.name, sizeof c.name, "no-such-planner");
  cr_expect_neq(mbrl_planner_make(&(mbrl_planner *){NULL}, &c, &quad, &m, &r, err, sizeof err), 0);
  cr_expect(strstr(err, "no-such-planner") != NULL, "%s", err);
}

/* ---- a planner class of the test's own: one new file's worth, one registry call ---- */

typedef struct {
  float level; /* test_level */
} level_options;

static const mbrl_field level_fields[] = {
    MBRL_CFG_FLOAT(level_options, level, "test_level", NULL, -1, 1, 0.25, "the constant action"),
};
static const mbrl_config_table level_table = {"test-level", level_fields, 1};

typedef struct {
  level_options o;
  int shifts, H, A;
} level_planner;

static int level_init(mbrl_planner *p, void *self, char *err, size_t err_sz) {
  (void)err, (void)err_sz;
  level_planner *lp = self;
  mbrl_planner_options(p, &lp->o, sizeof lp->o);
  lp->H = mbrl_planner_H(p), lp->A = mbrl_planner_act_dim(p);
  return 0;
}

static int level_plan(mbrl_planner *p, void *self, const float *obs, float *plan) {
  (void)p, (void)obs;
  level_planner *lp = self;
  for (int i = 0; i < lp->H * lp->A; i++) plan[i] = lp->o.level + (float)lp->shifts;
  return 0;
}

static void level_shift(mbrl_planner *p, void *self) {
  (void)p;
  ((level_planner *)self)->shifts++;
}

static const mbrl_planner_class level_class = {.name = "test-level", .options = &level_table,
                                               .self_size = sizeof(level_planner), .init = level_init,
                                               .plan = level_plan, .shift = level_shift};

Test(model_planner, a_registered_class_is_made_by_name_with_its_own_settings) {
  char err[256] = "";
  int rc = mbrl_planner_register(&level_class, err, sizeof err);
  cr_assert(rc == 0 || strstr(err, "already registered"), "%s", err);
  cr_expect_eq(mbrl_planner_register(&level_class, err, sizeof err), MBRL_EINVAL, "a taken name");
  cr_expect_not_null(mbrl_planner_find("random"));
  cr_expect_not_null(mbrl_planner_find("cem"));
  cr_expect_eq(mbrl_planner_find("test-level"), &level_class);
  shift_model sm = {.ready = 1};
  mbrl_model m = make_shift(&sm, 1, 8);
  mbrl_planner_config c = config("random", 3, 8);
  set(&c, "mpc_action_sampling_strategy", "test-level");
  cr_expect_eq(c.H, 3, "shared settings survive a change of planner");
  set(&c, "test_level", "-0.5");
  mbrl_rng r;
  mbrl_rng_init(&r, 1, 0);
  mbrl_planner *p;
  mbrl_planner_make(&p, &c, &quad, &m, &r, err, sizeof err);
  cr_assert_not_null(p, "%s", err);
  float obs = 0.0f, act[2];
  cr_assert_eq(mbrl_planner_act(p, &obs, act), 0);
  cr_expect_eq(act[0], -0.5f);
  /* shifted once: -0.5 + 1, then 1.5 clipped to the bound */
  cr_assert_eq(mbrl_planner_act(p, &obs, act), 0);
  cr_expect_eq(act[1], 0.5f);
  cr_assert_eq(mbrl_planner_act(p, &obs, act), 0);
  cr_expect_eq(act[0], 1.0f);
  cr_expect_eq(strcmp(mbrl_planner_get_config(p)->name, "test-level"), 0);
  mbrl_planner_free(p);
}

/* ---- true dynamics of obstacles: each row restored into a simulator and stepped ---- */

typedef struct {
  mbrl_env *sim;
  int E;
} true_model;

static int true_predict(void *ctx, const float *s, const float *a, float *s2, float *var, int B, mbrl_rng *rng) {
  (void)var, (void)rng;
  true_model *m = ctx;
  for (int i = 0; i < m->E * B; i++) {
    double st[3] = {0.0, s[4 * i], s[4 * i + 1]};
    cr_assert_eq(mbrl_env_set_state(m->sim, st, NULL), 0);
    cr_assert_eq(mbrl_env_step(m->sim, a + 2 * i, s2 + 4 * i, NULL, NULL, NULL), 0);
  }
  return 0;
}

/* steps of the planner from (-0.5, 0.75) until within 0.1 of the goal (101 if never) */
static int obstacles_steps(mbrl_planner_config *c, int E) {
  mbrl_env *env, *sim;
  cr_assert_eq(mbrl_env_make(&env, "obstacles-cs285-v0", NULL, 0), 0);
  cr_assert_eq(mbrl_env_make(&sim, "obstacles-cs285-v0", NULL, 0), 0);
  true_model tm = {sim, E};
  mbrl_model m = {.E = E, .obs_dim = 4, .act_dim = 2, .max_B = c->N, .predict = true_predict, .ctx = &tm};
  mbrl_rng r;
  mbrl_rng_init(&r, 6, 0);
  char err[256] = "";
  mbrl_task task = mbrl_env_task(env);
  mbrl_planner *p;
  mbrl_planner_make(&p, c, &task, &m, &r, err, sizeof err);
  cr_assert_not_null(p, "%s", err);
  float obs[4], act[2];
  cr_assert_eq(mbrl_env_reset(env, 1, obs), 0);
  double start[3] = {0.0, -0.5, 0.75};
  cr_assert_eq(mbrl_env_set_state(env, start, obs), 0);
  int steps = 101;
  for (int t = 0; t < 100; t++) {
    cr_assert_eq(mbrl_planner_act(p, obs, act), 0);
    int done = 0;
    cr_assert_eq(mbrl_env_step(env, act, obs, NULL, &done, NULL), 0);
    if (done) {
      steps = t + 1;
      break;
    }
  }
  cr_log_info("%s reached the goal in %d steps, at (%.3f, %.3f)", c->name, steps, (double)obs[0], (double)obs[1]);
  cr_expect_lt(hypot(obs[0] - 0.7, obs[1] + 0.8), 0.1);
  cr_expect_eq(mbrl_planner_nonfinite(p), 0);
  mbrl_planner_free(p);
  mbrl_env_free(env);
  mbrl_env_free(sim);
  return steps;
}

Test(model_planner, random_shooting_on_true_dynamics_solves_obstacles) {
  mbrl_planner_config c = config("random", 10, 500);
  /* the straight-line distance is 1.9, at most 0.14 a step: 14 steps at best */
  cr_expect_leq(obstacles_steps(&c, 1), 40);
}

Test(model_planner, cem_on_true_dynamics_solves_obstacles) {
  mbrl_planner_config c = config("cem", 10, 100);
  set(&c, "cem_iterations", "3");
  set(&c, "cem_num_elites", "10");
  cr_expect_leq(obstacles_steps(&c, 2), 40);
}
