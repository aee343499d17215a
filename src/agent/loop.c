/* What mbrl mb and mbrl mbpo share: the environment, the model and its buffer, the run directory
 * (config, metrics, figures, checkpoints) and the collect, train and log steps of an iteration. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "agent/loop.h"

#include <cjson/cJSON.h>
#include "mbrl/core.h"
#include "mbrl/npy.h"
#include "mbrl/plot.h"

enum { PRED_STEPS = 10 };

/* CS285's tags: five of evaluation, then those of training */
static const char *const tags[] = {
    "Eval_AverageReturn",  "Eval_StdReturn",      "Eval_MaxReturn",  "Eval_MinReturn",
    "Eval_AverageEpLen",   "Train_AverageReturn", "Train_StdReturn", "Train_MaxReturn",
    "Train_MinReturn",     "Train_AverageEpLen",  "Train_EnvstepsSoFar", "Training Loss",
    "Initial_DataCollection_AverageReturn", "TimeSinceStart"};
enum { N_TAGS = sizeof tags / sizeof *tags };

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

/* every setting of table at base, the episode length and precision in effect, the threads and
 * the backend, as config.json */
static int write_config(const mbrl_loop *L, const mbrl_config_table *table, const void *base, char *err,
                        size_t err_sz) {
  cJSON *root = cJSON_CreateObject();
  mbrl_config_to_json(table, base, root);
  cJSON_ReplaceItemInObjectCaseSensitive(root, "ep_len", cJSON_CreateNumber(L->spec->ep_len));
  cJSON_ReplaceItemInObjectCaseSensitive(root, "precision",
                                         cJSON_CreateString(mbrl_precision_name(L->dwork.net.precision)));
  cJSON_AddNumberToObject(root, "threads", mbrl_threads_get());
  cJSON_AddStringToObject(root, "backend", mbrl_backend_info());
  char path[1200];
  snprintf(path, sizeof path, "%s/config.json", L->dir);
  int rc = mbrl_config_write_json(root, path, err, err_sz);
  cJSON_Delete(root);
  return rc;
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
  mbrl_plot *p = mbrl_plot_make(rows, 2);
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
  mbrl_plot *p = mbrl_plot_make(1, 1);
  mbrl_plot_labels(p, 0, "Training loss, iteration 0", "training step", "loss");
  mbrl_plot_logy(p, 0, 1);
  mbrl_plot_line_f(p, 0, NULL, loss, n, NULL, MBRL_PLOT_AUTO, MBRL_PLOT_SOLID);
  snprintf(path, sizeof path, "%s/itr_0_losses.png", dir);
  rc = mbrl_plot_save(p, path, 800, 500, err, err_sz);
  mbrl_plot_free(p);
  return rc;
}

int mbrl_loop_returns_plot(const mbrl_loop *L, const char *title, const char *xlabel, const double *x,
                           const double *a, const char *a_label, const double *b, const char *b_label, int n,
                           char *err, size_t err_sz) {
  char path[1200];
  mbrl_plot *p = mbrl_plot_make(1, 1);
  mbrl_plot_labels(p, 0, title, xlabel, "return");
  mbrl_plot_legend(p, 0, MBRL_PLOT_LEGEND_BOTTOM_RIGHT);
  mbrl_plot_line(p, 0, x, a, n, a_label, MBRL_PLOT_AUTO, MBRL_PLOT_LINE_POINTS);
  mbrl_plot_line(p, 0, x, b, n, b_label, MBRL_PLOT_AUTO, MBRL_PLOT_LINE_POINTS);
  snprintf(path, sizeof path, "%s/returns.png", L->dir);
  int rc = mbrl_plot_save(p, path, 800, 500, err, err_sz);
  mbrl_plot_free(p);
  return rc;
}

/* a policy that also reports progress every 100 steps */
typedef struct {
  mbrl_loop *L;
  mbrl_policy_fn policy;
  mbrl_policy_reset_fn reset; /* may be NULL */
  void *ctx;
} progress_policy;

static void progress_policy_reset(void *p) {
  progress_policy *pp = p;
  if (pp->reset) pp->reset(pp->ctx);
}

static int policy_with_progress(void *p, const float *obs, float *act) {
  progress_policy *pp = p;
  mbrl_loop *L = pp->L;
  if (L->report && ++L->pr->steps % 100 == 0) {
    L->pr->elapsed = mbrl_time_now() - L->t_start;
    L->report(L->report_ctx, L->pr);
  }
  return pp->policy(pp->ctx, obs, act);
}

