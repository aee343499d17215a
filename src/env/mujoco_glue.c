/* MuJoCo glue shared by the MuJoCo environments (asset lookup, loading with MuJoCo's error
 * message, state get/set, stepping with divergence detection), and the generic environment that
 * loads any MJCF file ("mujoco:<path>", mbrl_env_make_mujoco). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "env/env_impl.h"
#include "mbrl/core.h"

#ifndef MBRL_ASSET_DIR
#define MBRL_ASSET_DIR "assets"
#endif
#ifndef MBRL_INSTALL_ASSET_DIR
#define MBRL_INSTALL_ASSET_DIR "/usr/local/share/mbrl/assets"
#endif

/* ---- assets and loading ------------------------------------------------------------------ */

int mbrl_env_asset_path(const char *file, char *path, size_t path_sz, char *err, size_t err_sz) {
  MBRL_ASSERT(file && path && path_sz > 0);
  const char *env_dir = getenv("MBRL_ASSETS");
  const char *dirs[3] = {env_dir, MBRL_ASSET_DIR, MBRL_INSTALL_ASSET_DIR};
  for (int i = 0; i < 3; i++) {
    if (!dirs[i] || !dirs[i][0]) continue;
    int n = snprintf(path, path_sz, "%s/%s", dirs[i], file);
    if (n > 0 && (size_t)n < path_sz && access(path, R_OK) == 0) return 0;
  }
  path[0] = 0;
  return mbrl_errf(err, err_sz, MBRL_ENOTFOUND,
                   "asset '%s' not found in $MBRL_ASSETS (%s), %s or %s", file,
                   env_dir ? env_dir : "unset", MBRL_ASSET_DIR, MBRL_INSTALL_ASSET_DIR);
}

/* MuJoCo's default warning handler prints to stdout and writes MUJOCO_LOG.TXT; the library
 * counts divergence warnings itself, so it installs a silent handler unless the program set one */
static void quiet_warning(const char *msg) { (void)msg; }
static void install_quiet_warning(void) {
  if (!mju_user_warning) mju_user_warning = quiet_warning;
}
static pthread_once_t quiet_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

int mbrl_mj_load(mbrl_mj *mj, const char *path, int as_asset, int frame_skip, char *err,
                 size_t err_sz) {
  MBRL_ASSERT(mj && path && frame_skip >= 1);
  memset(mj, 0, sizeof *mj);
  char full[4096];
  if (as_asset) {
    int rc = mbrl_env_asset_path(path, full, sizeof full, err, err_sz);
    if (rc < 0) return rc;
  } else if (snprintf(full, sizeof full, "%s", path) >= (int)sizeof full) {
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "model path too long");
  }
  /* MuJoCo would block on a FIFO or read a device: only regular files */
  struct stat sb;
  if (stat(full, &sb) == 0 && !S_ISREG(sb.st_mode))
    return mbrl_errf(err, err_sz, MBRL_EIO, "%s: not a regular file", full);
  pthread_once(&quiet_once, install_quiet_warning);
  char mjerr[1024] = "";
  pthread_mutex_lock(&load_lock);
  mjModel *m = mj_loadXML(full, NULL, mjerr, sizeof mjerr);
  pthread_mutex_unlock(&load_lock);
  if (!m) {
    size_t n = strlen(mjerr);
    while (n > 0 && (mjerr[n - 1] == '\n' || mjerr[n - 1] == ' ')) mjerr[--n] = 0;
    int code = access(full, R_OK) == 0 ? MBRL_EFORMAT : errno == ENOENT ? MBRL_ENOTFOUND : MBRL_EIO;
    return mbrl_errf(err, err_sz, code, "MuJoCo could not load '%s': %s", full,
                     mjerr[0] ? mjerr : "unknown error");
  }
  mjData *d = mj_makeData(m);
  if (!d) {
    mj_deleteModel(m);
    return mbrl_errf(err, err_sz, MBRL_ENOMEM, "MuJoCo could not allocate data for '%s'", full);
  }
  mj->m = m;
  mj->d = d;
  mj->frame_skip = frame_skip;
  mj_forward(m, d);
  return 0;
}

void mbrl_mj_free(mbrl_mj *mj) {
  if (!mj) return;
  if (mj->d) mj_deleteData(mj->d);
  if (mj->m) mj_deleteModel(mj->m);
  memset(mj, 0, sizeof *mj);
}

/* ---- state and stepping ------------------------------------------------------------------ */

