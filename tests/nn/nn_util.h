/* Test helpers for the neural-network core: double-precision oracles and error norms. */
#ifndef MBRL_TEST_NN_UTIL_H
#define MBRL_TEST_NN_UTIL_H

#include <math.h>
#include <stddef.h>

#include "mbrl/nn.h"

/* max |a - b| / max |b|, the normwise relative error of a against the reference b */
static inline double rel_err(const float *a, const float *b, size_t n) {
  double num = 0.0, den = 1e-30;
  for (size_t i = 0; i < n; i++) {
    num = fmax(num, fabs((double)a[i] - b[i]));
    den = fmax(den, fabs((double)b[i]));
  }
  return num / den;
}

/* same for a float result against a double reference */
static inline double rel_err_d(const float *a, const double *b, size_t n) {
  double num = 0.0, den = 1e-30;
  for (size_t i = 0; i < n; i++) {
    num = fmax(num, fabs((double)a[i] - b[i]));
    den = fmax(den, fabs(b[i]));
  }
  return num / den;
}

static inline double act_d(double z, mbrl_act act) {
  switch (act) {
    case MBRL_ACT_TANH: return tanh(z);
    case MBRL_ACT_RELU: return z > 0 ? z : 0;
    case MBRL_ACT_SILU: return z / (1.0 + exp(-z));
    default: return z;
  }
}

/* member e of ens on one input row x (dim[0]) in double, with the parameters p laid out as the
 * ensemble's slab; out (cfg.out); layers up to 4096 wide */
static inline void member_forward_d(const mbrl_ensemble *ens, const double *p, int e, const double *x,
                                    double *out) {
  double h[2][4096];
  for (int k = 0; k < ens->dim[0]; k++) h[0][k] = x[k];
  int cur = 0;
  for (int l = 0; l < ens->n_layers; l++) {
    int in = ens->dim[l], o = ens->dim[l + 1];
    const double *w = p + (ens->w[l] - ens->params) + (size_t)e * o * in;
    const double *b = p + (ens->b[l] - ens->params) + (size_t)e * o;
    mbrl_act act = l == ens->n_layers - 1 ? ens->cfg.out_act : ens->cfg.act;
    for (int i = 0; i < o; i++) {
      double s = b[i];
      for (int k = 0; k < in; k++) s += w[(size_t)i * in + k] * h[cur][k];
      h[1 - cur][i] = act_d(s, act);
    }
    cur = 1 - cur;
  }
  for (int i = 0; i < ens->cfg.out; i++) out[i] = h[cur][i];
}

#endif
