/* Planner front end: the registry of planner classes, configuration, the random policy before the
 * model is ready, and the scoring every class shares. */
#include "mbrl/planner.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "mbrl/core.h"
#include "plan/plan_impl.h"

struct mbrl_planner {
  const mbrl_planner_class *cls;
  mbrl_planner_config cfg;
  mbrl_propagator prop; /* holds the task and the model */
  float *plan;       /* (H x act_dim) the last sequence chosen, clipped to the bounds */
  int64_t nonfinite; /* candidate scores that were NaN */
  int64_t evaluated; /* candidate sequences scored */
  mbrl_rng rng;
  void *self;        /* the class's own block */
};

/* ---- registry ---- */

enum { MAX_CLASSES = 64 };
static const mbrl_planner_class *builtin[] = {&mbrl_planner_random, &mbrl_planner_cem, &mbrl_planner_mppi,
                                              &mbrl_planner_icem,   &mbrl_planner_grad, &mbrl_planner_cemgd};
enum { N_BUILTIN = sizeof builtin / sizeof *builtin };
static const mbrl_planner_class *registry[MAX_CLASSES];
static int n_registered;
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;

int mbrl_planner_registry_count(void) {
  pthread_mutex_lock(&registry_lock);
  int n = N_BUILTIN + n_registered;
  pthread_mutex_unlock(&registry_lock);
  return n;
}

const mbrl_planner_class *mbrl_planner_registry_get(int i) {
  MBRL_ASSERT(i >= 0 && i < mbrl_planner_registry_count());
  if (i < N_BUILTIN) return builtin[i];
  pthread_mutex_lock(&registry_lock);
  const mbrl_planner_class *c = registry[i - N_BUILTIN];
  pthread_mutex_unlock(&registry_lock);
  return c;
}

const mbrl_planner_class *mbrl_planner_find(const char *name) {
  int n = mbrl_planner_registry_count();
  for (int i = 0; i < n; i++) {
    const mbrl_planner_class *c = mbrl_planner_registry_get(i);
    if (!strcmp(c->name, name)) return c;
  }
  return NULL;
}

int mbrl_planner_register(const mbrl_planner_class *cls, char *err, size_t err_sz) {
  if (!cls || !cls->name || !cls->name[0] || !cls->init || !cls->plan)
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "a planner class needs a name, init and plan");
  if (cls->options && mbrl_config_extent(cls->options) > MBRL_PLANNER_OPTS)
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "planner %s: options take more than %d bytes", cls->name,
                     MBRL_PLANNER_OPTS);
  if (strlen(cls->name) >= MBRL_CONFIG_STR)
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "planner name too long");
  if (mbrl_planner_find(cls->name))
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "a planner named %s is already registered", cls->name);
  pthread_mutex_lock(&registry_lock);
  int rc = MBRL_OK;
  if (n_registered == MAX_CLASSES)
    rc = mbrl_errf(err, err_sz, MBRL_EINVAL, "more than %d planner classes", MAX_CLASSES);
  else
    registry[n_registered++] = cls;
  pthread_mutex_unlock(&registry_lock);
  return rc;
}

/* ---- configuration ---- */

static const mbrl_config_table *class_options(const void *base) {
  const mbrl_planner_class *c = mbrl_planner_find(((const mbrl_planner_config *)base)->name);
  return c ? c->options : NULL;
}

static const mbrl_field planner_fields[] = {
    MBRL_CFG_STRING(mbrl_planner_config, name, "mpc_action_sampling_strategy", "--planner", "random",
                    "planner: random, cem, mppi, icem, grad, cemgd or a registered one (mbrl planners lists them)"),
    MBRL_CFG_INT(mbrl_planner_config, H, "mpc_horizon", NULL, 1, 1000, 10, "planning horizon H"),
    MBRL_CFG_INT(mbrl_planner_config, N, "mpc_num_action_sequences", NULL, 1, 1e6, 1000,
                 "candidate action sequences N"),
    MBRL_CFG_SECTION(mbrl_planner_config, prop, &mbrl_propagate_table),
    MBRL_CFG_DYNAMIC(mbrl_planner_config, opts, class_options),
};
const mbrl_config_table mbrl_planner_table = {"planner", planner_fields,
                                              (int)(sizeof planner_fields / sizeof *planner_fields)};

