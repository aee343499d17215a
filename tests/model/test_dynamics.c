/* The dynamics model: statistics against a double-precision reference, the prediction formula,
 * how training draws its rows, learning a linear system, skipped steps, checkpoint round trips. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../io/io_test.h"
#include "mbrl/checkpoint.h"
#include "mbrl/core.h"
#include "mbrl/dynamics.h"

/* the linear system s' = A s + B a with obs 3, act 2 */
static const double LA[3][3] = {{0.9, 0.1, 0.0}, {0.0, 0.95, 0.1}, {-0.1, 0.0, 0.9}};
static const double LB[3][2] = {{0.1, 0.0}, {0.0, 0.2}, {0.05, -0.05}};

/* n transitions of the linear system from s ~ N(0, 1), a ~ U(-1, 1) */
static void linear_batch(mbrl_paths *p, int n, mbrl_rng *r) {
  p->n = n;
  mbrl_rng_fill_normal(r, p->obs, (size_t)n * 3, 0.0f, 1.0f);
  mbrl_rng_fill_uniform(r, p->act, (size_t)n * 2, -1.0f, 1.0f);
  for (int i = 0; i < n; i++) {
    const float *s = p->obs + 3 * i, *a = p->act + 2 * i;
    for (int j = 0; j < 3; j++)
      p->next_obs[3 * i + j] = (float)(LA[j][0] * s[0] + LA[j][1] * s[1] + LA[j][2] * s[2] +
                                       LB[j][0] * a[0] + LB[j][1] * a[1]);
    p->reward[i] = 0, p->terminal[i] = 0;
  }
}

static mbrl_dynamics_config small_config(int n_layers, int size) {
  mbrl_dynamics_config c = mbrl_dynamics_defaults(3, 2);
  c.E = 2, c.n_layers = n_layers, c.size = size, c.train_batch_size = 128;
  return c;
}

/* population mean and std of column j of the rows (n x w) in double */
static void ref_stats(const float *x, const float *minus, int n, int w, int j, double *mean, double *std) {
  double m = 0, v = 0;
  for (int i = 0; i < n; i++) m += (double)x[i * w + j] - (minus ? minus[i * w + j] : 0.0);
  m /= n;
  for (int i = 0; i < n; i++) {
    double u = (double)x[i * w + j] - (minus ? minus[i * w + j] : 0.0) - m;
    v += u * u;
  }
  *mean = m, *std = sqrt(v / n);
}

Test(model_dynamics, statistics_are_population_mean_and_std_over_the_buffer) {
  mbrl_rng r;
  mbrl_rng_init(&r, 1, 0);
  mbrl_paths p;
  mbrl_paths_init(&p, 3, 2, 3000);
  mbrl_buffer b;
  mbrl_buffer_init(&b, 3, 2, 5000);
  /* offsets far from zero test the accuracy of the variance; 9000 rows wrap round 5000 */
  for (int k = 0; k < 3; k++) {
    linear_batch(&p, 3000, &r);
    for (int i = 0; i < 3000 * 3; i++) p.obs[i] = 1000.0f + 0.01f * p.obs[i], p.next_obs[i] += 1000.0f;
    for (int i = 0; i < 3000 * 2; i++) p.act[i] = p.act[i] * (float)(k + 1) - 3.0f;
    mbrl_buffer_add(&b, &p, NULL);
  }
  cr_assert_eq(b.size, 5000);
  mbrl_dynamics_config c = small_config(1, 8);
  mbrl_dynamics dyn;
  cr_assert_eq(mbrl_dynamics_init(&dyn, &c, &r, NULL, 0), 0);
  cr_assert_eq(dyn.has_stats, 0);
  cr_assert_eq(mbrl_dynamics_update_stats(&dyn, &b, NULL, 0), 0);
  cr_assert_eq(dyn.has_stats, 1);
  for (int j = 0; j < 3; j++) {
    double m, s;
    ref_stats(b.obs, NULL, 5000, 3, j, &m, &s);
    cr_expect_float_eq(dyn.obs_mean[j], m, 1e-7 * fabs(m));
    cr_expect_float_eq(dyn.obs_std[j], s, 1e-6 * s);
    /* deltas are differences of float32 values, as numpy takes them */
    float *d = mbrl_alloc(5000 * 3 * sizeof(float));
    for (int i = 0; i < 5000 * 3; i++) d[i] = b.next_obs[i] - b.obs[i];
    ref_stats(d, NULL, 5000, 3, j, &m, &s);
    cr_expect_float_eq(dyn.delta_mean[j], m, 1e-6 * fabs(m) + 1e-9);
    cr_expect_float_eq(dyn.delta_std[j], s, 1e-6 * s);
    mbrl_free(d);
  }
  for (int j = 0; j < 2; j++) {
    double m, s;
    ref_stats(b.act, NULL, 5000, 2, j, &m, &s);
    cr_expect_float_eq(dyn.act_mean[j], m, 1e-6 * fabs(m));
    cr_expect_float_eq(dyn.act_std[j], s, 1e-6 * s);
    /* the last 5000 rows are the third batch and part of the second */
    cr_expect(s > 1.0 / sqrt(3.0) * 2.0 && s < 1.0 / sqrt(3.0) * 3.0, "act std %g", s);
  }
  /* NaN data leave the statistics alone */
  float keep = dyn.obs_mean[0];
  b.obs[7] = NAN;
  char err[128] = "";
  cr_expect_eq(mbrl_dynamics_update_stats(&dyn, &b, err, sizeof err), MBRL_ENUMERIC);
  cr_expect_eq(dyn.obs_mean[0], keep);
  mbrl_buffer b0;
  mbrl_buffer_init(&b0, 3, 2, 10);
  cr_expect_eq(mbrl_dynamics_update_stats(&dyn, &b0, err, sizeof err), MBRL_EINVAL);
  mbrl_buffer_free(&b0);
  mbrl_dynamics_free(&dyn);
  mbrl_buffer_free(&b);
  mbrl_paths_free(&p);
}

