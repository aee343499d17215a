/* Environments: a Gymnasium-style C interface, a registry by name, built-in environments (the
 * three CS285 HW4 ones, halfcheetah-v4, pendulum and cartpole swing-up), user environments and a
 * generic MuJoCo loader.
 *
 * An environment writes into caller-owned float32 arrays: obs (obs_dim), act (act_dim). Physics
 * runs in double inside; only observations, actions and rewards are float32.
 *
 * Step convention (as in CS285): the reward of a step is computed on the observation after it,
 *   r_t = reward(obs_t, act_t, obs_{t+1}),
 * and mbrl_env_step's reward equals mbrl_env_reward on (obs_t, clipped act_t, obs_{t+1}) exactly,
 * so a planner that calls mbrl_env_reward on predicted next observations scores what the
 * environment would pay.
 *
 * Actions: NaN or Inf is rejected (MBRL_EINVAL, nothing changes); values outside
 * [act_low, act_high] are clipped to the bounds before the environment sees them.
 *
 * Built-in environments (mbrl envs lists them):
 *   cheetah-cs285-v0     MuJoCo half cheetah, frame skip 1, obs 21 = qpos(9) qvel(9) torso pos(3),
 *                        r = obs'[9] - 10 [obs'[6] > .2] - 10 [obs'[7] > 0] - 10 [obs'[8] > 0], 500 steps
 *   obstacles-cs285-v0   2-D point among five rectangles, obs [x y gx gy], r = -|p' - g|,
 *                        done when |p' - g| < 0.1 or p' leaves (-0.99, 0.99)^2, 100 steps
 *   reacher-cs285-v0     MuJoCo 7-dof arm, frame skip 2, obs 20 = qpos(7) qvel(7)/10 finger(3)
 *                        target(3), r = -10 |finger' - target'|, 200 steps
 *   halfcheetah-v4       MuJoCo half cheetah, frame skip 5, obs 17 = qpos[1:](8) qvel(9),
 *                        r = obs'[8] - 0.1 |a|^2 (forward velocity after the step), 1000 steps
 *   pendulum-swingup-v0  pure C pendulum starting hanging down, obs [cos th, sin th, thdot],
 *                        r = -(th'^2 + 0.1 thdot'^2 + 0.001 u^2), 200 steps
 *   cartpole-swingup-v0  pure C cart-pole (PETS), pole starts hanging, obs [x th xdot thdot],
 *                        r = exp(-|tip' - (0, .6)|^2 / .6^2) - 0.01 |a|^2, 200 steps
 *   mujoco:<model.xml>   any MJCF file: obs qpos qvel, act = actuators, reward 0 (see below)
 * docs/environments.md gives every detail and how to write and register an environment.
 */
#ifndef MBRL_ENV_H
#define MBRL_ENV_H

#include <stddef.h>
#include <stdint.h>

#include "mbrl/rng.h"
#include "mbrl/task.h"

#pragma GCC visibility push(default)

/* An environment instance; one per thread (mbrl_env_reward alone may be shared). */
typedef struct mbrl_env mbrl_env;

/* What a caller needs to know about an environment; owned by the environment. */
typedef struct mbrl_env_spec {
  const char *name;       /* the name it was made with */
  int obs_dim;            /* observation size */
  int act_dim;            /* action size */
  const float *act_low;   /* lower action bounds (act_dim) */
  const float *act_high;  /* upper action bounds (act_dim) */
  int ep_len;             /* steps after which step reports truncated */
  int state_dim;          /* doubles in mbrl_env_get_state: the step count, then the simulator */
  double dt;              /* simulated seconds per step (0 where time has no meaning) */
} mbrl_env_spec;

/* Makes an environment by registered name ("cheetah-cs285-v0", "mujoco:model.xml", ...) into *env;
 * returns 0, or a negative code with a message in err (may be NULL) and *env NULL:
 * MBRL_ENOTFOUND for an unknown name (the message lists the known names) or a model file that does
 * not exist, MBRL_EFORMAT for a model MuJoCo refuses (its message), MBRL_EIO for one it cannot read,
 * MBRL_EINVAL for a family name without its argument ("mujoco:"). */
