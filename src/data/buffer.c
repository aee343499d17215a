/* Transition batches collected episode by episode, and the FIFO replay buffer the dynamics model
 * trains from: ring storage, add_sl_noise, sampling with and without replacement. */
#include <math.h>
#include <string.h>

#include "mbrl/buffer.h"
#include "mbrl/core.h"

/* ---- batches of paths ---- */

void mbrl_paths_init(mbrl_paths *p, int obs_dim, int act_dim, int max_steps) {
  MBRL_ASSERT(obs_dim > 0 && act_dim > 0 && max_steps > 0);
  memset(p, 0, sizeof *p);
  p->obs_dim = obs_dim, p->act_dim = act_dim, p->max_steps = max_steps;
  size_t n = (size_t)max_steps;
  p->obs = mbrl_alloc(n * obs_dim * sizeof(float));
  p->act = mbrl_alloc(n * act_dim * sizeof(float));
  p->reward = mbrl_alloc(n * sizeof(float));
  p->next_obs = mbrl_alloc(n * obs_dim * sizeof(float));
  p->terminal = mbrl_alloc(n * sizeof(float));
  p->ep_return = mbrl_alloc(n * sizeof(double));
  p->ep_len = mbrl_alloc(n * sizeof(int));
}

void mbrl_paths_free(mbrl_paths *p) {
  if (!p) return;
  mbrl_free(p->obs), mbrl_free(p->act), mbrl_free(p->reward), mbrl_free(p->next_obs);
  mbrl_free(p->terminal), mbrl_free(p->ep_return), mbrl_free(p->ep_len);
  memset(p, 0, sizeof *p);
}

mbrl_return_stats mbrl_paths_return_stats(const mbrl_paths *p) {
  mbrl_return_stats s = {0};
  if (p->n_eps == 0) return s;
  double sum = 0.0, len = 0.0;
  s.max = -INFINITY, s.min = INFINITY;
  for (int i = 0; i < p->n_eps; i++) {
    double r = p->ep_return[i];
    sum += r, len += p->ep_len[i];
    s.max = fmax(s.max, r), s.min = fmin(s.min, r);
  }
  s.average = sum / p->n_eps;
  s.average_ep_len = len / p->n_eps;
  double ss = 0.0;
  for (int i = 0; i < p->n_eps; i++) ss += (p->ep_return[i] - s.average) * (p->ep_return[i] - s.average);
  s.std = sqrt(ss / p->n_eps);
  return s;
}

int mbrl_collect(mbrl_paths *p, mbrl_env *env, mbrl_policy_fn policy, mbrl_policy_reset_fn reset,
                 void *policy_ctx, int n_steps, int ep_len, mbrl_rng *rng, char *err, size_t err_sz) {
  const mbrl_env_spec *spec = mbrl_env_get_spec(env);
  const int O = p->obs_dim, A = p->act_dim;
  MBRL_ASSERT(spec->obs_dim == O && spec->act_dim == A && policy && n_steps >= 1);
  if (ep_len <= 0) ep_len = spec->ep_len;
  if (p->max_steps < n_steps - 1 + ep_len)
    return mbrl_errf(err, err_sz, MBRL_EINVAL,
                     "a batch of %d transitions cannot hold %d steps of episodes up to %d long",
                     p->max_steps, n_steps, ep_len);
  p->n = 0, p->n_eps = 0;
  /* whole episodes until the batch holds n_steps */
  while (p->n < n_steps) {
    int start = p->n, rc = mbrl_env_reset(env, mbrl_rng_u64(rng), p->obs + (size_t)start * O);
    if (rc < 0) return mbrl_errf(err, err_sz, rc, "%s", mbrl_env_last_error(env));
    if (reset) reset(policy_ctx);
    double ret = 0.0;
    for (int t = 0;; t++) {
      size_t i = (size_t)start + t;
      float *obs = p->obs + i * O, *act = p->act + i * A, *next = p->next_obs + i * O;
      rc = policy(policy_ctx, obs, act);
      if (rc < 0) {
        p->n = start;
        return mbrl_errf(err, err_sz, rc, "policy failed at step %d of episode %d", t, p->n_eps);
      }
      int term = 0, trunc = 0;
      rc = mbrl_env_step(env, act, next, &p->reward[i], &term, &trunc);
      if (rc < 0) {
        p->n = start;
        return mbrl_errf(err, err_sz, rc, "%s", mbrl_env_last_error(env));
      }
      ret += p->reward[i];
      int end = term || trunc || t + 1 >= ep_len;
      p->terminal[i] = end ? 1.0f : 0.0f;
      if (end) {
        p->n = start + t + 1;
        p->ep_return[p->n_eps] = ret;
        p->ep_len[p->n_eps++] = t + 1;
        break;
      }
      memcpy(obs + O, next, sizeof(float) * (size_t)O); /* the next step's obs */
    }
  }
  return MBRL_OK;
}

