/* Thread count for float work, denormal flushing, and the clock. */
#include <immintrin.h>
#include <omp.h>
#include <time.h>

#include "mbrl/core.h"

void mbrl_ftz_enable(void) {
  /* FTZ (bit 15) and DAZ (bit 6) */
  _mm_setcsr(_mm_getcsr() | 0x8040);
}

void mbrl_threads_set(int n) {
  if (n <= 0) n = omp_get_num_procs();
  omp_set_num_threads(n);
  mbrl_ftz_enable();
  /* the OpenMP pool keeps its threads, so flushing once per thread sticks */
#pragma omp parallel num_threads(n)
  mbrl_ftz_enable();
}

int mbrl_threads_get(void) { return omp_get_max_threads(); }

double mbrl_time_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
