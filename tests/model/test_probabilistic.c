/* The probabilistic dynamics model (PETS's probabilistic ensemble): its predicted uncertainty grows
 * away from the data, draws follow the predicted Gaussian, the learned log-variance bounds move
 * and stay ordered, a checkpoint keeps them; fitting with a validation split keeps each member's
 * best epoch, stops on patience and makes the best members the elites predictions use. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "../io/io_test.h"
#include "mbrl/core.h"
#include "mbrl/dynamics.h"

/* a 1-D system with a gap in its data: s in [-1, -0.6] or [0.6, 1], a = 0,
 * s' = s + 0.5 sin(3 s) + 0.02 N(0, 1) */
static void gap_data(mbrl_buffer *buf, int n, mbrl_rng *r) {
  mbrl_paths p;
  mbrl_paths_init(&p, 1, 1, n);
  p.n = n;
  for (int i = 0; i < n; i++) {
    float u = (float)mbrl_rng_uniform(r) * 0.4f + 0.6f;
    float s = mbrl_rng_uniform(r) < 0.5 ? -u : u;
    p.obs[i] = s, p.act[i] = 0.0f;
    p.next_obs[i] = s + 0.5f * sinf(3.0f * s) + 0.02f * (float)mbrl_rng_normal(r);
    p.reward[i] = 0, p.terminal[i] = 0;
  }
  mbrl_buffer_init(buf, 1, 1, n);
  mbrl_buffer_add(buf, &p, NULL);
  mbrl_paths_free(&p);
}

static mbrl_dynamics_config gap_config(void) {
  mbrl_dynamics_config c = mbrl_dynamics_defaults(1, 1);
  c.E = 5, c.n_layers = 2, c.size = 64, c.act = MBRL_ACT_SILU, c.train_batch_size = 64;
  c.bootstrap = 1, c.probabilistic = 1;
  return c;
}

/* dyn of configuration c with statistics over buf, n transitions of gap_data */
static void gap_model(mbrl_dynamics *dyn, mbrl_buffer *buf, mbrl_rng *r, int n, const mbrl_dynamics_config *c) {
  gap_data(buf, n, r);
  cr_assert_eq(mbrl_dynamics_init(dyn, c, r, NULL, 0), 0);
  cr_assert_eq(mbrl_dynamics_update_stats(dyn, buf, NULL, 0), 0);
}

/* the total predictive variance of the ensemble at s: mean of the members' variances plus the
 * variance of their means */
static double total_variance(const mbrl_dynamics *dyn, mbrl_dynamics_work *w, float s) {
  enum { E = 5 };
  float st[E], a[E] = {0}, mean[E], var[E];
  for (int e = 0; e < E; e++) st[e] = s;
  cr_assert_eq(mbrl_dynamics_sample(dyn, w, st, a, mean, var, 1, NULL), 0);
  double m = 0, v = 0, d = 0;
  for (int e = 0; e < E; e++) m += mean[e] / E, v += var[e] / E;
  for (int e = 0; e < E; e++) d += (mean[e] - m) * (mean[e] - m) / E;
  return v + d;
}

Test(model_probabilistic, uncertainty_is_larger_away_from_the_data, .timeout = 60) {
  mbrl_rng r;
  mbrl_rng_init(&r, 11, 0);
  mbrl_dynamics_config c = gap_config();
  mbrl_buffer buf;
  mbrl_dynamics dyn;
  gap_model(&dyn, &buf, &r, 2000, &c);
  float first = 0, last = 0;
  for (int k = 0; k < 3000; k++) {
    float l;
    cr_assert_eq(mbrl_dynamics_train_step(&dyn, &buf, &l, NULL, 0), 0);
    if (k == 0) first = l;
    last = l;
  }
  cr_expect_lt(last, first - 1.0f, "the negative log-likelihood falls: %g -> %g", first, last);
  mbrl_dynamics_work w;
  mbrl_dynamics_work_init(&w, &dyn, 1);
  /* the most on the data against the mean over points in the gap and beyond its ends */
  double on = 0, away = 0;
  for (int k = 0; k <= 4; k++)
    on = fmax(on, fmax(total_variance(&dyn, &w, 0.6f + 0.1f * k), total_variance(&dyn, &w, -0.6f - 0.1f * k)));
  const float far[5] = {-2.0f, -0.2f, 0.0f, 0.2f, 2.0f};
  for (int k = 0; k < 5; k++) away += total_variance(&dyn, &w, far[k]) / 5;
  /* (9 to 27 times as large over the seeds 11 to 81 of this test) */
  cr_expect_gt(away, 3 * on, "away from the data %g against on it %g", away, on);
  /* on the data the predicted variance is about the noise's (0.02^2), not the initial bound's */
  cr_expect_lt(on, 0.002, "%g", on);
  cr_expect_lt(dyn.logvar_min[0], dyn.logvar_max[0]);
  mbrl_dynamics_work_free(&w);
  mbrl_dynamics_free(&dyn);
  mbrl_buffer_free(&buf);
}

