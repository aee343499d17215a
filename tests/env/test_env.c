/* Tests every built-in environment through the public API: step reward equals the batched
 * reward, same seed same episode, action bounds, NaN actions, state round trips, truncation. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "mbrl/core.h"
#include "mbrl/env.h"
#include "mbrl/rng.h"

static const char *names[] = {"cheetah-cs285-v0",    "obstacles-cs285-v0",
                              "reacher-cs285-v0",    "halfcheetah-v4",
                              "pendulum-swingup-v0", "cartpole-swingup-v0",
                              "cartpole-continuous-v0", "cartpole-pets-v0"};
#define NENV (int)(sizeof names / sizeof *names)

static mbrl_env *make(const char *name) {
  char err[512] = "";
  mbrl_env *env;
  mbrl_env_make(&env, name, err, sizeof err);
  cr_assert_not_null(env, "%s: %s", name, err);
  return env;
}

/* uniform random action within the bounds */
static void random_action(const mbrl_env_spec *s, mbrl_rng *rng, float *act) {
  for (int i = 0; i < s->act_dim; i++)
    act[i] = s->act_low[i] + (s->act_high[i] - s->act_low[i]) * (float)mbrl_rng_uniform(rng);
}

Test(env, specs_match_the_reference) {
  static const int dims[NENV][3] = {{21, 6, 500}, {4, 2, 100}, {20, 7, 200},
                                    {17, 6, 1000}, {3, 1, 200}, {4, 1, 200}, {4, 1, 200}, {4, 1, 200}};
  for (int k = 0; k < NENV; k++) {
    mbrl_env *env = make(names[k]);
    const mbrl_env_spec *s = mbrl_env_get_spec(env);
    cr_expect_str_eq(s->name, names[k]);
    cr_expect_eq(s->obs_dim, dims[k][0], "%s obs_dim %d", names[k], s->obs_dim);
    cr_expect_eq(s->act_dim, dims[k][1], "%s act_dim %d", names[k], s->act_dim);
    cr_expect_eq(s->ep_len, dims[k][2], "%s ep_len %d", names[k], s->ep_len);
    cr_expect_gt(s->state_dim, 1);
    for (int i = 0; i < s->act_dim; i++) cr_expect_lt(s->act_low[i], s->act_high[i]);
    mbrl_env_free(env);
  }
}

Test(env, step_reward_equals_batched_reward) {
  enum { T = 60 };
  for (int k = 0; k < NENV; k++) {
    mbrl_env *env = make(names[k]);
    const mbrl_env_spec *s = mbrl_env_get_spec(env);
    const int O = s->obs_dim, A = s->act_dim;
    float *obs = mbrl_alloc(sizeof(float) * (size_t)(T + 1) * (size_t)O);
    float *act = mbrl_alloc(sizeof(float) * (size_t)T * (size_t)A);
    float rew[T], batch[T];
    int term[T], done[T], n = 0;
    mbrl_rng rng;
    mbrl_rng_init(&rng, 5, (uint64_t)k);
    cr_assert_eq(mbrl_env_reset(env, 3, obs), 0);
    for (int t = 0; t < T; t++, n++) {
      random_action(s, &rng, act + t * A);
      int trunc;
      cr_assert_eq(mbrl_env_step(env, act + t * A, obs + (t + 1) * O, &rew[t], &term[t], &trunc),
                   0, "%s: %s", names[k], mbrl_env_last_error(env));
      if (term[t]) {
        n++;
        break;
      }
    }
    /* one batched call over all transitions, with obs and next_obs as shifted views */
    mbrl_env_reward(env, obs, act, obs + O, n, batch, done);
    for (int t = 0; t < n; t++) {
      cr_expect(memcmp(&rew[t], &batch[t], sizeof(float)) == 0, "%s step %d: %.9g vs %.9g",
                names[k], t, rew[t], batch[t]);
      cr_expect_eq(term[t], done[t], "%s step %d", names[k], t);
    }
    /* done may be NULL */
    mbrl_env_reward(env, obs, act, obs + O, n, batch, NULL);
    cr_expect(memcmp(rew, batch, sizeof(float) * (size_t)n) == 0);
    mbrl_free(obs);
    mbrl_free(act);
    mbrl_env_free(env);
  }
}

