/* mbrl demo: the neural-network core on a real problem. Collects random transitions on an
 * environment, trains an ensemble to predict normalised state changes, reports held-out error
 * per member, and saves the ensemble as safetensors. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "flags.h"
#include "mbrl/checkpoint.h"
#include "mbrl/core.h"
#include "mbrl/env.h"
#include "mbrl/nn.h"
#include "mbrl/rng.h"

typedef struct {
  int n, obs_dim, act_dim, in_dim;
  float *x;      /* normalised (obs, act) (n x in_dim) */
  float *target; /* normalised obs change (n x obs_dim) */
} dataset;

/* random-policy transitions: inputs (obs, act) and targets next_obs - obs */
static int collect(mbrl_env *env, int n, mbrl_rng *rng, dataset *d, char *err, size_t err_sz) {
  const mbrl_env_spec *s = mbrl_env_get_spec(env);
  d->n = n, d->obs_dim = s->obs_dim, d->act_dim = s->act_dim, d->in_dim = s->obs_dim + s->act_dim;
  d->x = mbrl_alloc((size_t)n * d->in_dim * sizeof(float));
  d->target = mbrl_alloc((size_t)n * d->obs_dim * sizeof(float));
  float *obs = mbrl_alloc((size_t)s->obs_dim * sizeof(float)), *next = mbrl_alloc((size_t)s->obs_dim * sizeof(float));
  int rc = mbrl_env_reset(env, mbrl_rng_u64(rng), obs);
  for (int i = 0; i < n && !rc; i++) {
    float *row = d->x + (size_t)i * d->in_dim, *act = row + s->obs_dim, r;
    int term, trunc;
    for (int j = 0; j < s->act_dim; j++)
      act[j] = s->act_low[j] + (s->act_high[j] - s->act_low[j]) * (float)mbrl_rng_uniform(rng);
    memcpy(row, obs, (size_t)s->obs_dim * sizeof(float));
    rc = mbrl_env_step(env, act, next, &r, &term, &trunc);
    for (int j = 0; j < s->obs_dim; j++) d->target[(size_t)i * s->obs_dim + j] = next[j] - obs[j];
    memcpy(obs, next, (size_t)s->obs_dim * sizeof(float));
    if (!rc && (term || trunc)) rc = mbrl_env_reset(env, mbrl_rng_u64(rng), obs);
  }
  if (rc) mbrl_errf(err, err_sz, rc, "%s", mbrl_env_last_error(env));
  mbrl_free(obs), mbrl_free(next);
  return rc;
}

/* standardises each column in place with its mean and population std (+1e-8) */
static void standardise(float *a, int n, int cols) {
  for (int j = 0; j < cols; j++) {
    double m = 0, v = 0;
    for (int i = 0; i < n; i++) m += a[(size_t)i * cols + j];
    m /= n;
    for (int i = 0; i < n; i++) v += (a[(size_t)i * cols + j] - m) * (a[(size_t)i * cols + j] - m);
    float sd = (float)sqrt(v / n) + 1e-8f;
    for (int i = 0; i < n; i++) a[(size_t)i * cols + j] = (a[(size_t)i * cols + j] - (float)m) / sd;
  }
}

