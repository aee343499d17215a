/* Tests of the CS285 cheetah and halfcheetah-v4: the model file's facts, the torso position in the
 * observation, the reward formulas. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "env/env_impl.h"
#include "mbrl/core.h"
#include "mbrl/env.h"

Test(env_cheetah, model_matches_the_reference) {
  char err[512] = "";
  mbrl_mj mj;
  cr_assert_eq(mbrl_mj_load(&mj, "half_cheetah.xml", 1, 1, err, sizeof err), 0, "%s", err);
  const mjModel *m = mj.m;
  cr_expect_eq(m->nq, 9);
  cr_expect_eq(m->nv, 9);
  cr_expect_eq(m->nu, 6);
  cr_expect_float_eq(m->opt.timestep, 0.01, 1e-12);
  cr_expect_float_eq(m->opt.gravity[2], -9.81, 1e-12);
  cr_expect_eq(m->opt.integrator, mjINT_EULER);
  double mass = 0;
  for (int b = 1; b < m->nbody; b++) mass += m->body_mass[b];
  cr_expect_float_eq(mass, 14.0, 1e-9);
  static const char *joints[6] = {"bthigh", "bshin", "bfoot", "fthigh", "fshin", "ffoot"};
  static const double gear[6] = {120, 90, 60, 120, 60, 30};
  static const double stiff[6] = {240, 180, 120, 180, 120, 60};
  static const double damp[6] = {6, 4.5, 3, 4.5, 3, 1.5};
  static const double range[6][2] = {{-.52, 1.05}, {-.785, .785}, {-.4, .785},
                                     {-1, .7},     {-1.2, .87},   {-.5, .5}};
  for (int i = 0; i < 6; i++) {
    int j = mj_name2id(m, mjOBJ_JOINT, joints[i]);
    cr_assert_eq(j, 3 + i, "%s", joints[i]);
    cr_expect_eq(m->actuator_trnid[2 * i], j, "actuator %d drives %s", i, joints[i]);
    cr_expect_float_eq(m->actuator_gear[6 * i], gear[i], 1e-12);
    cr_expect_float_eq(m->jnt_stiffness[j], stiff[i], 1e-12);
    cr_expect_float_eq(m->dof_damping[j], damp[i], 1e-12);
    cr_expect_float_eq(m->dof_armature[j], 0.1, 1e-12);
    cr_expect_float_eq(m->jnt_range[2 * j], range[i][0], 1e-12);
    cr_expect_float_eq(m->jnt_range[2 * j + 1], range[i][1], 1e-12);
    cr_expect_float_eq(m->actuator_ctrlrange[2 * i + 1], 1.0, 1e-12);
  }
  for (int j = 0; j < 3; j++) {
    cr_expect_eq(m->jnt_limited[j], 0);
    cr_expect_eq(m->dof_damping[j], 0.0);
    cr_expect_eq(m->dof_armature[j], 0.0);
  }
  /* the robot touches the floor only */
  for (int g = 1; g < m->ngeom; g++) {
    cr_expect_eq(m->geom_contype[g], 1);
    cr_expect_eq(m->geom_conaffinity[g], 0);
    cr_expect_float_eq(m->geom_size[3 * g], 0.046, 1e-12);
  }
  cr_expect_eq(m->geom_conaffinity[0], 1);
  mbrl_mj_free(&mj);
}

Test(env_cheetah, torso_position_in_the_observation) {
  char err[256];
  mbrl_env *env;
  mbrl_env_make(&env, "cheetah-cs285-v0", err, sizeof err);
  cr_assert_not_null(env, "%s", err);
  float obs[21], act[6];
  mbrl_rng rng;
  mbrl_rng_init(&rng, 1, 0);
  cr_assert_eq(mbrl_env_reset(env, 7, obs), 0);
  for (int t = 0; t <= 200; t++) {
    cr_expect_eq(obs[18], obs[0], "t %d", t);
    cr_expect_eq(obs[19], 0.0f, "t %d", t);
    cr_expect_float_eq(obs[20], obs[1] + 0.7f, 1e-6, "t %d", t);
    mbrl_rng_fill_uniform(&rng, act, 6, -1.0f, 1.0f);
    cr_assert_eq(mbrl_env_step(env, act, obs, NULL, NULL, NULL), 0);
  }
  mbrl_env_free(env);
}

