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

float mbrl_gaussian_nll_loss(float *dout, float *dmin, float *dmax, const float *out, const float *target, int E,
                             int B, int D, const float *min_logvar, const float *max_logvar, float *member_loss) {
  MBRL_ASSERT(E > 0 && B > 0 && D > 0 && D <= MBRL_NLL_MAX_D);
  for (int j = 0; j < D; j++) MBRL_ASSERT(min_logvar[j] < max_logvar[j]);
  size_t n = (size_t)B * D;
  double total = 0.0, gmin[MBRL_NLL_MAX_D] = {0}, gmax[MBRL_NLL_MAX_D] = {0};
  for (int e = 0; e < E; e++) {
    double s = 0.0;
    for (int i = 0; i < B; i++) {
      const float *o = out + ((size_t)e * B + i) * 2 * D, *t = target + ((size_t)e * B + i) * D;
      float *g = dout ? dout + ((size_t)e * B + i) * 2 * D : NULL;
      for (int j = 0; j < D; j++) {
        /* lv = min + softplus(u - min), u = max - softplus(max - raw) */
        const float lo = min_logvar[j], hi = max_logvar[j], raw = o[D + j];
        float u = hi - softplus(hi - raw);
        float lv = lo + softplus(u - lo);
        float inv_var = expf(-lv), d = o[j] - t[j];
        s += 0.5 * ((double)d * d * inv_var + lv);
        /* dloss/dlv over the member's n elements; lv's slopes in raw, max and min */
        float dlv = 0.5f * (1.0f - d * d * inv_var) / (float)n;
        float s_u = sigmoid(u - lo), s_raw = sigmoid(hi - raw);
        if (g) {
          g[j] = d * inv_var / (float)n;
          g[D + j] = dlv * s_u * s_raw;
        }
        gmax[j] += (double)dlv * s_u * (1.0f - s_raw);
        gmin[j] += (double)dlv * (1.0f - s_u);
      }
    }
    if (member_loss) member_loss[e] = (float)(s / (double)n);
    total += s / (double)n;
  }
  for (int j = 0; j < D; j++) {
    if (dmin) dmin[j] = (float)gmin[j];
    if (dmax) dmax[j] = (float)gmax[j];
  }
  return (float)(total / E);
}
