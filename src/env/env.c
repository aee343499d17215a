/* The environment interface: registry by name, making and freeing instances, and the checks every
 * step goes through (finite actions, clipping, step count, reward, finite observations). */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "env/env_impl.h"
#include "mbrl/core.h"
#include "mbrl/env.h"

#define MAX_CLASSES 64
#define NAME_MAX_LEN 1024

struct mbrl_env {
  mbrl_env_spec spec;
  const mbrl_env_class *cls;
  void *self;          /* the class's per-instance memory */
  float *low, *high;   /* action bounds (act_dim) */
  float *act;          /* the clipped action (act_dim) */
  float *obs;          /* the current observation (obs_dim) */
  int t;               /* steps taken in this episode */
  int started;         /* reset has been called */
  char name[NAME_MAX_LEN];
  char error[256];
};

/* ---- registry ---------------------------------------------------------------------------- */

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static const mbrl_env_class *reg[MAX_CLASSES] = {
    &mbrl_env_cheetah_class,     &mbrl_env_obstacles_class, &mbrl_env_reacher_class,
    &mbrl_env_halfcheetah_class, &mbrl_env_pendulum_class,  &mbrl_env_cartpole_class,
    &mbrl_env_cartpole_balance_class, &mbrl_env_cartpole_pets_class, &mbrl_env_mujoco_class,
};
static int reg_n = 9;

/* a family name ends in ':' and matches every name with that prefix */
static int class_matches(const mbrl_env_class *c, const char *name) {
  size_t n = strlen(c->name);
  if (n > 0 && c->name[n - 1] == ':') return !strncmp(c->name, name, n);
  return !strcmp(c->name, name);
}

int mbrl_env_register(const mbrl_env_class *cls, char *err, size_t err_sz) {
  if (!cls || !cls->name || !cls->name[0])
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "environment class without a name");
  if (!cls->reset || !cls->step || !cls->reward || !cls->get_state || !cls->set_state)
    return mbrl_errf(err, err_sz, MBRL_EINVAL,
                     "environment '%s': reset, step, reward, get_state and set_state are required",
                     cls->name);
  if (!cls->init && (cls->obs_dim <= 0 || cls->act_dim <= 0 || cls->ep_len <= 0 ||
                     cls->state_dim < 0))
    return mbrl_errf(err, err_sz, MBRL_EINVAL,
                     "environment '%s': obs_dim, act_dim and ep_len must be positive", cls->name);
  if (strlen(cls->name) >= NAME_MAX_LEN)
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "environment name too long");
  int rc = 0;
  pthread_mutex_lock(&reg_lock);
  for (int i = 0; i < reg_n && !rc; i++)
    if (!strcmp(reg[i]->name, cls->name))
      rc = mbrl_errf(err, err_sz, MBRL_EINVAL, "environment '%s' is already registered",
                     cls->name);
  if (!rc && reg_n == MAX_CLASSES)
    rc = mbrl_errf(err, err_sz, MBRL_EINVAL, "too many environments (at most %d)", MAX_CLASSES);
  if (!rc) reg[reg_n++] = cls;
  pthread_mutex_unlock(&reg_lock);
  return rc;
}

int mbrl_env_registry_count(void) {
  pthread_mutex_lock(&reg_lock);
  int n = reg_n;
  pthread_mutex_unlock(&reg_lock);
  return n;
}

const mbrl_env_class *mbrl_env_registry_get(int i) {
  MBRL_ASSERT(i >= 0 && i < mbrl_env_registry_count());
  pthread_mutex_lock(&reg_lock);
  const mbrl_env_class *c = reg[i];
  pthread_mutex_unlock(&reg_lock);
  return c;
}

static const mbrl_env_class *find_class(const char *name) {
  const mbrl_env_class *c = NULL;
  pthread_mutex_lock(&reg_lock);
  for (int i = 0; i < reg_n && !c; i++)
    if (class_matches(reg[i], name)) c = reg[i];
  pthread_mutex_unlock(&reg_lock);
  return c;
}

/* "unknown environment 'x'; known: a, b, mujoco:<model.xml>" */
static int unknown_name(const char *name, char *err, size_t err_sz) {
  char list[2048];
  size_t len = 0;
  list[0] = 0;
  int n = mbrl_env_registry_count();
  for (int i = 0; i < n && len < sizeof list; i++) {
    const mbrl_env_class *c = mbrl_env_registry_get(i);
    size_t cn = strlen(c->name);
    int fam = cn > 0 && c->name[cn - 1] == ':';
    int w = snprintf(list + len, sizeof list - len, "%s%s%s", i ? ", " : "", c->name,
                     fam ? "<model.xml>" : "");
    if (w < 0) break;
    len += (size_t)w;
  }
  return mbrl_errf(err, err_sz, MBRL_ENOTFOUND, "unknown environment '%s'; known: %s", name, list);
}