int mbrl_env_make(mbrl_env **env, const char *name, char *err, size_t err_sz);

/* Frees an environment; NULL is a no-op. */
void mbrl_env_free(mbrl_env *env);

/* The environment's sizes, bounds and episode length; valid until mbrl_env_free. */
const mbrl_env_spec *mbrl_env_get_spec(const mbrl_env *env);

/* Sets the episode length (>= 1) after which step reports truncated. */
void mbrl_env_set_ep_len(mbrl_env *env, int ep_len);

/* Starts an episode drawn from seed (the same seed gives the same episode, bit for bit) and
 * writes the first observation into obs (obs_dim); returns 0 or a negative MBRL_E* code. */
int mbrl_env_reset(mbrl_env *env, uint64_t seed, float *obs);

/* Applies act (act_dim; clipped to the bounds) and writes next_obs (obs_dim), *reward, and
 * *terminated (the reward function's done) and *truncated (ep_len steps reached) as 0 or 1;
 * reward, terminated and truncated may be NULL. Returns 0; MBRL_EINVAL for a NaN or Inf action
 * (nothing changes) or a step before reset; MBRL_ENUMERIC when the simulation diverged (reset
 * then). mbrl_env_last_error says why. */
int mbrl_env_step(mbrl_env *env, const float *act, float *next_obs, float *reward, int *terminated,
                  int *truncated);

/* The message of the last failed reset, step or set_state of env ("" when none failed). */
const char *mbrl_env_last_error(const mbrl_env *env);

/* Batched pure reward: reward[b] and done[b] for the transitions (obs[b], act[b], next_obs[b]);
 * obs and next_obs (B x obs_dim), act (B x act_dim), reward (B), done (B, may be NULL). Reads
 * no simulator state, so it scores model-predicted states and is safe to call from many threads
 * at once. Actions are used as given (not clipped). */
void mbrl_env_reward(const mbrl_env *env, const float *obs, const float *act, const float *next_obs,
                     int B, float *reward, int *done);

/* The environment's task for planners: its sizes, action bounds and mbrl_env_reward (and the
 * class's reward gradient where it has one); valid while env lives. */
mbrl_task mbrl_env_task(const mbrl_env *env);

/* Writes the full state (spec state_dim doubles: step count, then the simulator's state) into
 * state. */
void mbrl_env_get_state(const mbrl_env *env, double *state);

/* Restores a state from mbrl_env_get_state of the same environment and writes its observation
 * into obs (obs_dim, may be NULL); stepping from a restored state repeats the original steps bit
 * for bit. Returns 0, or MBRL_EINVAL for NaN, Inf or a negative step count (see
 * mbrl_env_last_error). */
int mbrl_env_set_state(mbrl_env *env, const double *state, float *obs);

/* ---- writing an environment ------------------------------------------------------------------
 * An environment class is a table of functions over a per-instance block of self_size zeroed
 * bytes (self). The library checks and clips actions, counts steps, computes the step's reward
 * through the class's reward function and checks observations for NaN; the class only does
 * physics. docs/environments.md and examples/point_env.c show a complete one. */
