/* Model rollouts against a double-precision oracle: a known linear two-member model, a linear
 * policy and a linear reward give every state, action, reward and terminal; the random-member
 * option, rollouts cut by non-finite predictions, and refused settings. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "mbrl/core.h"
#include "mbrl/rollout.h"

enum { O = 2, A = 1, E = 2, MAX_B = 32 };

/* member e: s' = M[e] s + b[e] a; an input with |s[0]| > limit gives NaN */
static const double M[E][O][O] = {{{1.1, 0.2}, {0.0, 0.9}}, {{0.9, 0.0}, {0.1, 1.0}}};
static const double Bv[E][O] = {{0.5, -0.2}, {0.3, 0.4}};
static const double K[O] = {0.3, -0.2}; /* the policy: a = K s */

typedef struct {
  double limit;
} linear_model;

static void member_d(int e, const double *s, double a, double *out) {
  for (int j = 0; j < O; j++) out[j] = M[e][j][0] * s[0] + M[e][j][1] * s[1] + Bv[e][j] * a;
}

static int linear_predict(void *ctx, const float *states, const float *acts, float *next, float *var, int B,
                          mbrl_rng *rng) {
  (void)var, (void)rng;
  const linear_model *m = ctx;
  for (int e = 0; e < E; e++)
    for (int b = 0; b < B; b++) {
      size_t r = (size_t)e * B + b;
      double s[O] = {states[r * O], states[r * O + 1]}, out[O];
      member_d(e, s, acts[r], out);
      for (int j = 0; j < O; j++) next[r * O + j] = fabs(s[0]) > m->limit ? NAN : (float)out[j];
    }
  return 0;
}

static int linear_policy(void *ctx, const float *obs, float *act, int B) {
  (void)ctx;
  for (int b = 0; b < B; b++) act[b] = (float)(K[0] * obs[b * O] + K[1] * obs[b * O + 1]);
  return 0;
}

/* an environment whose reward is 2 s'[0] - s'[1] + 10 a; it is never stepped */
static void lin_reset(void *self, mbrl_rng *rng, float *obs) {
  (void)self, (void)rng;
  obs[0] = obs[1] = 0.0f;
}
static int lin_step(void *self, const float *act, float *next_obs) {
  (void)self, (void)act;
  next_obs[0] = next_obs[1] = 0.0f;
  return 0;
}
static void lin_reward(const void *self, const float *obs, const float *act, const float *next_obs, int B,
                       float *reward, int *done) {
  (void)self, (void)obs;
  for (int b = 0; b < B; b++) {
    reward[b] = 2.0f * next_obs[b * O] - next_obs[b * O + 1] + 10.0f * act[b];
    if (done) done[b] = 0;
  }
}
static void lin_get_state(const void *self, double *state) { (void)self, (void)state; }
static void lin_set_state(void *self, const double *state, float *obs) {
  (void)self, (void)state;
  obs[0] = obs[1] = 0.0f;
}
static const mbrl_env_class linear_env = {
    .name = "test-rollout-linear-v0", .obs_dim = O, .act_dim = A, .ep_len = 10, .self_size = 1,
    .reset = lin_reset, .step = lin_step, .reward = lin_reward, .get_state = lin_get_state,
    .set_state = lin_set_state};

static double reward_d(const double *s, double a) { return 2.0 * s[0] - s[1] + 10.0 * a; }

/* three start rows, the second one terminal; a fourth beyond the NaN limit when far is set */
static void start_buffer(mbrl_buffer *buf, int far) {
  static const float obs[4][O] = {{1.0f, 0.0f}, {0.0f, 1.0f}, {0.5f, -0.5f}, {2.0f, 0.0f}};
  mbrl_paths p;
  mbrl_paths_init(&p, O, A, 4);
  p.n = far ? 4 : 3;
  for (int i = 0; i < p.n; i++) {
    memcpy(p.obs + i * O, obs[i], sizeof obs[i]);
    p.terminal[i] = i == 1 ? 1.0f : 0.0f;
  }
  mbrl_buffer_init(buf, O, A, 100);
  mbrl_buffer_add(buf, &p, NULL);
  mbrl_paths_free(&p);
}

typedef struct {
  linear_model lm;
  mbrl_model model;
  mbrl_env *env;
  mbrl_task task;
  mbrl_buffer buf;
  mbrl_rollout ro;
  mbrl_rng rng;
} fixture;

