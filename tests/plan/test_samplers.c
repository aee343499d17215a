/* The sampling planners beyond the homework's: MPPI's filter and reward weighting, iCEM's colored
 * noise and convergence, warm starts shifted between steps and forgotten at a reset, and the
 * episode reset that collection sends. Candidates are read back through a model that records the
 * actions it is asked about. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mbrl/core.h"
#include "mbrl/planner.h"

enum { A = 2, MAX_H = 16, MAX_N = 4000 };

/* ---- a quadratic task: obs 1, act 2, r = -|a - target|^2 ---- */

static float target[A] = {0.3f, -0.6f};
static float lo[A] = {-1.0f, -1.0f}, hi[A] = {1.0f, 1.0f};

static void quad_reward(void *ctx, const float *obs, const float *act, const float *next_obs, int B,
                        float *reward, int *done) {
  (void)ctx, (void)obs, (void)next_obs;
  for (int b = 0; b < B; b++) {
    float d0 = act[A * b] - target[0], d1 = act[A * b + 1] - target[1];
    reward[b] = -(d0 * d0 + d1 * d1);
    if (done) done[b] = 0;
  }
}

static const mbrl_task quad = {.obs_dim = 1, .act_dim = A, .act_low = lo, .act_high = hi, .reward = quad_reward};

/* one member, the state unchanged; keeps the actions of the first H calls after `armed` */
typedef struct {
  int H, calls, armed;
  int B;                       /* rows of the recorded calls */
  float act[MAX_H][MAX_N * A]; /* step t's actions of every candidate */
} recorder;

static int rec_predict(void *ctx, const float *s, const float *a, float *s2, float *var, int B, mbrl_rng *rng) {
  (void)var, (void)rng;
  recorder *r = ctx;
  if (r->armed && r->calls < r->H) {
    cr_assert(B <= MAX_N);
    memcpy(r->act[r->calls], a, sizeof(float) * (size_t)B * A);
    r->B = B;
  }
  r->calls++;
  memcpy(s2, s, sizeof(float) * (size_t)B);
  return 0;
}

static recorder rec;

static mbrl_planner *make(const char *name, int H, int N, const char *const *settings, uint64_t seed) {
  mbrl_planner_config c;
  char err[256] = "";
  cr_assert_eq(mbrl_planner_defaults(&c, name, err, sizeof err), 0, "%s", err);
  c.H = H, c.N = N;
  for (int i = 0; settings && settings[i]; i += 2)
    cr_assert_eq(mbrl_planner_set(&c, settings[i], settings[i + 1], err, sizeof err), 0, "%s", err);
  memset(&rec, 0, sizeof rec);
  rec.H = H;
  static mbrl_model m;
  m = (mbrl_model){.E = 1, .obs_dim = 1, .act_dim = A, .max_B = N, .predict = rec_predict, .ctx = &rec};
  mbrl_rng r;
  mbrl_rng_init(&r, seed, 0);
  mbrl_planner *p = NULL;
  cr_assert_eq(mbrl_planner_make(&p, &c, &quad, &m, &r, err, sizeof err), 0, "%s", err);
  return p;
}

/* plans once with the next scoring's candidates recorded */
static void act_recorded(mbrl_planner *p, float *act) {
  float obs = 0.0f;
  rec.armed = 1, rec.calls = 0;
  cr_assert_eq(mbrl_planner_act(p, &obs, act), 0);
  rec.armed = 0;
}

/* the recorded candidate n's action at step t, entry d */
static float cand(int n, int t, int d) { return rec.act[t][(size_t)n * A + d]; }

/* ---- MPPI ---- */

/* the plan is the candidates' average weighted by exp(gamma (R - R_max)), R from the task */
static void mppi_weighting(const char *gamma) {
  enum { H = 3, N = 200 };
  const char *s[] = {"mppi_gamma", gamma, NULL};
  mbrl_planner *p = make("mppi", H, N, s, 7);
  float act[A];
  act_recorded(p, act);
  double R[N], best = -INFINITY, g = atof(gamma);
  for (int n = 0; n < N; n++) {
    R[n] = 0.0;
    for (int t = 0; t < H; t++) {
      double d0 = cand(n, t, 0) - target[0], d1 = cand(n, t, 1) - target[1];
      R[n] -= d0 * d0 + d1 * d1;
    }
    best = fmax(best, R[n]);
  }
  const float *plan = mbrl_planner_plan(p);
  for (int t = 0; t < H; t++)
    for (int d = 0; d < A; d++) {
      double sw = 0.0, sa = 0.0;
      for (int n = 0; n < N; n++) {
        double w = exp(g * (R[n] - best));
        sw += w, sa += w * cand(n, t, d);
      }
      cr_expect(fabs(plan[t * A + d] - sa / sw) < 1e-4, "gamma %s: plan[%d][%d] %g, weighted mean %g", gamma, t,
                d, (double)plan[t * A + d], sa / sw);
    }
  mbrl_planner_free(p);
}