Test(model_probabilistic, draws_follow_the_predicted_gaussian) {
  mbrl_rng r;
  mbrl_rng_init(&r, 12, 0);
  mbrl_dynamics_config c = gap_config();
  c.obs_dim = 1, c.E = 2;
  mbrl_buffer buf;
  mbrl_dynamics dyn;
  gap_model(&dyn, &buf, &r, 500, &c);
  for (int k = 0; k < 50; k++) cr_assert_eq(mbrl_dynamics_train_step(&dyn, &buf, NULL, NULL, 0), 0);
  enum { B = 4000 };
  mbrl_dynamics_work w;
  mbrl_dynamics_work_init(&w, &dyn, B);
  static float s[2 * B], a[2 * B], mean[2 * B], var[2 * B], draw[2 * B];
  for (int i = 0; i < 2 * B; i++) s[i] = 0.6f, a[i] = 0;
  cr_assert_eq(mbrl_dynamics_sample(&dyn, &w, s, a, mean, var, B, NULL), 0);
  cr_assert_eq(mbrl_dynamics_sample(&dyn, &w, s, a, draw, NULL, B, &r), 0);
  for (int e = 0; e < 2; e++) {
    double m = 0, v = 0;
    for (int i = 0; i < B; i++) m += draw[e * B + i] / B;
    for (int i = 0; i < B; i++) v += (draw[e * B + i] - m) * (draw[e * B + i] - m) / B;
    double sd = sqrt(var[e * B]);
    cr_expect_lt(fabs(m - mean[e * B]), 4 * sd / sqrt(B), "member %d mean %g against %g", e, m, mean[e * B]);
    cr_expect_lt(fabs(v / var[e * B] - 1), 0.1, "member %d variance %g against %g", e, v, var[e * B]);
  }
  /* the mean prediction is what mbrl_dynamics_predict gives */
  static float plain[2 * B];
  cr_assert_eq(mbrl_dynamics_predict(&dyn, &w, s, a, plain, B), 0);
  cr_expect_eq(memcmp(plain, mean, sizeof plain), 0);
  mbrl_model m = mbrl_dynamics_model(&w);
  cr_expect(m.has_var);
  mbrl_dynamics_work_free(&w);
  mbrl_dynamics_free(&dyn);
  mbrl_buffer_free(&buf);
}