static void fixture_init(fixture *f, int L, int random_member, int reward_next, double limit, int far) {
  char err[256] = "";
  int rc = mbrl_env_register(&linear_env, err, sizeof err);
  cr_assert(rc == 0 || strstr(err, "already registered"), "%s", err);
  cr_assert_eq(mbrl_env_make(&f->env, linear_env.name, err, sizeof err), 0, "%s", err);
  f->task = mbrl_env_task(f->env);
  f->lm.limit = limit;
  f->model = (mbrl_model){.E = E, .obs_dim = O, .act_dim = A, .max_B = MAX_B, .predict = linear_predict,
                          .ctx = &f->lm};
  start_buffer(&f->buf, far);
  mbrl_rng_init(&f->rng, 5, 0);
  mbrl_rollout_config c = {.max_B = MAX_B, .length = L, .random_member = random_member,
                           .reward_next = reward_next};
  cr_assert_eq(mbrl_rollout_init(&f->ro, &c, &f->model, &f->task, &f->rng, err, sizeof err), 0, "%s", err);
}

static void fixture_free(fixture *f) {
  mbrl_rollout_free(&f->ro);
  mbrl_buffer_free(&f->buf);
  mbrl_env_free(f->env);
}

/* the start row whose obs is s, or -1 */
static int start_row(const mbrl_buffer *buf, const float *s) {
  for (int i = 0; i < buf->size; i++)
    if (!memcmp(buf->obs + i * O, s, O * sizeof(float))) return i;
  return -1;
}

static void close_to(double got, double want, const char *what, int ep, int t) {
  cr_assert(fabs(got - want) <= 1e-5 * (1.0 + fabs(want)), "%s, rollout %d step %d: %g vs %g", what, ep, t,
            got, want);
}

/* checks every transition against the oracle rolled in double from each rollout's start */
static void check_against_oracle(const fixture *f, int L, int reward_next) {
  const mbrl_paths *p = &f->ro.paths;
  int row = 0;
  for (int ep = 0; ep < p->n_eps; ep++) {
    int r0 = start_row(&f->buf, p->obs + (size_t)row * O);
    cr_assert(r0 >= 0, "rollout %d starts at a buffer row", ep);
    double s[O] = {f->buf.obs[r0 * O], f->buf.obs[r0 * O + 1]}, ret = 0.0;
    int n = 0;
    for (int t = 0; t < L && fabs(s[0]) <= f->lm.limit; t++, n++, row++) {
      double a = K[0] * s[0] + K[1] * s[1], m0[O], m1[O], next[O];
      member_d(0, s, a, m0), member_d(1, s, a, m1);
      for (int j = 0; j < O; j++) next[j] = 0.5 * (m0[j] + m1[j]);
      double r = reward_d(reward_next ? next : s, a);
      for (int j = 0; j < O; j++) {
        close_to(p->obs[(size_t)row * O + j], s[j], "state", ep, t);
        close_to(p->next_obs[(size_t)row * O + j], next[j], "next state", ep, t);
      }
      close_to(p->act[row], a, "action", ep, t);
      close_to(p->reward[row], r, "reward", ep, t);
      cr_assert_eq(p->terminal[row], f->buf.terminal[r0], "terminal, rollout %d step %d", ep, t);
      ret += p->reward[row];
      memcpy(s, next, sizeof s);
    }
    cr_assert_eq(p->ep_len[ep], n, "rollout %d", ep);
    close_to(p->ep_return[ep], ret, "return", ep, n);
  }
  cr_assert_eq(row, p->n);
}

Test(mbpo_rollout, mean_of_members_and_the_reward_of_the_current_state) {
  fixture f;
  fixture_init(&f, 4, 0, 0, INFINITY, 0);
  char err[256] = "";
  cr_assert_eq(mbrl_rollout_run(&f.ro, linear_policy, NULL, &f.buf, 7, err, sizeof err), 0,
               "%s", err);
  cr_assert_eq(f.ro.paths.n, 28);
  cr_assert_eq(f.ro.paths.n_eps, 7);
  check_against_oracle(&f, 4, 0);
  /* every start row is drawn over a few calls, and the totals add up */
  int seen[3] = {0};
  for (int k = 0; k < 4; k++) {
    cr_assert_eq(mbrl_rollout_run(&f.ro, linear_policy, NULL, &f.buf, MAX_B, err, sizeof err), 0);
    check_against_oracle(&f, 4, 0);
    for (int ep = 0; ep < MAX_B; ep++) seen[start_row(&f.buf, f.ro.paths.obs + (size_t)ep * 4 * O)]++;
  }
  cr_assert(seen[0] > 0 && seen[1] > 0 && seen[2] > 0);
  cr_assert_eq(f.ro.rollouts, 7 + 4 * MAX_B);
  cr_assert_eq(f.ro.transitions, 4 * (7 + 4 * MAX_B));
  cr_assert_eq(f.ro.cut, 0);
  fixture_free(&f);
}