Test(samplers, mppi_mean_is_the_reward_weighted_average) {
  mppi_weighting("0");
  mppi_weighting("1");
  mppi_weighting("30");
}

/* a seed plans the same twice; without noise every candidate is the filtered mean, zeros from the
 * middle of the bounds */
Test(samplers, mppi_is_reproducible_and_noiseless_without_sigma) {
  const int H = 4, N = 50;
  const char *s[] = {"mppi_gamma", "20", "mppi_beta", "0.7", NULL};
  mbrl_planner *p = make("mppi", H, N, s, 3);
  float act[A], mu[MAX_H * A];
  act_recorded(p, act);
  memcpy(mu, mbrl_planner_plan(p), sizeof(float) * H * A);
  mbrl_planner_free(p);
  p = make("mppi", H, N, s, 3);
  act_recorded(p, act);
  cr_expect_eq(memcmp(mu, mbrl_planner_plan(p), sizeof(float) * H * A), 0, "the same seed plans the same");
  mbrl_planner_free(p);
  p = make("mppi", H, N, (const char *[]){"mppi_sigma", "0", "mppi_beta", "0.7", NULL}, 3);
  act_recorded(p, act);
  for (int n = 0; n < N; n++)
    for (int t = 0; t < H; t++)
      for (int d = 0; d < A; d++) cr_assert_eq(cand(n, t, d), 0.0f);
  mbrl_planner_free(p);
}

/* the second step's candidates follow the filter around the first step's mean shifted by one:
 * (a_t - (1 - beta) a_{t-1}) / beta - mu_{t+1} is the noise, whose average is near 0 */
Test(samplers, mppi_second_step_samples_around_the_shifted_mean) {
  const int H = 4, N = 4000;
  const float beta = 0.6f;
  mbrl_planner *p = make("mppi", H, N, (const char *[]){"mppi_gamma", "50", "mppi_beta", "0.6", "mppi_sigma", "0.2", NULL}, 9);
  float act[A], mu[MAX_H * A];
  act_recorded(p, act);
  memcpy(mu, mbrl_planner_plan(p), sizeof(float) * H * A);
  act_recorded(p, act);
  for (int t = 0; t < H; t++)
    for (int d = 0; d < A; d++) {
      /* the shifted mean: step t + 1's, the last repeated */
      float m = mu[(t + 1 < H ? t + 1 : H - 1) * A + d];
      double s = 0.0;
      int n_in = 0;
      for (int n = 0; n < N; n++) {
        float before = t ? cand(n, t - 1, d) : mu[d];
        float x = cand(n, t, d), bx = before;
        if (x <= -1.0f || x >= 1.0f || bx <= -1.0f || bx >= 1.0f) continue; /* clipped */
        s += (x - (1.0f - beta) * bx) / beta - m;
        n_in++;
      }
      cr_assert(n_in > N / 2);
      /* noise std 0.2: the mean of n_in draws within 5 standard errors of 0 */
      cr_expect(fabs(s / n_in) < 5 * 0.2 / sqrt(n_in), "step %d entry %d: mean noise %g", t, d, s / n_in);
    }
  mbrl_planner_free(p);
}

/* planning again and again at one state, the executed actions settle at the optimum: the average
 * of the last 5 of `steps` within tol of it */
static void converges(const char *name, const char *const *settings, int steps, float tol) {
  for (uint64_t seed = 1; seed <= 3; seed++) {
    mbrl_planner *p = make(name, 3, 400, settings, seed);
    float act[A], obs = 0.0f, avg[A] = {0, 0};
    for (int k = 0; k < steps; k++) {
      cr_assert_eq(mbrl_planner_act(p, &obs, act), 0);
      if (k >= steps - 5) avg[0] += act[0] / 5, avg[1] += act[1] / 5;
    }
    cr_expect(fabsf(avg[0] - target[0]) < tol && fabsf(avg[1] - target[1]) < tol, "%s seed %d: act (%g, %g)",
              name, (int)seed, (double)avg[0], (double)avg[1]);
    mbrl_planner_free(p);
  }
}

