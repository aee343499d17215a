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

#endif
