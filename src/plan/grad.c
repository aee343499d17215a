/* Gradient-based planning: action sequences improved by projected Adam on their predicted return,
 * the gradient taken through the model's mean prediction (its vector-Jacobian product) and the
 * task's reward gradient, back through the horizon; the best sequence is the plan.
 *
 * The return of a sequence a_0..a_{H-1} from s_0 is the members' mean of sum_t r(s_t, a_t,
 * s_{t+1}) with s_{t+1} = mean_e(s_t, a_t) per member e (every member rolls it, as the members
 * propagation without sampling). An Adam step (lr in half action ranges) that lowers a
 * sequence's return is undone and its step size halved, up to 7 times in a row; actions are
 * projected to the bounds after each step. The refinement is shared with cemgd.c. */
#include <math.h>
#include <string.h>

#include "mbrl/core.h"
#include "plan/plan_impl.h"

typedef struct {
  int iters;  /* grad_iterations (15) */
  float lr;   /* grad_lr, Adam's step in half action ranges (0.01) */
  int warm;   /* warm_start (on) */
} grad_options;

static const mbrl_field grad_fields[] = {
    MBRL_CFG_INT(grad_options, iters, "grad_iterations", NULL, 0, 10000, 15, "gradient steps per planning step"),
    MBRL_CFG_FLOAT(grad_options, lr, "grad_lr", NULL, 1e-6, 10, 0.01f, "Adam's step size, in half action ranges"),
    MBRL_CFG_BOOL(grad_options, warm, "warm_start", NULL, 1,
                  "start from the last step's solution shifted by one (its last step re-initialised)"),
};
static const mbrl_config_table grad_table = {"grad", grad_fields, (int)(sizeof grad_fields / sizeof *grad_fields)};

/* ---- the refinement ---- */

int mbrl_grad_init(mbrl_grad *g, mbrl_planner *p, int K, char *err, size_t err_sz) {
  memset(g, 0, sizeof *g);
  const mbrl_model *m = mbrl_planner_model(p);
  const mbrl_task *t = mbrl_planner_task(p);
  if (!m->vjp || !t->reward_vjp)
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "gradient planning needs the model's and the reward's gradients (%s%s%s)",
                     m->vjp ? "" : "the model has none", !m->vjp && !t->reward_vjp ? ", " : "",
                     t->reward_vjp ? "" : "the task's reward has none");
  if (K < 1 || K > m->max_B)
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "gradient planning of %d sequences: the model takes %d rows", K,
                     m->max_B);
  g->K = K, g->E = m->E, g->H = mbrl_planner_H(p), g->O = m->obs_dim, g->A = m->act_dim;
  const size_t R = (size_t)g->E * K, H = (size_t)g->H, O = (size_t)g->O, A = (size_t)g->A;
  g->s = mbrl_alloc((H + 1) * R * O * sizeof(float));
  g->a = mbrl_alloc(H * R * A * sizeof(float));
  g->r = mbrl_alloc(R * sizeof(float));
  g->w = mbrl_alloc(R * sizeof(float));
  g->gs = mbrl_alloc(R * O * sizeof(float));
  g->gs2 = mbrl_alloc(R * O * sizeof(float));
  g->gr_obs = mbrl_alloc(R * O * sizeof(float));
  g->gr_next = mbrl_alloc(R * O * sizeof(float));
  g->gr_act = mbrl_alloc(R * A * sizeof(float));
  g->gm_act = mbrl_alloc(R * A * sizeof(float));
  g->grad = mbrl_alloc((size_t)K * H * A * sizeof(float));
  g->m = mbrl_alloc((size_t)K * H * A * sizeof(float));
  g->v = mbrl_alloc((size_t)K * H * A * sizeof(float));
  g->prev = mbrl_alloc((size_t)K * H * A * sizeof(float));
  g->ret = mbrl_alloc((size_t)K * sizeof(double));
  g->step = mbrl_alloc((size_t)K * sizeof(float));
  g->fails = mbrl_alloc((size_t)K * sizeof(int));
  return MBRL_OK;
}

void mbrl_grad_free(mbrl_grad *g) {
  mbrl_free(g->s), mbrl_free(g->a), mbrl_free(g->r), mbrl_free(g->w), mbrl_free(g->gs), mbrl_free(g->gs2);
  mbrl_free(g->gr_obs), mbrl_free(g->gr_next), mbrl_free(g->gr_act), mbrl_free(g->gm_act);
  mbrl_free(g->grad), mbrl_free(g->m), mbrl_free(g->v), mbrl_free(g->prev), mbrl_free(g->ret), mbrl_free(g->step);
  mbrl_free(g->fails);
  memset(g, 0, sizeof *g);
}

