/* Losses: mean squared error and the Gaussian negative log-likelihood with bounded log-variance. */
#include <math.h>

#include "mbrl/core.h"
#include "mbrl/nn.h"

float mbrl_mse_loss(float *dpred, const float *pred, const float *target, int E, int B, int D,
                    float *member_loss) {
  MBRL_ASSERT(E > 0 && B > 0 && D > 0);
  size_t n = (size_t)B * D;
  double total = 0.0;
  for (int e = 0; e < E; e++) {
    const float *p = pred + e * n, *t = target + e * n;
    double s = 0.0;
    float *g = dpred ? dpred + e * n : NULL;
#pragma omp simd reduction(+ : s)
    for (size_t i = 0; i < n; i++) {
      float d = p[i] - t[i];
      s += (double)d * d;
      if (g) g[i] = 2.0f * d / (float)n;
    }
    if (member_loss) member_loss[e] = (float)(s / (double)n);
    total += s / (double)n;
  }
  return (float)(total / E);
}

static float softplus(float x) { return x > 20.0f ? x : log1pf(expf(x)); }
static float sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }

float mbrl_bounded_logvar(float raw, float min_logvar, float max_logvar) {
  float lv = max_logvar - softplus(max_logvar - raw);
  return min_logvar + softplus(lv - min_logvar);
}

float mbrl_gaussian_nll_loss(float *dout, const float *out, const float *target, int E, int B,
                             int D, float min_logvar, float max_logvar, float *member_loss) {
  MBRL_ASSERT(E > 0 && B > 0 && D > 0 && min_logvar < max_logvar);
  size_t n = (size_t)B * D;
  double total = 0.0;
  for (int e = 0; e < E; e++) {
    double s = 0.0;
    for (int i = 0; i < B; i++) {
      const float *o = out + ((size_t)e * B + i) * 2 * D, *t = target + ((size_t)e * B + i) * D;
      float *g = dout ? dout + ((size_t)e * B + i) * 2 * D : NULL;
      for (int j = 0; j < D; j++) {
        /* lv = min + softplus(u - min), u = max - softplus(max - raw) */
        float raw = o[D + j];
        float u = max_logvar - softplus(max_logvar - raw);
        float lv = min_logvar + softplus(u - min_logvar);
        float inv_var = expf(-lv), d = o[j] - t[j];
        s += 0.5 * ((double)d * d * inv_var + lv);
        if (g) {
          float dlv = 0.5f * (1.0f - d * d * inv_var);
          float dlv_draw = sigmoid(u - min_logvar) * sigmoid(max_logvar - raw);
          g[j] = d * inv_var / (float)n;
          g[D + j] = dlv * dlv_draw / (float)n;
        }
      }
    }
    if (member_loss) member_loss[e] = (float)(s / (double)n);
    total += s / (double)n;
  }
  return (float)(total / E);
}