/* statistics of a model with obs 3 and act 2 drawn from r, every std at least floor */
static void random_stats(mbrl_dynamics *dyn, mbrl_rng *r, float floor) {
  const int F = 3 + dyn->n_angles;
  mbrl_rng_fill_normal(r, dyn->stats, 2 * F + 2 * 3 + 2 * 2, 0.5f, 1.0f);
  for (int j = 0; j < F; j++) dyn->obs_std[j] = floor + fabsf(dyn->obs_std[j]);
  for (int j = 0; j < 3; j++) dyn->delta_std[j] = floor + fabsf(dyn->delta_std[j]);
  for (int j = 0; j < 2; j++) dyn->act_std[j] = floor + fabsf(dyn->act_std[j]);
}

Test(model_dynamics, prediction_normalises_and_unnormalises) {
  /* no hidden layer: member e computes y = W_e x + b_e, checked in double */
  mbrl_rng r;
  mbrl_rng_init(&r, 2, 0);
  mbrl_dynamics_config c = small_config(0, 0);
  c.E = 3;
  mbrl_dynamics dyn;
  cr_assert_eq(mbrl_dynamics_init(&dyn, &c, &r, NULL, 0), 0);
  random_stats(&dyn, &r, 0.0f);
  dyn.act_std[1] = 0.0f; /* a constant action dimension divides by 1e-8 */
  dyn.has_stats = 1;
  const int B = 4;
  float s[3 * 4 * 3], a[3 * 4 * 2], s2[3 * 4 * 3];
  mbrl_rng_fill_normal(&r, s, sizeof s / sizeof *s, 0.0f, 2.0f);
  mbrl_rng_fill_uniform(&r, a, sizeof a / sizeof *a, -1.0f, 1.0f);
  mbrl_dynamics_work w;
  mbrl_dynamics_work_init(&w, &dyn, 8);
  mbrl_dynamics_predict(&dyn, &w, s, a, s2, B);
  for (int e = 0; e < 3; e++)
    for (int b = 0; b < B; b++) {
      const float *sr = s + (e * B + b) * 3, *ar = a + (e * B + b) * 2;
      double x[5];
      for (int j = 0; j < 3; j++) x[j] = ((double)sr[j] - dyn.obs_mean[j]) / ((double)dyn.obs_std[j] + 1e-8);
      for (int j = 0; j < 2; j++) x[3 + j] = ((double)ar[j] - dyn.act_mean[j]) / ((double)dyn.act_std[j] + 1e-8);
      for (int o = 0; o < 3; o++) {
        double y = dyn.net.b[0][e * 3 + o];
        for (int i = 0; i < 5; i++) y += (double)dyn.net.w[0][(e * 3 + o) * 5 + i] * x[i];
        double want = sr[o] + y * dyn.delta_std[o] + dyn.delta_mean[o];
        cr_expect_float_eq(s2[(e * B + b) * 3 + o], want, 1e-5 * (1 + fabs(want)), "e %d b %d o %d", e, b, o);
      }
    }
  /* the planner view */
  mbrl_model m = mbrl_dynamics_model(&w);
  cr_assert_eq(m.E, 3);
  cr_assert_eq(m.max_B, 8);
  cr_assert(m.ready(m.ctx));
  float s3[3 * 4 * 3];
  cr_assert_eq(m.predict(m.ctx, s, a, s3, NULL, B, NULL), 0);
  cr_assert_eq(memcmp(s2, s3, sizeof s2), 0);
  dyn.has_stats = 0;
  cr_assert_not(m.ready(m.ctx));
  cr_assert_eq(m.predict(m.ctx, s, a, s3, NULL, B, NULL), MBRL_EINVAL, "no statistics: an error, not an abort");
  mbrl_dynamics_work_free(&w);
  mbrl_dynamics_free(&dyn);
}

