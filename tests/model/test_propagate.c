/* Propagation: CS285's members rule and its arithmetic, particles, TS1, TS-infinity, the
 * expectation, done flags, clipping, and which calls get a random stream. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "mbrl/core.h"
#include "mbrl/propagate.h"

/* ---- a task: obs 1, act 2 in [-1, 1]; r = obs' - |a - (0.3, -0.6)|^2, done when obs' > limit ---- */

static const float lo[2] = {-1.0f, -1.0f}, hi[2] = {1.0f, 1.0f};
static float done_above = INFINITY;

static double penalty(const float *a) {
  double d0 = a[0] - 0.3, d1 = a[1] + 0.6;
  return d0 * d0 + d1 * d1;
}

static void quad_reward(void *ctx, const float *obs, const float *act, const float *next_obs, int B,
                        float *reward, int *done) {
  (void)ctx, (void)obs;
  for (int b = 0; b < B; b++) {
    reward[b] = next_obs[b] - (float)penalty(act + 2 * b);
    if (done) done[b] = next_obs[b] > done_above;
  }
}

static const mbrl_task quad = {.obs_dim = 1, .act_dim = 2, .act_low = lo, .act_high = hi, .reward = quad_reward};

/* member e moves the state by e + 1; records whether each call had a stream */
typedef struct {
  int E, calls, with_rng;
  int max_rows; /* the largest B seen */
} shift_model;

static int shift_predict(void *ctx, const float *s, const float *a, float *s2, float *var, int B, mbrl_rng *rng) {
  (void)var;
  shift_model *m = ctx;
  m->calls++, m->with_rng += rng != NULL;
  if (B > m->max_rows) m->max_rows = B;
  for (int i = 0; i < m->E * B * 2; i++) cr_assert(a[i] >= -1.0f && a[i] <= 1.0f, "action %g", (double)a[i]);
  for (int i = 0; i < m->E * B; i++) s2[i] = s[i] + (float)(i / B + 1);
  return 0;
}

static mbrl_model make_shift(shift_model *m, int E, int max_B) {
  *m = (shift_model){.E = E};
  return (mbrl_model){.E = E, .obs_dim = 1, .act_dim = 2, .max_B = max_B, .predict = shift_predict, .ctx = m};
}

static void init(mbrl_propagator *pg, const mbrl_model *m, int mode, int P, int max_M) {
  char err[256] = "";
  mbrl_propagate_config c = {.mode = mode, .particles = P};
  cr_assert_eq(mbrl_propagate_init(pg, &c, m, &quad, max_M, err, sizeof err), 0, "%s", err);
}

/* three candidates of two steps, some actions beyond the bounds */
static const float cand[3 * 2 * 2] = {0.1f, -0.2f, 0.3f, -0.6f, 1.5f, 0.0f, -0.4f, -2.0f, 0.0f, 0.0f, 0.2f, 0.2f};

static double clipped_penalty(const float *a) {
  float c[2] = {fminf(1.0f, fmaxf(-1.0f, a[0])), fminf(1.0f, fmaxf(-1.0f, a[1]))};
  return penalty(c);
}

