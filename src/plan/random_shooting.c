/* Random shooting: N uniform action sequences, scored on the model, the best one's first action.
 * With a warm start the first candidate is the last step's best shifted by one. */
#include <string.h>

#include "mbrl/core.h"
#include "plan/plan_impl.h"

typedef struct {
  int warm; /* warm_start (off) */
} rs_options;

static const mbrl_field rs_fields[] = {
    MBRL_CFG_BOOL(rs_options, warm, "warm_start", NULL, 0,
                  "start from the last step's solution shifted by one (its last step re-initialised)"),
};
static const mbrl_config_table rs_table = {"random", rs_fields, (int)(sizeof rs_fields / sizeof *rs_fields)};

typedef struct {
  rs_options o;
  float *cand;  /* (N x H x act_dim) candidate sequences */
  float *score; /* (N) their predicted returns */
  float *last;  /* (H x act_dim) the last step's best, shifted (warm start) */
  int have_last;
} random_shooting;

static int rs_init(mbrl_planner *p, void *self, char *err, size_t err_sz) {
  (void)err, (void)err_sz;
  random_shooting *rs = self;
  mbrl_planner_options(p, &rs->o, sizeof rs->o);
  const size_t N = (size_t)mbrl_planner_N(p), HA = (size_t)mbrl_planner_H(p) * mbrl_planner_act_dim(p);
  rs->cand = mbrl_alloc(N * HA * sizeof(float));
  rs->score = mbrl_alloc(N * sizeof(float));
  rs->last = mbrl_alloc(HA * sizeof(float));
  return MBRL_OK;
}

static int rs_plan(mbrl_planner *p, void *self, const float *obs, float *plan) {
  random_shooting *rs = self;
  const int N = mbrl_planner_N(p);
  const size_t HA = (size_t)mbrl_planner_H(p) * mbrl_planner_act_dim(p);
  mbrl_planner_uniform(p, rs->cand, (size_t)N * mbrl_planner_H(p));
  /* the shifted best keeps the uniform draw of its first candidate's last step */
  if (rs->o.warm && rs->have_last) memcpy(rs->cand, rs->last, HA * sizeof(float) - mbrl_planner_act_dim(p) * sizeof(float));
  int rc = mbrl_planner_score(p, obs, rs->cand, N, rs->score);
  if (rc) return rc;
  /* argmax, the first of equal scores as numpy's */
  int best = 0;
  for (int n = 1; n < N; n++)
    if (mbrl_planner_better(rs->score[n], rs->score[best])) best = n;
  memcpy(plan, rs->cand + (size_t)best * HA, HA * sizeof(float));
  if (rs->o.warm) memcpy(rs->last, plan, HA * sizeof(float));
  return MBRL_OK;
}

static void rs_shift(mbrl_planner *p, void *self) {
  random_shooting *rs = self;
  if (!rs->o.warm) return;
  const size_t A = (size_t)mbrl_planner_act_dim(p), HA = (size_t)mbrl_planner_H(p) * A;
  memmove(rs->last, rs->last + A, (HA - A) * sizeof(float));
  rs->have_last = 1;
}

static void rs_reset(mbrl_planner *p, void *self) {
  (void)p;
  ((random_shooting *)self)->have_last = 0;
}

static void rs_release(void *self) {
  random_shooting *rs = self;
  mbrl_free(rs->cand), mbrl_free(rs->score), mbrl_free(rs->last);
}

const mbrl_planner_class mbrl_planner_random = {
    .name = "random",
    .about = "random shooting: the best of N uniform sequences (CS285 HW4)",
    .options = &rs_table,
    .self_size = sizeof(random_shooting),
    .init = rs_init,
    .plan = rs_plan,
    .shift = rs_shift,
    .reset = rs_reset,
    .release = rs_release,
};