int mbrl_planner_defaults(mbrl_planner_config *cfg, const char *name, char *err, size_t err_sz) {
  memset(cfg, 0, sizeof *cfg);
  mbrl_config_defaults(&mbrl_planner_table, cfg);
  if (!mbrl_planner_find(name))
    return mbrl_errf(err, err_sz, MBRL_ENOTFOUND, "no planner named '%s'", name);
  snprintf(cfg->name, sizeof cfg->name, "%s", name);
  memset(cfg->opts, 0, sizeof cfg->opts);
  const mbrl_config_table *t = class_options(cfg);
  if (t) mbrl_config_defaults(t, cfg->opts);
  return MBRL_OK;
}

int mbrl_planner_set(mbrl_planner_config *cfg, const char *name, const char *text, char *err, size_t err_sz) {
  if (!strcmp(name, "mpc_action_sampling_strategy")) {
    /* a new planner starts from its own defaults, keeping the shared settings */
    mbrl_planner_config c = *cfg;
    int rc = mbrl_planner_defaults(&c, text, err, err_sz);
    if (rc) return rc;
    memcpy(cfg->name, c.name, sizeof c.name);
    memcpy(cfg->opts, c.opts, sizeof c.opts);
    return MBRL_OK;
  }
  return mbrl_config_set(&mbrl_planner_table, cfg, name, text, err, err_sz);
}

/* ---- making and acting ---- */

int mbrl_planner_make(mbrl_planner **out, const mbrl_planner_config *cfg, const mbrl_task *task,
                      const mbrl_model *model, mbrl_rng *rng, char *err, size_t err_sz) {
  MBRL_ASSERT(out && cfg && task && model && rng);
  *out = NULL;
  const mbrl_planner_class *cls = mbrl_planner_find(cfg->name);
  if (!cls) return mbrl_errf(err, err_sz, MBRL_ENOTFOUND, "no planner named '%s'", cfg->name);
  if (cfg->H < 1 || cfg->N < 1)
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "planner horizon %d and sequences %d must be >= 1", cfg->H, cfg->N);
  if (!task->act_low || !task->act_high) return mbrl_errf(err, err_sz, MBRL_EINVAL, "the task has no action bounds");
  if ((int64_t)cfg->N * cfg->prop.particles > 1 << 30)
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "%d sequences of %d particles are too many", cfg->N,
                     cfg->prop.particles);
  mbrl_planner *p = mbrl_alloc(sizeof *p);
  memset(p, 0, sizeof *p);
  p->cls = cls, p->cfg = *cfg;
  mbrl_rng_split(&p->rng, rng, 0x706c616e); /* "plan" */
  int rc = mbrl_propagate_init(&p->prop, &cfg->prop, model, task, cfg->N * cfg->prop.particles, err, err_sz);
  if (!rc) {
    p->plan = mbrl_alloc((size_t)cfg->H * task->act_dim * sizeof(float));
    p->self = mbrl_alloc(cls->self_size ? cls->self_size : 1);
    memset(p->self, 0, cls->self_size ? cls->self_size : 1);
    rc = cls->init(p, p->self, err, err_sz);
  }
  if (rc) {
    mbrl_planner_free(p);
    return rc;
  }
  *out = p;
  return MBRL_OK;
}

void mbrl_planner_free(mbrl_planner *p) {
  if (!p) return;
  if (p->self && p->cls->release) p->cls->release(p->self);
  mbrl_free(p->self);
  mbrl_propagate_free(&p->prop);
  mbrl_free(p->plan);
  mbrl_free(p);
}

int mbrl_planner_act(mbrl_planner *p, const float *obs, float *act) {
  const int A = p->prop.task.act_dim;
  const mbrl_model *m = &p->prop.model;
  if (m->ready && !m->ready(m->ctx)) {
    /* no data statistics yet: one uniform random action */
    mbrl_planner_uniform(p, act, 1);
    return MBRL_OK;
  }
  int rc = p->cls->plan(p, p->self, obs, p->plan);
  if (rc) return rc;
  mbrl_planner_clip(p, p->plan, (size_t)p->cfg.H);
  memcpy(act, p->plan, (size_t)A * sizeof(float));
  if (p->cls->shift) p->cls->shift(p, p->self);
  return MBRL_OK;
}