Test(samplers, mppi_and_icem_find_the_optimum) {
  converges("mppi", (const char *[]){"mppi_gamma", "100", "mppi_sigma", "0.3", NULL}, 30, 0.05f);
  converges("mppi", (const char *[]){"mppi_gamma", "100", "mppi_sigma", "0.3", "mppi_iterations", "5", NULL}, 10,
            0.05f);
  converges("icem", NULL, 10, 0.05f);
  converges("icem", (const char *[]){"icem_iterations", "6", NULL}, 5, 0.05f);
}

/* ---- iCEM ---- */

/* iteration 0's samples (bounds far away, so nothing is clipped; mean 0, std 1): unit variance at
 * every step, lag-1 correlation near 0 for white noise and high for exponent 3 */
static void noise_stats(int H, const char *exponent, double corr_lo, double corr_hi) {
  const int N = 4000;
  for (int d = 0; d < A; d++) lo[d] = -1e4f, hi[d] = 1e4f;
  /* init_std in half ranges: 1e-4 x 1e4 = 1 */
  mbrl_planner *p = make("icem", H, N,
                         (const char *[]){"icem_noise_exponent", exponent, "icem_init_std", "1e-4", NULL}, 11);
  float act[A];
  act_recorded(p, act);
  double c01 = 0.0, v0 = 0.0, v1 = 0.0;
  for (int t = 0; t < H; t++) {
    double s = 0.0, ss = 0.0;
    for (int n = 0; n < N; n++)
      for (int d = 0; d < A; d++) s += cand(n, t, d), ss += (double)cand(n, t, d) * cand(n, t, d);
    double m = s / (N * A), v = ss / (N * A);
    cr_expect(fabs(m) < 0.1, "H %d exponent %s step %d: mean %g", H, exponent, t, m);
    cr_expect(fabs(v - 1.0) < 0.1, "H %d exponent %s step %d: variance %g", H, exponent, t, v);
    if (t + 1 < H)
      for (int n = 0; n < N; n++)
        for (int d = 0; d < A; d++)
          c01 += (double)cand(n, t, d) * cand(n, t + 1, d), v0 += (double)cand(n, t, d) * cand(n, t, d),
              v1 += (double)cand(n, t + 1, d) * cand(n, t + 1, d);
  }
  double corr = H > 1 ? c01 / sqrt(v0 * v1) : 0.0;
  cr_expect(corr > corr_lo && corr < corr_hi, "H %d exponent %s: lag-1 correlation %g", H, exponent, corr);
  mbrl_planner_free(p);
  for (int d = 0; d < A; d++) lo[d] = -1.0f, hi[d] = 1.0f;
}

Test(samplers, icem_noise_is_colored_with_unit_variance) {
  noise_stats(16, "0", -0.03, 0.03);
  noise_stats(15, "0", -0.03, 0.03);
  noise_stats(16, "3", 0.8, 1.0);
  noise_stats(15, "2", 0.5, 0.95);
  noise_stats(1, "3", -1.0, 1.0);
}

/* the population shrinks by the decay, never below twice the elites; the mean joins the last
 * iteration; kept elites come back shifted at the next step */
Test(samplers, icem_population_decays_and_keeps_shifted_elites) {
  const int H = 5, N = 400;
  mbrl_planner *p = make("icem", H, N, (const char *[]){"icem_iterations", "4", "icem_population_decay", "2", NULL}, 5);
  float act[A], obs = 0.0f;
  rec.armed = 0;
  cr_assert_eq(mbrl_planner_act(p, &obs, act), 0);
  /* 400, 200, 100 and then 2 x 40 elites: the calls of 4 scorings of H steps */
  cr_expect_eq(rec.calls, 4 * H);
  float plan[MAX_H * A];
  memcpy(plan, mbrl_planner_plan(p), sizeof(float) * H * A);
  act_recorded(p, act);
  cr_expect_eq(rec.B, N);
  /* the kept elites (ceil(0.3 x 40) = 12) sit at the end of iteration 0, shifted: near the plan's
   * later steps, which they helped to make */
  for (int k = N - 12; k < N; k++)
    for (int t = 0; t + 1 < H; t++)
      for (int d = 0; d < A; d++)
        cr_expect(fabsf(cand(k, t, d) - plan[(t + 1) * A + d]) < 0.3f, "kept %d step %d: %g against %g", k, t,
                  (double)cand(k, t, d), (double)plan[(t + 1) * A + d]);
  /* after a reset nothing is kept: the end of iteration 0 is samples around the middle */
  mbrl_planner_reset(p);
  act_recorded(p, act);
  int near = 0;
  for (int k = N - 12; k < N; k++) near += fabsf(cand(k, 0, 0) - plan[A]) < 1e-6f;
  cr_expect_eq(near, 0);
  mbrl_planner_free(p);
}

