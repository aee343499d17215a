/* Tests of the pendulum and cart-pole environments (pure C, and PETS's MuJoCo swing-up): starts,
 * rewards, dynamics. */
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

Test(env_classic, cartpole_pets_starts_hanging_is_strong_and_stops_at_the_slider_limit) {
  mbrl_env *env;
  char err[256] = "";
  cr_assert_eq(mbrl_env_make(&env, "cartpole-pets-v0", err, sizeof err), 0, "%s", err);
  float obs[4], r, a[1] = {0};
  double spread = 0.0;
  for (uint64_t s = 0; s < 50; s++) {
    cr_assert_eq(mbrl_env_reset(env, s, obs), 0);
    cr_expect_lt(fabsf(obs[1]), 0.5f);
    spread += fabsf(obs[1]) / 50.0;
  }
  cr_expect(spread > 0.05 && spread < 0.12, "mean |th| %g, 0.1 N(0, 1) gives 0.08", spread);
  /* the swing-up's tip reward */
  float hang[4] = {0, 0, 0, 0};
  mbrl_env_reward(env, hang, a, hang, 1, &r, NULL);
  cr_expect_float_eq(r, expf(-4.0f), 1e-6);
  /* from rest, 300 N on 15.5 kg: about 0.46 m in 5 steps of 0.04 s, tip swung back; then held at 2.5 */
  double st[16] = {0};
  cr_assert_leq(mbrl_env_get_spec(env)->state_dim, 16);
  cr_assert_eq(mbrl_env_set_state(env, st, obs), 0);
  a[0] = 3.0f;
  for (int t = 0; t < 5; t++) cr_assert_eq(mbrl_env_step(env, a, obs, NULL, NULL, NULL), 0);
  cr_expect(obs[0] > 0.3f && obs[0] < 0.6f, "x %g", (double)obs[0]);
  cr_expect_gt(obs[1], 0.5f);
  for (int t = 0; t < 100; t++) cr_assert_eq(mbrl_env_step(env, a, obs, NULL, NULL, NULL), 0);
  cr_expect(obs[0] > 2.45f && obs[0] < 2.55f, "x %g", (double)obs[0]);
  mbrl_env_free(env);
}

Test(env_classic, cartpole_balance_steps_as_gymnasium_and_ends_outside_the_limits) {
  mbrl_env *env;
  cr_assert_eq(mbrl_env_make(&env, "cartpole-continuous-v0", NULL, 0), 0);
  float obs[4], r, a[1] = {0.5f};
  int term, trunc;
  for (uint64_t s = 0; s < 20; s++) {
    cr_assert_eq(mbrl_env_reset(env, s, obs), 0);
    for (int j = 0; j < 4; j++) cr_expect_leq(fabsf(obs[j]), 0.05f);
  }
  /* one step from a known state against Gymnasium's equations, in double */
  double st[5] = {0, 0.1, -0.2, 0.05, 0.3};
  cr_assert_eq(mbrl_env_set_state(env, st, obs), 0);
  cr_assert_eq(mbrl_env_step(env, a, obs, &r, &term, &trunc), 0);
  double x = 0.1, xd = -0.2, th = 0.05, thd = 0.3, f = 5.0, tot = 1.1, pml = 0.05;
  double temp = (f + pml * thd * thd * sin(th)) / tot;
  double tha = (9.8 * sin(th) - cos(th) * temp) / (0.5 * (4.0 / 3.0 - 0.1 * cos(th) * cos(th) / tot));
  double xa = temp - pml * tha * cos(th) / tot;
  double want[4] = {x + 0.02 * xd, xd + 0.02 * xa, th + 0.02 * thd, thd + 0.02 * tha};
  for (int j = 0; j < 4; j++) cr_expect_float_eq(obs[j], (float)want[j], 1e-6, "obs[%d]", j);
  cr_expect_eq(r, 1.0f);
  cr_expect_eq(term, 0);
  /* no force: the pole falls, the last step pays 0 and ends the episode */
  cr_assert_eq(mbrl_env_reset(env, 3, obs), 0);
  a[0] = 0;
  int t = 0;
  float ret = 0;
  do {
    cr_assert_eq(mbrl_env_step(env, a, obs, &r, &term, &trunc), 0);
    ret += r, t++;
  } while (!term && !trunc);
  cr_expect(term && t < 200, "falls within the episode: %d steps", t);
  cr_expect_eq(r, 0.0f);
  cr_expect_float_eq(ret, (float)(t - 1), 1e-6);
  cr_expect_gt(fabsf(obs[2]), (float)(12 * M_PI / 180));
  /* a PD controller on the pole and the cart balances for the whole episode: return 200 */
  cr_assert_eq(mbrl_env_reset(env, 4, obs), 0);
  ret = 0;
  for (t = 0; t < 200; t++) {
    a[0] = fmaxf(-1.0f, fminf(1.0f, 10.0f * obs[2] + 2.0f * obs[3] + 0.1f * obs[0] + 0.3f * obs[1]));
    cr_assert_eq(mbrl_env_step(env, a, obs, &r, &term, &trunc), 0);
    ret += r;
    if (term) break;
  }
  cr_expect_float_eq(ret, 200.0f, 1e-6, "balanced return %g after %d steps", ret, t);
  mbrl_env_free(env);
}