/* the mean-model rollout of the k sequences x (k x H x A) from obs, every member rolling each: the
 * states and actions as the model saw them kept for the backward pass, each sequence's return
 * into g->ret; returns 0 or the model's code */
static int forward(mbrl_grad *g, mbrl_planner *p, const float *obs, const float *x, int k) {
  const mbrl_model *m = mbrl_planner_model(p);
  const mbrl_task *t = mbrl_planner_task(p);
  const int E = g->E, H = g->H, O = g->O, A = g->A;
  const size_t R = (size_t)E * k;
  for (size_t i = 0; i < R; i++) memcpy(g->s + i * O, obs, (size_t)O * sizeof(float));
  for (int i = 0; i < k; i++) g->ret[i] = 0.0;
  mbrl_planner_count_evaluated(p, k);
  for (int h = 0; h < H; h++) {
    float *s = g->s + (size_t)h * R * O, *s2 = s + R * O, *a = g->a + (size_t)h * R * A;
    for (int e = 0; e < E; e++)
      for (int i = 0; i < k; i++)
        memcpy(a + ((size_t)e * k + i) * A, x + ((size_t)i * H + h) * A, (size_t)A * sizeof(float));
    mbrl_planner_clip(p, a, R);
    int rc = m->predict(m->ctx, s, a, s2, NULL, k, NULL);
    if (rc) return rc;
    t->reward(t->ctx, s, a, s2, (int)R, g->r, NULL);
    for (int e = 0; e < E; e++)
      for (int i = 0; i < k; i++) g->ret[i] += g->r[(size_t)e * k + i] / E;
  }
  return MBRL_OK;
}

/* the gradient of each return with respect to its sequence into g->grad (k x H x A), after a
 * forward pass of the same k sequences */
static int backward(mbrl_grad *g, mbrl_planner *p, int k) {
  const mbrl_model *m = mbrl_planner_model(p);
  const mbrl_task *t = mbrl_planner_task(p);
  const int E = g->E, H = g->H, O = g->O, A = g->A;
  const size_t R = (size_t)E * k;
  for (size_t i = 0; i < R; i++) g->w[i] = 1.0f / E;
  memset(g->gs, 0, R * O * sizeof(float)); /* d return / d s_{h+1} */
  for (int h = H - 1; h >= 0; h--) {
    float *s = g->s + (size_t)h * R * O, *s2 = s + R * O, *a = g->a + (size_t)h * R * A;
    t->reward_vjp(t->ctx, s, a, s2, (int)R, g->w, g->gr_obs, g->gr_act, g->gr_next);
    for (size_t i = 0; i < R * O; i++) g->gs[i] += g->gr_next[i];
    int rc = m->vjp(m->ctx, s, a, g->gs, g->gs2, g->gm_act, k);
    if (rc) return rc;
    for (size_t i = 0; i < R * O; i++) g->gs[i] = g->gs2[i] + g->gr_obs[i];
    for (int i = 0; i < k; i++)
      for (int d = 0; d < A; d++) {
        float sum = 0.0f;
        for (int e = 0; e < E; e++) {
          size_t row = ((size_t)e * k + i) * A + d;
          sum += g->gm_act[row] + g->gr_act[row];
        }
        g->grad[((size_t)i * H + h) * A + d] = sum;
      }
  }
  return MBRL_OK;
}

int mbrl_grad_gradient(mbrl_grad *g, mbrl_planner *p, const float *obs, const float *x, int k) {
  MBRL_ASSERT(k >= 1 && k <= g->K);
  int rc = forward(g, p, obs, x, k);
  return rc ? rc : backward(g, p, k);
}