/* ---- warm starts ---- */

Test(samplers, random_shooting_warm_start_keeps_the_shifted_best) {
  const int H = 4, N = 300;
  mbrl_planner *p = make("random", H, N, (const char *[]){"warm_start", "true", NULL}, 2);
  float act[A], plan[MAX_H * A];
  act_recorded(p, act);
  memcpy(plan, mbrl_planner_plan(p), sizeof(float) * H * A);
  act_recorded(p, act);
  for (int t = 0; t + 1 < H; t++)
    for (int d = 0; d < A; d++) cr_expect_eq(cand(0, t, d), plan[(t + 1) * A + d]);
  memcpy(plan, mbrl_planner_plan(p), sizeof(float) * H * A);
  mbrl_planner_reset(p);
  act_recorded(p, act);
  cr_expect_neq(cand(0, 0, 0), plan[A], "forgotten at the reset");
  mbrl_planner_free(p);
}

/* the first iteration of the next step samples around the shifted mean, not uniformly; after a
 * reset uniformly again */
Test(samplers, cem_warm_start_samples_around_the_shifted_mean) {
  const int H = 3, N = 2000;
  target[0] = 0.5f, target[1] = -0.5f;
  mbrl_planner *p = make("cem", H, N, (const char *[]){"warm_start", "true", "cem_num_elites", "50", NULL}, 4);
  float act[A];
  act_recorded(p, act);
  for (int pass = 0; pass < 2; pass++) {
    act_recorded(p, act);
    double m[A] = {0, 0};
    for (int n = 0; n < N; n++)
      for (int d = 0; d < A; d++) m[d] += cand(n, 0, d) / N;
    if (pass == 0) /* around (0.5, -0.5): the std is 0.5 and samples are clipped at +-1 */
      cr_expect(m[0] > 0.3 && m[1] < -0.3, "warm: mean (%g, %g)", m[0], m[1]);
    else /* uniform in [-1, 1] */
      cr_expect(fabs(m[0]) < 0.1 && fabs(m[1]) < 0.1, "after reset: mean (%g, %g)", m[0], m[1]);
    mbrl_planner_reset(p);
  }
  mbrl_planner_free(p);
  /* off (the default): every step starts uniform */
  p = make("cem", H, N, (const char *[]){"cem_num_elites", "50", NULL}, 4);
  act_recorded(p, act);
  act_recorded(p, act);
  double m0 = 0.0;
  for (int n = 0; n < N; n++) m0 += cand(n, 0, 0) / N;
  cr_expect(fabs(m0) < 0.1, "cold: mean %g", m0);
  mbrl_planner_free(p);
  target[0] = 0.3f, target[1] = -0.6f;
}

Test(samplers, bad_settings_are_refused) {
  mbrl_planner_config c;
  char err[256];
  cr_assert_eq(mbrl_planner_defaults(&c, "icem", err, sizeof err), 0);
  c.H = 5, c.N = 10;
  recorder *r = &rec;
  mbrl_model m = {.E = 1, .obs_dim = 1, .act_dim = A, .max_B = 10, .predict = rec_predict, .ctx = r};
  mbrl_rng g;
  mbrl_rng_init(&g, 1, 0);
  cr_assert_eq(mbrl_planner_set(&c, "icem_elite_ratio", "0.5", err, sizeof err), 0);
  cr_assert_eq(mbrl_planner_set(&c, "icem_elite_ratio", "0.51", err, sizeof err), MBRL_EINVAL);
  c.N = 9; /* 5 elites need 10 */
  mbrl_planner *p = NULL;
  cr_expect_eq(mbrl_planner_make(&p, &c, &quad, &m, &g, err, sizeof err), MBRL_EINVAL);
  cr_expect(strstr(err, "elites") != NULL, "%s", err);
  cr_assert_eq(mbrl_planner_defaults(&c, "mppi", err, sizeof err), 0);
  c.H = 5, c.N = 10;
  cr_expect_eq(mbrl_planner_set(&c, "mppi_beta", "0", err, sizeof err), MBRL_EINVAL);
  cr_expect_eq(mbrl_planner_set(&c, "mppi_sigma", "-1", err, sizeof err), MBRL_EINVAL);
}

