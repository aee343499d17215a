/* Tests of obstacles-cs285-v0: blocked moves, the border, done near the goal, random starts. */
#include <criterion/criterion.h>
#include <math.h>

#include "mbrl/env.h"

static mbrl_env *make(void) {
  mbrl_env *env;
  mbrl_env_make(&env, "obstacles-cs285-v0", NULL, 0);
  cr_assert_not_null(env);
  return env;
}

/* places the point at (x, y) with step count 0 */
static void place(mbrl_env *env, double x, double y) {
  double st[3] = {0, x, y};
  float obs[4];
  cr_assert_eq(mbrl_env_set_state(env, st, obs), 0);
  cr_assert_eq(obs[0], (float)x);
  cr_assert_eq(obs[2], 0.7f);
  cr_assert_eq(obs[3], -0.8f);
}

Test(env_obstacles, move_into_an_obstacle_stays_put) {
  mbrl_env *env = make();
  float obs[4], act[2];
  /* left of rectangle 4 (x in (-0.1, 0.05), y in (-0.2, 0.2)), pushing right into it */
  place(env, -0.15, 0.0);
  act[0] = 0.9f, act[1] = 0.0f;
  cr_assert_eq(mbrl_env_step(env, act, obs, NULL, NULL, NULL), 0);
  cr_expect_eq(obs[0], -0.15f);
  cr_expect_eq(obs[1], 0.0f);
  /* a move that stays clear goes through */
  act[0] = -0.5f;
  cr_assert_eq(mbrl_env_step(env, act, obs, NULL, NULL, NULL), 0);
  cr_expect_float_eq(obs[0], -0.2f, 1e-6);
  /* no sliding: a diagonal move whose end is inside rectangle 1 is refused whole */
  place(env, -0.2, 0.45);
  act[0] = 0.5f, act[1] = 0.9f;
  cr_assert_eq(mbrl_env_step(env, act, obs, NULL, NULL, NULL), 0);
  cr_expect_eq(obs[0], -0.2f);
  cr_expect_eq(obs[1], 0.45f);
  mbrl_env_free(env);
}

Test(env_obstacles, move_past_the_border_stays_put) {
  mbrl_env *env = make();
  float obs[4], act[2] = {0.99f, 0.0f}, r;
  int term;
  place(env, 0.95, 0.5);
  cr_assert_eq(mbrl_env_step(env, act, obs, &r, &term, NULL), 0);
  cr_expect_eq(obs[0], 0.95f);
  cr_expect_eq(term, 0);
  /* reaching 0.99 exactly is out of bounds too */
  place(env, 0.89, -0.5);
  act[0] = 1.0f; /* clipped to 0.99: moves 0.099 to 0.989 */
  cr_assert_eq(mbrl_env_step(env, act, obs, NULL, NULL, NULL), 0);
  cr_expect_float_eq(obs[0], 0.989f, 1e-6);
  cr_assert_eq(mbrl_env_step(env, act, obs, NULL, NULL, NULL), 0);
  cr_expect_float_eq(obs[0], 0.989f, 1e-6);
  mbrl_env_free(env);
}

Test(env_obstacles, done_within_0_1_of_the_goal) {
  mbrl_env *env = make();
  float obs[4], act[2] = {0.5f, 0.0f}, r;
  int term;
  place(env, 0.55, -0.8);   /* 0.15 from the goal, moves 0.05 to 0.6: 0.1, not below */
  cr_assert_eq(mbrl_env_step(env, act, obs, &r, &term, NULL), 0);
  cr_expect_float_eq(r, -0.1f, 1e-6);
  cr_expect_eq(term, (double)-r < 0.1);
  act[0] = 0.1f;            /* 0.09 from the goal */
  cr_assert_eq(mbrl_env_step(env, act, obs, &r, &term, NULL), 0);
  cr_expect_eq(term, 1);
  cr_expect_float_eq(r, -0.09f, 1e-6);
  /* model-predicted states outside the border are done as well */
  float o[2][4] = {{1.2f, 0.0f, 0.7f, -0.8f}, {0.0f, -0.995f, 0.7f, -0.8f}}, a[2][2] = {{0}}, rr[2];
  int d[2];
  mbrl_env_reward(env, o[0], a[0], o[0], 2, rr, d);
  cr_expect_eq(d[0], 1);
  cr_expect_eq(d[1], 1);
  cr_expect_float_eq(rr[0], -sqrtf(0.5f * 0.5f + 0.8f * 0.8f), 1e-6);
  mbrl_env_free(env);
}

Test(env_obstacles, random_starts_are_valid_and_in_the_start_box) {
  mbrl_env *env = make();
  static const double rects[5][4] = {{-0.4, 0.8, 0.4, 0.3},  {-0.9, 0.3, 0.2, 0.6},
                                     {0.6, -0.1, 0.12, 0.4}, {-0.1, 0.2, 0.15, 0.4},
                                     {0.1, -0.7, 0.3, 0.15}};
  float obs[4];
  double sx = 0;
  for (uint64_t s = 0; s < 300; s++) {
    cr_assert_eq(mbrl_env_reset(env, s, obs), 0);
    double x = obs[0], y = obs[1];
    cr_expect(x >= -0.99 && x <= 0.59 && y >= 0.26 && y <= 0.99, "(%g, %g)", x, y);
    for (int i = 0; i < 5; i++)
      cr_expect(!(x > rects[i][0] && x < rects[i][0] + rects[i][2] && y > rects[i][1] - rects[i][3] &&
                  y < rects[i][1]),
                "(%g, %g) inside rectangle %d", x, y, i);
    sx += x;
  }
  cr_expect(fabs(sx / 300 - (-0.2)) < 0.15, "mean start x %g", sx / 300);
  mbrl_env_free(env);
}
