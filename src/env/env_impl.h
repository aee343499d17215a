/* Inside the environment module: the built-in classes and the MuJoCo glue they share. */
#ifndef MBRL_ENV_IMPL_H
#define MBRL_ENV_IMPL_H

#include <mujoco/mujoco.h>

#include "mbrl/env.h"

/* built-in classes, in the order `mbrl envs` lists them */
extern const mbrl_env_class mbrl_env_cheetah_class;
extern const mbrl_env_class mbrl_env_obstacles_class;
extern const mbrl_env_class mbrl_env_reacher_class;
extern const mbrl_env_class mbrl_env_halfcheetah_class;
extern const mbrl_env_class mbrl_env_pendulum_class;
extern const mbrl_env_class mbrl_env_cartpole_class;
extern const mbrl_env_class mbrl_env_cartpole_balance_class;
extern const mbrl_env_class mbrl_env_cartpole_pets_class;
extern const mbrl_env_class mbrl_env_mujoco_class;

/* The tip reward of the cart-pole swing-ups, on observations [x, th, xdot, thdot] */
void mbrl_cartpole_tip_reward(const void *self, const float *obs, const float *act, const float *next_obs, int B,
                              float *reward, int *done);
void mbrl_cartpole_tip_reward_vjp(const void *self, const float *obs, const float *act, const float *next_obs, int B,
                                  const float *d_reward, float *d_obs, float *d_act, float *d_next);

/* For reward VJPs: zeroes the outputs given (B rows of obs_dim, act_dim and obs_dim; each may be
 * NULL), so a reward's VJP writes only its non-zero entries. */
void mbrl_env_vjp_zero(float *d_obs, float *d_act, float *d_next, int B, int obs_dim, int act_dim);

/* Makes an instance of a class that need not be registered, under name, with init's argument;
 * returns as mbrl_env_make. */
int mbrl_env_make_class(mbrl_env **env, const mbrl_env_class *c, const char *name, const char *arg, char *err,
                        size_t err_sz);

/* The class's per-instance memory of env. */
void *mbrl_env_self(mbrl_env *env);

/* The class env was made from. */
const mbrl_env_class *mbrl_env_class_of(const mbrl_env *env);

/* A loaded MuJoCo model with its data; each environment instance owns one. */
typedef struct mbrl_mj {
  mjModel *m;
  mjData *d;
  int frame_skip;  /* mj_step calls per environment step */
  int nbad;        /* divergence warnings (bad qpos, qvel, qacc) seen so far */
} mbrl_mj;

/* Loads an MJCF file (a path, or a bare name looked up under the assets); fills err with
 * MuJoCo's message and returns MBRL_EIO or MBRL_EFORMAT on failure. */
int mbrl_mj_load(mbrl_mj *mj, const char *path, int as_asset, int frame_skip, char *err,
                 size_t err_sz);

/* Frees the model and data; a zeroed mbrl_mj is a no-op. */
void mbrl_mj_free(mbrl_mj *mj);

/* Doubles in the simulator state: time, qpos, qvel, act, qacc_warmstart. */
int mbrl_mj_state_dim(const mjModel *m);

/* Writes the simulator state (mbrl_mj_state_dim doubles). */
void mbrl_mj_get_state(const mbrl_mj *mj, double *state);

/* Restores the simulator state and recomputes the derived quantities with mj_forward. */
void mbrl_mj_set_state(mbrl_mj *mj, const double *state);

/* mj_resetData, then qpos = qpos0 + U(-pos_noise, pos_noise), qvel = vel_noise N(0, 1) per
 * coordinate (qpos draws first), then mj_forward. */
void mbrl_mj_reset_noise(mbrl_mj *mj, mbrl_rng *rng, double pos_noise, double vel_noise);

/* mbrl_mj_reset_noise with qpos = qpos0 + pos_noise N(0, 1) */
void mbrl_mj_reset_normal(mbrl_mj *mj, mbrl_rng *rng, double pos_noise, double vel_noise);

/* Sets ctrl from act (nu) and takes frame_skip mj_step calls; returns MBRL_ENUMERIC when
 * MuJoCo reported a divergence (it then resets the data itself). */
int mbrl_mj_step(mbrl_mj *mj, const float *act);

/* ---- drawing, for video (src/env/render.c) ------------------------------------------------ */

typedef struct mbrl_canvas mbrl_canvas; /* env/canvas.h */

/* How a built-in environment is drawn: MuJoCo's renderer on its model and data, or a flat 2-D
 * drawing of its state. */
typedef struct mbrl_env_look {
  mbrl_mj *(*mujoco)(void *self);                  /* MuJoCo environments: what is drawn */
  const char *track;  /* body a side-on camera follows (a striped floor shows the motion); NULL:
                         a fixed camera on the whole model */
  void (*draw)(const void *self, mbrl_canvas *cv); /* pure-C environments: draws the state */
  int width, height;                               /* default frame size in pixels */
} mbrl_env_look;

extern const mbrl_env_look mbrl_env_cheetah_look;
extern const mbrl_env_look mbrl_env_obstacles_look;
extern const mbrl_env_look mbrl_env_reacher_look;
extern const mbrl_env_look mbrl_env_halfcheetah_look;
extern const mbrl_env_look mbrl_env_pendulum_look;
extern const mbrl_env_look mbrl_env_cartpole_look;
extern const mbrl_env_look mbrl_env_cartpole_balance_look;
extern const mbrl_env_look mbrl_env_cartpole_pets_look;
extern const mbrl_env_look mbrl_env_mujoco_look;

#endif