Test(model_dynamics, training_rows_are_distinct_chunks_or_bootstrap_draws) {
  mbrl_rng r;
  mbrl_rng_init(&r, 3, 0);
  mbrl_paths p;
  mbrl_paths_init(&p, 3, 2, 1000);
  mbrl_buffer b;
  mbrl_buffer_init(&b, 3, 2, 1000);
  linear_batch(&p, 11, &r);
  mbrl_buffer_add(&b, &p, NULL);
  mbrl_dynamics_config c = small_config(1, 8);
  mbrl_dynamics dyn;
  cr_assert_eq(mbrl_dynamics_init(&dyn, &c, &r, NULL, 0), 0);
  char err[128] = "";
  float loss;
  cr_assert_eq(mbrl_dynamics_train_step(&dyn, &b, &loss, err, sizeof err), MBRL_EINVAL);
  cr_assert(isnan(loss));
  cr_assert_eq(mbrl_dynamics_update_stats(&dyn, &b, NULL, 0), 0);
  /* 11 rows, 2 members of 128 asked: permutation(11)[:256] has 11 rows, chunks of 5 */
  cr_assert_eq(mbrl_dynamics_train_step(&dyn, &b, &loss, err, sizeof err), 0, "%s", err);
  int seen[11] = {0};
  for (int i = 0; i < 10; i++) cr_assert_eq(seen[dyn.idx[i]]++, 0);
  cr_assert(loss > 0 && isfinite(loss));
  cr_assert_eq(dyn.steps, 1);
  /* with more data each member gets train_batch_size distinct rows */
  linear_batch(&p, 900, &r);
  mbrl_buffer_add(&b, &p, NULL);
  cr_assert_eq(mbrl_dynamics_train_step(&dyn, &b, &loss, err, sizeof err), 0, "%s", err);
  static int seen2[1000];
  for (int i = 0; i < 256; i++) cr_assert_eq(seen2[dyn.idx[i]]++, 0);
  /* bootstrap: each member draws 128 of 20 rows with replacement, so every row repeats */
  mbrl_dynamics_free(&dyn);
  c.bootstrap = 1;
  mbrl_buffer b2;
  mbrl_buffer_init(&b2, 3, 2, 100);
  linear_batch(&p, 20, &r);
  mbrl_buffer_add(&b2, &p, NULL);
  cr_assert_eq(mbrl_dynamics_init(&dyn, &c, &r, NULL, 0), 0);
  cr_assert_eq(mbrl_dynamics_update_stats(&dyn, &b2, NULL, 0), 0);
  cr_assert_eq(mbrl_dynamics_train_step(&dyn, &b2, &loss, err, sizeof err), 0, "%s", err);
  int count[20] = {0};
  for (int i = 0; i < 256; i++) {
    cr_assert(dyn.idx[i] >= 0 && dyn.idx[i] < 20);
    count[dyn.idx[i]]++;
  }
  int repeated = 0;
  for (int i = 0; i < 20; i++) repeated += count[i] > 1;
  cr_assert_eq(repeated, 20);
  mbrl_dynamics_free(&dyn);
  mbrl_buffer_free(&b2);
  mbrl_buffer_free(&b);
  mbrl_paths_free(&p);
}