Test(env_cheetah, reset_noise_is_small) {
  mbrl_env *env;
  mbrl_env_make(&env, "cheetah-cs285-v0", NULL, 0);
  cr_assert_not_null(env);
  float obs[21];
  double vsum = 0;
  int n = 0;
  for (uint64_t s = 0; s < 50; s++) {
    cr_assert_eq(mbrl_env_reset(env, s, obs), 0);
    for (int i = 0; i < 9; i++) cr_expect_leq(fabsf(obs[i]), 0.1f);
    for (int i = 9; i < 18; i++) vsum += (double)obs[i] * obs[i], n++;
  }
  /* qvel ~ 0.1 N(0, 1): mean square about 0.01 */
  cr_expect(vsum / n > 0.006 && vsum / n < 0.014, "mean square velocity %g", vsum / n);
  mbrl_env_free(env);
}

Test(env_cheetah, reward_formula) {
  mbrl_env *env;
  mbrl_env_make(&env, "cheetah-cs285-v0", NULL, 0);
  cr_assert_not_null(env);
  float o[4][21] = {{0}}, a[4][6] = {{0}}, r[4];
  int done[4] = {1, 1, 1, 1};
  for (int b = 0; b < 4; b++) o[b][9] = 2.5f;
  o[1][6] = 0.2f;   /* not past 0.2 in double: 0.2f is 0.2000000030 > 0.2 */
  o[2][6] = 0.19f;
  o[2][7] = 1e-6f;  /* shin past 0 */
  o[3][6] = 0.5f, o[3][7] = 0.1f, o[3][8] = 0.1f;
  mbrl_env_reward(env, o[0], a[0], o[0], 4, r, done);
  cr_expect_eq(r[0], 2.5f);
  cr_expect_eq(r[1], 2.5f - 10.0f);
  cr_expect_eq(r[2], 2.5f - 10.0f);
  cr_expect_eq(r[3], 2.5f - 30.0f);
  for (int b = 0; b < 4; b++) cr_expect_eq(done[b], 0);
  mbrl_env_free(env);
}

Test(env_cheetah, halfcheetah_v4_observation_and_reward) {
  mbrl_env *cs;
  mbrl_env_make(&cs, "cheetah-cs285-v0", NULL, 0);
  mbrl_env *v4;
  mbrl_env_make(&v4, "halfcheetah-v4", NULL, 0);
  cr_assert(cs && v4);
  float o21[21], o17[17];
  /* same seed, same start: the v4 observation is the cs285 one without x and torso position */
  cr_assert_eq(mbrl_env_reset(cs, 3, o21), 0);
  cr_assert_eq(mbrl_env_reset(v4, 3, o17), 0);
  cr_expect(memcmp(o17, o21 + 1, sizeof o17) == 0);
  cr_expect_float_eq(mbrl_env_get_spec(v4)->dt, 0.05, 1e-12);
  /* frame skip 5: one v4 step from a state equals five cs285 steps from it */
  double st[29];
  mbrl_env_get_state(cs, st);
  float act[6] = {0.3f, -0.2f, 0.9f, -1.0f, 0.5f, 0.1f}, r;
  for (int k = 0; k < 5; k++) cr_assert_eq(mbrl_env_step(cs, act, o21, NULL, NULL, NULL), 0);
  cr_assert_eq(mbrl_env_set_state(v4, st, NULL), 0);
  cr_assert_eq(mbrl_env_step(v4, act, o17, &r, NULL, NULL), 0);
  cr_expect(memcmp(o17, o21 + 1, sizeof o17) == 0);
  float ctrl = 0;
  for (int i = 0; i < 6; i++) ctrl += act[i] * act[i];
  cr_expect_eq(r, o21[9] - 0.1f * ctrl);
  mbrl_env_free(cs);
  mbrl_env_free(v4);
}

Test(env_cheetah, divergence_is_reported_not_hidden) {
  mbrl_env *env;
  mbrl_env_make(&env, "cheetah-cs285-v0", NULL, 0);
  cr_assert_not_null(env);
  float obs[21], act[6] = {0};
  double st[29];
  cr_assert_eq(mbrl_env_reset(env, 1, obs), 0);
  mbrl_env_get_state(env, st);
  st[1 + 1 + 9] = 1e12; /* step count, time, qpos (9), then qvel[0]: beyond MuJoCo's limit */
  cr_assert_eq(mbrl_env_set_state(env, st, obs), 0);
  cr_expect_eq(mbrl_env_step(env, act, obs, NULL, NULL, NULL), MBRL_ENUMERIC);
  cr_expect(strstr(mbrl_env_last_error(env), "diverged") != NULL, "%s", mbrl_env_last_error(env));
  /* the environment refuses to go on until it is reset */
  cr_expect_eq(mbrl_env_step(env, act, obs, NULL, NULL, NULL), MBRL_EINVAL);
  cr_expect_eq(mbrl_env_reset(env, 1, obs), 0);
  cr_expect_eq(mbrl_env_step(env, act, obs, NULL, NULL, NULL), 0);
  mbrl_env_free(env);
}
