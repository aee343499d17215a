/* A user environment in a dozen functions: a point mass on a plane pushed toward the origin.
 * It registers itself as "point-mass-v0", then runs one episode with a hand-written controller.
 * Build against an installed mbrl with `make` in this folder (see Makefile). */
#include <math.h>
#include <stdio.h>

#include <mbrl/mbrl.h>

#define DT 0.1

/* the per-instance memory the library allocates (self_size bytes, zeroed) */
typedef struct {
  double x, y, vx, vy;
} point;

static void point_obs(const point *p, float *obs) {
  obs[0] = (float)p->x, obs[1] = (float)p->y, obs[2] = (float)p->vx, obs[3] = (float)p->vy;
}

/* start anywhere in [-1, 1]^2 at rest; all randomness comes from rng */
static void point_reset(void *self, mbrl_rng *rng, float *obs) {
  point *p = self;
  p->x = 2.0 * mbrl_rng_uniform(rng) - 1.0;
  p->y = 2.0 * mbrl_rng_uniform(rng) - 1.0;
  p->vx = p->vy = 0.0;
  point_obs(p, obs);
}

/* the action is a force in [-1, 1]^2 (already checked and clipped by the library) */
static int point_step(void *self, const float *act, float *next_obs) {
  point *p = self;
  p->vx += DT * act[0];
  p->vy += DT * act[1];
  p->x += DT * p->vx;
  p->y += DT * p->vy;
  point_obs(p, next_obs);
  return 0;
}

/* pure and batched: reward = -|position after the step| - 0.01 |a|^2, done within 0.05 */
static void point_reward(const void *self, const float *obs, const float *act,
                         const float *next_obs, int B, float *reward, int *done) {
  (void)self, (void)obs;
  for (int b = 0; b < B; b++) {
    const float *o = next_obs + 4 * b, *a = act + 2 * b;
    float dist = sqrtf(o[0] * o[0] + o[1] * o[1]);
    reward[b] = -dist - 0.01f * (a[0] * a[0] + a[1] * a[1]);
    if (done) done[b] = dist < 0.05f;
  }
}

static void point_get_state(const void *self, double *state) {
  const point *p = self;
  state[0] = p->x, state[1] = p->y, state[2] = p->vx, state[3] = p->vy;
}

static void point_set_state(void *self, const double *state, float *obs) {
  point *p = self;
  p->x = state[0], p->y = state[1], p->vx = state[2], p->vy = state[3];
  point_obs(p, obs);
}

static const mbrl_env_class point_class = {
    .name = "point-mass-v0",
    .about = "point mass on a plane pushed to the origin (example)",
    .obs_dim = 4,
    .act_dim = 2,
    .ep_len = 100,
    .state_dim = 4,
    .act_low = NULL, /* NULL bounds mean [-1, 1] */
    .act_high = NULL,
    .dt = DT,
    .self_size = sizeof(point),
    .reset = point_reset,
    .step = point_step,
    .reward = point_reward,
    .get_state = point_get_state,
    .set_state = point_set_state,
};

int main(void) {
  char err[512];
  if (mbrl_env_register(&point_class, err, sizeof err) < 0) {
    fprintf(stderr, "register: %s\n", err);
    return 1;
  }
  mbrl_env *env;
  if (mbrl_env_make(&env, "point-mass-v0", err, sizeof err)) {
    fprintf(stderr, "make: %s\n", err);
    return 1;
  }
  const mbrl_env_spec *spec = mbrl_env_get_spec(env);
  float obs[4], act[2], reward;
  int terminated = 0, truncated = 0, steps = 0;
  double ret = 0.0;
  mbrl_env_reset(env, 42, obs);
  while (!terminated && !truncated) {
    /* a damped spring toward the origin */
    act[0] = -2.0f * obs[0] - 2.0f * obs[2];
    act[1] = -2.0f * obs[1] - 2.0f * obs[3];
    if (mbrl_env_step(env, act, obs, &reward, &terminated, &truncated) < 0) {
      fprintf(stderr, "step: %s\n", mbrl_env_last_error(env));
      mbrl_env_free(env);
      return 1;
    }
    ret += reward;
    steps++;
  }
  printf("%s: obs_dim %d act_dim %d, return %.3f in %d steps (%s)\n", spec->name, spec->obs_dim,
         spec->act_dim, ret, steps, terminated ? "reached the origin" : "time limit");
  mbrl_env_free(env);
  return 0;
}
