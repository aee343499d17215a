/* Adam against hand-computed steps; ensemble members against the same MLP alone; a small
 * regression that must fit. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "mbrl/core.h"
#include "mbrl/nn.h"

Test(adam, matches_hand_computed_steps) {
  /* lr 0.1, betas 0.9/0.999, eps 1e-8. Step 1, g = (0.5, -0.1): m = 0.1 g, v = 0.001 g^2, so the
   * bias-corrected ratio is sign(g) and p moves by 0.1 to (0.9, -1.9). Step 2, g = (0.2, 0.3):
   * m = (0.065, 0.021), v = (2.8975e-4, 9.999e-5); m/(1-0.81) = (0.342105, 0.110526),
   * sqrt(v/(1-0.998001)) = (0.380719, 0.223652), so p = (0.810142, -1.949419). */
  float p[2] = {1.0f, -2.0f};
  float g1[2] = {0.5f, -0.1f}, g2[2] = {0.2f, 0.3f};
  mbrl_adam opt;
  mbrl_adam_init(&opt, 2, 0.1f);
  cr_assert_float_eq(opt.beta1, 0.9f, 0);
  cr_assert_float_eq(opt.beta2, 0.999f, 0);
  cr_assert_float_eq(opt.eps, 1e-8f, 0);
  mbrl_adam_step(&opt, p, g1);
  cr_assert_float_eq(p[0], 0.9f, 1e-6);
  cr_assert_float_eq(p[1], -1.9f, 1e-6);
  mbrl_adam_step(&opt, p, g2);
  cr_assert_float_eq(p[0], 0.810142f, 2e-6);
  cr_assert_float_eq(p[1], -1.949419f, 2e-6);
  mbrl_adam_free(&opt);
}

Test(adam, weight_decay_adds_to_the_gradient) {
  /* with decay 0.01 the first step uses g + 0.01 p = (0.51, -0.12): still sign(g) * lr */
  float p[2] = {1.0f, -2.0f}, g[2] = {0.5f, -0.1f};
  mbrl_adam opt;
  mbrl_adam_init(&opt, 2, 0.1f);
  opt.weight_decay = 0.01f;
  mbrl_adam_step(&opt, p, g);
  cr_assert_float_eq(p[0], 0.9f, 1e-6);
  cr_assert_float_eq(opt.m[0], 0.051f, 1e-7);
  cr_assert_float_eq(opt.v[1], 0.001f * 0.12f * 0.12f, 1e-9);
  mbrl_adam_free(&opt);
}

Test(ensemble, init_matches_pytorch_bounds) {
  mbrl_rng r;
  mbrl_rng_init(&r, 1, 0);
  mbrl_mlp_config cfg = {.E = 3, .in = 27, .out = 21, .n_hidden = 2, .hidden = 250, .act = MBRL_ACT_TANH};
  mbrl_ensemble ens;
  cr_assert_eq(mbrl_ensemble_init(&ens, &cfg, &r, NULL, 0), 0);
  for (int l = 0; l < ens.n_layers; l++) {
    float bound = 1.0f / sqrtf((float)ens.dim[l]), lo = 0, hi = 0;
    size_t n = (size_t)3 * ens.dim[l] * ens.dim[l + 1];
    for (size_t i = 0; i < n; i++) lo = fminf(lo, ens.w[l][i]), hi = fmaxf(hi, ens.w[l][i]);
    cr_assert(lo >= -bound && hi <= bound && hi > 0.9f * bound && lo < -0.9f * bound, "layer %d", l);
  }
  /* members differ */
  cr_assert_neq(ens.w[0][0], ens.w[0][27 * 250]);
  char err[128] = "";
  mbrl_mlp_config bad = cfg;
  bad.n_hidden = 99;
  mbrl_ensemble e2;
  cr_assert_eq(mbrl_ensemble_init(&e2, &bad, &r, err, sizeof err), MBRL_EINVAL);
  cr_assert(strstr(err, "layers") != NULL);
  mbrl_ensemble_free(&ens);
}