int mbrl_mj_state_dim(const mjModel *m) { return 1 + m->nq + m->nv + m->na + m->nv; }

void mbrl_mj_get_state(const mbrl_mj *mj, double *state) {
  const mjModel *m = mj->m;
  const mjData *d = mj->d;
  double *s = state;
  *s++ = d->time;
  memcpy(s, d->qpos, sizeof(double) * (size_t)m->nq), s += m->nq;
  memcpy(s, d->qvel, sizeof(double) * (size_t)m->nv), s += m->nv;
  memcpy(s, d->act, sizeof(double) * (size_t)m->na), s += m->na;
  memcpy(s, d->qacc_warmstart, sizeof(double) * (size_t)m->nv);
}

static void clear_warnings(mbrl_mj *mj) {
  memset(mj->d->warning, 0, sizeof mj->d->warning);
  mj->nbad = 0;
}

void mbrl_mj_set_state(mbrl_mj *mj, const double *state) {
  const mjModel *m = mj->m;
  mjData *d = mj->d;
  const double *s = state;
  d->time = *s++;
  memcpy(d->qpos, s, sizeof(double) * (size_t)m->nq), s += m->nq;
  memcpy(d->qvel, s, sizeof(double) * (size_t)m->nv), s += m->nv;
  memcpy(d->act, s, sizeof(double) * (size_t)m->na), s += m->na;
  memcpy(d->qacc_warmstart, s, sizeof(double) * (size_t)m->nv);
  clear_warnings(mj);
  mj_forward(m, d);
}

/* qpos0 plus pos_noise times U(-1, 1) (uniform) or N(0, 1), qvel vel_noise N(0, 1) */
static void reset_with(mbrl_mj *mj, mbrl_rng *rng, double pos_noise, int uniform, double vel_noise) {
  const mjModel *m = mj->m;
  mjData *d = mj->d;
  mj_resetData(m, d);
  clear_warnings(mj);
  for (int i = 0; i < m->nq; i++)
    d->qpos[i] = m->qpos0[i] + pos_noise * (uniform ? 2.0 * mbrl_rng_uniform(rng) - 1.0 : mbrl_rng_normal(rng));
  for (int i = 0; i < m->nv; i++) d->qvel[i] = vel_noise * mbrl_rng_normal(rng);
  mj_forward(m, d);
}

void mbrl_mj_reset_noise(mbrl_mj *mj, mbrl_rng *rng, double pos_noise, double vel_noise) {
  reset_with(mj, rng, pos_noise, 1, vel_noise);
}

void mbrl_mj_reset_normal(mbrl_mj *mj, mbrl_rng *rng, double pos_noise, double vel_noise) {
  reset_with(mj, rng, pos_noise, 0, vel_noise);
}

int mbrl_mj_step(mbrl_mj *mj, const float *act) {
  const mjModel *m = mj->m;
  mjData *d = mj->d;
  for (int i = 0; i < m->nu; i++) d->ctrl[i] = act[i];
  for (int k = 0; k < mj->frame_skip; k++) mj_step(m, d);
  /* mujoco resets the data when qpos, qvel or qacc go bad and counts a warning */
  int bad = d->warning[mjWARN_BADQPOS].number + d->warning[mjWARN_BADQVEL].number +
            d->warning[mjWARN_BADQACC].number;
  if (bad != mj->nbad) {
    mj->nbad = bad;
    return MBRL_ENUMERIC;
  }
  return 0;
}

/* ---- the generic environment -------------------------------------------------------------- */

typedef struct {
  mbrl_mj mj;
  float *low, *high;          /* (nu) */
  mbrl_env_reward_fn reward;  /* NULL: reward 0 */
  void *user;
  int obs_dim, act_dim;
} generic;

/* value of the custom numeric field name, or fallback */
static double custom_numeric(const mjModel *m, const char *name, double fallback) {
  int id = mj_name2id(m, mjOBJ_NUMERIC, name);
  if (id < 0 || m->numeric_size[id] < 1) return fallback;
  return m->numeric_data[m->numeric_adr[id]];
}

