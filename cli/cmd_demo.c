/* mbrl demo: the dynamics model on a real problem. Collects random transitions on an environment,
 * trains the ensemble (mbrl_dynamics, the model mbrl mb trains) to predict normalised state
 * changes, reports held-out error per member, and saves the model as safetensors. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "flags.h"
#include "mbrl/buffer.h"
#include "mbrl/core.h"
#include "mbrl/dynamics.h"
#include "mbrl/env.h"
#include "mbrl/rng.h"

/* a policy drawing each action uniformly within the environment's bounds */
typedef struct {
  const mbrl_env_spec *s;
  mbrl_rng *rng;
} random_policy;

static int act_randomly(void *ctx, const float *obs, float *act) {
  (void)obs;
  const random_policy *p = ctx;
  for (int j = 0; j < p->s->act_dim; j++)
    act[j] = p->s->act_low[j] + (p->s->act_high[j] - p->s->act_low[j]) * (float)mbrl_rng_uniform(p->rng);
  return MBRL_OK;
}

/* at least n random transitions of env in buf (made for them) */
static int collect(mbrl_buffer *buf, mbrl_env *env, int n, mbrl_rng *rng, char *err, size_t err_sz) {
  const mbrl_env_spec *s = mbrl_env_get_spec(env);
  random_policy pol = {s, rng};
  mbrl_paths p;
  mbrl_paths_init(&p, s->obs_dim, s->act_dim, n + s->ep_len);
  int rc = mbrl_collect(&p, env, act_randomly, NULL, &pol, n, 0, rng, err, err_sz);
  mbrl_buffer_init(buf, s->obs_dim, s->act_dim, n + s->ep_len);
  if (!rc) mbrl_buffer_add(buf, &p, NULL);
  mbrl_paths_free(&p);
  return rc;
}

/* each member's mean squared error of normalised state changes on the transitions of test
 * (every member sees them all), written to member (E); returns the mean over members */
static double held_out_error(const mbrl_dynamics *dyn, const mbrl_buffer *test, double *member) {
  const int E = dyn->cfg.E, od = dyn->cfg.obs_dim, ad = dyn->cfg.act_dim, n = test->size;
  float *s = mbrl_alloc((size_t)E * n * od * sizeof(float)), *a = mbrl_alloc((size_t)E * n * ad * sizeof(float));
  float *pred = mbrl_alloc((size_t)E * n * od * sizeof(float));
  for (int e = 0; e < E; e++) {
    memcpy(s + (size_t)e * n * od, test->obs, (size_t)n * od * sizeof(float));
    memcpy(a + (size_t)e * n * ad, test->act, (size_t)n * ad * sizeof(float));
  }
  mbrl_dynamics_work w;
  mbrl_dynamics_work_init(&w, dyn, n);
  int rc = mbrl_dynamics_predict(dyn, &w, s, a, pred, n);
  MBRL_ASSERT(rc == MBRL_OK); /* the model has statistics once it has trained */
  double mean = 0.0;
  for (int e = 0; e < E; e++) {
    double sum = 0.0;
    for (int i = 0; i < n; i++)
      for (int j = 0; j < od; j++) {
        size_t k = (size_t)i * od + j;
        /* the training targets' scale, epsilon included, so constant coordinates count 0 */
        double d = (pred[(size_t)e * n * od + k] - test->next_obs[k]) / (dyn->delta_std[j] + 1e-8f);
        sum += d * d;
      }
    member[e] = sum / ((double)n * od);
    mean += member[e] / E;
  }
  mbrl_dynamics_work_free(&w);
  mbrl_free(s), mbrl_free(a), mbrl_free(pred);
  return mean;
}

