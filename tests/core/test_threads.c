/* Threads: the count is settable and every thread flushes denormals to zero. */
#include <criterion/criterion.h>
#include <omp.h>

#include "mbrl/core.h"

Test(threads, count_is_settable) {
  mbrl_threads_set(1);
  cr_assert_eq(mbrl_threads_get(), 1);
  mbrl_threads_set(0);
  cr_assert_eq(mbrl_threads_get(), omp_get_num_procs());
}

Test(threads, every_thread_flushes_denormals) {
  mbrl_threads_set(2);
  int flushed[2] = {0, 0};
#pragma omp parallel num_threads(2)
  {
    /* 1e-30 * 1e-10 is a denormal in float: with FTZ it becomes 0 */
    volatile float a = 1e-30f, b = 1e-10f;
    float c = a * b;
    flushed[omp_get_thread_num()] = c == 0.0f;
  }
  cr_assert(flushed[0] && flushed[1]);
}
