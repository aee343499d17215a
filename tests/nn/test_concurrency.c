/* The oneDNN backend from several threads at once: each thread gets, bit for bit, what the same
 * call gives alone on the main thread, and threads that come and go leave nothing behind. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "mbrl/core.h"
#include "mbrl/nn.h"
#include "nn/backend.h"
#include "nn_util.h"

enum { WORKERS = 4, SHAPES = 4, ROUNDS = 20, SEQUENTIAL = 50 };

typedef struct {
  int E, B, in, out;
  mbrl_act act;
} shape;

/* every worker runs every shape, each starting at another one, so at any moment the threads run
 * different shapes and also the same shape on different data */
static const shape shapes[SHAPES] = {{5, 200, 20, 250, MBRL_ACT_TANH},
                                      {3, 1000, 27, 250, MBRL_ACT_RELU},
                                      {2, 300, 250, 250, MBRL_ACT_SILU},
                                      {4, 33, 13, 3, MBRL_ACT_IDENTITY}};

/* what one round computes: the fp32 forward, the bf16 forward (bf16 output) and the backward */
typedef struct {
  float *y, *dx, *dw;
  uint16_t *y16;
} outputs;

/* one shape's inputs, the results the main thread got alone, and how many rounds differed from
 * them */
typedef struct {
  shape sh;
  int bf16; /* run the bf16 forward too: only where the CPU has bf16 units */
  float *x, *w, *b, *dy;
  uint16_t *x16, *w16;
  outputs want;
  int mismatches;
} job;

/* one thread's jobs, run from first to last round after round */
typedef struct {
  job *jobs;
  /* threads: OpenMP threads per call, those of the main thread, so that oneDNN splits the work
   * as it did there */
  int n_jobs, rounds, threads;
} worker_args;

static size_t n_x(const shape *s) { return (size_t)s->E * s->B * s->in; }
static size_t n_w(const shape *s) { return (size_t)s->E * s->out * s->in; }
static size_t n_y(const shape *s) { return (size_t)s->E * s->B * s->out; }

static void outputs_init(outputs *o, const shape *s) {
  o->y = mbrl_alloc(n_y(s) * sizeof(float));
  o->dx = mbrl_alloc(n_x(s) * sizeof(float));
  o->dw = mbrl_alloc(n_w(s) * sizeof(float));
  o->y16 = mbrl_alloc(n_y(s) * sizeof(uint16_t));
}

static void outputs_free(outputs *o) { mbrl_free(o->y), mbrl_free(o->dx), mbrl_free(o->dw), mbrl_free(o->y16); }

static int outputs_equal(const outputs *a, const outputs *b, const shape *s, int bf16) {
  return !memcmp(a->y, b->y, n_y(s) * sizeof(float)) && !memcmp(a->dx, b->dx, n_x(s) * sizeof(float)) &&
         !memcmp(a->dw, b->dw, n_w(s) * sizeof(float)) &&
         (!bf16 || !memcmp(a->y16, b->y16, n_y(s) * sizeof(uint16_t)));
}

static void compute(const job *j, outputs *o) {
  const shape *s = &j->sh;
  mbrl_dnnl_linear_forward(o->y, j->x, j->w, j->b, s->E, s->B, s->in, s->out, s->act);
  if (j->bf16)
    mbrl_dnnl_linear_forward_dt(o->y16, j->x16, j->w16, j->b, s->E, s->B, s->in, s->out, s->act, 1, 1);
  /* the weight gradient accumulates: start every round from the same values */
  for (size_t i = 0; i < n_w(s); i++) o->dw[i] = 0.25f;
  mbrl_dnnl_linear_backward(o->dx, o->dw, j->dy, j->x, j->w, s->E, s->B, s->in, s->out);
}

static float *randn(mbrl_rng *r, size_t n, float scale) {
  float *x = mbrl_alloc(n * sizeof(float));
  mbrl_rng_fill_normal(r, x, n, 0.0f, scale);
  return x;
}