int mbrl_loop_check(const mbrl_mb_config *c, int fits, char *err, size_t err_sz) {
  if (!c->env_name[0]) return mbrl_errf(err, err_sz, MBRL_EINVAL, "env_name is required");
  if (!c->logdir[0])
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "logdir is empty (runs would land in the filesystem's root folder)");
  const mbrl_dynamics_config *m = &c->model;
  if (c->n_iter < 1 || m->E < 1 || c->planner.H < 1 || c->planner.N < 1 || c->planner.prop.particles < 1 ||
      c->num_agent_train_steps_per_iter < 0 || c->batch_size_initial < 1 || c->batch_size < 1 ||
      m->train_batch_size < 1 || c->eval_batch_size < 1 || m->size < 1 || m->n_layers < 0 || !(m->lr > 0) ||
      c->scalar_log_freq == 0)
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "sizes, counts and the learning rate must be positive");
  if (!fits && (m->validation_ratio > 0 || m->patience > 0 || m->num_elites > 0))
    return mbrl_errf(err, err_sz, MBRL_EINVAL,
                     "this loop trains the model by steps (num_agent_train_steps_per_iter): validation_ratio, "
                     "patience and num_elites belong to model fits (mbrl pets)");
  return MBRL_OK;
}

int mbrl_loop_init(mbrl_loop *L, const mbrl_mb_config *c, int work_rows, mbrl_mb_progress *pr,
                   mbrl_mb_progress_fn report, void *report_ctx, char *err, size_t err_sz) {
  memset(L, 0, sizeof *L);
  L->cfg = c, L->pr = pr, L->report = report, L->report_ctx = report_ctx;
  L->t_start = mbrl_time_now();
  L->initial_return = NAN, L->loss = NAN;
  *pr = (mbrl_mb_progress){.n_iter = c->n_iter, .phase = "collect", .train_return = NAN,
                           .eval_return = NAN, .loss = NAN};
  int rc = mbrl_env_make(&L->env, c->env_name, err, err_sz);
  if (rc) return rc;
  if (c->ep_len > 0) mbrl_env_set_ep_len(L->env, c->ep_len);
  L->spec = mbrl_env_get_spec(L->env);
  const int od = L->spec->obs_dim, ad = L->spec->act_dim;

  /* one stream per purpose, so changing one setting does not shift the others' numbers */
  mbrl_rng_init(&L->root, (uint64_t)c->seed, 0);
  mbrl_rng_split(&L->r_model, &L->root, 1);
  mbrl_rng_split(&L->r_agent, &L->root, 2);
  mbrl_rng_split(&L->r_collect, &L->root, 3);
  mbrl_rng_split(&L->r_noise, &L->root, 4);
  mbrl_rng_split(&L->r_plot, &L->root, 5);

  mbrl_dynamics_config dc = c->model;
  dc.obs_dim = od, dc.act_dim = ad;
  rc = mbrl_dynamics_init(&L->dyn, &dc, &L->r_model, err, err_sz);
  if (rc) return rc;
  mbrl_dynamics_work_init(&L->dwork, &L->dyn, work_rows);
  mbrl_dynamics_work_set_precision(&L->dwork, (mbrl_precision)c->precision);
  mbrl_buffer_init(&L->buf, od, ad, MBRL_BUFFER_DEFAULT_CAPACITY);
  int most = c->batch_size_initial > c->batch_size ? c->batch_size_initial : c->batch_size;
  if (c->eval_batch_size > most) most = c->eval_batch_size;
  mbrl_paths_init(&L->paths, od, ad, most + L->spec->ep_len);
  L->train_steps = L->losses_cap = c->num_agent_train_steps_per_iter;
  L->losses = mbrl_alloc((size_t)(L->losses_cap + 1) * sizeof(float));
  L->h_itr = mbrl_alloc((size_t)c->n_iter * sizeof(double));
  L->h_eval = mbrl_alloc((size_t)c->n_iter * sizeof(double));
  L->h_train = mbrl_alloc((size_t)c->n_iter * sizeof(double));
  return MBRL_OK;
}

void mbrl_loop_free(mbrl_loop *L) {
  mbrl_recorder_free(L->video);
  mbrl_metrics_close(L->metrics);
  mbrl_free(L->losses), mbrl_free(L->h_itr), mbrl_free(L->h_eval), mbrl_free(L->h_train);
  mbrl_paths_free(&L->paths);
  mbrl_buffer_free(&L->buf);
  mbrl_dynamics_work_free(&L->dwork);
  mbrl_dynamics_free(&L->dyn);
  mbrl_env_free(L->env);
  memset(L, 0, sizeof *L);
}

