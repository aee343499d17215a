/* Dense layers: oneDNN against the plain reference, forward and backward, every activation. */
#include <criterion/criterion.h>

#include "mbrl/core.h"
#include "mbrl/nn.h"
#include "nn_util.h"

typedef struct {
  int E, B, in, out;
} shape;

static const shape shapes[] = {{1, 1, 1, 1}, {3, 1000, 27, 250}, {3, 512, 250, 250},
                               {2, 7, 250, 21}, {5, 33, 13, 3}};

static float *randn(mbrl_rng *r, size_t n, float scale) {
  float *x = mbrl_alloc(n * sizeof(float));
  mbrl_rng_fill_normal(r, x, n, 0.0f, scale);
  return x;
}

Test(linear, forward_matches_reference) {
  mbrl_rng r;
  mbrl_rng_init(&r, 1, 0);
  for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++)
    for (int a = MBRL_ACT_IDENTITY; a <= MBRL_ACT_SILU; a++) {
      shape sh = shapes[s];
      size_t nx = (size_t)sh.E * sh.B * sh.in, nw = (size_t)sh.E * sh.out * sh.in;
      size_t ny = (size_t)sh.E * sh.B * sh.out;
      float *x = randn(&r, nx, 1.0f), *w = randn(&r, nw, 1.0f / sqrtf((float)sh.in));
      float *b = randn(&r, (size_t)sh.E * sh.out, 0.5f);
      float *y = mbrl_alloc(ny * sizeof(float)), *yr = mbrl_alloc(ny * sizeof(float));
      mbrl_linear_forward(MBRL_BACKEND_DNNL, y, x, w, b, sh.E, sh.B, sh.in, sh.out, (mbrl_act)a);
      mbrl_linear_forward(MBRL_BACKEND_REF, yr, x, w, b, sh.E, sh.B, sh.in, sh.out, (mbrl_act)a);
      double e = rel_err(y, yr, ny);
      cr_assert(e < 1e-5, "shape %zu act %s: relative error %g", s, mbrl_act_name((mbrl_act)a), e);
      /* no bias */
      mbrl_linear_forward(MBRL_BACKEND_DNNL, y, x, w, NULL, sh.E, sh.B, sh.in, sh.out, (mbrl_act)a);
      mbrl_linear_forward(MBRL_BACKEND_REF, yr, x, w, NULL, sh.E, sh.B, sh.in, sh.out, (mbrl_act)a);
      cr_assert(rel_err(y, yr, ny) < 1e-5);
      mbrl_free(x), mbrl_free(w), mbrl_free(b), mbrl_free(y), mbrl_free(yr);
    }
}

Test(linear, backward_matches_reference) {
  mbrl_rng r;
  mbrl_rng_init(&r, 2, 0);
  for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
    shape sh = shapes[s];
    size_t nx = (size_t)sh.E * sh.B * sh.in, nw = (size_t)sh.E * sh.out * sh.in;
    size_t ny = (size_t)sh.E * sh.B * sh.out, nb = (size_t)sh.E * sh.out;
    float *x = randn(&r, nx, 1.0f), *w = randn(&r, nw, 0.1f), *dy = randn(&r, ny, 1.0f);
    float *dx[2], *dw[2], *db[2];
    for (int k = 0; k < 2; k++) {
      dx[k] = mbrl_alloc(nx * sizeof(float));
      /* gradients accumulate: start both from the same non-zero values */
      dw[k] = mbrl_alloc(nw * sizeof(float));
      db[k] = mbrl_alloc(nb * sizeof(float));
      for (size_t i = 0; i < nw; i++) dw[k][i] = 0.25f;
      for (size_t i = 0; i < nb; i++) db[k][i] = -0.5f;
    }
    mbrl_linear_backward(MBRL_BACKEND_DNNL, dx[0], dw[0], db[0], dy, x, w, sh.E, sh.B, sh.in, sh.out);
    mbrl_linear_backward(MBRL_BACKEND_REF, dx[1], dw[1], db[1], dy, x, w, sh.E, sh.B, sh.in, sh.out);
    cr_assert(rel_err(dx[0], dx[1], nx) < 1e-5, "dx shape %zu: %g", s, rel_err(dx[0], dx[1], nx));
    cr_assert(rel_err(dw[0], dw[1], nw) < 1e-5, "dw shape %zu: %g", s, rel_err(dw[0], dw[1], nw));
    cr_assert(rel_err(db[0], db[1], nb) < 1e-5, "db shape %zu", s);
    /* the accumulation really adds onto what was there */
    double sum_dw = 0, sum_dw0 = 0;
    for (size_t i = 0; i < nw; i++) sum_dw += dw[0][i] - 0.25f, sum_dw0 += fabs(dw[0][i]);
    cr_assert(sum_dw0 > 0.0);
    mbrl_free(x), mbrl_free(w), mbrl_free(dy);
    for (int k = 0; k < 2; k++) mbrl_free(dx[k]), mbrl_free(dw[k]), mbrl_free(db[k]);
  }
}

Test(linear, activation_values) {
  float z[5] = {-3.0f, -0.5f, 0.0f, 0.5f, 3.0f}, y[5];
  for (int a = MBRL_ACT_IDENTITY; a <= MBRL_ACT_SILU; a++) {
    mbrl_act_forward(y, z, 5, (mbrl_act)a);
    for (int i = 0; i < 5; i++)
      cr_assert_float_eq(y[i], act_d(z[i], (mbrl_act)a), 1e-6, "%s(%g)", mbrl_act_name((mbrl_act)a), z[i]);
  }
  mbrl_act act;
  cr_assert_eq(mbrl_act_parse("swish", &act), 0);
  cr_assert_eq(act, MBRL_ACT_SILU);
  cr_assert_eq(mbrl_act_parse("sigmoidal", &act), MBRL_EINVAL);
}
