/* pendulum-swingup-v0: the classic torque-limited pendulum (gym Pendulum-v1 physics) started
 * hanging down, pure C; reward on the angle from upright, speed and torque, 200 steps. */
#include <math.h>

#include "env/canvas.h"
#include "env/env_impl.h"
#include "mbrl/core.h"

enum { OBS = 3, ACT = 1 };

#define G 10.0
#define MASS 1.0
#define LEN 1.0
#define DT 0.05
#define MAX_SPEED 8.0
#define MAX_TORQUE 2.0
#define PI 3.14159265358979323846

typedef struct {
  double th, thdot;  /* angle from upright (rad), angular velocity (rad/s) */
} pendulum;

static void pendulum_obs(const pendulum *p, float *obs) {
  obs[0] = (float)cos(p->th);
  obs[1] = (float)sin(p->th);
  obs[2] = (float)p->thdot;
}

/* hanging down: th = pi + U(-0.1, 0.1), thdot = U(-0.1, 0.1) */
static void pendulum_reset(void *self, mbrl_rng *rng, float *obs) {
  pendulum *p = self;
  p->th = PI + 0.1 * (2.0 * mbrl_rng_uniform(rng) - 1.0);
  p->thdot = 0.1 * (2.0 * mbrl_rng_uniform(rng) - 1.0);
  pendulum_obs(p, obs);
}

/* semi-implicit Euler with the speed clipped to 8 rad/s */
static int pendulum_step(void *self, const float *act, float *next_obs) {
  pendulum *p = self;
  double u = act[0];
  double thdot = p->thdot + (3.0 * G / (2.0 * LEN) * sin(p->th) + 3.0 / (MASS * LEN * LEN) * u) * DT;
  thdot = fmin(fmax(thdot, -MAX_SPEED), MAX_SPEED);
  p->th += thdot * DT;
  p->thdot = thdot;
  pendulum_obs(p, next_obs);
  return 0;
}

/* r = -(th'^2 + 0.1 thdot'^2 + 0.001 u^2) with th' = atan2(sin, cos) in [-pi, pi] */
static void pendulum_reward(const void *self, const float *obs, const float *act,
                            const float *next_obs, int B, float *reward, int *done) {
  (void)self, (void)obs;
  for (int b = 0; b < B; b++) {
    const float *o = next_obs + (size_t)b * OBS;
    double th = atan2((double)o[1], (double)o[0]), thdot = o[2], u = act[b];
    reward[b] = (float)-(th * th + 0.1 * thdot * thdot + 0.001 * u * u);
    if (done) done[b] = 0;
  }
}

static void pendulum_reward_vjp(const void *self, const float *obs, const float *act, const float *next_obs, int B,
                                const float *d_reward, float *d_obs, float *d_act, float *d_next) {
  (void)self, (void)obs;
  mbrl_env_vjp_zero(d_obs, d_act, d_next, B, OBS, ACT);
  for (int b = 0; b < B; b++) {
    const float *o = next_obs + (size_t)b * OBS;
    double c = o[0], s = o[1], r2 = c * c + s * s, th = atan2(s, c), dr = d_reward[b];
    if (d_next && r2 > 0.0) {
      d_next[(size_t)b * OBS] = (float)(-dr * 2.0 * th * (-s / r2));
      d_next[(size_t)b * OBS + 1] = (float)(-dr * 2.0 * th * (c / r2));
    }
    if (d_next) d_next[(size_t)b * OBS + 2] = (float)(-dr * 0.2 * o[2]);
    if (d_act) d_act[b] = (float)(-dr * 0.002 * act[b]);
  }
}

static void pendulum_get_state(const void *self, double *state) {
  const pendulum *p = self;
  state[0] = p->th;
  state[1] = p->thdot;
}

static void pendulum_set_state(void *self, const double *state, float *obs) {
  pendulum *p = self;
  p->th = state[0];
  p->thdot = state[1];
  pendulum_obs(p, obs);
}

/* the rod from the pivot, drawn as gym draws it: upright at th = 0, turning left as th grows */
static void pendulum_draw(const void *self, mbrl_canvas *cv) {
  const pendulum *p = self;
  mbrl_canvas_view(cv, -1.3 * LEN, 1.3 * LEN, -1.3 * LEN, 1.3 * LEN);
  mbrl_canvas_clear(cv, 0xffffff);
  mbrl_canvas_segment(cv, 0, 0, -LEN * sin(p->th), LEN * cos(p->th), 0.12 * LEN, 0xcc4c4c);
  mbrl_canvas_disc(cv, 0, 0, 0.04 * LEN, 0x303030);
}

const mbrl_env_look mbrl_env_pendulum_look = {.draw = pendulum_draw, .width = 480, .height = 480};

static const float pendulum_low[ACT] = {-(float)MAX_TORQUE};
static const float pendulum_high[ACT] = {(float)MAX_TORQUE};

const mbrl_env_class mbrl_env_pendulum_class = {
    .name = "pendulum-swingup-v0",
    .about = "torque-limited pendulum from hanging down (pure C): swing up and balance",
    .obs_dim = OBS,
    .act_dim = ACT,
    .ep_len = 200,
    .state_dim = 2,
    .act_low = pendulum_low,
    .act_high = pendulum_high,
    .dt = DT,
    .self_size = sizeof(pendulum),
    .reset = pendulum_reset,
    .step = pendulum_step,
    .reward = pendulum_reward,
    .reward_vjp = pendulum_reward_vjp,
    .get_state = pendulum_get_state,
    .set_state = pendulum_set_state,
};
