/* Tests of user environments: registering a class (and a family taking an argument), refusing
 * bad classes, the example in examples/ building and running against the build tree, and the
 * `mbrl envs` listing. */
#include <criterion/criterion.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mbrl/core.h"
#include "mbrl/env.h"

/* a counter environment: obs [n * scale], any action adds 1 to n, reward n, done at 3 */
typedef struct {
  double n, scale;
} counter;

static int counter_init(void *self, const char *arg, mbrl_env_spec *spec, char *err,
                        size_t err_sz) {
  counter *c = self;
  c->scale = 1.0;
  if (arg) {
    char *end;
    c->scale = strtod(arg, &end);
    if (*end || c->scale <= 0)
      return mbrl_errf(err, err_sz, MBRL_EINVAL, "counter: bad scale '%s'", arg);
    spec->ep_len = 10;
  }
  return 0;
}
static void counter_reset(void *self, mbrl_rng *rng, float *obs) {
  counter *c = self;
  (void)rng;
  c->n = 0;
  obs[0] = 0;
}
static int counter_step(void *self, const float *act, float *next_obs) {
  counter *c = self;
  (void)act;
  c->n += 1;
  next_obs[0] = (float)(c->n * c->scale);
  return 0;
}
static void counter_reward(const void *self, const float *obs, const float *act,
                           const float *next_obs, int B, float *reward, int *done) {
  const counter *c = self;
  (void)obs, (void)act;
  for (int b = 0; b < B; b++) {
    reward[b] = next_obs[b];
    if (done) done[b] = next_obs[b] >= 3.0f * (float)c->scale;
  }
}
static void counter_get_state(const void *self, double *state) {
  state[0] = ((const counter *)self)->n;
}
static void counter_set_state(void *self, const double *state, float *obs) {
  counter *c = self;
  c->n = state[0];
  obs[0] = (float)(c->n * c->scale);
}

static const float lo[1] = {-5}, hi[1] = {5};
static const mbrl_env_class counter_class = {
    .name = "test-counter-v0", .obs_dim = 1, .act_dim = 1, .ep_len = 100, .state_dim = 1,
    .act_low = lo, .act_high = hi, .self_size = sizeof(counter), .init = counter_init,
    .reset = counter_reset, .step = counter_step, .reward = counter_reward,
    .get_state = counter_get_state, .set_state = counter_set_state,
};
static const mbrl_env_class counter_family = {
    .name = "test-counter:", .obs_dim = 1, .act_dim = 1, .ep_len = 100, .state_dim = 1,
    .self_size = sizeof(counter), .init = counter_init, .reset = counter_reset,
    .step = counter_step, .reward = counter_reward, .get_state = counter_get_state,
    .set_state = counter_set_state,
};

Test(env_user, register_and_run) {
  char err[512] = "";
  cr_assert_eq(mbrl_env_register(&counter_class, err, sizeof err), 0, "%s", err);
  int n = mbrl_env_registry_count();
  cr_expect_eq(mbrl_env_registry_get(n - 1), &counter_class);
  /* the same name twice is refused */
  cr_expect_eq(mbrl_env_register(&counter_class, err, sizeof err), MBRL_EINVAL);
  cr_expect(strstr(err, "already") != NULL, "%s", err);
  mbrl_env *env;
  mbrl_env_make(&env, "test-counter-v0", err, sizeof err);
  cr_assert_not_null(env, "%s", err);
  const mbrl_env_spec *s = mbrl_env_get_spec(env);
  cr_expect_eq(s->act_high[0], 5.0f);
  cr_expect_eq(s->state_dim, 2);
  float obs[1], act[1] = {0}, r;
  int term = 0, t = 0;
  cr_assert_eq(mbrl_env_reset(env, 0, obs), 0);
  while (!term) {
    cr_assert_eq(mbrl_env_step(env, act, obs, &r, &term, NULL), 0);
    cr_expect_eq(r, obs[0]);
    t++;
  }
  cr_expect_eq(t, 3);
  mbrl_env_free(env);
}

Test(env_user, family_takes_an_argument) {
  char err[512] = "";
  cr_assert_eq(mbrl_env_register(&counter_family, err, sizeof err), 0, "%s", err);
  mbrl_env *env;
  mbrl_env_make(&env, "test-counter:2.5", err, sizeof err);
  cr_assert_not_null(env, "%s", err);
  cr_expect_eq(mbrl_env_get_spec(env)->ep_len, 10);
  cr_expect_eq(mbrl_env_get_spec(env)->act_low[0], -1.0f, "NULL bounds mean [-1, 1]");
  float obs[1], act[1] = {0};
  cr_assert_eq(mbrl_env_reset(env, 0, obs), 0);
  cr_assert_eq(mbrl_env_step(env, act, obs, NULL, NULL, NULL), 0);
  cr_expect_eq(obs[0], 2.5f);
  mbrl_env_free(env);
  /* init's error comes back through make */
  cr_expect_neq(mbrl_env_make(&(mbrl_env *){NULL}, "test-counter:-1", err, sizeof err), 0);
  cr_expect(strstr(err, "bad scale") != NULL, "%s", err);
}

