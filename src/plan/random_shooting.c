/* Random shooting: N uniform action sequences, scored on the model, the best one's first action. */
#include <string.h>

#include "mbrl/core.h"
#include "plan/plan_impl.h"

typedef struct {
  float *cand;  /* (N x H x act_dim) candidate sequences */
  float *score; /* (N) their predicted returns */
} random_shooting;

static int rs_init(mbrl_planner *p, void *self, char *err, size_t err_sz) {
  (void)err, (void)err_sz;
  random_shooting *rs = self;
  const size_t N = (size_t)mbrl_planner_N(p), HA = (size_t)mbrl_planner_H(p) * mbrl_planner_act_dim(p);
  rs->cand = mbrl_alloc(N * HA * sizeof(float));
  rs->score = mbrl_alloc(N * sizeof(float));
  return MBRL_OK;
}

static int rs_plan(mbrl_planner *p, void *self, const float *obs, float *plan) {
  random_shooting *rs = self;
  const int N = mbrl_planner_N(p);
  const size_t HA = (size_t)mbrl_planner_H(p) * mbrl_planner_act_dim(p);
  mbrl_planner_uniform(p, rs->cand, (size_t)N * mbrl_planner_H(p));
  int rc = mbrl_planner_score(p, obs, rs->cand, N, rs->score);
  if (rc) return rc;
  /* argmax, the first of equal scores as numpy's */
  int best = 0;
  for (int n = 1; n < N; n++)
    if (mbrl_planner_better(rs->score[n], rs->score[best])) best = n;
  memcpy(plan, rs->cand + (size_t)best * HA, HA * sizeof(float));
  return MBRL_OK;
}

static void rs_release(void *self) {
  random_shooting *rs = self;
  mbrl_free(rs->cand), mbrl_free(rs->score);
}

const mbrl_planner_class mbrl_planner_random = {
    .name = "random",
    .about = "random shooting: the best of N uniform sequences (CS285 HW4)",
    .self_size = sizeof(random_shooting),
    .init = rs_init,
    .plan = rs_plan,
    .release = rs_release,
};