/* ---- instances --------------------------------------------------------------------------- */

static int make_from_class(mbrl_env **out, const mbrl_env_class *c, const char *name, const char *arg,
                           char *err, size_t err_sz) {
  *out = NULL;
  mbrl_env *env = mbrl_alloc(sizeof *env);
  snprintf(env->name, sizeof env->name, "%s", name);
  env->cls = c;
  env->self = mbrl_alloc(c->self_size ? c->self_size : 1);
  mbrl_env_spec s = {env->name, c->obs_dim, c->act_dim, c->act_low, c->act_high,
                     c->ep_len,  c->state_dim, c->dt};
  if (c->init) {
    int rc = c->init(env->self, arg, &s, err, err_sz);
    if (rc < 0) {
      mbrl_free(env->self);
      mbrl_free(env);
      return rc;
    }
  }
  if (s.obs_dim <= 0 || s.act_dim <= 0 || s.ep_len <= 0 || s.state_dim < 0) {
    if (c->release) c->release(env->self);
    mbrl_free(env->self);
    mbrl_free(env);
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "environment '%s': bad sizes (obs %d, act %d, ep_len %d)",
                     name, s.obs_dim, s.act_dim, s.ep_len);
  }
  /* the library owns copies of the bounds, so a class may keep them anywhere */
  env->low = mbrl_alloc(sizeof(float) * (size_t)s.act_dim);
  env->high = mbrl_alloc(sizeof(float) * (size_t)s.act_dim);
  env->act = mbrl_alloc(sizeof(float) * (size_t)s.act_dim);
  env->obs = mbrl_alloc(sizeof(float) * (size_t)s.obs_dim);
  for (int i = 0; i < s.act_dim; i++) {
    env->low[i] = s.act_low ? s.act_low[i] : -1.0f;
    env->high[i] = s.act_high ? s.act_high[i] : 1.0f;
  }
  s.name = env->name;
  s.act_low = env->low;
  s.act_high = env->high;
  s.state_dim += 1;
  env->spec = s;
  *out = env;
  return MBRL_OK;
}

int mbrl_env_make(mbrl_env **env, const char *name, char *err, size_t err_sz) {
  MBRL_ASSERT(env && name);
  *env = NULL;
  const mbrl_env_class *c = find_class(name);
  if (!c) return unknown_name(name, err, err_sz);
  size_t n = strlen(c->name);
  const char *arg = n > 0 && c->name[n - 1] == ':' ? name + n : NULL;
  if (arg && !arg[0])
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "environment '%s' needs an argument after the ':'", name);
  return make_from_class(env, c, name, arg, err, err_sz);
}

int mbrl_env_make_class(mbrl_env **env, const mbrl_env_class *c, const char *name, const char *arg, char *err,
                        size_t err_sz) {
  return make_from_class(env, c, name, arg, err, err_sz);
}

void *mbrl_env_self(mbrl_env *env) { return env->self; }

const mbrl_env_class *mbrl_env_class_of(const mbrl_env *env) { return env->cls; }

void mbrl_env_free(mbrl_env *env) {
  if (!env) return;
  if (env->cls->release) env->cls->release(env->self);
  mbrl_free(env->self);
  mbrl_free(env->low);
  mbrl_free(env->high);
  mbrl_free(env->act);
  mbrl_free(env->obs);
  mbrl_free(env);
}

const mbrl_env_spec *mbrl_env_get_spec(const mbrl_env *env) {
  MBRL_ASSERT(env);
  return &env->spec;
}

void mbrl_env_set_ep_len(mbrl_env *env, int ep_len) {
  MBRL_ASSERT(env && ep_len >= 1);
  env->spec.ep_len = ep_len;
}

const char *mbrl_env_last_error(const mbrl_env *env) {
  MBRL_ASSERT(env);
  return env->error;
}

int mbrl_env_reset(mbrl_env *env, uint64_t seed, float *obs) {
  MBRL_ASSERT(env && obs);
  mbrl_rng rng;
  mbrl_rng_init(&rng, seed, 0);
  env->error[0] = 0;
  env->cls->reset(env->self, &rng, env->obs);
  env->t = 0;
  env->started = 1;
  memcpy(obs, env->obs, sizeof(float) * (size_t)env->spec.obs_dim);
  if (!mbrl_all_finite(env->obs, (size_t)env->spec.obs_dim)) {
    env->started = 0;
    return mbrl_errf(env->error, sizeof env->error, MBRL_ENUMERIC,
                     "%s: reset gave a NaN or Inf observation", env->name);
  }
  return 0;
}

