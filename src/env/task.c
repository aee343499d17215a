/* Tasks: what every task shares, apart from its own reward. */
#include "mbrl/task.h"

void mbrl_task_clip(const mbrl_task *t, float *x, size_t rows) {
  const int A = t->act_dim;
  const float *low = t->act_low, *high = t->act_high;
  for (size_t r = 0; r < rows; r++, x += A)
    for (int d = 0; d < A; d++) x[d] = x[d] < low[d] ? low[d] : x[d] > high[d] ? high[d] : x[d];
}