Test(mbpo_rollout, reward_of_the_next_state_when_asked) {
  fixture f;
  fixture_init(&f, 3, 0, 1, INFINITY, 0);
  cr_assert_eq(mbrl_rollout_run(&f.ro, linear_policy, NULL, &f.buf, 9, NULL, 0), 0);
  cr_assert_eq(f.ro.paths.n, 27);
  check_against_oracle(&f, 3, 1);
  fixture_free(&f);
}

Test(mbpo_rollout, random_member_takes_one_members_prediction) {
  fixture f;
  fixture_init(&f, 5, 1, 0, INFINITY, 0);
  cr_assert_eq(mbrl_rollout_run(&f.ro, linear_policy, NULL, &f.buf, MAX_B, NULL, 0), 0);
  const mbrl_paths *p = &f.ro.paths;
  cr_assert_eq(p->n, 5 * MAX_B);
  int used[E] = {0};
  for (int i = 0; i < p->n; i++) {
    double s[O] = {p->obs[i * O], p->obs[i * O + 1]}, a = p->act[i], m[E][O];
    close_to(a, K[0] * s[0] + K[1] * s[1], "action", i, 0);
    int match = -1;
    for (int e = 0; e < E; e++) {
      member_d(e, s, a, m[e]);
      if (fabs(p->next_obs[i * O] - m[e][0]) <= 1e-5 * (1 + fabs(m[e][0])) &&
          fabs(p->next_obs[i * O + 1] - m[e][1]) <= 1e-5 * (1 + fabs(m[e][1])))
        match = e;
    }
    cr_assert(match >= 0, "transition %d follows a member", i);
    used[match]++;
    if (i % 5 < 4) cr_assert_eq(memcmp(p->next_obs + i * O, p->obs + (i + 1) * O, O * sizeof(float)), 0);
  }
  cr_assert(used[0] > p->n / 4 && used[1] > p->n / 4, "%d %d", used[0], used[1]);
  fixture_free(&f);
}

Test(mbpo_rollout, non_finite_predictions_end_a_rollout_and_are_counted) {
  /* states beyond |s[0]| > 1.2 predict NaN; the start row (2, 0) gives an empty rollout */
  fixture f;
  fixture_init(&f, 6, 0, 0, 1.2, 1);
  cr_assert_eq(mbrl_rollout_run(&f.ro, linear_policy, NULL, &f.buf, MAX_B, NULL, 0), 0);
  const mbrl_paths *p = &f.ro.paths;
  cr_assert(p->n_eps < MAX_B, "some rollouts start beyond the limit");
  cr_assert(p->n < 6 * MAX_B && p->n > 0);
  cr_assert_eq(f.ro.cut, 6 * MAX_B - p->n);
  cr_assert_eq(f.ro.transitions, p->n);
  check_against_oracle(&f, 6, 0);
  for (int i = 0; i < p->n * O; i++) cr_assert(isfinite(p->obs[i]) && isfinite(p->next_obs[i]));
  fixture_free(&f);
}

Test(mbpo_rollout, bad_settings_are_refused) {
  fixture f;
  fixture_init(&f, 2, 0, 0, INFINITY, 0);
  char err[256] = "";
  mbrl_rollout ro;
  mbrl_rollout_config c = {.max_B = MAX_B + 1, .length = 2};
  cr_assert_eq(mbrl_rollout_init(&ro, &c, &f.model, &f.task, &f.rng, err, sizeof err), MBRL_EINVAL);
  cr_assert(strstr(err, "rows per member") != NULL, "%s", err);
  c.max_B = 4, c.length = 0;
  cr_assert_eq(mbrl_rollout_init(&ro, &c, &f.model, &f.task, &f.rng, err, sizeof err), MBRL_EINVAL);
  mbrl_rollout_free(&ro);
  mbrl_buffer empty;
  mbrl_buffer_init(&empty, O, A, 10);
  cr_assert_eq(mbrl_rollout_run(&f.ro, linear_policy, NULL, &empty, 3, err, sizeof err),
               MBRL_EINVAL);
  cr_assert(strstr(err, "no start states") != NULL, "%s", err);
  mbrl_buffer_free(&empty);
  fixture_free(&f);
}