int mbrl_cmd_demo(int argc, char **argv) {
  const char *env_name = "cheetah-cs285-v0", *out = "data/demo";
  int n_data = 20000, steps = 1000, threads = 0, seed = 1;
  mbrl_dynamics_config dc = mbrl_dynamics_defaults(0, 0);
  flag flags[32] = {
      {"--env_name", NULL, FLAG_STRING, &env_name, 0, 0, "environment to learn"},
      {"--n_data", NULL, FLAG_INT, &n_data, 1000, 1e7, "random transitions collected (and a tenth more held out)"},
      {"--steps", NULL, FLAG_INT, &steps, 1, 1e7, "training steps"},
      {"--seed", NULL, FLAG_INT, &seed, 0, 2147483647, "random seed"},
      {"--threads", NULL, FLAG_INT, &threads, 0, 1024, "threads for float work (0: all cores)"},
      {"--out", NULL, FLAG_STRING, &out, 0, 0, "output directory"},
  };
  int n = 6;
  n += flags_from_config(flags + n, (int)(sizeof flags / sizeof *flags) - n, &mbrl_dynamics_table, &dc);
  int rc = flags_parse("demo",
                       "Trains the dynamics model (an ensemble of MLPs, as mbrl mb does) on random transitions\n"
                       "of an environment to predict normalised state changes, reports held-out error per\n"
                       "member, and saves the model as OUT/model.safetensors.",
                       flags, n, argc, argv);
  if (rc) return rc == 1 ? 0 : rc;

  char err[512];
  mbrl_threads_set(threads);
  mbrl_env *env;
  if ((rc = mbrl_env_make(&env, env_name, err, sizeof err))) {
    fprintf(stderr, "mbrl demo: %s\n", err);
    return cli_status(rc);
  }
  const mbrl_env_spec *spec = mbrl_env_get_spec(env);
  dc.obs_dim = spec->obs_dim, dc.act_dim = spec->act_dim;
  mbrl_rng rng, r_data;
  mbrl_rng_init(&rng, (uint64_t)seed, 0);
  mbrl_rng_split(&r_data, &rng, 1);
  double t0 = mbrl_time_now();
  mbrl_buffer train = {0}, test = {0};
  mbrl_dynamics dyn = {0};
  if ((rc = collect(&train, env, n_data, &r_data, err, sizeof err)) ||
      (rc = collect(&test, env, n_data / 10, &r_data, err, sizeof err))) {
    fprintf(stderr, "mbrl demo: %s\n", err);
    goto out;
  }
  printf("mbrl demo: %d random transitions of %s (%d held out) in %.1f s (%s, %d threads)\n", train.size,
         env_name, test.size, mbrl_time_now() - t0, mbrl_backend_info(), mbrl_threads_get());

  if ((rc = mbrl_dynamics_init(&dyn, &dc, &rng, err, sizeof err)) ||
      (rc = mbrl_dynamics_update_stats(&dyn, &train, err, sizeof err))) {
    fprintf(stderr, "mbrl demo: %s\n", err);
    goto out;
  }
  t0 = mbrl_time_now();
  for (int step = 1; step <= steps; step++) {
    float loss;
    rc = mbrl_dynamics_train_step(&dyn, &train, &loss, err, sizeof err);
    if (rc == MBRL_ENUMERIC) rc = MBRL_OK; /* skipped and counted */
    if (rc) {
      fprintf(stderr, "mbrl demo: %s\n", err);
      goto out;
    }
    if (step % (steps / 10 > 0 ? steps / 10 : 1) == 0 || step == steps)
      printf("  step %6d  train loss %.4f  (%.1f steps/s)\n", step, loss, step / (mbrl_time_now() - t0));
  }
  if (dyn.skipped) printf("  %lld steps skipped for a non-finite loss or gradient\n", (long long)dyn.skipped);
  double *member = mbrl_alloc((size_t)dc.E * sizeof(double));
  double test_mse = held_out_error(&dyn, &test, member);
  printf("held-out MSE of normalised state changes: %.4f (", test_mse);
  for (int e = 0; e < dc.E; e++) printf("%s%.4f", e ? " " : "member ", member[e]);
  printf("; predicting the mean change scores about 1.0)\n");
  mbrl_free(member);

  char path[1024];
  snprintf(path, sizeof path, "%s", out);
  for (char *p = path + 1; *p; p++) /* mkdir -p */
    if (*p == '/') *p = 0, mkdir(path, 0755), *p = '/';
  if (mkdir(path, 0755) && errno != EEXIST) {
    fprintf(stderr, "mbrl demo: cannot create %s: %s\n", path, strerror(errno));
    rc = MBRL_EIO;
    goto out;
  }
  snprintf(path, sizeof path, "%s/model.safetensors", out);
  if ((rc = mbrl_dynamics_save(&dyn, path, err, sizeof err)))
    fprintf(stderr, "mbrl demo: %s\n", err);
  else
    printf("saved %s\n", path);
out:
  mbrl_dynamics_free(&dyn);
  mbrl_buffer_free(&train);
  mbrl_buffer_free(&test);
  mbrl_env_free(env);
  return rc ? 1 : 0;
}
