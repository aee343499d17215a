/* Random shooting: N uniform action sequences, scored on the model, the best one's first action. */
#include <string.h>

#include "mbrl/planner.h"
#include "plan/plan_impl.h"

void mbrl_plan_random_shooting(mbrl_planner *p, const float *obs, float *act) {
  const int N = p->cfg.N;
  const size_t HA = (size_t)p->cfg.H * p->act_dim;
  mbrl_plan_uniform(p, p->cand, (size_t)N * p->cfg.H);
  mbrl_planner_evaluate(p, obs);
  mbrl_plan_count_nan(p);
  /* argmax, the first of equal scores as numpy's */
  int best = 0;
  for (int n = 1; n < N; n++)
    if (mbrl_plan_better(p->score[n], p->score[best])) best = n;
  memcpy(p->plan, p->cand + (size_t)best * HA, HA * sizeof(float));
  memcpy(act, p->plan, (size_t)p->act_dim * sizeof(float));
}
