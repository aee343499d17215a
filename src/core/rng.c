/* xoshiro256** streams seeded through splitmix64, with uniform, normal and truncated normal draws. */
#include <math.h>
#include <string.h>

#include "mbrl/core.h"
#include "mbrl/rng.h"

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void mbrl_rng_init(mbrl_rng *r, uint64_t seed, uint64_t stream) {
  /* mix the stream id in first so nearby (seed, stream) pairs land far apart */
  uint64_t x = seed;
  uint64_t h = splitmix64(&x);
  uint64_t y = stream ^ 0x5851f42d4c957f2dULL;
  x = h ^ splitmix64(&y);
  for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
}

uint64_t mbrl_rng_u64(mbrl_rng *r) {
  uint64_t *s = r->s;
  uint64_t out = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return out;
}

void mbrl_rng_split(mbrl_rng *child, mbrl_rng *parent, uint64_t key) {
  mbrl_rng_init(child, mbrl_rng_u64(parent), key);
}

uint64_t mbrl_rng_below(mbrl_rng *r, uint64_t n) {
  MBRL_ASSERT(n > 0);
  /* rejection on the top of the range keeps it unbiased */
  uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do x = mbrl_rng_u64(r);
  while (x >= limit);
  return x % n;
}

double mbrl_rng_uniform(mbrl_rng *r) { return (double)(mbrl_rng_u64(r) >> 11) * 0x1.0p-53; }

double mbrl_rng_normal(mbrl_rng *r) {
  /* Box-Muller, one value per call so a stream's values never depend on call parity */
  double u1 = 1.0 - mbrl_rng_uniform(r); /* (0, 1] */
  double u2 = mbrl_rng_uniform(r);
  return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

double mbrl_rng_truncnormal(mbrl_rng *r, double mean, double std, double lo, double hi) {
  MBRL_ASSERT(lo < hi);
  for (int tries = 0; tries < 1000; tries++) {
    double x = mean + std * mbrl_rng_normal(r);
    if (x >= lo && x <= hi) return x;
  }
  /* the interval holds almost no mass: fall back to uniform within it */
  return lo + (hi - lo) * mbrl_rng_uniform(r);
}

void mbrl_rng_fill_uniform(mbrl_rng *r, float *x, size_t n, float lo, float hi) {
  for (size_t i = 0; i < n; i++) {
    float u = (float)(mbrl_rng_u64(r) >> 40) * 0x1.0p-24f; /* [0, 1) in float */
    x[i] = lo + (hi - lo) * u;
  }
}

/* ln u for u in (0, 1], float: u = m 2^e with m in [sqrt(1/2), sqrt(2)), ln m = 2 atanh(s),
 * s = (m - 1) / (m + 1), |s| <= 0.172, by its series to s^9 (error below 1e-9 relative) */
static inline float log_unit(float u) {
  uint32_t b;
  memcpy(&b, &u, sizeof b);
  int e = (int)(b >> 23) - 127;
  b = (b & 0x007fffffu) | 0x3f800000u;
  float m;
  memcpy(&m, &b, sizeof m);
  int big = m > 1.41421356f;
  m = big ? 0.5f * m : m;
  e += big;
  float s = (m - 1.0f) / (m + 1.0f), s2 = s * s;
  float t = 1.0f + s2 * (1.0f / 3 + s2 * (1.0f / 5 + s2 * (1.0f / 7 + s2 * (1.0f / 9))));
  return (float)e * 0.693147181f + 2.0f * s * t;
}

/* cos and sin of 2 pi v for v in [-1/2, 1/2): of a quarter of the angle (|phi| <= pi/4) by their
 * series, then the double-angle formulas twice */
static inline void sincos_turn(float v, float *c, float *s) {
  float p = 1.57079633f * v, p2 = p * p;
  float sn = p * (1.0f - p2 / 6 * (1.0f - p2 / 20 * (1.0f - p2 / 42 * (1.0f - p2 / 72))));
  float cs = 1.0f - p2 / 2 * (1.0f - p2 / 12 * (1.0f - p2 / 30 * (1.0f - p2 / 56 * (1.0f - p2 / 90))));
  for (int k = 0; k < 2; k++) {
    float s2 = 2.0f * sn * cs, c2 = cs * cs - sn * sn;
    sn = s2, cs = c2;
  }
  *c = cs, *s = sn;
}

void mbrl_rng_fill_normal(mbrl_rng *r, float *x, size_t n, float mean, float std) {
  /* Box-Muller in float, both outputs used: each pair of normals from one 64-bit draw, whose top
   * 24 bits give u in (0, 1] and the next 24 an angle; blocks of draws, then a vector loop */
  enum { BLOCK = 256 };
  float u[BLOCK], v[BLOCK], z[2 * BLOCK];
  for (size_t i0 = 0; i0 < n; i0 += 2 * BLOCK) {
    size_t pairs = (n - i0 + 1) / 2 < BLOCK ? (n - i0 + 1) / 2 : BLOCK;
    for (size_t k = 0; k < pairs; k++) {
      uint64_t b = mbrl_rng_u64(r);
      u[k] = (float)((b >> 40) + 1) * 0x1.0p-24f;
      v[k] = (float)((b >> 16) & 0xffffff) * 0x1.0p-24f - 0.5f;
    }
#pragma omp simd
    for (size_t k = 0; k < pairs; k++) {
      float rad = sqrtf(-2.0f * log_unit(u[k])), c, s;
      sincos_turn(v[k], &c, &s);
      z[2 * k] = mean + std * rad * c;
      z[2 * k + 1] = mean + std * rad * s;
    }
    size_t m = n - i0 < 2 * BLOCK ? n - i0 : 2 * BLOCK;
    memcpy(x + i0, z, m * sizeof(float));
  }
}

void mbrl_rng_permutation(mbrl_rng *r, int *idx, int n) {
  for (int i = 0; i < n; i++) idx[i] = i;
  for (int i = n - 1; i > 0; i--) {
    int j = (int)mbrl_rng_below(r, (uint64_t)i + 1);
    int t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
}