Test(env_user, incomplete_classes_are_refused) {
  char err[512] = "";
  mbrl_env_class c = counter_class;
  c.name = "test-nostep-v0";
  c.step = NULL;
  cr_expect_eq(mbrl_env_register(&c, err, sizeof err), MBRL_EINVAL);
  cr_expect(strstr(err, "step") != NULL, "%s", err);
  mbrl_env_class d = counter_class;
  d.name = "test-nosize-v0";
  d.init = NULL;
  d.obs_dim = 0;
  cr_expect_eq(mbrl_env_register(&d, err, sizeof err), MBRL_EINVAL);
  mbrl_env_class e = counter_class;
  e.name = NULL;
  cr_expect_eq(mbrl_env_register(&e, err, sizeof err), MBRL_EINVAL);
}

/* runs a shell command and returns its output (first 4 KiB) and exit status */
static int run(const char *cmd, char *out, size_t out_sz) {
  FILE *p = popen(cmd, "r");
  cr_assert_not_null(p, "%s", cmd);
  size_t n = fread(out, 1, out_sz - 1, p);
  out[n] = 0;
  return pclose(p);
}

/* the build folder (beside the mbrl binary) and the repository root (above assets/) */
static void tree(char *build, char *root, size_t sz) {
  const char *bin = getenv("MBRL_BIN");
  cr_assert_not_null(bin, "MBRL_BIN is unset: run the tests through make test");
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s", bin);
  cr_assert_not_null(realpath(dirname(tmp), build), "%s", bin);
  snprintf(tmp, sizeof tmp, "%s", MBRL_ASSET_DIR);
  cr_assert_not_null(realpath(dirname(tmp), root), "%s", MBRL_ASSET_DIR);
  (void)sz;
}

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZE_FLAGS "-fsanitize=address,undefined"
#else
#define SANITIZE_FLAGS ""
#endif

Test(env_user, example_builds_and_runs_against_the_build_tree, .timeout = 120) {
  char build[4096], root[4096], cmd[32768], libs[4096], out[4096], dir[64];
  tree(build, root, sizeof build);
  /* the link line the project's Makefile uses */
  snprintf(cmd, sizeof cmd,
           "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory -C '%s' "
           "--eval='mbrl-print-libs: ; @echo $(LDFLAGS) $(LDLIBS)' mbrl-print-libs",
           root);
  cr_assert_eq(run(cmd, libs, sizeof libs), 0, "%s", libs);
  libs[strcspn(libs, "\n")] = 0;
  snprintf(dir, sizeof dir, "/tmp/mbrl-example-XXXXXX");
  cr_assert_not_null(mkdtemp(dir));
  snprintf(cmd, sizeof cmd,
           "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory -C '%s/examples' "
           "OUT='%s' MBRL_CFLAGS='-I%s/include %s' "
           "MBRL_LIBS='%s/libmbrl.a %s %s' 2>&1 && '%s/point_env'",
           root, dir, root, SANITIZE_FLAGS, build, libs, SANITIZE_FLAGS, dir);
  int rc = run(cmd, out, sizeof out);
  char bin[128];
  snprintf(bin, sizeof bin, "%s/point_env", dir);
  unlink(bin);
  rmdir(dir);
  cr_expect_eq(rc, 0, "%s\n%s", cmd, out);
  cr_expect(strstr(out, "point-mass-v0: obs_dim 4 act_dim 2") != NULL, "%s", out);
  cr_expect(strstr(out, "reached the origin") != NULL, "%s", out);
}

Test(env_user, mbrl_envs_lists_the_environments) {
  const char *bin = getenv("MBRL_BIN");
  cr_assert_not_null(bin, "MBRL_BIN is unset: run the tests through make test");
  char cmd[4200], out[4096];
  snprintf(cmd, sizeof cmd, "'%s' envs", bin);
  cr_assert_eq(run(cmd, out, sizeof out), 0, "%s", out);
  const char *rows[] = {"cheetah-cs285-v0          21     6     500",
                        "obstacles-cs285-v0         4     2     100",
                        "reacher-cs285-v0          20     7     200",
                        "halfcheetah-v4            17     6    1000",
                        "pendulum-swingup-v0",
                        "cartpole-swingup-v0",
                        "cartpole-pets-v0           4     1     200",
                        "mujoco:<model.xml>"};
  for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
    cr_expect(strstr(out, rows[i]) != NULL, "missing '%s' in\n%s", rows[i], out);
  snprintf(cmd, sizeof cmd, "'%s' envs no-such-env 2>&1", bin);
  cr_expect_neq(run(cmd, out, sizeof out), 0);
  cr_expect(strstr(out, "known: cheetah-cs285-v0") != NULL, "%s", out);
}
