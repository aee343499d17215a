/* Gradients of activations, losses, dense layers and whole ensembles against central finite
 * differences computed in double precision. */
#include <criterion/criterion.h>
#include <string.h>

#include "mbrl/core.h"
#include "mbrl/nn.h"
#include "nn_util.h"

static const double H = 1e-6;

Test(grad, activations) {
  mbrl_rng r;
  mbrl_rng_init(&r, 3, 0);
  enum { N = 64 };
  float z[N], y[N], dy[N], dz[N];
  mbrl_rng_fill_normal(&r, z, N, 0.0f, 2.0f);
  mbrl_rng_fill_normal(&r, dy, N, 0.0f, 1.0f);
  for (int a = MBRL_ACT_IDENTITY; a <= MBRL_ACT_SILU; a++) {
    mbrl_act_forward(y, z, N, (mbrl_act)a);
    mbrl_act_backward(dz, dy, z, y, N, (mbrl_act)a);
    double fd[N];
    for (int i = 0; i < N; i++)
      fd[i] = dy[i] * (act_d(z[i] + H, (mbrl_act)a) - act_d(z[i] - H, (mbrl_act)a)) / (2 * H);
    double e = rel_err_d(dz, fd, N);
    cr_assert(e < 1e-5, "%s: %g", mbrl_act_name((mbrl_act)a), e);
  }
}

/* double loss of a member-major prediction, as the library defines them */
static double mse_d(const double *p, const float *t, int E, size_t n) {
  double total = 0;
  for (int e = 0; e < E; e++) {
    double s = 0;
    for (size_t i = 0; i < n; i++) s += (p[e * n + i] - t[e * n + i]) * (p[e * n + i] - t[e * n + i]);
    total += s / n;
  }
  return total;
}

static double softplus_d(double x) { return log1p(exp(x)); }

static double nll_d(const double *o, const float *t, int E, int B, int D, const double *lo, const double *hi) {
  double total = 0;
  for (int e = 0; e < E; e++) {
    double s = 0;
    for (int i = 0; i < B; i++)
      for (int j = 0; j < D; j++) {
        const double *row = o + ((size_t)e * B + i) * 2 * D;
        double lv = hi[j] - softplus_d(hi[j] - row[D + j]);
        lv = lo[j] + softplus_d(lv - lo[j]);
        double d = row[j] - t[((size_t)e * B + i) * D + j];
        s += 0.5 * (d * d * exp(-lv) + lv);
      }
    total += s / ((double)B * D);
  }
  return total;
}

Test(grad, losses) {
  mbrl_rng r;
  mbrl_rng_init(&r, 4, 0);
  enum { E = 3, B = 5, D = 4 };
  float p[E * B * 2 * D], t[E * B * D], g[E * B * 2 * D], ml[E];
  double pd[E * B * 2 * D], fd[E * B * 2 * D];
  mbrl_rng_fill_normal(&r, p, E * B * 2 * D, 0.0f, 2.0f);
  mbrl_rng_fill_normal(&r, t, E * B * D, 0.0f, 1.0f);

  /* mse: the sum of member losses is what the gradient differentiates */
  float loss = mbrl_mse_loss(g, p, t, E, B, D, ml);
  for (int i = 0; i < E * B * D; i++) pd[i] = p[i];
  cr_assert_float_eq(loss, mse_d(pd, t, E, B * D) / E, 1e-5);
  cr_assert_float_eq((ml[0] + ml[1] + ml[2]) / 3, loss, 1e-5);
  for (int i = 0; i < E * B * D; i++) {
    double keep = pd[i];
    pd[i] = keep + H;
    double up = mse_d(pd, t, E, B * D);
    pd[i] = keep - H;
    fd[i] = (up - mse_d(pd, t, E, B * D)) / (2 * H);
    pd[i] = keep;
  }
  cr_assert(rel_err_d(g, fd, E * B * D) < 1e-4, "mse %g", rel_err_d(g, fd, E * B * D));

  /* gaussian nll with raw log-variances spread across and beyond bounds of their own per dimension */
  const float lo[D] = {-10.0f, -3.0f, -1.0f, -6.0f}, hi[D] = {0.5f, 1.0f, 2.0f, -2.0f};
  double lod[D], hid[D];
  float gmin[D], gmax[D];
  for (int j = 0; j < D; j++) lod[j] = lo[j], hid[j] = hi[j];
  for (int i = 0; i < E * B * 2 * D; i++) pd[i] = p[i];
  loss = mbrl_gaussian_nll_loss(g, gmin, gmax, p, t, E, B, D, lo, hi, ml);
  cr_assert_float_eq(loss, nll_d(pd, t, E, B, D, lod, hid) / E, 1e-4);
  for (int i = 0; i < E * B * 2 * D; i++) {
    double keep = pd[i];
    pd[i] = keep + H;
    double up = nll_d(pd, t, E, B, D, lod, hid);
    pd[i] = keep - H;
    fd[i] = (up - nll_d(pd, t, E, B, D, lod, hid)) / (2 * H);
    pd[i] = keep;
  }
  cr_assert(rel_err_d(g, fd, E * B * 2 * D) < 1e-3, "nll %g", rel_err_d(g, fd, E * B * 2 * D));
  /* and with respect to the bounds */
  double fmin[D], fmax[D];
  for (int j = 0; j < D; j++) {
    double keep = lod[j];
    lod[j] = keep + H;
    double up = nll_d(pd, t, E, B, D, lod, hid);
    lod[j] = keep - H;
    fmin[j] = (up - nll_d(pd, t, E, B, D, lod, hid)) / (2 * H);
    lod[j] = keep;
    keep = hid[j];
    hid[j] = keep + H;
    up = nll_d(pd, t, E, B, D, lod, hid);
    hid[j] = keep - H;
    fmax[j] = (up - nll_d(pd, t, E, B, D, lod, hid)) / (2 * H);
    hid[j] = keep;
  }
  cr_assert(rel_err_d(gmin, fmin, D) < 1e-3, "nll min bound %g", rel_err_d(gmin, fmin, D));
  cr_assert(rel_err_d(gmax, fmax, D) < 1e-3, "nll max bound %g", rel_err_d(gmax, fmax, D));
  /* the soft bound holds far outside, up to the softplus tail (about 3e-5 here) */
  cr_assert(mbrl_bounded_logvar(100.0f, lo[0], hi[0]) <= hi[0] + 1e-4f);
  cr_assert(mbrl_bounded_logvar(-100.0f, lo[0], hi[0]) >= lo[0] - 1e-6f);
}