Test(model_dynamics, training_loss_is_the_mean_member_loss) {
  /* loss of an untouched network on the step's rows, recomputed from the sampled indices */
  mbrl_rng r;
  mbrl_rng_init(&r, 4, 0);
  mbrl_paths p;
  mbrl_paths_init(&p, 3, 2, 2000);
  mbrl_buffer b;
  mbrl_buffer_init(&b, 3, 2, 2000);
  linear_batch(&p, 2000, &r);
  mbrl_buffer_add(&b, &p, NULL);
  mbrl_dynamics_config c = small_config(1, 16);
  mbrl_dynamics dyn;
  cr_assert_eq(mbrl_dynamics_init(&dyn, &c, &r, NULL, 0), 0);
  cr_assert_eq(mbrl_dynamics_update_stats(&dyn, &b, NULL, 0), 0);
  /* predicted normalised deltas before the step, for each member on its own chunk */
  mbrl_ensemble before;
  mbrl_ensemble_init(&before, &dyn.net.cfg, &r, NULL, 0);
  memcpy(before.params, dyn.net.params, dyn.net.n_params * sizeof(float));
  float loss;
  cr_assert_eq(mbrl_dynamics_train_step(&dyn, &b, &loss, NULL, 0), 0);
  const int B = 128;
  float *x = mbrl_alloc(2 * B * 5 * sizeof(float)), *y = mbrl_alloc(2 * B * 3 * sizeof(float));
  double member[2] = {0, 0};
  for (int e = 0; e < 2; e++)
    for (int i = 0; i < B; i++) {
      int row = dyn.idx[e * B + i];
      for (int j = 0; j < 3; j++)
        x[(e * B + i) * 5 + j] = (b.obs[row * 3 + j] - dyn.obs_mean[j]) / (dyn.obs_std[j] + 1e-8f);
      for (int j = 0; j < 2; j++)
        x[(e * B + i) * 5 + 3 + j] = (b.act[row * 2 + j] - dyn.act_mean[j]) / (dyn.act_std[j] + 1e-8f);
    }
  mbrl_ensemble_work w;
  mbrl_ensemble_work_init(&w, &before, B);
  mbrl_ensemble_forward(&before, &w, y, x, B);
  for (int e = 0; e < 2; e++)
    for (int i = 0; i < B; i++) {
      int row = dyn.idx[e * B + i];
      for (int j = 0; j < 3; j++) {
        double t = ((b.next_obs[row * 3 + j] - b.obs[row * 3 + j]) - dyn.delta_mean[j]) / (dyn.delta_std[j] + 1e-8f);
        double d = y[(e * B + i) * 3 + j] - t;
        member[e] += d * d / (B * 3);
      }
    }
  cr_expect_float_eq(loss, (member[0] + member[1]) / 2, 1e-5 * loss);
  /* the members saw different rows, so their losses differ */
  cr_expect(fabs(member[0] - member[1]) > 1e-6);
  mbrl_ensemble_work_free(&w);
  mbrl_ensemble_free(&before);
  mbrl_free(x), mbrl_free(y);
  mbrl_dynamics_free(&dyn);
  mbrl_buffer_free(&b);
  mbrl_paths_free(&p);
}

/* mean squared error of every member's prediction of held-out transitions, in state units */
static double held_out_mse(const mbrl_dynamics *dyn, const mbrl_paths *test) {
  const int E = dyn->cfg.E, n = test->n;
  mbrl_dynamics_work w;
  mbrl_dynamics_work_init(&w, dyn, n);
  float *s = mbrl_alloc((size_t)E * n * 3 * sizeof(float)), *a = mbrl_alloc((size_t)E * n * 2 * sizeof(float));
  float *s2 = mbrl_alloc((size_t)E * n * 3 * sizeof(float));
  for (int e = 0; e < E; e++) {
    memcpy(s + (size_t)e * n * 3, test->obs, (size_t)n * 3 * sizeof(float));
    memcpy(a + (size_t)e * n * 2, test->act, (size_t)n * 2 * sizeof(float));
  }
  mbrl_dynamics_predict(dyn, &w, s, a, s2, n);
  double se = 0;
  for (int e = 0; e < E; e++)
    for (int i = 0; i < n * 3; i++) {
      double d = (double)s2[(size_t)e * n * 3 + i] - test->next_obs[i];
      se += d * d;
    }
  mbrl_free(s), mbrl_free(a), mbrl_free(s2);
  mbrl_dynamics_work_free(&w);
  return se / ((double)E * n * 3);
}

