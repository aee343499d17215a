/* tanh of many values as a separate pass, vectorised with AVX-512 where the CPU has it: faster
 * than oneDNN's tanh fused into the matmul, which spends about 15 cycles per 16 values on it. */
#include <string.h>

#include "mbrl/core.h"
#include "nn/backend.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define MBRL_TANH_AVX512 1

/* tanh x = 2 / (1 + e) - 1 with e = exp(-2x) = 2^t, t = k + f, k an integer, |f| <= 1/2, 2^f by its
 * Taylor series to degree 6 (truncation error about 1e-7), 2^k by scalef, 1 / (1 + e) by the
 * 14-bit reciprocal and one Newton step. x is clamped to [-9, 9], beyond which tanh rounds to +-1
 * in float; a NaN passes through (the clamp returns its second operand when one is NaN). Absolute
 * error below 3e-7. */
__attribute__((target("avx512f"))) static inline __m512 tanh16(__m512 x) {
  const double l = 0.69314718055994531;
  const __m512 c1 = _mm512_set1_ps((float)l), c2 = _mm512_set1_ps((float)(l * l / 2)),
               c3 = _mm512_set1_ps((float)(l * l * l / 6)), c4 = _mm512_set1_ps((float)(l * l * l * l / 24)),
               c5 = _mm512_set1_ps((float)(l * l * l * l * l / 120)),
               c6 = _mm512_set1_ps((float)(l * l * l * l * l * l / 720));
  const __m512 one = _mm512_set1_ps(1.0f), half = _mm512_set1_ps(0.5f), two = _mm512_set1_ps(2.0f);
  /* adding and subtracting 1.5 * 2^23 rounds to the nearest integer */
  const __m512 to_int = _mm512_set1_ps(12582912.0f);
  __m512 v = _mm512_max_ps(_mm512_set1_ps(-9.0f), _mm512_min_ps(_mm512_set1_ps(9.0f), x));
  __m512 t = _mm512_mul_ps(v, _mm512_set1_ps((float)(-2.0 / l)));
  __m512 k = _mm512_sub_ps(_mm512_add_ps(t, to_int), to_int);
  __m512 f = _mm512_sub_ps(t, k);
  __m512 p = _mm512_fmadd_ps(c6, f, c5);
  p = _mm512_fmadd_ps(p, f, c4);
  p = _mm512_fmadd_ps(p, f, c3);
  p = _mm512_fmadd_ps(p, f, c2);
  p = _mm512_fmadd_ps(p, f, c1);
  p = _mm512_fmadd_ps(p, f, one);
  /* d = (1 + e) / 2, r ~ 1 / d; tanh = r (2 - d r) - 1 */
  __m512 d = _mm512_fmadd_ps(_mm512_scalef_ps(p, k), half, half);
  __m512 r = _mm512_rcp14_ps(d);
  return _mm512_fmsub_ps(r, _mm512_fnmadd_ps(d, r, two), one);
}

__attribute__((target("avx512f"))) static void tanh_f32_avx512(float *y, const float *x, size_t n) {
  for (size_t i = 0; i < n; i += 16) {
    __mmask16 m = n - i >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (n - i)) - 1);
    _mm512_mask_storeu_ps(y + i, m, tanh16(_mm512_maskz_loadu_ps(m, x + i)));
  }
}

__attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16"))) static void tanh_bf16_avx512(uint16_t *y,
                                                                                           const float *x,
                                                                                           size_t n) {
  for (size_t i = 0; i < n; i += 16) {
    __mmask16 m = n - i >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (n - i)) - 1);
    /* round to nearest even, as mbrl_bf16_from_f32 */
    __m256bh h = _mm512_cvtneps_pbh(tanh16(_mm512_maskz_loadu_ps(m, x + i)));
    __m256i bits;
    memcpy(&bits, &h, sizeof bits);
    _mm256_mask_storeu_epi16(y + i, m, bits);
  }
}
#endif

int mbrl_tanh_pass_vectorised(int bf16_out) {
#ifdef MBRL_TANH_AVX512
  return __builtin_cpu_supports("avx512f") &&
         (!bf16_out || (__builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
                        __builtin_cpu_supports("avx512bf16")));
#else
  (void)bf16_out;
  return 0;
#endif
}

/* one block of the pass */
static void tanh_block(void *y, const float *x, size_t n, int bf16_out, int vectorised) {
#ifdef MBRL_TANH_AVX512
  if (vectorised) {
    if (bf16_out)
      tanh_bf16_avx512(y, x, n);
    else
      tanh_f32_avx512(y, x, n);
    return;
  }
#endif
  (void)vectorised;
  if (!bf16_out) {
    mbrl_act_forward(y, x, n, MBRL_ACT_TANH);
    return;
  }
  float t[256];
  for (size_t i = 0; i < n; i += 256) {
    size_t m = n - i < 256 ? n - i : 256;
    mbrl_act_forward(t, x + i, m, MBRL_ACT_TANH);
    mbrl_bf16_from_f32((uint16_t *)y + i, t, m);
  }
}

void mbrl_tanh_pass(void *y, const float *x, size_t n, int bf16_out) {
  enum { BLOCK = 4096 };
  const int vectorised = mbrl_tanh_pass_vectorised(bf16_out);
  const size_t elem = bf16_out ? sizeof(uint16_t) : sizeof(float), nblocks = (n + BLOCK - 1) / BLOCK;
#pragma omp parallel for schedule(static) if (n >= 2 * BLOCK)
  for (size_t b = 0; b < nblocks; b++) {
    size_t i = b * BLOCK, m = n - i < BLOCK ? n - i : BLOCK;
    tanh_block((char *)y + i * elem, x + i, m, bf16_out, vectorised);
  }
}