/* runs T steps of actions drawn from action_seed; writes observations and rewards */
static void episode(mbrl_env *env, uint64_t seed, uint64_t action_seed, int T, float *obs,
                    float *rew) {
  const mbrl_env_spec *s = mbrl_env_get_spec(env);
  float act[16];
  mbrl_rng rng;
  mbrl_rng_init(&rng, action_seed, 0);
  cr_assert_eq(mbrl_env_reset(env, seed, obs), 0);
  for (int t = 0; t < T; t++) {
    random_action(s, &rng, act);
    int term, trunc;
    cr_assert_eq(mbrl_env_step(env, act, obs + (size_t)(t + 1) * (size_t)s->obs_dim, &rew[t], &term,
                               &trunc),
                 0);
  }
}

Test(env, same_seed_same_episode_bit_for_bit) {
  enum { T = 50 };
  for (int k = 0; k < NENV; k++) {
    mbrl_env *a = make(names[k]), *b = make(names[k]);
    const int O = mbrl_env_get_spec(a)->obs_dim;
    size_t n = (size_t)(T + 1) * (size_t)O;
    float *oa = mbrl_alloc(sizeof(float) * n), *ob = mbrl_alloc(sizeof(float) * n);
    float *oc = mbrl_alloc(sizeof(float) * n);
    float ra[T], rb[T], rc[T];
    episode(a, 11, 1, T, oa, ra);
    episode(b, 11, 1, T, ob, rb);
    cr_expect(memcmp(oa, ob, sizeof(float) * n) == 0, "%s: observations differ", names[k]);
    cr_expect(memcmp(ra, rb, sizeof ra) == 0, "%s: rewards differ", names[k]);
    /* the same instance again, after another episode in between */
    episode(a, 99, 2, T, oc, rc);
    episode(a, 11, 1, T, oc, rc);
    cr_expect(memcmp(oa, oc, sizeof(float) * n) == 0, "%s: second run differs", names[k]);
    /* another seed starts elsewhere (the reacher's start is the same for every seed) */
    episode(b, 12, 1, T, ob, rb);
    if (strcmp(names[k], "reacher-cs285-v0"))
      cr_expect(memcmp(oa, ob, sizeof(float) * (size_t)O) != 0, "%s: seed ignored", names[k]);
    mbrl_free(oa);
    mbrl_free(ob);
    mbrl_free(oc);
    mbrl_env_free(a);
    mbrl_env_free(b);
  }
}

Test(env, actions_beyond_the_bounds_are_clipped) {
  for (int k = 0; k < NENV; k++) {
    mbrl_env *env = make(names[k]);
    const mbrl_env_spec *s = mbrl_env_get_spec(env);
    const int O = s->obs_dim, A = s->act_dim;
    float obs[32], o1[32], o2[32], r1, r2, at[16], beyond[16];
    double *st = mbrl_alloc(sizeof(double) * (size_t)s->state_dim);
    cr_assert_eq(mbrl_env_reset(env, 4, obs), 0);
    for (int side = 0; side < 2; side++) {
      for (int i = 0; i < A; i++) {
        at[i] = side ? s->act_high[i] : s->act_low[i];
        beyond[i] = side ? at[i] + 5.0f + (float)i : at[i] - 1e6f;
      }
      mbrl_env_get_state(env, st);
      cr_assert_eq(mbrl_env_step(env, at, o1, &r1, NULL, NULL), 0);
      cr_assert_eq(mbrl_env_set_state(env, st, NULL), 0);
      cr_assert_eq(mbrl_env_step(env, beyond, o2, &r2, NULL, NULL), 0);
      cr_expect(memcmp(o1, o2, sizeof(float) * (size_t)O) == 0, "%s side %d", names[k], side);
      cr_expect(memcmp(&r1, &r2, sizeof r1) == 0, "%s side %d: %g vs %g", names[k], side, r1, r2);
      /* the step's reward is the reward of the clipped action */
      float rb;
      mbrl_env_reward(env, obs, at, o2, 1, &rb, NULL);
      cr_expect(memcmp(&rb, &r2, sizeof rb) == 0, "%s side %d", names[k], side);
      memcpy(obs, o2, sizeof(float) * (size_t)O);
    }
    mbrl_free(st);
    mbrl_env_free(env);
  }
}