/* ---- gradient planning ---- */

#include "mbrl/dynamics.h"
#include "plan/plan_impl.h"

/* a task with a model-dependent part: r = -|a - target|^2 - 0.5 s'[0]^2 - 0.2 s'[1] s[0] */
static void mixed_reward(void *ctx, const float *obs, const float *act, const float *next_obs, int B, float *reward,
                         int *done) {
  (void)ctx;
  for (int b = 0; b < B; b++) {
    float d0 = act[A * b] - target[0], d1 = act[A * b + 1] - target[1], s0 = next_obs[2 * b];
    reward[b] = -(d0 * d0 + d1 * d1) - 0.5f * s0 * s0 - 0.2f * next_obs[2 * b + 1] * obs[2 * b];
    if (done) done[b] = 0;
  }
}

static void mixed_reward_vjp(void *ctx, const float *obs, const float *act, const float *next_obs, int B,
                             const float *dr, float *d_obs, float *d_act, float *d_next) {
  (void)ctx;
  for (int b = 0; b < B; b++) {
    d_act[A * b] = -2.0f * dr[b] * (act[A * b] - target[0]);
    d_act[A * b + 1] = -2.0f * dr[b] * (act[A * b + 1] - target[1]);
    d_next[2 * b] = -dr[b] * next_obs[2 * b];
    d_next[2 * b + 1] = -0.2f * dr[b] * obs[2 * b];
    d_obs[2 * b] = -0.2f * dr[b] * next_obs[2 * b + 1];
    d_obs[2 * b + 1] = 0.0f;
  }
}

static const mbrl_task mixed = {.obs_dim = 2, .act_dim = A, .act_low = lo, .act_high = hi, .reward = mixed_reward,
                                .reward_vjp = mixed_reward_vjp};

/* a learned model of 3 tanh members with random weights and statistics from random data */
static void random_model(mbrl_dynamics *dyn, mbrl_dynamics_work *w, int max_B) {
  mbrl_dynamics_config dc = mbrl_dynamics_defaults(2, A);
  dc.n_layers = 2, dc.size = 16;
  mbrl_rng r;
  mbrl_rng_init(&r, 3, 0);
  cr_assert_eq(mbrl_dynamics_init(dyn, &dc, &r, NULL, 0), 0);
  mbrl_paths paths;
  mbrl_paths_init(&paths, 2, A, 200);
  paths.n = 200;
  mbrl_rng_fill_normal(&r, paths.obs, 400, 0.0f, 1.0f);
  mbrl_rng_fill_normal(&r, paths.next_obs, 400, 0.0f, 1.0f);
  mbrl_rng_fill_uniform(&r, paths.act, 400, -1.0f, 1.0f);
  mbrl_buffer buf;
  mbrl_buffer_init(&buf, 2, A, 0);
  mbrl_buffer_add(&buf, &paths, NULL);
  cr_assert_eq(mbrl_dynamics_update_stats(dyn, &buf, NULL, 0), 0);
  mbrl_buffer_free(&buf);
  mbrl_paths_free(&paths);
  mbrl_dynamics_work_init(w, dyn, max_B);
}

static mbrl_planner *make_on(const char *name, int H, int N, const char *const *settings, const mbrl_model *m) {
  mbrl_planner_config c;
  char err[256] = "";
  cr_assert_eq(mbrl_planner_defaults(&c, name, err, sizeof err), 0, "%s", err);
  c.H = H, c.N = N;
  for (int i = 0; settings && settings[i]; i += 2)
    cr_assert_eq(mbrl_planner_set(&c, settings[i], settings[i + 1], err, sizeof err), 0, "%s", err);
  mbrl_rng r;
  mbrl_rng_init(&r, 8, 0);
  mbrl_planner *p = NULL;
  cr_assert_eq(mbrl_planner_make(&p, &c, &mixed, m, &r, err, sizeof err), 0, "%s", err);
  return p;
}