Test(model_probabilistic, checkpoint_keeps_the_log_variance_bounds) {
  char dir[64], path[128], err[256] = "";
  io_test_mkdtemp(dir);
  snprintf(path, sizeof path, "%s/model.safetensors", dir);
  mbrl_rng r;
  mbrl_rng_init(&r, 13, 0);
  mbrl_dynamics_config c = gap_config();
  mbrl_buffer buf;
  mbrl_dynamics dyn, back;
  gap_model(&dyn, &buf, &r, 500, &c);
  for (int k = 0; k < 20; k++) cr_assert_eq(mbrl_dynamics_train_step(&dyn, &buf, NULL, NULL, 0), 0);
  cr_expect_neq(dyn.logvar_max[0], 0.5f, "the bounds learn");
  cr_assert_eq(mbrl_dynamics_save(&dyn, path, err, sizeof err), 0, "%s", err);
  cr_assert_eq(mbrl_dynamics_load(&back, path, &r, err, sizeof err), 0, "%s", err);
  cr_expect(back.cfg.probabilistic);
  cr_expect_eq(back.logvar_min[0], dyn.logvar_min[0]);
  cr_expect_eq(back.logvar_max[0], dyn.logvar_max[0]);
  mbrl_dynamics_work w1, w2;
  mbrl_dynamics_work_init(&w1, &dyn, 8);
  mbrl_dynamics_work_init(&w2, &back, 8);
  float s[40], a[40] = {0}, v1[40], v2[40], y1[40], y2[40];
  for (int i = 0; i < 40; i++) s[i] = -1.0f + 0.05f * i;
  cr_assert_eq(mbrl_dynamics_sample(&dyn, &w1, s, a, y1, v1, 8, NULL), 0);
  cr_assert_eq(mbrl_dynamics_sample(&back, &w2, s, a, y2, v2, 8, NULL), 0);
  cr_expect_eq(memcmp(y1, y2, sizeof y1), 0);
  cr_expect_eq(memcmp(v1, v2, sizeof v1), 0);
  mbrl_dynamics_work_free(&w1);
  mbrl_dynamics_work_free(&w2);
  mbrl_dynamics_free(&back);
  mbrl_dynamics_free(&dyn);
  mbrl_buffer_free(&buf);
  io_test_rmtree(dir);
}

/* ---- fitting with a validation split, early stopping and elites ---- */

Test(model_probabilistic, fit_keeps_each_members_best_epoch_and_picks_the_elites, .timeout = 60) {
  mbrl_rng r;
  mbrl_rng_init(&r, 14, 0);
  mbrl_dynamics_config c = gap_config();
  c.validation_ratio = 0.2f, c.patience = 3, c.num_elites = 3;
  mbrl_buffer buf;
  mbrl_dynamics dyn;
  gap_model(&dyn, &buf, &r, 1000, &c);
  cr_assert_eq(mbrl_dynamics_n_elites(&dyn), 3);
  mbrl_dynamics_fit_info fi;
  char err[256] = "";
  cr_assert_eq(mbrl_dynamics_fit(&dyn, &buf, 200, NULL, &fi, err, sizeof err), 0, "%s", err);
  cr_expect_lt(fi.epochs, 200, "patience stops the fit: %d epochs", fi.epochs);
  cr_expect_eq(fi.steps, fi.epochs * 13, "ceil(800 / 64) steps an epoch");
  cr_expect(isfinite(fi.val_score));
  /* the elites are the best members on validation, best first */
  for (int k = 1; k < 5; k++) cr_expect_leq(dyn.val_score[dyn.elite[k - 1]], dyn.val_score[dyn.elite[k]]);
  double m = 0;
  for (int k = 0; k < 3; k++) m += dyn.val_score[dyn.elite[k]] / 3;
  cr_expect_float_eq(fi.val_score, (float)m, 1e-6);
  /* the model's member k is the network's member elite[k]: the same rows through all five members
   * (a copy of the network without elites) give the same next states there */
  mbrl_dynamics_config all = c;
  all.num_elites = 0;
  mbrl_dynamics twin;
  cr_assert_eq(mbrl_dynamics_init(&twin, &all, &r, NULL, 0), 0);
  memcpy(twin.net.params, dyn.net.params, dyn.net.n_params * sizeof(float));
  memcpy(twin.stats, dyn.stats, (4 + 2) * sizeof(float));
  memcpy(twin.logvar, dyn.logvar, 2 * sizeof(float));
  twin.has_stats = 1, twin.version++;
  mbrl_dynamics_work w, tw;
  mbrl_dynamics_work_init(&w, &dyn, 4);
  mbrl_dynamics_work_init(&tw, &twin, 4);
  mbrl_model model = mbrl_dynamics_model(&w);
  cr_expect_eq(model.E, 3);
  float s[20], a[20] = {0}, y[20], ty[20];
  for (int i = 0; i < 20; i++) s[i] = -1.0f + 0.1f * (i % 4);
  cr_assert_eq(mbrl_dynamics_predict(&dyn, &w, s, a, y, 4), 0);
  cr_assert_eq(mbrl_dynamics_predict(&twin, &tw, s, a, ty, 4), 0);
  for (int k = 0; k < 3; k++)
    for (int i = 0; i < 4; i++)
      cr_expect_eq(y[k * 4 + i], ty[dyn.elite[k] * 4 + i], "elite %d (member %d) row %d", k, dyn.elite[k], i);
  /* and the product of its gradients follows the same members */
  float dn[12], ds[12], da[12], tds[20], tda[20], tdn[20] = {0};
  for (int i = 0; i < 12; i++) dn[i] = 1.0f + 0.1f * i;
  for (int k = 0; k < 3; k++)
    for (int i = 0; i < 4; i++) tdn[dyn.elite[k] * 4 + i] = dn[k * 4 + i];
  cr_assert_eq(mbrl_dynamics_vjp(&dyn, &w, s, a, dn, ds, da, 4), 0);
  cr_assert_eq(mbrl_dynamics_vjp(&twin, &tw, s, a, tdn, tds, tda, 4), 0);
  for (int k = 0; k < 3; k++)
    for (int i = 0; i < 4; i++) cr_expect_float_eq(ds[k * 4 + i], tds[dyn.elite[k] * 4 + i], 1e-6);
  /* a checkpoint keeps the elites */
  char dir[64], path[128];
  io_test_mkdtemp(dir);
  snprintf(path, sizeof path, "%s/model.safetensors", dir);
  cr_assert_eq(mbrl_dynamics_save(&dyn, path, err, sizeof err), 0, "%s", err);
  mbrl_dynamics back;
  cr_assert_eq(mbrl_dynamics_load(&back, path, &r, err, sizeof err), 0, "%s", err);
  cr_expect_eq(mbrl_dynamics_n_elites(&back), 3);
  cr_expect_eq(memcmp(back.elite, dyn.elite, 3 * sizeof(int)), 0, "the elites, best first");
  mbrl_dynamics_free(&back);
  io_test_rmtree(dir);
  mbrl_dynamics_work_free(&w);
  mbrl_dynamics_work_free(&tw);
  mbrl_dynamics_free(&twin);
  mbrl_dynamics_free(&dyn);
  mbrl_buffer_free(&buf);
}