Test(env, nan_and_inf_actions_are_rejected) {
  for (int k = 0; k < NENV; k++) {
    mbrl_env *env = make(names[k]);
    const mbrl_env_spec *s = mbrl_env_get_spec(env);
    float obs[32], act[16] = {0};
    double *before = mbrl_alloc(sizeof(double) * (size_t)s->state_dim);
    double *after = mbrl_alloc(sizeof(double) * (size_t)s->state_dim);
    cr_assert_eq(mbrl_env_reset(env, 1, obs), 0);
    mbrl_env_get_state(env, before);
    const float bad[3] = {NAN, INFINITY, -INFINITY};
    for (int j = 0; j < 3; j++) {
      act[s->act_dim - 1] = bad[j];
      cr_expect_eq(mbrl_env_step(env, act, obs, NULL, NULL, NULL), MBRL_EINVAL);
      cr_expect(strstr(mbrl_env_last_error(env), "finite") != NULL, "%s: '%s'", names[k],
                mbrl_env_last_error(env));
    }
    mbrl_env_get_state(env, after);
    cr_expect(memcmp(before, after, sizeof(double) * (size_t)s->state_dim) == 0,
              "%s: a rejected action changed the state", names[k]);
    /* a good action still works afterwards */
    act[s->act_dim - 1] = 0.0f;
    cr_expect_eq(mbrl_env_step(env, act, obs, NULL, NULL, NULL), 0);
    cr_expect_str_empty(mbrl_env_last_error(env));
    mbrl_free(before);
    mbrl_free(after);
    mbrl_env_free(env);
  }
}

Test(env, step_before_reset_is_an_error) {
  mbrl_env *env = make("pendulum-swingup-v0");
  float act[1] = {0}, obs[3];
  cr_expect_eq(mbrl_env_step(env, act, obs, NULL, NULL, NULL), MBRL_EINVAL);
  cr_expect(strstr(mbrl_env_last_error(env), "reset") != NULL);
  mbrl_env_free(env);
}

Test(env, state_round_trip_repeats_the_steps) {
  enum { T = 20 };
  for (int k = 0; k < NENV; k++) {
    mbrl_env *env = make(names[k]);
    const mbrl_env_spec *s = mbrl_env_get_spec(env);
    const int O = s->obs_dim, A = s->act_dim;
    float obs[32], back[32], o1[T][32], o2[T][32], r1[T], r2[T], act[T][16];
    int tr1[T], tr2[T];
    mbrl_rng rng;
    mbrl_rng_init(&rng, 8, 0);
    double *st = mbrl_alloc(sizeof(double) * (size_t)s->state_dim);
    cr_assert_eq(mbrl_env_reset(env, 2, obs), 0);
    for (int t = 0; t < 7; t++) {
      random_action(s, &rng, act[0]);
      cr_assert_eq(mbrl_env_step(env, act[0], obs, NULL, NULL, NULL), 0);
    }
    mbrl_env_get_state(env, st);
    cr_expect_eq(st[0], 7.0, "the state starts with the step count");
    mbrl_env_set_ep_len(env, 7 + T / 2);
    for (int t = 0; t < T; t++) {
      random_action(s, &rng, act[t]);
      cr_assert_eq(mbrl_env_step(env, act[t], o1[t], &r1[t], NULL, &tr1[t]), 0);
    }
    cr_assert_eq(mbrl_env_set_state(env, st, back), 0);
    cr_expect(memcmp(back, obs, sizeof(float) * (size_t)O) == 0, "%s: restored obs", names[k]);
    for (int t = 0; t < T; t++)
      cr_assert_eq(mbrl_env_step(env, act[t], o2[t], &r2[t], NULL, &tr2[t]), 0);
    for (int t = 0; t < T; t++) {
      cr_expect(memcmp(o1[t], o2[t], sizeof(float) * (size_t)O) == 0, "%s step %d", names[k], t);
      cr_expect(memcmp(&r1[t], &r2[t], sizeof(float)) == 0, "%s step %d", names[k], t);
      cr_expect_eq(tr1[t], tr2[t]);
      cr_expect_eq(tr1[t], t + 1 >= T / 2, "%s: truncated at step %d", names[k], 7 + t + 1);
    }
    (void)A;
    /* NaN and negative step counts are refused */
    st[s->state_dim - 1] = NAN;
    cr_expect_eq(mbrl_env_set_state(env, st, NULL), MBRL_EINVAL);
    st[s->state_dim - 1] = 0;
    st[0] = -1;
    cr_expect_eq(mbrl_env_set_state(env, st, NULL), MBRL_EINVAL);
    mbrl_free(st);
    mbrl_env_free(env);
  }
}

