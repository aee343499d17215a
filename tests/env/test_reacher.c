/* Tests of reacher-cs285-v0: the model's facts, the deterministic start, about -10.1 per step at
 * rest, the reward formula. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "env/env_impl.h"
#include "mbrl/env.h"

Test(env_reacher, model_matches_the_reference) {
  char err[512] = "";
  mbrl_mj mj;
  cr_assert_eq(mbrl_mj_load(&mj, "reacher_7dof.xml", 1, 2, err, sizeof err), 0, "%s", err);
  const mjModel *m = mj.m;
  cr_expect_eq(m->nq, 7);
  cr_expect_eq(m->nu, 7);
  cr_expect_eq(m->opt.iterations, 100);
  cr_expect_eq(m->opt.integrator, mjINT_EULER);
  for (int i = 0; i < 3; i++) cr_expect_eq(m->opt.gravity[i], 0.0);
  static const double gear[7] = {20, 10, 10, 10, 10, 10, 10};
  static const double damp[7] = {2, 2, 0.8, 0.8, 0.8, 0.8, 0.8};
  static const double range[7][2] = {{-2.2854, 1.714602}, {-0.5236, 1.3963}, {-1.5, 1.7},
                                     {-2.3213, 0},        {-1.5, 1.5},       {-1.094, 0},
                                     {-1.5, 1.5}};
  for (int j = 0; j < 7; j++) {
    cr_expect_float_eq(m->actuator_gear[6 * j], gear[j], 1e-12);
    cr_expect_eq(m->actuator_trnid[2 * j], j);
    cr_expect_float_eq(m->dof_damping[j], damp[j], 1e-12);
    cr_expect_float_eq(m->dof_armature[j], 0.004, 1e-12);
    cr_expect_float_eq(m->jnt_range[2 * j], range[j][0], 1e-12);
    cr_expect_float_eq(m->jnt_range[2 * j + 1], range[j][1], 1e-12);
  }
  mbrl_mj_free(&mj);
}

Test(env_reacher, at_rest_the_reward_is_about_minus_10_1) {
  mbrl_env *env;
  mbrl_env_make(&env, "reacher-cs285-v0", NULL, 0);
  cr_assert_not_null(env);
  float obs[20], first[20], act[7] = {0}, r;
  cr_assert_eq(mbrl_env_reset(env, 1, first), 0);
  /* q = 0, hand (0.821, -0.6, 0), target (0.1, 0.1, 0.1) */
  for (int i = 0; i < 14; i++) cr_expect_eq(first[i], 0.0f, "obs[%d] = %g", i, first[i]);
  cr_expect_float_eq(first[14], 0.821f, 1e-5);
  cr_expect_float_eq(first[15], -0.6f, 1e-6);
  cr_expect_float_eq(first[16], 0.0f, 1e-6);
  for (int i = 17; i < 20; i++) cr_expect_eq(first[i], 0.1f);
  for (int t = 0; t < 50; t++) {
    cr_assert_eq(mbrl_env_step(env, act, obs, &r, NULL, NULL), 0);
    cr_expect(fabsf(r + 10.1f) < 0.01f, "step %d: reward %g", t, r);
  }
  /* the start does not depend on the seed */
  for (uint64_t s = 2; s < 5; s++) {
    cr_assert_eq(mbrl_env_reset(env, s, obs), 0);
    cr_expect(memcmp(obs, first, sizeof obs) == 0);
  }
  mbrl_env_free(env);
}

Test(env_reacher, reward_formula_and_moving_arm) {
  mbrl_env *env;
  mbrl_env_make(&env, "reacher-cs285-v0", NULL, 0);
  cr_assert_not_null(env);
  float o[20] = {0}, a[7] = {0}, r;
  o[14] = 1, o[15] = 2, o[16] = 3, o[17] = 1, o[18] = 2, o[19] = 3.5f;
  int done = 1;
  mbrl_env_reward(env, o, a, o, 1, &r, &done);
  cr_expect_float_eq(r, -5.0f, 1e-6);
  cr_expect_eq(done, 0);
  /* torque on the shoulder pan moves the finger; velocities are divided by 10 */
  float obs[20];
  cr_assert_eq(mbrl_env_reset(env, 1, obs), 0);
  a[0] = 1.0f;
  for (int t = 0; t < 10; t++) cr_assert_eq(mbrl_env_step(env, a, obs, NULL, NULL, NULL), 0);
  cr_expect_gt(obs[0], 0.0f);
  cr_expect_gt(obs[7], 0.0f);
  cr_expect_lt(obs[7], 1.0f);
  /* the finger is at the current joint angles: radius 0.721 about the pan axis at (0, -0.6) */
  double rx = obs[14], ry = obs[15] + 0.6;
  cr_expect_float_eq(atan2(ry, rx), (double)obs[0], 1e-4);
  mbrl_env_free(env);
}