/* the return's gradient through the model and the reward against central differences */
Test(samplers, grad_return_gradient_matches_central_differences) {
  enum { H = 4, K = 3 };
  mbrl_dynamics dyn;
  mbrl_dynamics_work w;
  random_model(&dyn, &w, 64);
  mbrl_model m = mbrl_dynamics_model(&w);
  mbrl_planner *p = make_on("grad", H, K, NULL, &m);
  mbrl_grad g;
  char err[256] = "";
  cr_assert_eq(mbrl_grad_init(&g, p, K, err, sizeof err), 0, "%s", err);
  const float obs[2] = {0.3f, -0.7f};
  float x[K * H * A];
  mbrl_rng r;
  mbrl_rng_init(&r, 9, 0);
  mbrl_rng_fill_uniform(&r, x, K * H * A, -0.8f, 0.8f);
  cr_assert_eq(mbrl_grad_gradient(&g, p, obs, x, K), 0);
  float grad[K * H * A];
  memcpy(grad, g.grad, sizeof grad);
  for (int q = 0; q < K * H * A; q++) {
    const float keep = x[q], h = 1e-2f;
    x[q] = keep + h;
    cr_assert_eq(mbrl_grad_gradient(&g, p, obs, x, K), 0);
    double up = g.ret[q / (H * A)];
    x[q] = keep - h;
    cr_assert_eq(mbrl_grad_gradient(&g, p, obs, x, K), 0);
    double down = g.ret[q / (H * A)];
    x[q] = keep;
    double fd = (up - down) / (2.0 * h);
    cr_expect(fabs(grad[q] - fd) < 2e-2 * fmax(1.0, fabs(fd)), "entry %d: gradient %g, differences %g", q,
              (double)grad[q], fd);
  }
  mbrl_grad_free(&g);
  mbrl_planner_free(p);
  mbrl_dynamics_work_free(&w);
  mbrl_dynamics_free(&dyn);
}

/* grad and cemgd improve on where they start, and a model without gradients is refused */
Test(samplers, grad_and_cemgd_raise_the_predicted_return) {
  enum { H = 5 };
  mbrl_dynamics dyn;
  mbrl_dynamics_work w;
  random_model(&dyn, &w, 400);
  mbrl_model m = mbrl_dynamics_model(&w);
  const float obs[2] = {0.3f, -0.7f};
  mbrl_grad g;
  char err[256] = "";
  for (int k = 0; k < 2; k++) {
    mbrl_planner *p = k == 0 ? make_on("grad", H, 8, (const char *[]){"grad_iterations", "60", "grad_lr", "0.05", NULL}, &m)
                             : make_on("cemgd", H, 100, NULL, &m);
    float act[A];
    cr_assert_eq(mbrl_planner_act(p, obs, act), 0);
    /* the plan's return beats every one of 200 uniform sequences' */
    cr_assert_eq(mbrl_grad_init(&g, p, 200, err, sizeof err), 0, "%s", err);
    float x[200 * H * A];
    memcpy(x, mbrl_planner_plan(p), sizeof(float) * H * A);
    mbrl_rng r;
    mbrl_rng_init(&r, 10, 0);
    mbrl_rng_fill_uniform(&r, x + H * A, 199 * H * A, -1.0f, 1.0f);
    cr_assert_eq(mbrl_grad_gradient(&g, p, obs, x, 200), 0);
    for (int i = 1; i < 200; i++)
      cr_expect(g.ret[0] > g.ret[i], "%s: plan %g, uniform sequence %d %g", k ? "cemgd" : "grad", g.ret[0], i, g.ret[i]);
    mbrl_grad_free(&g);
    mbrl_planner_free(p);
  }
  mbrl_dynamics_work_free(&w);
  mbrl_dynamics_free(&dyn);
  /* the recorder model has no gradient */
  mbrl_planner_config c;
  cr_assert_eq(mbrl_planner_defaults(&c, "grad", err, sizeof err), 0);
  c.H = 3, c.N = 4;
  mbrl_model nm = {.E = 1, .obs_dim = 1, .act_dim = A, .max_B = 4, .predict = rec_predict, .ctx = &rec};
  mbrl_rng r;
  mbrl_rng_init(&r, 1, 0);
  mbrl_planner *p = NULL;
  cr_expect_eq(mbrl_planner_make(&p, &c, &quad, &nm, &r, err, sizeof err), MBRL_EINVAL);
  cr_expect(strstr(err, "gradient") != NULL, "%s", err);
}