Test(propagate, members_mode_is_the_mean_return_over_members) {
  shift_model sm;
  mbrl_model m = make_shift(&sm, 2, 3);
  mbrl_propagator pg;
  init(&pg, &m, MBRL_PROP_MEMBERS, 1, 3);
  mbrl_rng r;
  mbrl_rng_init(&r, 1, 0);
  float obs = 0.5f, ret[3];
  cr_assert_eq(mbrl_propagate_returns(&pg, &obs, cand, 3, 2, ret, &r), 0);
  cr_assert_eq(sm.calls, 2, "one model call a step");
  for (int n = 0; n < 3; n++) {
    /* member 1 goes 0.5 -> 1.5 -> 2.5, member 2 0.5 -> 2.5 -> 4.5: mean of 4 and 7 is 5.5 */
    double q = clipped_penalty(cand + n * 4) + clipped_penalty(cand + n * 4 + 2);
    cr_expect_float_eq(ret[n], 5.5 - q, 1e-5, "candidate %d: %g", n, (double)ret[n]);
  }
  /* CS285's arithmetic exactly: per step, the members' rewards added in member order, then 1/E */
  for (int n = 0; n < 3; n++) {
    float want = 0.0f;
    for (int t = 0; t < 2; t++)
      for (int e = 0; e < 2; e++) {
        float s1 = 0.5f + (float)(e + 1) * (float)(t + 1), a[2];
        memcpy(a, cand + n * 4 + t * 2, sizeof a);
        for (int d = 0; d < 2; d++) a[d] = fminf(1.0f, fmaxf(-1.0f, a[d]));
        float d0 = a[0] - 0.3f, d1 = a[1] + 0.6f;
        want += s1 - (float)((double)d0 * d0 + (double)d1 * d1);
      }
    cr_expect_eq(ret[n], want * (1.0f / 2.0f), "candidate %d", n);
  }
  /* a deterministic model's particles all agree */
  mbrl_propagate_free(&pg);
  m.max_B = 12;
  init(&pg, &m, MBRL_PROP_MEMBERS, 4, 12);
  float ret4[3];
  cr_assert_eq(mbrl_propagate_returns(&pg, &obs, cand, 3, 2, ret4, &r), 0);
  for (int n = 0; n < 3; n++) cr_expect_float_eq(ret4[n], ret[n], 1e-6);
  mbrl_propagate_free(&pg);
}

Test(propagate, expectation_steps_with_the_members_mean_and_no_stream) {
  shift_model sm;
  mbrl_model m = make_shift(&sm, 3, 4);
  mbrl_propagator pg;
  init(&pg, &m, MBRL_PROP_EXPECTATION, 1, 4);
  float s[4] = {0, 1, 2, 3}, a[8] = {0}, next[4];
  cr_assert_eq(mbrl_propagate_step(&pg, s, a, next, 4, NULL), 0);
  for (int i = 0; i < 4; i++) cr_expect_float_eq(next[i], s[i] + 2.0f, 1e-6, "mean of +1, +2, +3");
  cr_expect_eq(sm.with_rng, 0);
  mbrl_propagate_free(&pg);
}

/* the increments of P particles of one candidate over H steps, with the members drawn by mode */
static void increments(int mode, int P, int H, float *inc /* P x H */) {
  shift_model sm;
  mbrl_model m = make_shift(&sm, 3, P);
  mbrl_propagator pg;
  init(&pg, &m, mode, P, P);
  mbrl_rng r;
  mbrl_rng_init(&r, 9, 0);
  float s[64], a[128] = {0}, next[64];
  cr_assert(P <= 64);
  for (int i = 0; i < P; i++) s[i] = 0.0f;
  mbrl_propagate_begin(&pg, P, &r);
  for (int t = 0; t < H; t++) {
    cr_assert_eq(mbrl_propagate_step(&pg, s, a, next, P, &r), 0);
    for (int i = 0; i < P; i++) inc[i * H + t] = next[i] - s[i], s[i] = next[i];
  }
  cr_expect_eq(sm.with_rng, H, "sampling modes hand the model the stream");
  cr_expect_leq(sm.max_rows, P, "each member sees only its own particles");
  mbrl_propagate_free(&pg);
}

Test(propagate, ts1_draws_a_member_per_particle_and_step) {
  enum { P = 60, H = 10 };
  float inc[P * H];
  increments(MBRL_PROP_TS1, P, H, inc);
  int count[3] = {0}, changes = 0;
  for (int i = 0; i < P; i++)
    for (int t = 0; t < H; t++) {
      int e = (int)lroundf(inc[i * H + t]) - 1;
      cr_assert(e >= 0 && e < 3 && inc[i * H + t] == (float)(e + 1), "a member's step: %g", (double)inc[i * H + t]);
      count[e]++;
      changes += t > 0 && inc[i * H + t] != inc[i * H + t - 1];
    }
  /* 600 uniform draws of 3: each about 200 (sd 11.5); two thirds of steps change member */
  for (int e = 0; e < 3; e++) cr_expect(count[e] > 140 && count[e] < 260, "member %d: %d", e, count[e]);
  cr_expect(changes > 300, "%d changes of member", changes);
}