typedef struct mbrl_env_class {
  const char *name;   /* registry name; one ending in ':' takes an argument ("mujoco:" + path) */
  const char *about;  /* one line for `mbrl envs` (may be NULL) */
  int obs_dim, act_dim, ep_len;
  int state_dim;      /* doubles get_state writes (the step count is added by the library) */
  const float *act_low, *act_high; /* (act_dim) each; NULL means [-1, 1] */
  double dt;          /* simulated seconds per step, or 0 */
  size_t self_size;   /* bytes of per-instance memory, zeroed, handed to every function */

  /* Builds an instance from the name's argument (NULL for plain names); may change the sizes,
   * bounds, ep_len, state_dim and dt in spec (bounds must then point into self) and returns 0 or
   * a negative MBRL_E* code with a message in err. May be NULL. */
  int (*init)(void *self, const char *arg, mbrl_env_spec *spec, char *err, size_t err_sz);
  /* Frees what init allocated; may be NULL. */
  void (*release)(void *self);
  /* Starts an episode with randomness drawn from rng only; writes obs (obs_dim). */
  void (*reset)(void *self, mbrl_rng *rng, float *obs);
  /* Advances one step under act (act_dim, finite, within bounds); writes next_obs (obs_dim);
   * returns 0 or MBRL_ENUMERIC when the physics diverged. */
  int (*step)(void *self, const float *act, float *next_obs);
  /* Pure batched reward, as mbrl_env_reward; reads only configuration from self. */
  void (*reward)(const void *self, const float *obs, const float *act, const float *next_obs,
                 int B, float *reward, int *done);
  /* Writes state_dim doubles of simulator state. */
  void (*get_state)(const void *self, double *state);
  /* Restores a state from get_state (values finite) and writes its observation (obs_dim). */
  void (*set_state)(void *self, const double *state, float *obs);
  /* Optional (NULL: none): the reward's vector-Jacobian product, as mbrl_task's reward_vjp. */
  void (*reward_vjp)(const void *self, const float *obs, const float *act, const float *next_obs, int B,
                     const float *d_reward, float *d_obs, float *d_act, float *d_next);
} mbrl_env_class;

/* Adds a class to the registry under cls->name; cls must stay valid until the program ends.
 * Returns 0, or MBRL_EINVAL (message in err, may be NULL) for a taken name, missing functions
 * or bad sizes. Thread-safe. */
int mbrl_env_register(const mbrl_env_class *cls, char *err, size_t err_sz);

/* Number of registered classes (built-in ones first). */
int mbrl_env_registry_count(void);

/* The i-th registered class, 0 <= i < mbrl_env_registry_count(). */
const mbrl_env_class *mbrl_env_registry_get(int i);

/* ---- generic MuJoCo environments -------------------------------------------------------------
 * A generic MuJoCo environment loads an MJCF file; obs = qpos (nq) then qvel (nv); act = the nu
 * actuator controls with bounds from ctrlrange, or [-1, 1] for actuators without ctrllimited;
 * dt = timestep x frame skip. The model may set the frame skip and episode length with custom
 * numerics: <custom><numeric name="mbrl_frame_skip" data="5"/><numeric name="mbrl_ep_len"
 * data="1000"/></custom> (defaults 1 and 1000). Reset: mj_resetData then qpos0 + U(-0.1, 0.1)
 * and qvel 0.1 N(0, 1) per coordinate. The name form "mujoco:<path>" pays reward 0, done 0.
 * MuJoCo's default warning handler prints to stdout, so the first MuJoCo environment made installs
 * a silent mju_user_warning unless the program set its own; divergence comes back from step. */

/* A user reward for a generic MuJoCo environment: same contract as mbrl_env_reward, with the
 * sizes and the user pointer given to mbrl_env_make_mujoco. */
typedef void (*mbrl_env_reward_fn)(void *user, const float *obs, const float *act,
                                   const float *next_obs, int B, int obs_dim, int act_dim,
                                   float *reward, int *done);

/* Makes a generic MuJoCo environment from an MJCF file into *env with the reward reward (NULL:
 * reward 0) called with user (may be NULL); returns as mbrl_env_make. */
int mbrl_env_make_mujoco(mbrl_env **env, const char *xml_path, mbrl_env_reward_fn reward, void *user, char *err,
                         size_t err_sz);

/* Full path of a file under the project's assets (looked up in $MBRL_ASSETS, then the source
 * tree's assets/, then the installed share/mbrl/assets) written into path (path_sz bytes);
 * returns 0 or MBRL_ENOTFOUND with a message in err (may be NULL). */
int mbrl_env_asset_path(const char *file, char *path, size_t path_sz, char *err, size_t err_sz);

#pragma GCC visibility pop

#endif