/* inputs for shape s, and the results of one round alone on the calling (main) thread */
static void job_init(job *j, const shape *s, uint64_t seed) {
  mbrl_rng r;
  mbrl_rng_init(&r, seed, 0);
  *j = (job){.sh = *s, .bf16 = mbrl_bf16_native()};
  j->x = randn(&r, n_x(s), 1.0f);
  j->w = randn(&r, n_w(s), 1.0f / sqrtf((float)s->in));
  j->b = randn(&r, (size_t)s->E * s->out, 0.5f);
  j->dy = randn(&r, n_y(s), 1.0f);
  j->x16 = mbrl_alloc(n_x(s) * sizeof(uint16_t));
  j->w16 = mbrl_alloc(n_w(s) * sizeof(uint16_t));
  mbrl_bf16_from_f32(j->x16, j->x, n_x(s));
  mbrl_bf16_from_f32(j->w16, j->w, n_w(s));
  outputs_init(&j->want, s);
  compute(j, &j->want);
  /* and the lone result is right, so equal results mean something */
  float *yr = mbrl_alloc(n_y(s) * sizeof(float));
  mbrl_ref_linear_forward(yr, j->x, j->w, j->b, s->E, s->B, s->in, s->out, s->act);
  cr_assert_lt(rel_err(j->want.y, yr, n_y(s)), 1e-5);
  mbrl_free(yr);
}

static void job_free(job *j) {
  mbrl_free(j->x), mbrl_free(j->w), mbrl_free(j->b), mbrl_free(j->dy), mbrl_free(j->x16), mbrl_free(j->w16);
  outputs_free(&j->want);
}

/* a thread's body: its rounds, counting those whose bits differ from the lone run (Criterion's
 * assertions belong to the main thread, so the counts are checked there) */
static void *worker(void *p) {
  worker_args *a = p;
  mbrl_threads_set(a->threads);
  outputs got[SHAPES];
  for (int i = 0; i < a->n_jobs; i++) outputs_init(&got[i], &a->jobs[i].sh);
  for (int r = 0; r < a->rounds; r++)
    for (int i = 0; i < a->n_jobs; i++) {
      job *j = &a->jobs[i];
      compute(j, &got[i]);
      j->mismatches += !outputs_equal(&got[i], &j->want, &j->sh, j->bf16);
    }
  for (int i = 0; i < a->n_jobs; i++) outputs_free(&got[i]);
  return NULL;
}

Test(nn_concurrency, threads_at_once_get_the_lone_results, .timeout = 300) {
  /* thread k's job i has shape (k + i) mod SHAPES and data of its own */
  job jobs[WORKERS][SHAPES];
  worker_args args[WORKERS];
  for (int k = 0; k < WORKERS; k++) {
    for (int i = 0; i < SHAPES; i++) job_init(&jobs[k][i], &shapes[(k + i) % SHAPES], (uint64_t)(k * SHAPES + i + 1));
    args[k] = (worker_args){.jobs = jobs[k], .n_jobs = SHAPES, .rounds = ROUNDS, .threads = mbrl_threads_get()};
  }
  pthread_t th[WORKERS];
  for (int k = 0; k < WORKERS; k++) cr_assert_eq(pthread_create(&th[k], NULL, worker, &args[k]), 0);
  for (int k = 0; k < WORKERS; k++) cr_assert_eq(pthread_join(th[k], NULL), 0);
  for (int k = 0; k < WORKERS; k++)
    for (int i = 0; i < SHAPES; i++) {
      const job *j = &jobs[k][i];
      cr_expect_eq(j->mismatches, 0, "thread %d, E=%d B=%d %d->%d (bf16 %d): %d of %d rounds differ", k, j->sh.E,
                   j->sh.B, j->sh.in, j->sh.out, j->bf16, j->mismatches, ROUNDS);
      job_free(&jobs[k][i]);
    }
}

/* each thread builds a context of its own and exits; under the sanitizers a context its exit did
 * not release shows as a leak */
Test(nn_concurrency, short_lived_threads_one_after_another, .timeout = 300) {
  job jobs[2];
  job_init(&jobs[0], &shapes[0], 11);
  job_init(&jobs[1], &shapes[3], 12);
  for (int i = 0; i < SEQUENTIAL; i++) {
    worker_args a = {.jobs = &jobs[i % 2], .n_jobs = 1, .rounds = 1, .threads = mbrl_threads_get()};
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, worker, &a), 0);
    cr_assert_eq(pthread_join(th, NULL), 0);
  }
  int mismatches = jobs[0].mismatches + jobs[1].mismatches;
  cr_expect_eq(mismatches, 0, "%d of %d threads got other results than the main thread", mismatches, SEQUENTIAL);
  job_free(&jobs[0]), job_free(&jobs[1]);
}