Test(propagate, tsinf_keeps_each_particles_member_for_the_horizon) {
  enum { P = 60, H = 10 };
  float inc[P * H];
  increments(MBRL_PROP_TSINF, P, H, inc);
  int count[3] = {0};
  for (int i = 0; i < P; i++) {
    for (int t = 1; t < H; t++) cr_expect_eq(inc[i * H + t], inc[i * H], "particle %d step %d", i, t);
    count[(int)lroundf(inc[i * H]) - 1]++;
  }
  for (int e = 0; e < 3; e++) cr_expect(count[e] > 5, "member %d holds %d particles", e, count[e]);
}

Test(propagate, ts_modes_score_candidates_with_their_particles) {
  shift_model sm;
  mbrl_model m = make_shift(&sm, 3, 3 * 20);
  mbrl_propagator pg;
  init(&pg, &m, MBRL_PROP_TS1, 20, 3 * 20);
  mbrl_rng r;
  mbrl_rng_init(&r, 3, 0);
  float obs = 0.0f, ret[3];
  cr_assert_eq(mbrl_propagate_returns(&pg, &obs, cand, 3, 2, ret, &r), 0);
  for (int n = 0; n < 3; n++) {
    /* each step adds 1, 2 or 3 (mean 2): over two steps the state sum is between 1 + 2 and 3 + 6 */
    double q = clipped_penalty(cand + n * 4) + clipped_penalty(cand + n * 4 + 2);
    cr_expect(ret[n] + q > 3.0 && ret[n] + q < 9.0, "candidate %d: %g", n, ret[n] + q);
  }
  mbrl_propagate_free(&pg);
}

Test(propagate, use_done_stops_the_rewards_of_finished_particles) {
  shift_model sm;
  mbrl_model m = make_shift(&sm, 1, 1);
  mbrl_propagator pg;
  mbrl_propagate_config c = {.mode = MBRL_PROP_MEMBERS, .particles = 1, .use_done = 1};
  cr_assert_eq(mbrl_propagate_init(&pg, &c, &m, &quad, 1, NULL, 0), 0);
  const float zero_pen[3 * 2] = {0.3f, -0.6f, 0.3f, -0.6f, 0.3f, -0.6f};
  float obs = 0.0f, ret;
  done_above = 1.5f;
  /* states 1, 2 (done), 3: rewards 1 and 2 count, the third does not */
  cr_assert_eq(mbrl_propagate_returns(&pg, &obs, zero_pen, 1, 3, &ret, NULL), 0);
  cr_expect_float_eq(ret, 3.0f, 1e-6);
  done_above = INFINITY;
  mbrl_propagate_free(&pg);
}

Test(propagate, bad_settings_are_refused) {
  shift_model sm;
  mbrl_model m = make_shift(&sm, 2, 10);
  mbrl_propagator pg;
  char err[256] = "";
  mbrl_propagate_config c = {.mode = 7, .particles = 1};
  cr_expect_eq(mbrl_propagate_init(&pg, &c, &m, &quad, 10, err, sizeof err), MBRL_EINVAL);
  c.mode = MBRL_PROP_TS1, c.particles = 0;
  cr_expect_eq(mbrl_propagate_init(&pg, &c, &m, &quad, 10, err, sizeof err), MBRL_EINVAL);
  c.particles = 1;
  cr_expect_eq(mbrl_propagate_init(&pg, &c, &m, &quad, 11, err, sizeof err), MBRL_EINVAL);
  cr_expect(strstr(err, "rows per member") != NULL, "%s", err);
  c.mode = MBRL_PROP_MEMBERS;
  cr_assert_eq(mbrl_propagate_init(&pg, &c, &m, &quad, 10, err, sizeof err), 0);
  float s = 0, a[2] = {0}, next;
  cr_expect_eq(mbrl_propagate_step(&pg, &s, a, &next, 1, NULL), MBRL_EINVAL, "members keep E trajectories");
  mbrl_propagate_free(&pg);
}