void mbrl_planner_reset(mbrl_planner *p) {
  if (p->cls->reset) p->cls->reset(p, p->self);
}

int mbrl_planner_policy(void *planner, const float *obs, float *act) {
  return mbrl_planner_act(planner, obs, act);
}

void mbrl_planner_policy_reset(void *planner) { mbrl_planner_reset(planner); }

const float *mbrl_planner_plan(const mbrl_planner *p) { return p->plan; }
int64_t mbrl_planner_nonfinite(const mbrl_planner *p) { return p->nonfinite; }
int64_t mbrl_planner_evaluated(const mbrl_planner *p) { return p->evaluated; }
void mbrl_planner_count_evaluated(mbrl_planner *p, int64_t n) { p->evaluated += n; }
const mbrl_planner_config *mbrl_planner_get_config(const mbrl_planner *p) { return &p->cfg; }

/* ---- for classes ---- */

int mbrl_planner_H(const mbrl_planner *p) { return p->cfg.H; }
int mbrl_planner_N(const mbrl_planner *p) { return p->cfg.N; }
int mbrl_planner_act_dim(const mbrl_planner *p) { return p->prop.task.act_dim; }
const float *mbrl_planner_low(const mbrl_planner *p) { return p->prop.task.act_low; }
const float *mbrl_planner_high(const mbrl_planner *p) { return p->prop.task.act_high; }
mbrl_rng *mbrl_planner_rng(mbrl_planner *p) { return &p->rng; }
const mbrl_model *mbrl_planner_model(const mbrl_planner *p) { return &p->prop.model; }
const mbrl_task *mbrl_planner_task(const mbrl_planner *p) { return &p->prop.task; }

void mbrl_planner_options(const mbrl_planner *p, void *opts, size_t size) {
  MBRL_ASSERT(size <= MBRL_PLANNER_OPTS);
  memcpy(opts, p->cfg.opts, size);
}

int mbrl_planner_score(mbrl_planner *p, const float *obs, const float *cand, int n, float *score) {
  MBRL_ASSERT(n >= 1 && n <= p->cfg.N);
  int rc = mbrl_propagate_returns(&p->prop, obs, cand, n, p->cfg.H, score, &p->rng);
  if (rc) return rc;
  for (int i = 0; i < n; i++) p->nonfinite += isnan(score[i]) != 0;
  p->evaluated += n;
  return MBRL_OK;
}

void mbrl_planner_uniform(mbrl_planner *p, float *x, size_t rows) {
  const int A = p->prop.task.act_dim;
  const float *low = p->prop.task.act_low, *high = p->prop.task.act_high;
  mbrl_rng_fill_uniform(&p->rng, x, rows * A, 0.0f, 1.0f); /* in one call: the draws stay in registers */
  for (size_t r = 0; r < rows; r++, x += A)
    for (int d = 0; d < A; d++) x[d] = low[d] + (high[d] - low[d]) * x[d];
}

void mbrl_planner_top(const float *score, int n, int k, int *top) {
  MBRL_ASSERT(k >= 1 && k <= n);
  int m = 0;
  for (int i = 0; i < n; i++) {
    if (m == k && !mbrl_planner_better(score[i], score[top[k - 1]])) continue;
    int j = m < k ? m++ : k - 1;
    while (j > 0 && mbrl_planner_better(score[i], score[top[j - 1]])) top[j] = top[j - 1], j--;
    top[j] = i;
  }
}

void mbrl_planner_clip(const mbrl_planner *p, float *x, size_t rows) { mbrl_task_clip(&p->prop.task, x, rows); }

void mbrl_planner_shift_sequence(const mbrl_planner *p, float *x) {
  const size_t A = (size_t)p->prop.task.act_dim, H = (size_t)p->cfg.H;
  memmove(x, x + A, (H - 1) * A * sizeof(float));
  for (size_t d = 0; d < A; d++) x[(H - 1) * A + d] = 0.5f * (p->prop.task.act_low[d] + p->prop.task.act_high[d]);
}
