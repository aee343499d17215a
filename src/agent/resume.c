/* Resuming a run: the loop's state written at the end of each iteration to resume.safetensors in
 * the run directory (the streams, the counters and curves, the model's training state, the buffer
 * and metrics.csv as it stands), and read back to go on from there. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/loop.h"
#include "io/file.h"
#include "mbrl/checkpoint.h"
#include "mbrl/core.h"

#define FORMAT "mbrl.resume.v1"

enum { N_STREAMS = 6 };

static mbrl_rng *streams(mbrl_loop *L, int i) {
  mbrl_rng *s[N_STREAMS] = {&L->root, &L->r_model, &L->r_agent, &L->r_collect, &L->r_noise, &L->r_plot};
  return s[i];
}

static void path_in(const mbrl_loop *L, char *path, size_t n, const char *name) {
  snprintf(path, n, "%s/%s", L->dir, name);
}

int mbrl_loop_save(mbrl_loop *L, int itr, mbrl_loop_save_fn add, void *ctx, char *err, size_t err_sz) {
  const mbrl_mb_config *c = L->cfg;
  char path[1200], text[512];
  /* metrics.csv as it stands, and how far the event file reaches */
  uint8_t *csv = NULL;
  size_t csv_n = 0;
  path_in(L, path, sizeof path, "metrics.csv");
  int rc = mbrl_io_read_all(path, &csv, &csv_n, err, err_sz);
  if (rc) return rc;
  mbrl_checkpoint *ck = mbrl_alloc(sizeof *ck);
  mbrl_checkpoint_init(ck);
  if (add) add(ck, ctx);
  const char *events = mbrl_metrics_events_path(L->metrics), *base = strrchr(events, '/');
  struct stat sb;
  long long events_n = stat(events, &sb) == 0 ? (long long)sb.st_size : 0;

  uint64_t rng[N_STREAMS * 4];
  for (int i = 0; i < N_STREAMS; i++) memcpy(rng + 4 * i, streams(L, i)->s, sizeof streams(L, i)->s);
  double *hist = mbrl_alloc((size_t)3 * c->n_iter * sizeof(double));
  memcpy(hist, L->h_itr, (size_t)c->n_iter * sizeof(double));
  memcpy(hist + c->n_iter, L->h_eval, (size_t)c->n_iter * sizeof(double));
  memcpy(hist + 2 * c->n_iter, L->h_train, (size_t)c->n_iter * sizeof(double));
  int64_t s_rng = N_STREAMS * 4, s_hist = 3 * (int64_t)c->n_iter, s_csv = (int64_t)csv_n;
  mbrl_checkpoint_add(ck, "loop.rng", MBRL_DTYPE_U64, rng, 1, &s_rng);
  mbrl_checkpoint_add(ck, "loop.history", MBRL_DTYPE_F64, hist, 1, &s_hist);
  mbrl_checkpoint_add(ck, "metrics.csv", MBRL_DTYPE_U8, csv, 1, &s_csv);
  snprintf(text, sizeof text, "%d %lld %d %.17g %.9g %.17g %lld", itr, (long long)L->pr->envsteps, L->n_logged,
           L->initial_return, (double)L->loss, mbrl_time_now() - L->t_start, events_n);
  mbrl_checkpoint_add_meta(ck, "loop", text);
  mbrl_checkpoint_add_meta(ck, "loop.events", base ? base + 1 : events);
  mbrl_checkpoint_add_meta(ck, "loop.video_error", L->video_error);
  mbrl_dynamics_state_add(ck, "model.", &L->dyn);
  mbrl_loop_add_buffer(ck, "buffer.", &L->buf);
  mbrl_checkpoint_add_meta(ck, "format", FORMAT);

  path_in(L, path, sizeof path, "resume.safetensors");
  rc = mbrl_checkpoint_write(ck, path, err, err_sz);
  mbrl_checkpoint_free(ck);
  mbrl_free(ck), mbrl_free(csv), mbrl_free(hist);
  return rc;
}