int mbrl_cmd_demo(int argc, char **argv) {
  const char *env_name = "cheetah-cs285-v0", *out = "data/demo";
  int n_data = 20000, steps = 1000, E = 3, layers = 2, size = 250, batch = 512, threads = 0, seed = 1;
  double lr = 1e-3;
  const flag flags[] = {
      {"--env_name", NULL, FLAG_STRING, &env_name, 0, 0, "environment to learn"},
      {"--n_data", NULL, FLAG_INT, &n_data, 1000, 1e7, "random transitions collected (10% held out)"},
      {"--steps", NULL, FLAG_INT, &steps, 1, 1e7, "training steps"},
      {"--ensemble_size", "-e", FLAG_INT, &E, 1, 64, "ensemble members"},
      {"--n_layers", "-l", FLAG_INT, &layers, 0, MBRL_MAX_LAYERS - 1, "hidden layers"},
      {"--size", "-s", FLAG_INT, &size, 1, 4096, "hidden width"},
      {"--train_batch_size", "-tb", FLAG_INT, &batch, 1, 65536, "rows per member per step"},
      {"--learning_rate", "-lr", FLAG_DOUBLE, &lr, 1e-9, 10, "Adam learning rate"},
      {"--seed", NULL, FLAG_INT, &seed, 0, 2147483647, "random seed"},
      {"--threads", NULL, FLAG_INT, &threads, 0, 1024, "threads for float work (0: all cores)"},
      {"--out", NULL, FLAG_STRING, &out, 0, 0, "output directory"},
  };
  int rc = flags_parse("demo",
                       "Trains an ensemble of MLPs on random transitions of an environment to predict\n"
                       "normalised state changes, reports held-out error per member, and saves the\n"
                       "ensemble as OUT/model.safetensors.",
                       flags, sizeof flags / sizeof *flags, argc, argv);
  if (rc) return rc == 1 ? 0 : rc;

  char err[512];
  mbrl_threads_set(threads);
  mbrl_env *env = mbrl_env_make(env_name, err, sizeof err);
  if (!env) {
    fprintf(stderr, "mbrl demo: %s\n", err);
    return 2;
  }
  mbrl_rng rng;
  mbrl_rng_init(&rng, (uint64_t)seed, 0);
  double t0 = mbrl_time_now();
  dataset d;
  if ((rc = collect(env, n_data, &rng, &d, err, sizeof err))) {
    fprintf(stderr, "mbrl demo: %s\n", err);
    mbrl_env_free(env);
    return 1;
  }
  mbrl_env_free(env);
  standardise(d.x, d.n, d.in_dim);
  standardise(d.target, d.n, d.obs_dim);
  int n_train = d.n - d.n / 10, n_test = d.n / 10;
  printf("mbrl demo: %d random transitions of %s in %.1f s (%s, %d threads)\n", d.n, env_name,
         mbrl_time_now() - t0, mbrl_backend_info(), mbrl_threads_get());

  mbrl_mlp_config cfg = {.E = E, .in = d.in_dim, .out = d.obs_dim, .n_hidden = layers, .hidden = size,
                         .act = MBRL_ACT_TANH};
  mbrl_ensemble ens;
  if ((rc = mbrl_ensemble_init(&ens, &cfg, &rng, err, sizeof err))) {
    fprintf(stderr, "mbrl demo: %s\n", err);
    return 2;
  }
  int rows = batch > n_test ? batch : n_test;
  mbrl_ensemble_work work;
  mbrl_ensemble_work_init(&work, &ens, rows);
  mbrl_adam opt;
  mbrl_adam_init(&opt, ens.n_params, (float)lr);
  float *x = mbrl_alloc((size_t)E * rows * d.in_dim * sizeof(float));
  float *t = mbrl_alloc((size_t)E * rows * d.obs_dim * sizeof(float));
  float *dy = mbrl_alloc((size_t)E * rows * d.obs_dim * sizeof(float));
  t0 = mbrl_time_now();
  for (int step = 1; step <= steps; step++) {
    /* each member its own minibatch, drawn with replacement from the training rows */
    for (int i = 0; i < E * batch; i++) {
      size_t k = mbrl_rng_below(&rng, (uint64_t)n_train);
      memcpy(x + (size_t)i * d.in_dim, d.x + k * d.in_dim, (size_t)d.in_dim * sizeof(float));
      memcpy(t + (size_t)i * d.obs_dim, d.target + k * d.obs_dim, (size_t)d.obs_dim * sizeof(float));
    }
    mbrl_ensemble_zero_grad(&ens);
    const float *y = mbrl_ensemble_forward_train(&ens, &work, x, batch);
    float loss = mbrl_mse_loss(dy, y, t, E, batch, d.obs_dim, NULL);
    mbrl_ensemble_backward(&ens, &work, NULL, dy, x, batch);
    mbrl_adam_step(&opt, ens.params, ens.grads);
    if (step % (steps / 10 > 0 ? steps / 10 : 1) == 0 || step == steps)
      printf("  step %6d  train loss %.4f  (%.1f steps/s)\n", step, loss, step / (mbrl_time_now() - t0));
  }
  /* held-out error: every member sees the same last 10% of the data */
  for (int e = 0; e < E; e++) {
    memcpy(x + (size_t)e * n_test * d.in_dim, d.x + (size_t)n_train * d.in_dim,
           (size_t)n_test * d.in_dim * sizeof(float));
    memcpy(t + (size_t)e * n_test * d.obs_dim, d.target + (size_t)n_train * d.obs_dim,
           (size_t)n_test * d.obs_dim * sizeof(float));
  }
  float *member = mbrl_alloc((size_t)E * sizeof(float));
  mbrl_ensemble_forward(&ens, &work, dy, x, n_test);
  float test = mbrl_mse_loss(NULL, dy, t, E, n_test, d.obs_dim, member);
  printf("held-out MSE of normalised state changes: %.4f (", test);
  for (int e = 0; e < E; e++) printf("%s%.4f", e ? " " : "member ", member[e]);
  printf("; predicting the mean change scores 1.0)\n");

  char path[1024];
  mkdir("data", 0755);
  mkdir(out, 0755);
  snprintf(path, sizeof path, "%s/model.safetensors", out);
  if ((rc = mbrl_ensemble_save_file(&ens, path, err, sizeof err)))
    fprintf(stderr, "mbrl demo: %s\n", err);
  else
    printf("saved %s\n", path);
  mbrl_free(member), mbrl_free(x), mbrl_free(t), mbrl_free(dy);
  mbrl_free(d.x), mbrl_free(d.target);
  mbrl_adam_free(&opt);
  mbrl_ensemble_work_free(&work);
  mbrl_ensemble_free(&ens);
  return rc ? 1 : 0;
}