/* double forward of the whole ensemble and the objective sum(y * r) */
static double objective_d(const mbrl_ensemble *ens, const double *params, const double *x,
                          const float *r, int B) {
  int E = ens->cfg.E, in = ens->dim[0], out = ens->cfg.out;
  double y[4096], total = 0;
  for (int e = 0; e < E; e++)
    for (int i = 0; i < B; i++) {
      member_forward_d(ens, params, e, x + ((size_t)e * B + i) * in, y);
      for (int o = 0; o < out; o++) total += y[o] * r[((size_t)e * B + i) * out + o];
    }
  return total;
}

static void check_ensemble_grad(mbrl_backend be, mbrl_act act) {
  mbrl_rng r;
  mbrl_rng_init(&r, 5, (uint64_t)act);
  mbrl_mlp_config cfg = {.E = 2, .in = 3, .out = 2, .n_hidden = 2, .hidden = 5, .act = act,
                         .out_act = MBRL_ACT_IDENTITY};
  mbrl_ensemble ens;
  cr_assert_eq(mbrl_ensemble_init(&ens, &cfg, &r, NULL, 0), 0);
  ens.backend = be;
  enum { B = 4 };
  float x[2 * B * 3], dy[2 * B * 2], dx[2 * B * 3];
  mbrl_rng_fill_normal(&r, x, 2 * B * 3, 0.0f, 1.0f);
  mbrl_rng_fill_normal(&r, dy, 2 * B * 2, 0.0f, 1.0f);
  mbrl_ensemble_work work;
  mbrl_ensemble_work_init(&work, &ens, B);
  mbrl_ensemble_zero_grad(&ens);
  mbrl_ensemble_forward_train(&ens, &work, x, B);
  mbrl_ensemble_backward(&ens, &work, dx, dy, x, B);

  double *p = mbrl_alloc(ens.n_params * sizeof(double)), *fd = mbrl_alloc(ens.n_params * sizeof(double));
  double xd[2 * B * 3], fdx[2 * B * 3];
  for (size_t i = 0; i < ens.n_params; i++) p[i] = ens.params[i];
  for (int i = 0; i < 2 * B * 3; i++) xd[i] = x[i];
  for (size_t i = 0; i < ens.n_params; i++) {
    double keep = p[i];
    p[i] = keep + H;
    double up = objective_d(&ens, p, xd, dy, B);
    p[i] = keep - H;
    fd[i] = (up - objective_d(&ens, p, xd, dy, B)) / (2 * H);
    p[i] = keep;
  }
  for (int i = 0; i < 2 * B * 3; i++) {
    double keep = xd[i];
    xd[i] = keep + H;
    double up = objective_d(&ens, p, xd, dy, B);
    xd[i] = keep - H;
    fdx[i] = (up - objective_d(&ens, p, xd, dy, B)) / (2 * H);
    xd[i] = keep;
  }
  double e = rel_err_d(ens.grads, fd, ens.n_params), ex = rel_err_d(dx, fdx, 2 * B * 3);
  cr_assert(e < 1e-4, "backend %d act %s: params %g", be, mbrl_act_name(act), e);
  cr_assert(ex < 1e-4, "backend %d act %s: inputs %g", be, mbrl_act_name(act), ex);
  mbrl_free(p), mbrl_free(fd);
  mbrl_ensemble_work_free(&work);
  mbrl_ensemble_free(&ens);
}

Test(grad, ensemble_every_activation_both_backends) {
  for (int be = MBRL_BACKEND_DNNL; be <= MBRL_BACKEND_REF; be++)
    for (int a = MBRL_ACT_IDENTITY; a <= MBRL_ACT_SILU; a++)
      check_ensemble_grad((mbrl_backend)be, (mbrl_act)a);
}