void mbrl_loop_add_buffer(mbrl_checkpoint *ck, const char *prefix, const mbrl_buffer *b) {
  char name[96], text[96];
  int64_t rows = b->size, s_obs[2] = {rows, b->obs_dim}, s_act[2] = {rows, b->act_dim};
  const float *f[5] = {b->obs, b->act, b->reward, b->next_obs, b->terminal};
  const char *names[5] = {"obs", "act", "reward", "next_obs", "terminal"};
  const int64_t *shapes[5] = {s_obs, s_act, &rows, s_obs, &rows};
  for (int i = 0; i < 5; i++) {
    snprintf(name, sizeof name, "%s%s", prefix, names[i]);
    mbrl_checkpoint_add_f32(ck, name, f[i], shapes[i] == &rows ? 1 : 2, shapes[i]);
  }
  snprintf(name, sizeof name, "%sperm", prefix);
  mbrl_checkpoint_add(ck, name, MBRL_DTYPE_I32, b->perm, 1, &rows);
  snprintf(text, sizeof text, "%d %d %lld", b->size, b->next, (long long)b->added);
  snprintf(name, sizeof name, "%scounters", prefix);
  mbrl_checkpoint_add_meta(ck, name, text);
}

int mbrl_loop_load_buffer(mbrl_buffer *b, const mbrl_safetensors *st, const char *prefix, char *err,
                          size_t err_sz) {
  char name[96];
  snprintf(name, sizeof name, "%scounters", prefix);
  const char *text = mbrl_safetensors_meta_get(st, name);
  int size, next;
  long long added;
  if (!text || sscanf(text, "%d %d %lld", &size, &next, &added) != 3 || size < 0 || size > b->capacity)
    return mbrl_errf(err, err_sz, MBRL_EFORMAT, "metadata '%s' is missing or out of range", name);
  const size_t n = (size_t)size, O = (size_t)b->obs_dim, A = (size_t)b->act_dim;
  float *f = mbrl_alloc(n * (2 * O + A + 2) * sizeof(float) + 1);
  float *part[5] = {f, f + n * O, f + n * (O + A), f + n * (2 * O + A), f + n * (2 * O + A + 1)};
  const size_t count[5] = {n * O, n * A, n * O, n, n};
  const char *names[5] = {"obs", "act", "next_obs", "reward", "terminal"};
  int *perm = mbrl_alloc(n * sizeof(int) + 1);
  int rc = MBRL_OK;
  for (int i = 0; i < 5 && !rc; i++) {
    snprintf(name, sizeof name, "%s%s", prefix, names[i]);
    rc = mbrl_checkpoint_get(st, name, MBRL_DTYPE_F32, part[i], count[i], err, err_sz);
  }
  snprintf(name, sizeof name, "%sperm", prefix);
  if (!rc) rc = mbrl_checkpoint_get(st, name, MBRL_DTYPE_I32, perm, n, err, err_sz);
  if (!rc)
    rc = mbrl_buffer_restore(b, size, next, added, part[0], part[1], part[3], part[2], part[4], perm, err, err_sz);
  mbrl_free(f), mbrl_free(perm);
  return rc;
}