static int generic_init(void *self, const char *arg, mbrl_env_spec *spec, char *err,
                        size_t err_sz) {
  generic *g = self;
  int rc = mbrl_mj_load(&g->mj, arg, 0, 1, err, err_sz);
  if (rc < 0) return rc;
  const mjModel *m = g->mj.m;
  double skip = custom_numeric(m, "mbrl_frame_skip", 1);
  double ep_len = custom_numeric(m, "mbrl_ep_len", 1000);
  if (m->nu < 1 || !(skip >= 1 && skip <= 1e6) || !(ep_len >= 1 && ep_len <= 1e9)) {
    mbrl_mj_free(&g->mj);
    return mbrl_errf(err, err_sz, MBRL_EFORMAT,
                     "'%s': a generic MuJoCo environment needs at least one actuator, "
                     "mbrl_frame_skip >= 1 and mbrl_ep_len >= 1",
                     arg);
  }
  g->mj.frame_skip = (int)skip;
  g->obs_dim = m->nq + m->nv;
  g->act_dim = m->nu;
  g->low = mbrl_alloc(sizeof(float) * (size_t)m->nu);
  g->high = mbrl_alloc(sizeof(float) * (size_t)m->nu);
  for (int i = 0; i < m->nu; i++) {
    int limited = m->actuator_ctrllimited[i];
    g->low[i] = limited ? (float)m->actuator_ctrlrange[2 * i] : -1.0f;
    g->high[i] = limited ? (float)m->actuator_ctrlrange[2 * i + 1] : 1.0f;
  }
  spec->obs_dim = g->obs_dim;
  spec->act_dim = g->act_dim;
  spec->act_low = g->low;
  spec->act_high = g->high;
  spec->ep_len = (int)ep_len;
  spec->state_dim = mbrl_mj_state_dim(m);
  spec->dt = m->opt.timestep * g->mj.frame_skip;
  return 0;
}

static void generic_release(void *self) {
  generic *g = self;
  mbrl_mj_free(&g->mj);
  mbrl_free(g->low);
  mbrl_free(g->high);
}

static void generic_obs(const generic *g, float *obs) {
  const mjModel *m = g->mj.m;
  const mjData *d = g->mj.d;
  for (int i = 0; i < m->nq; i++) obs[i] = (float)d->qpos[i];
  for (int i = 0; i < m->nv; i++) obs[m->nq + i] = (float)d->qvel[i];
}

static void generic_reset(void *self, mbrl_rng *rng, float *obs) {
  generic *g = self;
  mbrl_mj_reset_noise(&g->mj, rng, 0.1, 0.1);
  generic_obs(g, obs);
}

static int generic_step(void *self, const float *act, float *next_obs) {
  generic *g = self;
  int rc = mbrl_mj_step(&g->mj, act);
  generic_obs(g, next_obs);
  return rc;
}

static void generic_reward(const void *self, const float *obs, const float *act,
                           const float *next_obs, int B, float *reward, int *done) {
  const generic *g = self;
  if (g->reward) {
    g->reward(g->user, obs, act, next_obs, B, g->obs_dim, g->act_dim, reward, done);
    return;
  }
  for (int b = 0; b < B; b++) {
    reward[b] = 0.0f;
    if (done) done[b] = 0;
  }
}

static void generic_get_state(const void *self, double *state) {
  const generic *g = self;
  mbrl_mj_get_state(&g->mj, state);
}

static void generic_set_state(void *self, const double *state, float *obs) {
  generic *g = self;
  mbrl_mj_set_state(&g->mj, state);
  generic_obs(g, obs);
}

static mbrl_mj *generic_mj(void *self) { return &((generic *)self)->mj; }

const mbrl_env_look mbrl_env_mujoco_look = {.mujoco = generic_mj, .width = 640, .height = 480};

const mbrl_env_class mbrl_env_mujoco_class = {
    .name = "mujoco:",
    .about = "any MJCF file: obs qpos qvel, act actuators, reward 0 (mbrl_env_make_mujoco for one)",
    .self_size = sizeof(generic),
    .init = generic_init,
    .release = generic_release,
    .reset = generic_reset,
    .step = generic_step,
    .reward = generic_reward,
    .get_state = generic_get_state,
    .set_state = generic_set_state,
};

int mbrl_env_make_mujoco(mbrl_env **env, const char *xml_path, mbrl_env_reward_fn reward, void *user, char *err,
                         size_t err_sz) {
  MBRL_ASSERT(env && xml_path);
  char name[1024];
  snprintf(name, sizeof name, "mujoco:%s", xml_path);
  int rc = mbrl_env_make_class(env, &mbrl_env_mujoco_class, name, xml_path, err, err_sz);
  if (rc) return rc;
  generic *g = mbrl_env_self(*env);
  g->reward = reward;
  g->user = user;
  return MBRL_OK;
}
