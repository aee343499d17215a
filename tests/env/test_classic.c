/* Tests of the pure C pendulum and cart-pole swing-up environments: hanging starts and rewards. */
#include <criterion/criterion.h>
#include <math.h>

#include "mbrl/env.h"

Test(env_classic, pendulum_starts_hanging_and_pays_zero_upright) {
  mbrl_env *env;
  mbrl_env_make(&env, "pendulum-swingup-v0", NULL, 0);
  cr_assert_not_null(env);
  float obs[3];
  for (uint64_t s = 0; s < 20; s++) {
    cr_assert_eq(mbrl_env_reset(env, s, obs), 0);
    cr_expect_lt(obs[0], -0.99f, "cos th = %g", obs[0]);
    cr_expect_leq(fabsf(obs[2]), 0.1f);
  }
  float up[3] = {1, 0, 0}, side[3] = {0, 1, 2}, u[1] = {2}, r[1];
  mbrl_env_reward(env, up, u, up, 1, r, NULL);
  cr_expect_float_eq(r[0], -0.004f, 1e-7);
  mbrl_env_reward(env, side, u, side, 1, r, NULL);
  cr_expect_float_eq(r[0], -(float)(M_PI * M_PI / 4 + 0.4 + 0.004), 1e-5);
  /* no torque: hanging is stable, the speed stays bounded */
  float act[1] = {0};
  for (int t = 0; t < 100; t++) {
    cr_assert_eq(mbrl_env_step(env, act, obs, NULL, NULL, NULL), 0);
    cr_expect_lt(obs[0], -0.98f);
  }
  mbrl_env_free(env);
}

Test(env_classic, cartpole_starts_hanging_and_pays_one_upright) {
  mbrl_env *env;
  mbrl_env_make(&env, "cartpole-swingup-v0", NULL, 0);
  cr_assert_not_null(env);
  float obs[4], r;
  cr_assert_eq(mbrl_env_reset(env, 1, obs), 0);
  cr_expect_lt(fabsf(obs[1]), 0.5f);
  /* hanging at the origin: tip at (0, -0.6), distance 1.2, reward exp(-4) */
  float hang[4] = {0, 0, 0, 0}, up[4] = {0, (float)M_PI, 0, 0}, a[1] = {0};
  mbrl_env_reward(env, hang, a, hang, 1, &r, NULL);
  cr_expect_float_eq(r, expf(-4.0f), 1e-6);
  a[0] = 3.0f;
  mbrl_env_reward(env, up, a, up, 1, &r, NULL);
  cr_expect_float_eq(r, 1.0f - 0.09f, 1e-6);
  /* a push to the right moves the cart right and swings the tip back (theta grows) */
  double st[5] = {0, 0, 0, 0, 0};
  cr_assert_eq(mbrl_env_set_state(env, st, obs), 0);
  for (int t = 0; t < 5; t++) cr_assert_eq(mbrl_env_step(env, a, obs, NULL, NULL, NULL), 0);
  cr_expect_gt(obs[0], 0.0f);
  cr_expect_gt(obs[1], 0.0f);
  mbrl_env_free(env);
}

Test(env_classic, cartpole_swing_up_is_possible) {
  /* an energy-pumping controller brings the tip near the top within the episode */
  mbrl_env *env;
  mbrl_env_make(&env, "cartpole-swingup-v0", NULL, 0);
  cr_assert_not_null(env);
  float obs[4], a[1], r, best = 0;
  cr_assert_eq(mbrl_env_reset(env, 1, obs), 0);
  for (int t = 0; t < 200; t++) {
    double th = obs[1], thd = obs[3];
    double e = 0.5 * 0.012 * thd * thd - 0.1 * 9.81 * 0.3 * cos(th); /* pole energy */
    int pump = (thd * cos(th) > 0) == (e < 0.1 * 9.81 * 0.3);
    a[0] = (float)((pump ? 3.0 : -3.0) - 1.0 * obs[0] - 2.0 * obs[2]);
    cr_assert_eq(mbrl_env_step(env, a, obs, &r, NULL, NULL), 0);
    if (r > best) best = r;
  }
  cr_expect_gt(best, 0.7f, "best reward %g", best);
  mbrl_env_free(env);
}
