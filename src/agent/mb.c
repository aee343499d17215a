/* The model-based RL loop of CS285 HW4: collect, aggregate, fit the ensemble, plan with MPC,
 * evaluate, and write the run directory (config, metrics, plots, checkpoints). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "mbrl/buffer.h"
#include "mbrl/core.h"
#include "mbrl/dynamics.h"
#include "mbrl/env.h"
#include "mbrl/mb.h"
#include "mbrl/metrics.h"
#include "mbrl/npy.h"
#include "mbrl/plot.h"

enum { PRED_STEPS = 10 };

/* CS285's tags: five of evaluation, then those of training */
static const char *const tags[] = {
    "Eval_AverageReturn",  "Eval_StdReturn",      "Eval_MaxReturn",  "Eval_MinReturn",
    "Eval_AverageEpLen",   "Train_AverageReturn", "Train_StdReturn", "Train_MaxReturn",
    "Train_MinReturn",     "Train_AverageEpLen",  "Train_EnvstepsSoFar", "Training Loss",
    "Initial_DataCollection_AverageReturn", "TimeSinceStart"};

mbrl_mb_config mbrl_mb_defaults(void) {
  return (mbrl_mb_config){.ep_len = 0,
                          .exp_name = "todo",
                          .n_iter = 20,
                          .ensemble_size = 3,
                          .mpc_horizon = 10,
                          .mpc_num_action_sequences = 1000,
                          .mpc_action_sampling_strategy = MBRL_PLANNER_RANDOM,
                          .cem_iterations = 4,
                          .cem_num_elites = 5,
                          .cem_alpha = 1.0,
                          .num_agent_train_steps_per_iter = 1000,
                          .batch_size_initial = 20000,
                          .batch_size = 8000,
                          .train_batch_size = 512,
                          .eval_batch_size = 400,
                          .learning_rate = 1e-3,
                          .n_layers = 2,
                          .size = 250,
                          .activation = MBRL_ACT_TANH,
                          .seed = 1,
                          .scalar_log_freq = 1,
                          .logdir = "data"};
}

/* creates dir and its parents */
static int make_dirs(const char *dir, char *err, size_t err_sz) {
  char tmp[1024];
  snprintf(tmp, sizeof tmp, "%s", dir);
  for (char *p = tmp + 1; *p; p++)
    if (*p == '/') {
      *p = 0;
      if (mkdir(tmp, 0755) && errno != EEXIST) break;
      *p = '/';
    }
  if (mkdir(tmp, 0755) && errno != EEXIST)
    return mbrl_errf(err, err_sz, MBRL_EIO, "cannot create directory %s: %s", dir, strerror(errno));
  return MBRL_OK;
}

static int write_config(const char *dir, const mbrl_mb_config *c, const mbrl_env_spec *spec,
                        char *err, size_t err_sz) {
  const mbrl_metrics_param p[] = {
      MBRL_PARAM_STR("env_name", c->env_name),
      MBRL_PARAM_INT("ep_len", spec->ep_len),
      MBRL_PARAM_STR("exp_name", c->exp_name),
      MBRL_PARAM_INT("n_iter", c->n_iter),
      MBRL_PARAM_INT("ensemble_size", c->ensemble_size),
      MBRL_PARAM_INT("mpc_horizon", c->mpc_horizon),
      MBRL_PARAM_INT("mpc_num_action_sequences", c->mpc_num_action_sequences),
      MBRL_PARAM_STR("mpc_action_sampling_strategy",
                     c->mpc_action_sampling_strategy == MBRL_PLANNER_CEM ? "cem" : "random"),
      MBRL_PARAM_INT("cem_iterations", c->cem_iterations),
      MBRL_PARAM_INT("cem_num_elites", c->cem_num_elites),
      MBRL_PARAM_DOUBLE("cem_alpha", c->cem_alpha),
      MBRL_PARAM_BOOL("add_sl_noise", c->add_sl_noise),
      MBRL_PARAM_INT("num_agent_train_steps_per_iter", c->num_agent_train_steps_per_iter),
      MBRL_PARAM_INT("batch_size_initial", c->batch_size_initial),
      MBRL_PARAM_INT("batch_size", c->batch_size),
      MBRL_PARAM_INT("train_batch_size", c->train_batch_size),
      MBRL_PARAM_INT("eval_batch_size", c->eval_batch_size),
      MBRL_PARAM_DOUBLE("learning_rate", c->learning_rate),
      MBRL_PARAM_INT("n_layers", c->n_layers),
      MBRL_PARAM_INT("size", c->size),
      MBRL_PARAM_STR("activation", mbrl_act_name(c->activation)),
      MBRL_PARAM_BOOL("bootstrap", c->bootstrap),
      MBRL_PARAM_INT("seed", c->seed),
      MBRL_PARAM_INT("scalar_log_freq", c->scalar_log_freq),
      MBRL_PARAM_BOOL("save_params", c->save_params),
      MBRL_PARAM_STR("logdir", c->logdir),
      MBRL_PARAM_INT("threads", mbrl_threads_get()),
      MBRL_PARAM_STR("backend", mbrl_backend_info()),
  };
  return mbrl_metrics_write_config(dir, p, (int)(sizeof p / sizeof *p), err, err_sz);
}