/* ---- replay buffer ---- */

void mbrl_buffer_init(mbrl_buffer *buf, int obs_dim, int act_dim, int capacity) {
  MBRL_ASSERT(obs_dim > 0 && act_dim > 0);
  memset(buf, 0, sizeof *buf);
  buf->obs_dim = obs_dim, buf->act_dim = act_dim;
  buf->capacity = capacity > 0 ? capacity : MBRL_BUFFER_DEFAULT_CAPACITY;
}

void mbrl_buffer_free(mbrl_buffer *buf) {
  if (!buf) return;
  mbrl_free(buf->obs), mbrl_free(buf->act), mbrl_free(buf->reward), mbrl_free(buf->next_obs);
  mbrl_free(buf->terminal), mbrl_free(buf->perm);
  memset(buf, 0, sizeof *buf);
}

/* a larger copy of the first n rows of an array of width w */
static void *grow(void *old, size_t n, size_t rows, size_t w, size_t elem) {
  void *p = mbrl_alloc(rows * w * elem);
  if (n) memcpy(p, old, n * w * elem);
  mbrl_free(old);
  return p;
}

/* room for want rows: double the storage, up to capacity; before the buffer is full the rows in
 * use are 0..size-1, so they copy as they are */
static void reserve(mbrl_buffer *buf, int want) {
  if (want <= buf->rows) return;
  int64_t rows = buf->rows > 0 ? buf->rows : 1024;
  while (rows < want) rows *= 2;
  if (rows > buf->capacity) rows = buf->capacity;
  size_t n = (size_t)buf->size, r = (size_t)rows;
  buf->obs = grow(buf->obs, n, r, (size_t)buf->obs_dim, sizeof(float));
  buf->act = grow(buf->act, n, r, (size_t)buf->act_dim, sizeof(float));
  buf->reward = grow(buf->reward, n, r, 1, sizeof(float));
  buf->next_obs = grow(buf->next_obs, n, r, (size_t)buf->obs_dim, sizeof(float));
  buf->terminal = grow(buf->terminal, n, r, 1, sizeof(float));
  buf->perm = grow(buf->perm, n, r, 1, sizeof(int));
  buf->rows = (int)rows;
}

/* adds Normal(0, |0.01 m_j|) to column j of the n rows first, first+1, ... (modulo cap) of dst
 * (cap x w), m_j being the mean of column j over the whole batch src (n_src x w) */
static void add_noise(float *dst, int first, int n, int cap, const float *src, int n_src, int w,
                      mbrl_rng *rng) {
  for (int j = 0; j < w; j++) {
    double m = 0.0;
    for (int i = 0; i < n_src; i++) m += src[(size_t)i * w + j];
    m /= n_src;
    if (m == 0.0) m = 1e-6;
    double std = fabs(0.01 * m);
    for (int k = 0, d = first; k < n; k++, d = d + 1 == cap ? 0 : d + 1)
      dst[(size_t)d * w + j] += (float)(std * mbrl_rng_normal(rng));
  }
}