Test(model_probabilistic, fit_restores_the_best_validation_epoch) {
  /* steps so large that every epoch is worse than none: each member ends with its weights from
   * before the fit, exactly */
  mbrl_rng r;
  mbrl_rng_init(&r, 15, 0);
  mbrl_dynamics_config c = gap_config();
  c.validation_ratio = 0.3f, c.lr = 50.0f;
  mbrl_buffer buf;
  mbrl_dynamics dyn;
  gap_model(&dyn, &buf, &r, 500, &c);
  float *before = mbrl_alloc(dyn.net.n_params * sizeof(float));
  memcpy(before, dyn.net.params, dyn.net.n_params * sizeof(float));
  mbrl_dynamics_fit_info fi;
  cr_assert_eq(mbrl_dynamics_fit(&dyn, &buf, 3, NULL, &fi, NULL, 0), 0);
  cr_expect_eq(fi.epochs, 3, "no patience: every epoch runs");
  cr_expect_gt(dyn.steps, 0, "steps were taken (and undone)");
  cr_expect_eq(memcmp(before, dyn.net.params, dyn.net.n_params * sizeof(float)), 0);
  for (int e = 0; e < 5; e++) cr_expect(isfinite(dyn.val_score[e]), "member %d: %g", e, dyn.val_score[e]);
  /* too few transitions for the members once the validation part is out */
  mbrl_buffer small;
  gap_data(&small, 5, &r);
  cr_expect_eq(mbrl_dynamics_fit(&dyn, &small, 1, NULL, NULL, NULL, 0), MBRL_EINVAL);
  mbrl_buffer_free(&small);
  mbrl_free(before);
  mbrl_dynamics_free(&dyn);
  mbrl_buffer_free(&buf);
}