/* open-loop prediction of member 0 against the real environment over random actions */
static int prediction_plot(const char *dir, mbrl_env *env, const mbrl_dynamics *dyn,
                           mbrl_dynamics_work *w, mbrl_rng *rng, char *err, size_t err_sz) {
  const mbrl_env_spec *s = mbrl_env_get_spec(env);
  int od = s->obs_dim, ad = s->act_dim, E = dyn->cfg.E;
  float *truth = mbrl_alloc((size_t)PRED_STEPS * od * sizeof(float));
  float *pred = mbrl_alloc((size_t)PRED_STEPS * od * sizeof(float));
  float *acts = mbrl_alloc((size_t)PRED_STEPS * ad * sizeof(float));
  float *si = mbrl_alloc((size_t)E * od * sizeof(float)), *so = mbrl_alloc((size_t)E * od * sizeof(float));
  float *ai = mbrl_alloc((size_t)E * ad * sizeof(float));
  for (int k = 0; k < PRED_STEPS * ad; k++)
    acts[k] = s->act_low[k % ad] + (s->act_high[k % ad] - s->act_low[k % ad]) * (float)mbrl_rng_uniform(rng);
  int rc = mbrl_env_reset(env, mbrl_rng_u64(rng), truth), n = 1;
  for (; n < PRED_STEPS && !rc; n++) {
    float r;
    int term, trunc;
    rc = mbrl_env_step(env, acts + (size_t)(n - 1) * ad, truth + (size_t)n * od, &r, &term, &trunc);
    if (term) {
      n++;
      break;
    }
  }
  if (rc) {
    rc = mbrl_errf(err, err_sz, rc, "prediction plot: %s", mbrl_env_last_error(env));
    goto done;
  }
  /* member 0 rolls alone from the true first state; every member gets the same row */
  memcpy(pred, truth, (size_t)od * sizeof(float));
  for (int k = 1; k < n; k++) {
    for (int e = 0; e < E; e++) {
      memcpy(si + (size_t)e * od, pred + (size_t)(k - 1) * od, (size_t)od * sizeof(float));
      memcpy(ai + (size_t)e * ad, acts + (size_t)(k - 1) * ad, (size_t)ad * sizeof(float));
    }
    mbrl_dynamics_predict(dyn, w, si, ai, so, 1);
    memcpy(pred + (size_t)k * od, so, (size_t)od * sizeof(float));
  }
  double mpe = 0.0;
  for (int k = 0; k < n * od; k++) mpe += ((double)pred[k] - truth[k]) * ((double)pred[k] - truth[k]);
  mpe /= (double)n * od;

  int rows = od / 2 > 0 ? od / 2 : 1;
  mbrl_plot *p = mbrl_plot_init(rows, 2);
  char title[64], path[1200];
  snprintf(title, sizeof title, "MPE: %g", mpe);
  mbrl_plot_title(p, title);
  double x[PRED_STEPS], yt[PRED_STEPS], yp[PRED_STEPS];
  for (int j = 0; j < 2 * rows && j < od; j++) {
    for (int k = 0; k < n; k++) x[k] = k, yt[k] = truth[(size_t)k * od + j], yp[k] = pred[(size_t)k * od + j];
    char label[32];
    snprintf(label, sizeof label, "obs[%d]", j);
    mbrl_plot_labels(p, j, label, NULL, NULL);
    mbrl_plot_line(p, j, x, yt, n, j == 0 ? "truth" : NULL, 0x2ca02c, MBRL_PLOT_SOLID);
    mbrl_plot_line(p, j, x, yp, n, j == 0 ? "prediction" : NULL, 0xd62728, MBRL_PLOT_SOLID);
  }
  snprintf(path, sizeof path, "%s/itr_0_predictions.png", dir);
  rc = mbrl_plot_save(p, path, 900, 140 * rows + 100, err, err_sz);
  mbrl_plot_free(p);
done:
  mbrl_free(truth), mbrl_free(pred), mbrl_free(acts), mbrl_free(si), mbrl_free(so), mbrl_free(ai);
  return rc;
}