Test(ensemble, member_equals_the_mlp_alone) {
  mbrl_rng r;
  mbrl_rng_init(&r, 2, 0);
  enum { B = 100, IN = 27, OUT = 21 };
  mbrl_mlp_config cfg = {.E = 3, .in = IN, .out = OUT, .n_hidden = 2, .hidden = 250, .act = MBRL_ACT_TANH};
  mbrl_ensemble ens, one;
  cr_assert_eq(mbrl_ensemble_init(&ens, &cfg, &r, NULL, 0), 0);
  cfg.E = 1;
  cr_assert_eq(mbrl_ensemble_init(&one, &cfg, &r, NULL, 0), 0);
  mbrl_ensemble_copy_member(&one, 0, &ens, 1);
  float *x = mbrl_alloc(3 * B * IN * sizeof(float)), *y = mbrl_alloc(3 * B * OUT * sizeof(float));
  float *y1 = mbrl_alloc(B * OUT * sizeof(float));
  mbrl_rng_fill_normal(&r, x, 3 * B * IN, 0.0f, 1.0f);
  mbrl_ensemble_work w3, w1;
  mbrl_ensemble_work_init(&w3, &ens, B);
  mbrl_ensemble_work_init(&w1, &one, B);
  for (int be = MBRL_BACKEND_DNNL; be <= MBRL_BACKEND_REF; be++) {
    ens.backend = one.backend = (mbrl_backend)be;
    mbrl_ensemble_forward(&ens, &w3, y, x, B);
    mbrl_ensemble_forward(&one, &w1, y1, x + B * IN, B);
    cr_assert_eq(memcmp(y + B * OUT, y1, B * OUT * sizeof(float)), 0, "backend %d", be);
    /* and member 0 is a different function */
    cr_assert_neq(memcmp(y, y1, B * OUT * sizeof(float)), 0);
  }
  mbrl_free(x), mbrl_free(y), mbrl_free(y1);
  mbrl_ensemble_work_free(&w3), mbrl_ensemble_work_free(&w1);
  mbrl_ensemble_free(&ens), mbrl_ensemble_free(&one);
}

Test(ensemble, fits_sine) {
  /* two members, each fitting sin(x) on [-pi, pi] from its own minibatches */
  mbrl_rng r;
  mbrl_rng_init(&r, 3, 0);
  enum { E = 2, B = 128, STEPS = 3000, GRID = 401 };
  mbrl_mlp_config cfg = {.E = E, .in = 1, .out = 1, .n_hidden = 2, .hidden = 32, .act = MBRL_ACT_TANH};
  mbrl_ensemble ens;
  cr_assert_eq(mbrl_ensemble_init(&ens, &cfg, &r, NULL, 0), 0);
  mbrl_ensemble_work work;
  mbrl_ensemble_work_init(&work, &ens, GRID);
  mbrl_adam opt;
  mbrl_adam_init(&opt, ens.n_params, 3e-3f);
  float x[E * B], t[E * B], dy[E * B];
  float loss = 0;
  for (int step = 0; step < STEPS; step++) {
    mbrl_rng_fill_uniform(&r, x, E * B, -(float)M_PI, (float)M_PI);
    for (int i = 0; i < E * B; i++) t[i] = sinf(x[i]);
    mbrl_ensemble_zero_grad(&ens);
    const float *y = mbrl_ensemble_forward_train(&ens, &work, x, B);
    loss = mbrl_mse_loss(dy, y, t, E, B, 1, NULL);
    mbrl_ensemble_backward(&ens, &work, NULL, dy, x, B);
    mbrl_adam_step(&opt, ens.params, ens.grads);
  }
  /* evaluate on a grid */
  float gx[E * GRID], gy[E * GRID], gt[E * GRID], ml[E];
  for (int e = 0; e < E; e++)
    for (int i = 0; i < GRID; i++) {
      gx[e * GRID + i] = -(float)M_PI + 2.0f * (float)M_PI * i / (GRID - 1);
      gt[e * GRID + i] = sinf(gx[e * GRID + i]);
    }
  mbrl_ensemble_forward(&ens, &work, gy, gx, GRID);
  float mse = mbrl_mse_loss(NULL, gy, gt, E, GRID, 1, ml);
  cr_assert(mse < 1e-3f, "grid mse %g (last train loss %g)", mse, loss);
  cr_assert(ml[0] < 1e-3f && ml[1] < 1e-3f);
  mbrl_adam_free(&opt);
  mbrl_ensemble_work_free(&work);
  mbrl_ensemble_free(&ens);
}