Test(env, truncated_exactly_at_the_episode_length) {
  for (int k = 0; k < NENV; k++) {
    mbrl_env *env = make(names[k]);
    const mbrl_env_spec *s = mbrl_env_get_spec(env);
    float obs[32], act[16] = {0};
    int term, trunc = 0, t = 0;
    cr_assert_eq(mbrl_env_reset(env, 6, obs), 0);
    while (!trunc) {
      cr_assert_eq(mbrl_env_step(env, act, obs, NULL, &term, &trunc), 0);
      t++;
      cr_assert_leq(t, s->ep_len);
    }
    cr_expect_eq(t, s->ep_len, "%s", names[k]);
    mbrl_env_free(env);
  }
}

Test(env, unknown_name_lists_the_known_ones) {
  char err[1024] = "";
  mbrl_env *env = (mbrl_env *)&err; /* not NULL, to see it set */
  cr_expect_eq(mbrl_env_make(&env, "cheetah-v9", err, sizeof err), MBRL_ENOTFOUND, "an unknown name is not found");
  cr_expect_null(env);
  cr_expect(strstr(err, "cheetah-v9") != NULL, "%s", err);
  for (int k = 0; k < NENV; k++) cr_expect(strstr(err, names[k]) != NULL, "%s", err);
  cr_expect(strstr(err, "mujoco:") != NULL, "%s", err);
  cr_expect_eq(mbrl_env_make(&env, "mujoco:", err, sizeof err), MBRL_EINVAL, "a family name needs its argument");
  cr_expect_neq(mbrl_env_make(&(mbrl_env *){NULL}, "", NULL, 0), 0);
}

Test(env, registry_lists_the_builtins_first) {
  cr_assert_geq(mbrl_env_registry_count(), NENV + 1);
  for (int k = 0; k < NENV; k++) {
    const mbrl_env_class *c = mbrl_env_registry_get(k);
    cr_expect_str_eq(c->name, names[k]);
    cr_expect_not_null(c->about);
  }
}

/* the reward of one transition, through the task, in double */
static double task_reward_at(const mbrl_task *t, const float *obs, const float *act, const float *next) {
  float r;
  t->reward(t->ctx, obs, act, next, 1, &r, NULL);
  return r;
}

/* every built-in environment's reward gradient (its task's reward_vjp, with a weight d_reward)
 * against central differences of its reward, at states of random episodes; a step where the
 * reward jumps (cheetah's posture penalties) is skipped */
Test(env, reward_gradients_match_central_differences) {
  enum { MAXD = 64, STEPS = 12 };
  for (int k = 0; k < NENV; k++) {
    mbrl_env *env = make(names[k]);
    const mbrl_env_spec *s = mbrl_env_get_spec(env);
    mbrl_task task = mbrl_env_task(env);
    cr_assert_not_null(task.reward_vjp, "%s has no reward gradient", names[k]);
    const int O = s->obs_dim, A = s->act_dim;
    float x[3][MAXD], g[3][MAXD];
    mbrl_rng rng;
    mbrl_rng_init(&rng, 17, (uint64_t)k);
    cr_assert_eq(mbrl_env_reset(env, 4, x[0]), 0);
    int checked = 0;
    for (int t = 0; t < STEPS; t++) {
      int term, trunc;
      float r;
      random_action(s, &rng, x[1]);
      cr_assert_eq(mbrl_env_step(env, x[1], x[2], &r, &term, &trunc), 0);
      const float w = 0.5f + (float)t;
      task.reward_vjp(task.ctx, x[0], x[1], x[2], 1, &w, g[0], g[1], g[2]);
      const int dims[3] = {O, A, O};
      for (int part = 0; part < 3; part++)
        for (int i = 0; i < dims[part]; i++) {
          const float keep = x[part][i], h = 1e-3f * fmaxf(1.0f, fabsf(keep));
          x[part][i] = keep + h;
          double up = task_reward_at(&task, x[0], x[1], x[2]);
          x[part][i] = keep - h;
          double down = task_reward_at(&task, x[0], x[1], x[2]);
          x[part][i] = keep;
          if (fabs(up - down) > 1.0) continue; /* a jump */
          double fd = w * (up - down) / (2.0 * (double)h);
          cr_expect(fabs(g[part][i] - fd) <= 2e-2 * fmax(1.0, fabs(fd)), "%s step %d: d(%s)[%d] %g, differences %g",
                    names[k], t, part == 0 ? "obs" : part == 1 ? "act" : "next_obs", i, (double)g[part][i], fd);
          checked++;
        }
      memcpy(x[0], x[2], sizeof(float) * (size_t)O);
      if (term || trunc) cr_assert_eq(mbrl_env_reset(env, 5, x[0]), 0);
    }
    cr_expect(checked > STEPS * O, "%s: %d derivatives checked", names[k], checked);
    mbrl_env_free(env);
  }
}