int mbrl_loop_open(mbrl_loop *L, const mbrl_config_table *table, const void *base, const char *const *extra_tags,
                   int n_extra_tags, char *run_dir, size_t run_dir_sz, char *err, size_t err_sz) {
  const mbrl_mb_config *c = L->cfg;
  /* the run directory, named as the course names it */
  char stamp[32];
  time_t now = time(NULL);
  strftime(stamp, sizeof stamp, "%d-%m-%Y_%H-%M-%S", localtime(&now));
  char *dir = NULL;
  if (asprintf(&dir, "%s/hw4_%s_%s_%s", c->logdir, c->exp_name, c->env_name, stamp) < 0 ||
      strlen(dir) >= sizeof L->dir - 64) {
    free(dir);
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "logdir, exp_name and env_name make a path longer than %zu bytes",
                     sizeof L->dir - 64);
  }
  memcpy(L->dir, dir, strlen(dir) + 1);
  free(dir);
  for (char *p = L->dir + strlen(c->logdir) + 1; *p; p++)
    if (*p == '/' || *p == ':') *p = '_'; /* names like mujoco:path stay one directory */
  int rc = make_dirs(L->dir, err, err_sz);
  if (rc) return rc;
  if (run_dir) snprintf(run_dir, run_dir_sz, "%s", L->dir);
  if ((rc = write_config(L, table, base, err, err_sz))) return rc;
  const char **all = mbrl_alloc((size_t)(N_TAGS + n_extra_tags) * sizeof *all);
  memcpy(all, tags, sizeof tags);
  if (n_extra_tags) memcpy(all + N_TAGS, extra_tags, (size_t)n_extra_tags * sizeof *all);
  rc = mbrl_metrics_open(&L->metrics, L->dir, all, N_TAGS + n_extra_tags, err, err_sz);
  mbrl_free(all);
  return rc;
}

void mbrl_loop_report(mbrl_loop *L, const char *phase, int steps, int steps_total) {
  L->pr->phase = phase, L->pr->steps = steps, L->pr->steps_total = steps_total;
  L->pr->elapsed = mbrl_time_now() - L->t_start;
  if (L->report) L->report(L->report_ctx, L->pr);
}

int mbrl_loop_collect(mbrl_loop *L, int itr, mbrl_policy_fn policy, mbrl_policy_reset_fn reset,
                      void *policy_ctx, char *err, size_t err_sz) {
  const mbrl_mb_config *c = L->cfg;
  mbrl_mb_progress *pr = L->pr;
  pr->itr = itr, pr->train_return = NAN, pr->eval_return = NAN, pr->loss = NAN;
  int n_steps = itr == 0 ? c->batch_size_initial : c->batch_size;
  mbrl_loop_report(L, "collect", 0, n_steps);
  progress_policy pp = {L, policy, reset, policy_ctx};
  int rc = mbrl_collect(&L->paths, L->env, policy_with_progress, progress_policy_reset, &pp, n_steps, L->spec->ep_len, &L->r_collect,
                        err, err_sz);
  if (rc) return rc;
  L->train = mbrl_paths_return_stats(&L->paths);
  pr->envsteps += L->paths.n;
  if (itr == 0) L->initial_return = L->train.average;
  mbrl_buffer_add(&L->buf, &L->paths, c->add_sl_noise ? &L->r_noise : NULL);
  pr->train_return = L->train.average;
  return mbrl_dynamics_update_stats(&L->dyn, &L->buf, err, err_sz);
}

int mbrl_loop_train_model(mbrl_loop *L, int itr, char *err, size_t err_sz) {
  const mbrl_mb_config *c = L->cfg;
  const int tb = c->model.train_batch_size;
  const int64_t most = L->fit_epochs > 0 ? (int64_t)L->fit_epochs * ((L->buf.size + tb - 1) / tb) : L->train_steps;
  if (most > 1 << 30) return mbrl_errf(err, err_sz, MBRL_EINVAL, "%lld model training steps are too many", (long long)most);
  if (most > L->losses_cap) {
    mbrl_free(L->losses);
    L->losses_cap = (int)most;
    L->losses = mbrl_alloc((size_t)(most + 1) * sizeof(float));
  }
  mbrl_loop_report(L, "train", 0, (int)most);
  float loss = NAN;
  int steps = L->train_steps;
  if (L->fit_epochs > 0) {
    mbrl_dynamics_fit_info fi;
    int rc = mbrl_dynamics_fit(&L->dyn, &L->buf, L->fit_epochs, L->losses, &fi, err, err_sz);
    if (rc) return rc;
    steps = fi.steps, loss = fi.loss;
  } else {
    for (int k = 0; k < steps; k++) {
      int rc = mbrl_dynamics_train_step(&L->dyn, &L->buf, &loss, err, err_sz);
      if (rc == MBRL_ENUMERIC) rc = MBRL_OK; /* skipped and counted in dyn.skipped */
      if (rc) return rc;
      L->losses[k] = loss;
    }
  }
  L->loss = loss, L->pr->loss = loss;

  int rc;
  if (itr == 0) {
    if ((rc = prediction_plot(L->dir, L->env, &L->dyn, &L->dwork, &L->r_plot, err, err_sz))) return rc;
    if (steps > 0 && (rc = losses_outputs(L->dir, L->losses, steps, err, err_sz)))
      return rc;
  }
  char path[1200];
  snprintf(path, sizeof path, "%s/model.safetensors", L->dir);
  if ((rc = mbrl_dynamics_save(&L->dyn, path, err, err_sz))) return rc;
  if (c->save_params) {
    snprintf(path, sizeof path, "%s/itr_%d_model.safetensors", L->dir, itr);
    if ((rc = mbrl_dynamics_save(&L->dyn, path, err, err_sz))) return rc;
  }
  return MBRL_OK;
}