static double train_linear(int n_layers, int size, int steps, float lr) {
  mbrl_rng r;
  mbrl_rng_init(&r, 5, 0);
  mbrl_paths p, test;
  mbrl_paths_init(&p, 3, 2, 4000);
  mbrl_paths_init(&test, 3, 2, 500);
  linear_batch(&p, 4000, &r);
  linear_batch(&test, 500, &r);
  mbrl_buffer b;
  mbrl_buffer_init(&b, 3, 2, 0);
  mbrl_buffer_add(&b, &p, NULL);
  mbrl_dynamics_config c = small_config(n_layers, size);
  c.lr = lr;
  mbrl_dynamics dyn;
  cr_assert_eq(mbrl_dynamics_init(&dyn, &c, &r, NULL, 0), 0);
  cr_assert_eq(mbrl_dynamics_update_stats(&dyn, &b, NULL, 0), 0);
  double before = held_out_mse(&dyn, &test);
  float first = 0, loss = 0;
  for (int i = 0; i < steps; i++) {
    cr_assert_eq(mbrl_dynamics_train_step(&dyn, &b, &loss, NULL, 0), 0);
    if (i == 0) first = loss;
  }
  double after = held_out_mse(&dyn, &test);
  cr_log_info("%d x %d: held-out MSE %.3g -> %.3g, loss %.3g -> %.3g over %d steps", n_layers, size, before,
              after, (double)first, (double)loss, steps);
  cr_expect(loss < 0.05f * first);
  mbrl_dynamics_free(&dyn);
  mbrl_buffer_free(&b);
  mbrl_paths_free(&p);
  mbrl_paths_free(&test);
  return after;
}

Test(model_dynamics, learns_a_linear_system) {
  double mse = train_linear(2, 64, 400, 1e-3f);
  cr_expect(mse < 1e-3, "held-out MSE %g", mse);
}

Test(model_dynamics, linear_network_recovers_a_linear_system_closely) {
  double mse = train_linear(0, 0, 600, 1e-2f);
  cr_expect(mse < 1e-6, "held-out MSE %g", mse);
}

Test(model_dynamics, non_finite_loss_skips_the_step) {
  mbrl_rng r;
  mbrl_rng_init(&r, 6, 0);
  mbrl_paths p;
  mbrl_paths_init(&p, 3, 2, 100);
  mbrl_buffer b;
  mbrl_buffer_init(&b, 3, 2, 100);
  linear_batch(&p, 100, &r);
  mbrl_buffer_add(&b, &p, NULL);
  mbrl_dynamics_config c = small_config(1, 8);
  mbrl_dynamics dyn;
  cr_assert_eq(mbrl_dynamics_init(&dyn, &c, &r, NULL, 0), 0);
  cr_assert_eq(mbrl_dynamics_update_stats(&dyn, &b, NULL, 0), 0);
  b.next_obs[5] = INFINITY; /* after the statistics: every step draws all 100 rows */
  float *keep = mbrl_alloc(dyn.net.n_params * sizeof(float));
  memcpy(keep, dyn.net.params, dyn.net.n_params * sizeof(float));
  char err[128] = "";
  float loss;
  cr_assert_eq(mbrl_dynamics_train_step(&dyn, &b, &loss, err, sizeof err), MBRL_ENUMERIC);
  cr_expect(!isfinite(loss));
  cr_expect_eq(dyn.skipped, 1);
  cr_expect_eq(dyn.steps, 0);
  cr_expect_eq(memcmp(keep, dyn.net.params, dyn.net.n_params * sizeof(float)), 0);
  cr_expect(strstr(err, "skipped") != NULL, "%s", err);
  mbrl_free(keep);
  mbrl_dynamics_free(&dyn);
  mbrl_buffer_free(&b);
  mbrl_paths_free(&p);
}