int mbrl_env_step(mbrl_env *env, const float *act, float *next_obs, float *reward, int *terminated,
                  int *truncated) {
  MBRL_ASSERT(env && act && next_obs);
  const int A = env->spec.act_dim, O = env->spec.obs_dim;
  env->error[0] = 0;
  if (!env->started)
    return mbrl_errf(env->error, sizeof env->error, MBRL_EINVAL,
                     "%s: step before reset (or after a failed step)", env->name);
  for (int i = 0; i < A; i++) {
    if (!isfinite(act[i]))
      return mbrl_errf(env->error, sizeof env->error, MBRL_EINVAL,
                       "%s: action[%d] is %s; actions must be finite", env->name, i,
                       isnan(act[i]) ? "NaN" : "Inf");
    float a = act[i];
    env->act[i] = a < env->low[i] ? env->low[i] : a > env->high[i] ? env->high[i] : a;
  }
  int rc = env->cls->step(env->self, env->act, next_obs);
  if (rc == 0 && !mbrl_all_finite(next_obs, (size_t)O)) rc = MBRL_ENUMERIC;
  if (rc < 0) {
    env->started = 0;
    return mbrl_errf(env->error, sizeof env->error, rc,
                     "%s: the simulation diverged at step %d (NaN, Inf or huge state); reset "
                     "the environment",
                     env->name, env->t);
  }
  float r;
  int done;
  env->cls->reward(env->self, env->obs, env->act, next_obs, 1, &r, &done);
  memcpy(env->obs, next_obs, sizeof(float) * (size_t)O);
  env->t++;
  if (reward) *reward = r;
  if (terminated) *terminated = done != 0;
  if (truncated) *truncated = env->t >= env->spec.ep_len;
  return 0;
}

void mbrl_env_reward(const mbrl_env *env, const float *obs, const float *act, const float *next_obs,
                     int B, float *reward, int *done) {
  MBRL_ASSERT(env && B >= 0);
  if (B == 0) return;
  MBRL_ASSERT(obs && act && next_obs && reward);
  env->cls->reward(env->self, obs, act, next_obs, B, reward, done);
}

void mbrl_env_vjp_zero(float *d_obs, float *d_act, float *d_next, int B, int obs_dim, int act_dim) {
  if (d_obs) memset(d_obs, 0, sizeof(float) * (size_t)B * obs_dim);
  if (d_act) memset(d_act, 0, sizeof(float) * (size_t)B * act_dim);
  if (d_next) memset(d_next, 0, sizeof(float) * (size_t)B * obs_dim);
}

static void task_reward(void *ctx, const float *obs, const float *act, const float *next_obs, int B,
                        float *reward, int *done) {
  mbrl_env_reward(ctx, obs, act, next_obs, B, reward, done);
}

static void task_reward_vjp(void *ctx, const float *obs, const float *act, const float *next_obs, int B,
                            const float *d_reward, float *d_obs, float *d_act, float *d_next) {
  const mbrl_env *env = ctx;
  env->cls->reward_vjp(env->self, obs, act, next_obs, B, d_reward, d_obs, d_act, d_next);
}

mbrl_task mbrl_env_task(const mbrl_env *env) {
  const mbrl_env_spec *s = mbrl_env_get_spec(env);
  return (mbrl_task){.obs_dim = s->obs_dim,
                     .act_dim = s->act_dim,
                     .act_low = s->act_low,
                     .act_high = s->act_high,
                     .reward = task_reward,
                     .reward_vjp = env->cls->reward_vjp ? task_reward_vjp : NULL,
                     .ctx = (void *)(uintptr_t)env};
}

void mbrl_env_get_state(const mbrl_env *env, double *state) {
  MBRL_ASSERT(env && state);
  state[0] = env->t;
  env->cls->get_state(env->self, state + 1);
}

int mbrl_env_set_state(mbrl_env *env, const double *state, float *obs) {
  MBRL_ASSERT(env && state);
  env->error[0] = 0;
  for (int i = 0; i < env->spec.state_dim; i++)
    if (!isfinite(state[i]))
      return mbrl_errf(env->error, sizeof env->error, MBRL_EINVAL,
                       "%s: state[%d] is not finite", env->name, i);
  if (state[0] < 0 || state[0] > 2e9 || state[0] != floor(state[0]))
    return mbrl_errf(env->error, sizeof env->error, MBRL_EINVAL,
                     "%s: state[0] (step count) must be a whole number >= 0", env->name);
  env->cls->set_state(env->self, state + 1, env->obs);
  env->t = (int)state[0];
  env->started = 1;
  if (obs) memcpy(obs, env->obs, sizeof(float) * (size_t)env->spec.obs_dim);
  return 0;
}