static int losses_outputs(const char *dir, const float *loss, int n, char *err, size_t err_sz) {
  char path[1200];
  int64_t shape[1] = {n};
  snprintf(path, sizeof path, "%s/itr_0_losses.npy", dir);
  int rc = mbrl_npy_write_f32(path, loss, 1, shape, err, err_sz);
  if (rc) return rc;
  mbrl_plot *p = mbrl_plot_init(1, 1);
  mbrl_plot_labels(p, 0, "Training loss, iteration 0", "training step", "loss");
  mbrl_plot_logy(p, 0, 1);
  mbrl_plot_line_f(p, 0, NULL, loss, n, NULL, MBRL_PLOT_AUTO, MBRL_PLOT_SOLID);
  snprintf(path, sizeof path, "%s/itr_0_losses.png", dir);
  rc = mbrl_plot_save(p, path, 800, 500, err, err_sz);
  mbrl_plot_free(p);
  return rc;
}

static int returns_plot(const char *dir, const double *itr, const double *eval, const double *train,
                        int n, char *err, size_t err_sz) {
  char path[1200];
  mbrl_plot *p = mbrl_plot_init(1, 1);
  mbrl_plot_labels(p, 0, "Average return per iteration", "iteration", "return");
  mbrl_plot_legend(p, 0, MBRL_PLOT_LEGEND_BOTTOM_RIGHT);
  mbrl_plot_line(p, 0, itr, eval, n, "Eval_AverageReturn", MBRL_PLOT_AUTO, MBRL_PLOT_LINE_POINTS);
  mbrl_plot_line(p, 0, itr, train, n, "Train_AverageReturn", MBRL_PLOT_AUTO, MBRL_PLOT_LINE_POINTS);
  snprintf(path, sizeof path, "%s/returns.png", dir);
  int rc = mbrl_plot_save(p, path, 800, 500, err, err_sz);
  mbrl_plot_free(p);
  return rc;
}

/* the planner as a policy that also reports progress every 100 steps */
typedef struct {
  mbrl_planner *planner;
  mbrl_mb_progress_fn fn;
  void *ctx;
  mbrl_mb_progress *pr;
  double t_start;
} progress_policy;

static int policy_with_progress(void *p, const float *obs, float *act) {
  progress_policy *pp = p;
  if (pp->fn && ++pp->pr->steps % 100 == 0) {
    pp->pr->elapsed = mbrl_time_now() - pp->t_start;
    pp->fn(pp->ctx, pp->pr);
  }
  return mbrl_planner_act(pp->planner, obs, act);
}

static int check_config(const mbrl_mb_config *c, char *err, size_t err_sz) {
  if (!c->env_name) return mbrl_errf(err, err_sz, MBRL_EINVAL, "env_name is required");
  if (c->n_iter < 1 || c->ensemble_size < 1 || c->mpc_horizon < 1 || c->mpc_num_action_sequences < 1 ||
      c->num_agent_train_steps_per_iter < 0 || c->batch_size_initial < 1 || c->batch_size < 1 ||
      c->train_batch_size < 1 || c->eval_batch_size < 1 || c->size < 1 || c->n_layers < 0 ||
      !(c->learning_rate > 0) || c->scalar_log_freq == 0)
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "sizes, counts and the learning rate must be positive");
  return MBRL_OK;
}