Test(model_dynamics, checkpoint_round_trip_is_bit_exact) {
  char dir[64], path[128], bad[128];
  io_test_mkdtemp(dir);
  snprintf(path, sizeof path, "%s/model.safetensors", dir);
  snprintf(bad, sizeof bad, "%s/ensemble.safetensors", dir);
  mbrl_rng r;
  mbrl_rng_init(&r, 7, 0);
  mbrl_paths p;
  mbrl_paths_init(&p, 3, 2, 500);
  mbrl_buffer b;
  mbrl_buffer_init(&b, 3, 2, 500);
  linear_batch(&p, 500, &r);
  mbrl_buffer_add(&b, &p, NULL);
  mbrl_dynamics_config c = small_config(2, 16);
  c.act = MBRL_ACT_RELU, c.lr = 3e-4f, c.bootstrap = 1, c.train_batch_size = 64;
  mbrl_dynamics dyn, back;
  cr_assert_eq(mbrl_dynamics_init(&dyn, &c, &r, NULL, 0), 0);
  cr_assert_eq(mbrl_dynamics_update_stats(&dyn, &b, NULL, 0), 0);
  for (int i = 0; i < 5; i++) cr_assert_eq(mbrl_dynamics_train_step(&dyn, &b, NULL, NULL, 0), 0);
  char err[256] = "";
  cr_assert_eq(mbrl_dynamics_save(&dyn, path, err, sizeof err), 0, "%s", err);
  cr_assert_eq(mbrl_dynamics_load(&back, path, &r, err, sizeof err), 0, "%s", err);
  cr_expect_eq(memcmp(&back.cfg, &dyn.cfg, sizeof dyn.cfg), 0);
  cr_expect_eq(back.has_stats, 1);
  cr_assert_eq(back.net.n_params, dyn.net.n_params);
  cr_expect_eq(memcmp(back.net.params, dyn.net.params, dyn.net.n_params * sizeof(float)), 0);
  cr_expect_eq(memcmp(back.stats, dyn.stats, (4 * 3 + 2 * 2) * sizeof(float)), 0);
  /* same predictions, bit for bit */
  mbrl_dynamics_work w1, w2;
  mbrl_dynamics_work_init(&w1, &dyn, 50);
  mbrl_dynamics_work_init(&w2, &back, 50);
  float s[2 * 50 * 3], a[2 * 50 * 2], y1[2 * 50 * 3], y2[2 * 50 * 3];
  memcpy(s, p.obs, sizeof s);
  memcpy(a, p.act, sizeof a);
  mbrl_dynamics_predict(&dyn, &w1, s, a, y1, 50);
  mbrl_dynamics_predict(&back, &w2, s, a, y2, 50);
  cr_expect_eq(memcmp(y1, y2, sizeof y1), 0);
  /* the loaded model trains on */
  cr_expect_eq(mbrl_dynamics_train_step(&back, &b, NULL, NULL, 0), 0);
  mbrl_dynamics_work_free(&w1), mbrl_dynamics_work_free(&w2);
  mbrl_dynamics_free(&back);
  /* a plain ensemble file and a missing file fail cleanly */
  cr_assert_eq(mbrl_ensemble_save_file(&dyn.net, bad, NULL, 0), 0);
  cr_expect_lt(mbrl_dynamics_load(&back, bad, &r, err, sizeof err), 0);
  cr_expect_null(back.net.params);
  snprintf(bad, sizeof bad, "%s/missing.safetensors", dir);
  cr_expect_lt(mbrl_dynamics_load(&back, bad, &r, err, sizeof err), 0);
  /* a truncated file fails cleanly */
  size_t n;
  unsigned char *bytes = io_test_slurp(path, &n);
  cr_assert_not_null(bytes);
  FILE *f = fopen(bad, "wb");
  fwrite(bytes, 1, n - 100, f);
  fclose(f);
  free(bytes);
  cr_expect_lt(mbrl_dynamics_load(&back, bad, &r, err, sizeof err), 0);
  mbrl_dynamics_free(&dyn);
  mbrl_buffer_free(&b);
  mbrl_paths_free(&p);
  io_test_rmtree(dir);
}

/* sum_rows d_next . predict(s, a) in double, the function whose gradient the vjp gives */
static double dotted(const mbrl_dynamics *dyn, mbrl_dynamics_work *w, const float *s, const float *a,
                     const float *g, int B) {
  float next[2 * 3 * 3];
  cr_assert_eq(mbrl_dynamics_predict(dyn, w, s, a, next, B), 0);
  double sum = 0.0;
  for (int i = 0; i < 2 * B * 3; i++) sum += (double)g[i] * next[i];
  return sum;
}

/* the product of a model whose networks see angle_dims as sines and cosines, against central
 * differences of its predictions */