int mbrl_grad_refine(mbrl_grad *g, mbrl_planner *p, const float *obs, float *x, int k, int iters, float lr,
                     double *ret) {
  MBRL_ASSERT(k >= 1 && k <= g->K);
  const int H = g->H, A = g->A;
  const size_t n = (size_t)k * H * A;
  const float *low = mbrl_planner_low(p), *high = mbrl_planner_high(p);
  const float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
  memset(g->m, 0, n * sizeof(float));
  memset(g->v, 0, n * sizeof(float));
  mbrl_planner_clip(p, x, (size_t)k * H);
  int rc = forward(g, p, obs, x, k);
  if (rc) return rc;
  for (int i = 0; i < k; i++) ret[i] = g->ret[i], g->step[i] = lr;
  memset(g->fails, 0, (size_t)k * sizeof(int));
  for (int it = 1; it <= iters; it++) {
    if ((rc = backward(g, p, k))) return rc;
    memcpy(g->prev, x, n * sizeof(float));
    const float c1 = 1.0f - powf(b1, (float)it), c2 = 1.0f - powf(b2, (float)it);
    for (int i = 0; i < k; i++)
      for (int j = 0; j < H * A; j++) {
        size_t q = (size_t)i * H * A + j;
        float gq = -g->grad[q]; /* ascent on the return */
        g->m[q] = b1 * g->m[q] + (1.0f - b1) * gq;
        g->v[q] = b2 * g->v[q] + (1.0f - b2) * gq * gq;
        float half = 0.5f * (high[j % A] - low[j % A]);
        x[q] -= g->step[i] * half * (g->m[q] / c1) / (sqrtf(g->v[q] / c2) + eps);
      }
    mbrl_planner_clip(p, x, (size_t)k * H);
    if ((rc = forward(g, p, obs, x, k))) return rc;
    /* a step that lowered the return is undone, and that sequence's step halved */
    int undone = 0;
    for (int i = 0; i < k; i++) {
      if (g->ret[i] >= ret[i]) { /* NaN is never kept */
        ret[i] = g->ret[i], g->fails[i] = 0;
        continue;
      }
      memcpy(x + (size_t)i * H * A, g->prev + (size_t)i * H * A, (size_t)H * A * sizeof(float));
      if (g->fails[i] < 7) g->step[i] *= 0.5f, g->fails[i]++;
      undone = 1;
    }
    /* the backward pass needs the forward pass of the sequences as they now are */
    if (undone && it < iters && (rc = forward(g, p, obs, x, k))) return rc;
  }
  return MBRL_OK;
}

int mbrl_grad_best(const double *ret, int k) {
  int best = 0;
  for (int i = 1; i < k; i++)
    if (ret[i] > ret[best] || (isnan(ret[best]) && !isnan(ret[i]))) best = i;
  return best;
}

/* ---- the planner ---- */

typedef struct {
  grad_options o;
  int N, H, A;
  mbrl_grad g;
  float *x;      /* (N x H x act_dim) the sequences */
  double *ret;   /* (N) their returns */
  float *last;   /* (H x act_dim) the last step's plan, shifted */
  int have_last;
} grad_planner;

static int grad_init(mbrl_planner *p, void *self, char *err, size_t err_sz) {
  grad_planner *c = self;
  mbrl_planner_options(p, &c->o, sizeof c->o);
  c->N = mbrl_planner_N(p), c->H = mbrl_planner_H(p), c->A = mbrl_planner_act_dim(p);
  int rc = mbrl_grad_init(&c->g, p, c->N, err, err_sz);
  if (rc) return rc;
  c->x = mbrl_alloc((size_t)c->N * c->H * c->A * sizeof(float));
  c->ret = mbrl_alloc((size_t)c->N * sizeof(double));
  c->last = mbrl_alloc((size_t)c->H * c->A * sizeof(float));
  return MBRL_OK;
}

static void grad_release(void *self) {
  grad_planner *c = self;
  mbrl_grad_free(&c->g);
  mbrl_free(c->x), mbrl_free(c->ret), mbrl_free(c->last);
}

static int grad_plan(mbrl_planner *p, void *self, const float *obs, float *plan) {
  grad_planner *c = self;
  const size_t HA = (size_t)c->H * c->A;
  mbrl_planner_uniform(p, c->x, (size_t)c->N * c->H);
  if (c->o.warm && c->have_last) memcpy(c->x, c->last, HA * sizeof(float));
  int rc = mbrl_grad_refine(&c->g, p, obs, c->x, c->N, c->o.iters, c->o.lr, c->ret);
  if (rc) return rc;
  const int best = mbrl_grad_best(c->ret, c->N);
  memcpy(plan, c->x + (size_t)best * HA, HA * sizeof(float));
  memcpy(c->last, plan, HA * sizeof(float));
  return MBRL_OK;
}

static void grad_shift(mbrl_planner *p, void *self) {
  grad_planner *c = self;
  mbrl_planner_shift_sequence(p, c->last);
  c->have_last = 1;
}

static void grad_reset(mbrl_planner *p, void *self) {
  (void)p;
  ((grad_planner *)self)->have_last = 0;
}

const mbrl_planner_class mbrl_planner_grad = {
    .name = "grad",
    .about = "gradient planning: projected Adam on the predicted return through the model and the reward",
    .options = &grad_table,
    .self_size = sizeof(grad_planner),
    .init = grad_init,
    .plan = grad_plan,
    .shift = grad_shift,
    .reset = grad_reset,
    .release = grad_release,
};