/* reports why filming failed once, as phase "warning"; filming stays off */
static void video_failed(mbrl_loop *L) {
  const char *phase = L->pr->phase;
  L->pr->warning = L->video_error;
  mbrl_loop_report(L, "warning", L->pr->steps, L->pr->steps_total);
  L->pr->warning = NULL, L->pr->phase = phase;
}

/* starts filming the first evaluation episode of every video_log_freq-th iteration; 1 when it
 * films */
static int video_start(mbrl_loop *L, int itr, progress_policy *pp) {
  const mbrl_mb_config *c = L->cfg;
  if (c->video_log_freq <= 0 || itr % c->video_log_freq != 0 || L->video_error[0]) return 0;
  char path[1200];
  snprintf(path, sizeof path, "%s/itr_%d_eval.mp4", L->dir, itr);
  if (!L->video) L->video = mbrl_recorder_make(L->env, 0, 0);
  if (!mbrl_recorder_start(L->video, path, policy_with_progress, progress_policy_reset, pp, L->video_error, sizeof L->video_error))
    return 1;
  video_failed(L);
  return 0;
}

int mbrl_loop_log(mbrl_loop *L, int itr, mbrl_policy_fn policy, mbrl_policy_reset_fn reset,
                  void *policy_ctx, char *err, size_t err_sz) {
  const mbrl_mb_config *c = L->cfg;
  const mbrl_return_stats *t = &L->train;
  int rc;
  /* training figures every iteration, evaluation when scalar_log_freq fires */
  const float row[] = {(float)t->average, (float)t->std, (float)t->max, (float)t->min,
                       (float)t->average_ep_len, (float)L->pr->envsteps, L->loss, (float)L->initial_return};
  for (size_t k = 0; k < sizeof row / sizeof *row; k++) mbrl_metrics_set(L->metrics, tags[5 + k], row[k]);
  if (c->scalar_log_freq > 0 && itr % c->scalar_log_freq == 0) {
    mbrl_loop_report(L, "eval", 0, c->eval_batch_size);
    progress_policy pp = {L, policy, reset, policy_ctx};
    int film = video_start(L, itr, &pp);
    if ((rc = mbrl_collect(&L->paths, L->env, film ? mbrl_recorder_policy : policy_with_progress,
                           film ? mbrl_recorder_reset : progress_policy_reset, film ? (void *)L->video : &pp, c->eval_batch_size, L->spec->ep_len,
                           &L->r_collect, err, err_sz)))
      return rc;
    if (film && mbrl_recorder_finish(L->video, NULL, L->video_error, sizeof L->video_error)) video_failed(L);
    mbrl_return_stats ev = mbrl_paths_return_stats(&L->paths);
    const float erow[] = {(float)ev.average, (float)ev.std, (float)ev.max, (float)ev.min,
                          (float)ev.average_ep_len};
    for (size_t k = 0; k < sizeof erow / sizeof *erow; k++) mbrl_metrics_set(L->metrics, tags[k], erow[k]);
    L->h_itr[L->n_logged] = itr, L->h_eval[L->n_logged] = ev.average, L->h_train[L->n_logged] = t->average;
    L->n_logged++;
    if ((rc = mbrl_loop_returns_plot(L, "Average return per iteration", "iteration", L->h_itr, L->h_eval,
                                     "Eval_AverageReturn", L->h_train, "Train_AverageReturn", L->n_logged, err,
                                     err_sz)))
      return rc;
    L->pr->eval_return = ev.average;
  }
  mbrl_metrics_set(L->metrics, "TimeSinceStart", (float)(mbrl_time_now() - L->t_start));
  if ((rc = mbrl_metrics_write(L->metrics, itr, err, err_sz))) return rc;
  mbrl_loop_report(L, "done", L->pr->steps, L->pr->steps_total);
  if (itr == c->n_iter - 1 && err && err_sz) snprintf(err, err_sz, "%s", L->video_error);
  return MBRL_OK;
}