void mbrl_buffer_add(mbrl_buffer *buf, const mbrl_paths *p, mbrl_rng *noise_rng) {
  MBRL_ASSERT(p->obs_dim == buf->obs_dim && p->act_dim == buf->act_dim);
  const int O = buf->obs_dim, A = buf->act_dim;
  if (p->n == 0) return;
  /* a batch larger than the capacity keeps its tail */
  int skip = p->n > buf->capacity ? p->n - buf->capacity : 0, n = p->n - skip;
  reserve(buf, buf->size + n < buf->capacity ? buf->size + n : buf->capacity);
  /* until the buffer is full, next == size; then next wraps round the oldest rows */
  int first = buf->next;
  for (int k = 0; k < n; k++) {
    size_t s = (size_t)(skip + k), d = (size_t)buf->next;
    memcpy(buf->obs + d * O, p->obs + s * O, sizeof(float) * (size_t)O);
    memcpy(buf->act + d * A, p->act + s * A, sizeof(float) * (size_t)A);
    memcpy(buf->next_obs + d * O, p->next_obs + s * O, sizeof(float) * (size_t)O);
    buf->reward[d] = p->reward[s];
    buf->terminal[d] = p->terminal[s];
    if (buf->size < buf->capacity) buf->perm[buf->size++] = (int)d;
    buf->next = buf->next + 1 == buf->capacity ? 0 : buf->next + 1;
  }
  buf->added += p->n;
  /* add_sl_noise on obs, then independently on next_obs */
  if (noise_rng) {
    add_noise(buf->obs, first, n, buf->capacity, p->obs, p->n, O, noise_rng);
    add_noise(buf->next_obs, first, n, buf->capacity, p->next_obs, p->n, O, noise_rng);
  }
}

int mbrl_buffer_restore(mbrl_buffer *buf, int size, int next, int64_t added, const float *obs, const float *act,
                        const float *reward, const float *next_obs, const float *terminal, const int *perm,
                        char *err, size_t err_sz) {
  if (size < 0 || size > buf->capacity || next < 0 || next >= buf->capacity || (size < buf->capacity && next != size) ||
      added < size)
    return mbrl_errf(err, err_sz, MBRL_EINVAL,
                     "a saved buffer of %d transitions (next row %d, %lld added) does not fit a capacity of %d",
                     size, next, (long long)added, buf->capacity);
  for (int i = 0; i < size; i++)
    if (perm[i] < 0 || perm[i] >= size)
      return mbrl_errf(err, err_sz, MBRL_EINVAL, "a saved buffer's permutation names row %d of %d", perm[i], size);
  buf->size = 0, buf->next = next, buf->added = added;
  if (size == 0) return MBRL_OK;
  reserve(buf, size);
  const size_t n = (size_t)size, O = (size_t)buf->obs_dim, A = (size_t)buf->act_dim;
  memcpy(buf->obs, obs, n * O * sizeof(float));
  memcpy(buf->act, act, n * A * sizeof(float));
  memcpy(buf->reward, reward, n * sizeof(float));
  memcpy(buf->next_obs, next_obs, n * O * sizeof(float));
  memcpy(buf->terminal, terminal, n * sizeof(float));
  memcpy(buf->perm, perm, n * sizeof(int));
  buf->size = size;
  return MBRL_OK;
}

void mbrl_buffer_sample(mbrl_buffer *buf, mbrl_rng *rng, int *idx, int k) {
  MBRL_ASSERT(k >= 0 && k <= buf->size);
  /* partial Fisher-Yates on the kept permutation: its first k entries become a uniform k-subset
   * in uniform order, and the array stays a permutation for the next call */
  int *perm = buf->perm, n = buf->size;
  for (int i = 0; i < k; i++) {
    int j = i + (int)mbrl_rng_below(rng, (uint64_t)(n - i));
    int t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
    idx[i] = perm[i];
  }
}

void mbrl_buffer_sample_replace(const mbrl_buffer *buf, mbrl_rng *rng, int *idx, int k) {
  MBRL_ASSERT(k >= 0 && buf->size >= 1);
  for (int i = 0; i < k; i++) idx[i] = (int)mbrl_rng_below(rng, (uint64_t)buf->size);
}

void mbrl_buffer_gather(const mbrl_buffer *buf, const int *idx, int k, float *obs, float *act,
                        float *reward, float *next_obs, float *terminal) {
  const size_t O = (size_t)buf->obs_dim, A = (size_t)buf->act_dim;
  for (int i = 0; i < k; i++) {
    size_t r = (size_t)idx[i];
    MBRL_ASSERT(idx[i] >= 0 && idx[i] < buf->size);
    if (obs) memcpy(obs + i * O, buf->obs + r * O, O * sizeof(float));
    if (act) memcpy(act + i * A, buf->act + r * A, A * sizeof(float));
    if (next_obs) memcpy(next_obs + i * O, buf->next_obs + r * O, O * sizeof(float));
    if (reward) reward[i] = buf->reward[r];
    if (terminal) terminal[i] = buf->terminal[r];
  }
}