static void check_vjp(const char *angle_dims) {
  mbrl_rng r;
  mbrl_rng_init(&r, 7, 0);
  mbrl_dynamics_config c = small_config(1, 16);
  c.E = 2;
  snprintf(c.angle_dims, sizeof c.angle_dims, "%s", angle_dims);
  mbrl_dynamics dyn;
  cr_assert_eq(mbrl_dynamics_init(&dyn, &c, &r, NULL, 0), 0);
  random_stats(&dyn, &r, 0.5f);
  dyn.has_stats = 1;
  const int B = 3;
  float s[2 * 3 * 3], a[2 * 3 * 2], g[2 * 3 * 3], ds[2 * 3 * 3], da[2 * 3 * 2];
  mbrl_rng_fill_normal(&r, s, 18, 0.0f, 1.0f);
  mbrl_rng_fill_uniform(&r, a, 12, -1.0f, 1.0f);
  mbrl_rng_fill_normal(&r, g, 18, 0.0f, 1.0f);
  mbrl_dynamics_work w;
  mbrl_dynamics_work_init(&w, &dyn, 4);
  mbrl_model m = mbrl_dynamics_model(&w);
  cr_assert_not_null(m.vjp);
  cr_assert_eq(m.vjp(m.ctx, s, a, g, ds, da, B), 0);
  /* rows are independent, so one perturbation of an input moves only its own row */
  const float h = 1e-2f;
  for (int i = 0; i < 18 + 12; i++) {
    float *x = i < 18 ? &s[i] : &a[i - 18], keep = *x;
    *x = keep + h;
    double up = dotted(&dyn, &w, s, a, g, B);
    *x = keep - h;
    double down = dotted(&dyn, &w, s, a, g, B);
    *x = keep;
    double fd = (up - down) / (2.0 * h), got = i < 18 ? ds[i] : da[i - 18];
    cr_expect(fabs(fd - got) <= 2e-3 + 2e-2 * fabs(fd), "input %d: vjp %g, differences %g", i, got, fd);
  }
  /* after training the product follows the new weights */
  dyn.net.params[0] += 0.5f, dyn.version++;
  float da2[2 * 3 * 2];
  cr_assert_eq(m.vjp(m.ctx, s, a, g, NULL, da2, B), 0);
  cr_expect_neq(memcmp(da, da2, sizeof da), 0);
  dyn.has_stats = 0;
  cr_expect_eq(m.vjp(m.ctx, s, a, g, NULL, da2, B), MBRL_EINVAL);
  mbrl_dynamics_work_free(&w);
  mbrl_dynamics_free(&dyn);
}

Test(model_dynamics, vjp_matches_central_differences) { check_vjp(""); }

Test(model_dynamics, vjp_through_angle_inputs_matches_central_differences) { check_vjp("0,1"); }

Test(model_dynamics, angle_inputs_are_normalised_sines_and_cosines) {
  char dir[64], path[128], err[256] = "";
  io_test_mkdtemp(dir);
  snprintf(path, sizeof path, "%s/model.safetensors", dir);
  mbrl_rng r;
  mbrl_rng_init(&r, 8, 0);
  mbrl_paths p;
  mbrl_paths_init(&p, 3, 2, 400);
  mbrl_buffer b;
  mbrl_buffer_init(&b, 3, 2, 400);
  linear_batch(&p, 400, &r);
  mbrl_buffer_add(&b, &p, NULL);
  mbrl_dynamics_config c = small_config(1, 16);
  snprintf(c.angle_dims, sizeof c.angle_dims, "1");
  mbrl_dynamics dyn, back;
  cr_assert_eq(mbrl_dynamics_init(&dyn, &c, &r, err, sizeof err), 0, "%s", err);
  cr_expect_eq(dyn.net.cfg.in, 3 + 1 + 2);
  cr_assert_eq(mbrl_dynamics_update_stats(&dyn, &b, NULL, 0), 0);
  /* statistics of x, sin th, z, cos th */
  float feat[400 * 4];
  for (int i = 0; i < 400; i++) {
    const float *o = p.obs + 3 * i;
    feat[4 * i] = o[0], feat[4 * i + 1] = sinf(o[1]), feat[4 * i + 2] = o[2], feat[4 * i + 3] = cosf(o[1]);
  }
  for (int j = 0; j < 4; j++) {
    double m, sd;
    ref_stats(feat, NULL, 400, 4, j, &m, &sd);
    cr_expect_float_eq(dyn.obs_mean[j], m, 1e-6, "feature %d", j);
    cr_expect_float_eq(dyn.obs_std[j], sd, 1e-6, "feature %d", j);
  }
  for (int i = 0; i < 5; i++) cr_assert_eq(mbrl_dynamics_train_step(&dyn, &b, NULL, NULL, 0), 0);
  /* a turn more of the angle changes nothing but the angle itself */
  const int B = 20;
  float s[2 * 20 * 3], s_turn[2 * 20 * 3], a[2 * 20 * 2], y[2 * 20 * 3], y_turn[2 * 20 * 3];
  memcpy(s, p.obs, sizeof s);
  memcpy(a, p.act, sizeof a);
  memcpy(s_turn, s, sizeof s);
  for (int i = 0; i < 2 * B; i++) s_turn[3 * i + 1] += 2.0f * (float)M_PI;
  mbrl_dynamics_work w;
  mbrl_dynamics_work_init(&w, &dyn, B);
  cr_assert_eq(mbrl_dynamics_predict(&dyn, &w, s, a, y, B), 0);
  cr_assert_eq(mbrl_dynamics_predict(&dyn, &w, s_turn, a, y_turn, B), 0);
  for (int i = 0; i < 2 * B * 3; i++)
    cr_expect_float_eq(y_turn[i] - s_turn[i], y[i] - s[i], 1e-4, "entry %d", i);
  /* the file keeps the angles; the loaded model predicts the same */
  cr_assert_eq(mbrl_dynamics_save(&dyn, path, err, sizeof err), 0, "%s", err);
  cr_assert_eq(mbrl_dynamics_load(&back, path, &r, err, sizeof err), 0, "%s", err);
  cr_expect_str_eq(back.cfg.angle_dims, "1");
  cr_expect_eq(memcmp(back.stats, dyn.stats, (2 * 4 + 2 * 3 + 2 * 2) * sizeof(float)), 0);
  mbrl_dynamics_work w2;
  mbrl_dynamics_work_init(&w2, &back, B);
  cr_assert_eq(mbrl_dynamics_predict(&back, &w2, s, a, y_turn, B), 0);
  cr_expect_eq(memcmp(y, y_turn, sizeof y), 0);
  mbrl_dynamics_work_free(&w2), mbrl_dynamics_work_free(&w);
  mbrl_dynamics_free(&back), mbrl_dynamics_free(&dyn);
  /* indices outside the observation, repeated, unordered or not numbers are refused */
  const char *bad[] = {"3", "1,1", "2,1", "x", "1,", "-1"};
  for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
    snprintf(c.angle_dims, sizeof c.angle_dims, "%s", bad[k]);
    cr_expect_eq(mbrl_dynamics_init(&dyn, &c, &r, err, sizeof err), MBRL_EINVAL, "'%s'", bad[k]);
    cr_expect(strstr(err, "angle_dims") != NULL, "%s", err);
  }
  mbrl_buffer_free(&b);
  mbrl_paths_free(&p);
  io_test_rmtree(dir);
}

