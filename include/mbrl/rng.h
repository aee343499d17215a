/* Seeded, splittable random number streams (xoshiro256**, seeded through splitmix64). */
#ifndef MBRL_RNG_H
#define MBRL_RNG_H

#include <stddef.h>
#include <stdint.h>

#pragma GCC visibility push(default)

typedef struct mbrl_rng {
  uint64_t s[4];
} mbrl_rng;

/* Seeds a stream from (seed, stream id); distinct ids give independent streams. */
void mbrl_rng_init(mbrl_rng *r, uint64_t seed, uint64_t stream);

/* Derives an independent child stream from the parent and a key, advancing the parent once. */
void mbrl_rng_split(mbrl_rng *child, mbrl_rng *parent, uint64_t key);

/* Next raw 64-bit value. */
uint64_t mbrl_rng_u64(mbrl_rng *r);

/* Uniform integer in [0, n), unbiased; n > 0. */
uint64_t mbrl_rng_below(mbrl_rng *r, uint64_t n);

/* Uniform double in [0, 1) with 53 random bits. */
double mbrl_rng_uniform(mbrl_rng *r);

/* Standard normal double (Box-Muller). */
double mbrl_rng_normal(mbrl_rng *r);

/* Normal(mean, std) truncated to [lo, hi] by rejection; lo < hi. */
double mbrl_rng_truncnormal(mbrl_rng *r, double mean, double std, double lo, double hi);

/* Fills x (n) with uniform values in [lo, hi). */
void mbrl_rng_fill_uniform(mbrl_rng *r, float *x, size_t n, float lo, float hi);

/* Fills x (n) with Normal(mean, std) values: Box-Muller in float from 24-bit uniforms (so no value
 * lies beyond 5.77 std), vectorised; each 64-bit draw gives two values. */
void mbrl_rng_fill_normal(mbrl_rng *r, float *x, size_t n, float mean, float std);

/* Writes a uniformly random permutation of 0..n-1 into idx (n). */
void mbrl_rng_permutation(mbrl_rng *r, int *idx, int n);

#pragma GCC visibility pop

#endif