int mbrl_mb_run(const mbrl_mb_config *c, mbrl_mb_progress_fn progress, void *ctx, char *run_dir,
                size_t run_dir_sz, char *err, size_t err_sz) {
  int rc = check_config(c, err, err_sz);
  if (rc) return rc;
  double t_start = mbrl_time_now();
  mbrl_env *env = mbrl_env_make(c->env_name, err, err_sz);
  if (!env) return MBRL_EINVAL;
  if (c->ep_len > 0) mbrl_env_set_ep_len(env, c->ep_len);
  const mbrl_env_spec *spec = mbrl_env_get_spec(env);
  int od = spec->obs_dim, ad = spec->act_dim, ep_len = spec->ep_len;

  /* one stream per purpose, so changing one setting does not shift the others' numbers */
  mbrl_rng root, r_model, r_plan, r_collect, r_noise, r_plot;
  mbrl_rng_init(&root, (uint64_t)c->seed, 0);
  mbrl_rng_split(&r_model, &root, 1);
  mbrl_rng_split(&r_plan, &root, 2);
  mbrl_rng_split(&r_collect, &root, 3);
  mbrl_rng_split(&r_noise, &root, 4);
  mbrl_rng_split(&r_plot, &root, 5);

  mbrl_dynamics dyn = {0};
  mbrl_dynamics_work dwork = {0};
  mbrl_planner planner = {0};
  mbrl_buffer buf = {0};
  mbrl_paths paths = {0};
  mbrl_metrics *metrics = NULL;
  float *losses = NULL;
  double *h_itr = NULL, *h_eval = NULL, *h_train = NULL;
  char dir[1024];

  mbrl_dynamics_config dc = mbrl_dynamics_defaults(od, ad);
  dc.E = c->ensemble_size, dc.n_layers = c->n_layers, dc.size = c->size, dc.act = c->activation;
  dc.lr = (float)c->learning_rate, dc.train_batch_size = c->train_batch_size, dc.bootstrap = c->bootstrap;
  if ((rc = mbrl_dynamics_init(&dyn, &dc, &r_model, err, err_sz))) goto out;
  mbrl_dynamics_work_init(&dwork, &dyn, c->mpc_num_action_sequences);
  mbrl_model model = mbrl_dynamics_model(&dwork);
  mbrl_planner_config pc = mbrl_planner_defaults();
  pc.kind = c->mpc_action_sampling_strategy, pc.H = c->mpc_horizon, pc.N = c->mpc_num_action_sequences;
  pc.cem_iters = c->cem_iterations, pc.cem_elites = c->cem_num_elites, pc.cem_alpha = (float)c->cem_alpha;
  if ((rc = mbrl_planner_init(&planner, &pc, env, &model, &r_plan, err, err_sz))) goto out;
  mbrl_buffer_init(&buf, od, ad, MBRL_BUFFER_DEFAULT_CAPACITY);
  int most = c->batch_size_initial > c->batch_size ? c->batch_size_initial : c->batch_size;
  if (c->eval_batch_size > most) most = c->eval_batch_size;
  mbrl_paths_init(&paths, od, ad, most + ep_len);
  losses = mbrl_alloc((size_t)(c->num_agent_train_steps_per_iter + 1) * sizeof(float));
  h_itr = mbrl_alloc((size_t)c->n_iter * sizeof(double));
  h_eval = mbrl_alloc((size_t)c->n_iter * sizeof(double));
  h_train = mbrl_alloc((size_t)c->n_iter * sizeof(double));

  /* the run directory, named as the course names it */
  char stamp[32];
  time_t now = time(NULL);
  strftime(stamp, sizeof stamp, "%d-%m-%Y_%H-%M-%S", localtime(&now));
  snprintf(dir, sizeof dir, "%s/hw4_%s_%s_%s", c->logdir, c->exp_name, c->env_name, stamp);
  for (char *p = dir + strlen(c->logdir) + 1; *p; p++)
    if (*p == '/' || *p == ':') *p = '_'; /* names like mujoco:path stay one directory */
  if ((rc = make_dirs(dir, err, err_sz))) goto out;
  if (run_dir) snprintf(run_dir, run_dir_sz, "%s", dir);
  if ((rc = write_config(dir, c, spec, err, err_sz))) goto out;
  if (!(metrics = mbrl_metrics_open(dir, tags, (int)(sizeof tags / sizeof *tags), err, err_sz))) {
    rc = MBRL_EIO;
    goto out;
  }

  int64_t envsteps = 0;
  double initial_return = NAN;
  int n_logged = 0;
  for (int itr = 0; itr < c->n_iter; itr++) {
    mbrl_mb_progress pr = {.itr = itr, .n_iter = c->n_iter, .phase = "collect", .envsteps = envsteps,
                           .train_return = NAN, .eval_return = NAN, .loss = NAN,
                           .elapsed = mbrl_time_now() - t_start};
    if (progress) progress(ctx, &pr);

    /* collect: random before the model has statistics, MPC after */
    int n_steps = itr == 0 ? c->batch_size_initial : c->batch_size;
    progress_policy pp = {&planner, progress, ctx, &pr, t_start};
    pr.steps = 0, pr.steps_total = n_steps;
    if ((rc = mbrl_collect(&paths, env, policy_with_progress, &pp, n_steps, ep_len, &r_collect, err, err_sz)))
      goto out;
    mbrl_return_stats train = mbrl_paths_return_stats(&paths);
    envsteps += paths.n;
    if (itr == 0) initial_return = train.average;
    mbrl_buffer_add(&buf, &paths, c->add_sl_noise ? &r_noise : NULL);
    if ((rc = mbrl_dynamics_update_stats(&dyn, &buf, err, err_sz))) goto out;

    pr.phase = "train", pr.envsteps = envsteps, pr.train_return = train.average;
    pr.elapsed = mbrl_time_now() - t_start;
    if (progress) progress(ctx, &pr);
    float loss = NAN;
    for (int k = 0; k < c->num_agent_train_steps_per_iter; k++) {
      rc = mbrl_dynamics_train_step(&dyn, &buf, &loss, err, err_sz);
      if (rc == MBRL_ENUMERIC) rc = MBRL_OK; /* skipped and counted in dyn.skipped */
      if (rc) goto out;
      losses[k] = loss;
    }
    pr.loss = loss;

    if (itr == 0) {
      if ((rc = prediction_plot(dir, env, &dyn, &dwork, &r_plot, err, err_sz))) goto out;
      if (c->num_agent_train_steps_per_iter > 0 &&
          (rc = losses_outputs(dir, losses, c->num_agent_train_steps_per_iter, err, err_sz)))
        goto out;
    }

    char path[1200];
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    if ((rc = mbrl_dynamics_save(&dyn, path, err, err_sz))) goto out;
    if (c->save_params) {
      snprintf(path, sizeof path, "%s/itr_%d_model.safetensors", dir, itr);
      if ((rc = mbrl_dynamics_save(&dyn, path, err, err_sz))) goto out;
    }

    /* training figures every iteration, evaluation when scalar_log_freq fires */
    const float row[] = {(float)train.average, (float)train.std, (float)train.max, (float)train.min,
                         (float)train.average_ep_len, (float)envsteps, loss, (float)initial_return};
    for (size_t k = 0; k < sizeof row / sizeof *row; k++) mbrl_metrics_set(metrics, tags[5 + k], row[k]);
    if (c->scalar_log_freq > 0 && itr % c->scalar_log_freq == 0) {
      pr.phase = "eval", pr.elapsed = mbrl_time_now() - t_start;
      pr.steps = 0, pr.steps_total = c->eval_batch_size;
      if (progress) progress(ctx, &pr);
      if ((rc = mbrl_collect(&paths, env, policy_with_progress, &pp, c->eval_batch_size, ep_len,
                             &r_collect, err, err_sz)))
        goto out;
      mbrl_return_stats ev = mbrl_paths_return_stats(&paths);
      const float erow[] = {(float)ev.average, (float)ev.std, (float)ev.max, (float)ev.min,
                            (float)ev.average_ep_len};
      for (size_t k = 0; k < sizeof erow / sizeof *erow; k++) mbrl_metrics_set(metrics, tags[k], erow[k]);
      h_itr[n_logged] = itr, h_eval[n_logged] = ev.average, h_train[n_logged] = train.average;
      n_logged++;
      if ((rc = returns_plot(dir, h_itr, h_eval, h_train, n_logged, err, err_sz))) goto out;
      pr.eval_return = ev.average;
    }
    mbrl_metrics_set(metrics, "TimeSinceStart", (float)(mbrl_time_now() - t_start));
    if ((rc = mbrl_metrics_write(metrics, itr, err, err_sz))) goto out;
    pr.phase = "done", pr.elapsed = mbrl_time_now() - t_start;
    if (progress) progress(ctx, &pr);
  }

out:
  mbrl_metrics_close(metrics);
  mbrl_free(losses), mbrl_free(h_itr), mbrl_free(h_eval), mbrl_free(h_train);
  mbrl_paths_free(&paths);
  mbrl_buffer_free(&buf);
  mbrl_planner_free(&planner);
  mbrl_dynamics_work_free(&dwork);
  mbrl_dynamics_free(&dyn);
  mbrl_env_free(env);
  return rc;
}