Test(model_dynamics, layer_weight_decay_decays_each_layers_weights_and_no_bias) {
  mbrl_rng r;
  mbrl_rng_init(&r, 9, 0);
  mbrl_dynamics_config c = small_config(2, 8);
  snprintf(c.layer_weight_decay, sizeof c.layer_weight_decay, "0.1,0.2,0.3");
  mbrl_dynamics dyn;
  char err[256] = "";
  cr_assert_eq(mbrl_dynamics_init(&dyn, &c, &r, err, sizeof err), 0, "%s", err);
  const mbrl_ensemble *n = &dyn.net;
  cr_assert_eq(dyn.opt.decay, dyn.decay);
  for (int l = 0; l < 3; l++) {
    size_t w = (size_t)(n->w[l] - n->params), b = (size_t)(n->b[l] - n->params);
    size_t nw = (size_t)2 * n->dim[l + 1] * n->dim[l], nb = (size_t)2 * n->dim[l + 1];
    for (size_t i = 0; i < nw; i++) cr_assert_float_eq(dyn.decay[w + i], 0.1f * (l + 1), 1e-7, "layer %d", l);
    for (size_t i = 0; i < nb; i++) cr_assert_eq(dyn.decay[b + i], 0.0f, "layer %d bias", l);
  }
  /* with no loss gradient, Adam's first step moves each decayed weight lr towards zero, biases stay */
  float *before = malloc(n->n_params * sizeof(float));
  memcpy(before, n->params, n->n_params * sizeof(float));
  memset(n->grads, 0, n->n_params * sizeof(float));
  mbrl_adam_step(&dyn.opt, n->params, n->grads);
  for (size_t i = 0; i < n->n_params; i++) {
    double moved = (double)before[i] - n->params[i];
    double want = dyn.decay[i] > 0 && before[i] != 0 ? (before[i] > 0 ? 1e-3 : -1e-3) : 0.0;
    cr_assert(fabs(moved - want) < 1e-6, "parameter %zu moved %g, not %g", i, moved, want);
  }
  free(before);
  mbrl_dynamics_free(&dyn);
  const char *bad[] = {"0.1,0.2", "0.1,0.2,0.3,0.4", "x", "-1,0,0", "0.1,,0.2", "0.1,0.2,2"};
  for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
    snprintf(c.layer_weight_decay, sizeof c.layer_weight_decay, "%s", bad[k]);
    cr_expect_eq(mbrl_dynamics_init(&dyn, &c, &r, err, sizeof err), MBRL_EINVAL, "'%s'", bad[k]);
    cr_expect(strstr(err, "layer_weight_decay") != NULL, "%s", err);
  }
}