/* the loop's counters, curves and streams as saved; *itr the last finished iteration */
static int restore_loop(mbrl_loop *L, const mbrl_safetensors *st, int *itr, char *err, size_t err_sz) {
  const mbrl_mb_config *c = L->cfg;
  const char *text = mbrl_safetensors_meta_get(st, "loop");
  long long envsteps, events_n;
  double initial, loss, elapsed;
  int n_logged;
  if (!text || sscanf(text, "%d %lld %d %lf %lf %lf %lld", itr, &envsteps, &n_logged, &initial, &loss, &elapsed,
                      &events_n) != 7 ||
      *itr < 0 || envsteps < 0 || n_logged < 0 || n_logged > c->n_iter || events_n < 0)
    return mbrl_errf(err, err_sz, MBRL_EFORMAT, "metadata 'loop' is missing or out of range");
  if (*itr >= c->n_iter - 1)
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "the run finished all its %d iterations: nothing to resume", c->n_iter);
  uint64_t rng[N_STREAMS * 4];
  double *hist = mbrl_alloc((size_t)3 * c->n_iter * sizeof(double));
  int rc = mbrl_checkpoint_get(st, "loop.rng", MBRL_DTYPE_U64, rng, N_STREAMS * 4, err, err_sz);
  if (!rc) rc = mbrl_checkpoint_get(st, "loop.history", MBRL_DTYPE_F64, hist, (size_t)3 * c->n_iter, err, err_sz);
  if (!rc) {
    for (int i = 0; i < N_STREAMS; i++) memcpy(streams(L, i)->s, rng + 4 * i, sizeof streams(L, i)->s);
    memcpy(L->h_itr, hist, (size_t)c->n_iter * sizeof(double));
    memcpy(L->h_eval, hist + c->n_iter, (size_t)c->n_iter * sizeof(double));
    memcpy(L->h_train, hist + 2 * c->n_iter, (size_t)c->n_iter * sizeof(double));
    L->n_logged = n_logged, L->initial_return = initial, L->loss = (float)loss;
    L->pr->envsteps = envsteps;
    L->t_start = mbrl_time_now() - elapsed;
    const char *ve = mbrl_safetensors_meta_get(st, "loop.video_error");
    snprintf(L->video_error, sizeof L->video_error, "%s", ve ? ve : "");
    /* the events written after the saved point go; the run writes a new event file */
    const char *events = mbrl_safetensors_meta_get(st, "loop.events");
    char path[1200];
    struct stat sb;
    if (events && !strchr(events, '/')) {
      path_in(L, path, sizeof path, events);
      if (stat(path, &sb) == 0 && sb.st_size > events_n && truncate(path, (off_t)events_n) != 0)
        rc = mbrl_errf(err, err_sz, MBRL_EIO, "%s: cannot truncate: %s", path, strerror(errno));
    }
  }
  mbrl_free(hist);
  return rc;
}

int mbrl_loop_resume(mbrl_loop *L, const char *dir, mbrl_loop_load_fn load, void *ctx, char *run_dir,
                     size_t run_dir_sz, int *itr, char *err, size_t err_sz) {
  mbrl_safetensors *st_ = NULL, **st = &st_;
  if (strlen(dir) >= sizeof L->dir - 64)
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "run directory path longer than %zu bytes", sizeof L->dir - 64);
  snprintf(L->dir, sizeof L->dir, "%s", dir);
  char path[1200];
  path_in(L, path, sizeof path, "resume.safetensors");
  int rc = mbrl_safetensors_load(st, path, err, err_sz);
  if (rc == MBRL_ENOTFOUND)
    return mbrl_errf(err, err_sz, rc, "%s: no resume.safetensors: the run finished no iteration yet", dir);
  if (rc) return rc;
  const char *fmt = mbrl_safetensors_meta_get(*st, "format");
  if (!fmt || strcmp(fmt, FORMAT))
    rc = mbrl_errf(err, err_sz, MBRL_EFORMAT, "%s is not a run's resume state (format '%s')", path, fmt ? fmt : "");
  if (!rc) rc = restore_loop(L, *st, itr, err, err_sz);
  if (!rc) rc = mbrl_dynamics_state_load(&L->dyn, *st, "model.", err, err_sz);
  if (!rc) rc = mbrl_loop_load_buffer(&L->buf, *st, "buffer.", err, err_sz);
  if (!rc) {
    /* the prediction copies follow the restored weights */
    L->dwork.version = L->dwork.grad_version = -1;
    const mbrl_safetensors_tensor *csv = mbrl_safetensors_find(*st, "metrics.csv");
    if (!csv || csv->dtype != MBRL_DTYPE_U8 || csv->ndim != 1)
      rc = mbrl_errf(err, err_sz, MBRL_EFORMAT, "%s: tensor 'metrics.csv' is missing", path);
    else
      rc = mbrl_metrics_resume(&L->metrics, L->dir, csv->data, (size_t)csv->shape[0], err, err_sz);
  }
  if (!rc && load) rc = load(*st, ctx, err, err_sz);
  if (!rc && run_dir) snprintf(run_dir, run_dir_sz, "%s", dir);
  mbrl_safetensors_free(*st);
  return rc;
}
