/* Replay buffer and trajectory collection: FIFO eviction, sampling with and without replacement,
 * add_sl_noise statistics, whole-episode collection on obstacles. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "mbrl/buffer.h"
#include "mbrl/core.h"

/* a batch of n transitions whose obs[0] is id0 + i, so rows can be traced */
static void fill_ids(mbrl_paths *p, int n, int id0) {
  p->n = n, p->n_eps = 0;
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < p->obs_dim; j++) {
      p->obs[i * p->obs_dim + j] = (float)(id0 + i) + 0.25f * j;
      p->next_obs[i * p->obs_dim + j] = (float)(id0 + i) + 0.5f + 0.25f * j;
    }
    for (int j = 0; j < p->act_dim; j++) p->act[i * p->act_dim + j] = -(float)(id0 + i);
    p->reward[i] = 10.0f * (float)(id0 + i);
    p->terminal[i] = (float)((id0 + i) % 2);
  }
}

/* marks which ids the buffer holds in seen (n_ids), checking every row's fields agree */
static void held_ids(const mbrl_buffer *b, int *seen, int n_ids) {
  memset(seen, 0, sizeof(int) * (size_t)n_ids);
  for (int r = 0; r < b->size; r++) {
    int id = (int)b->obs[r * b->obs_dim];
    cr_assert(id >= 0 && id < n_ids);
    cr_assert_eq(b->act[r * b->act_dim], -(float)id);
    cr_assert_eq(b->reward[r], 10.0f * (float)id);
    cr_assert_eq(b->next_obs[r * b->obs_dim + 1], (float)id + 0.75f);
    cr_assert_eq(b->terminal[r], (float)(id % 2));
    seen[id]++;
  }
}

Test(model_buffer, fifo_evicts_the_oldest) {
  mbrl_paths p;
  mbrl_paths_init(&p, 2, 1, 64);
  mbrl_buffer b;
  mbrl_buffer_init(&b, 2, 1, 10);
  int seen[64];
  fill_ids(&p, 7, 0);
  mbrl_buffer_add(&b, &p, NULL);
  cr_assert_eq(b.size, 7);
  fill_ids(&p, 7, 7);
  mbrl_buffer_add(&b, &p, NULL);
  cr_assert_eq(b.size, 10);
  cr_assert_eq(b.added, 14);
  held_ids(&b, seen, 64);
  for (int id = 0; id < 14; id++) cr_expect_eq(seen[id], id >= 4, "id %d", id);
  /* a batch larger than the capacity keeps its tail */
  fill_ids(&p, 25, 20);
  mbrl_buffer_add(&b, &p, NULL);
  cr_assert_eq(b.size, 10);
  held_ids(&b, seen, 64);
  for (int id = 0; id < 64; id++) cr_expect_eq(seen[id], id >= 35 && id < 45, "id %d", id);
  mbrl_buffer_free(&b);
  mbrl_paths_free(&p);
}

Test(model_buffer, default_capacity_grows_storage_as_needed) {
  mbrl_paths p;
  mbrl_paths_init(&p, 3, 2, 3000);
  mbrl_buffer b;
  mbrl_buffer_init(&b, 3, 2, 0);
  cr_assert_eq(b.capacity, MBRL_BUFFER_DEFAULT_CAPACITY);
  static int seen[9000];
  for (int k = 0; k < 3; k++) {
    fill_ids(&p, 3000, 3000 * k);
    mbrl_buffer_add(&b, &p, NULL);
  }
  cr_assert_eq(b.size, 9000);
  cr_assert(b.rows >= 9000 && b.rows < 20000);
  held_ids(&b, seen, 9000);
  for (int id = 0; id < 9000; id++) cr_assert_eq(seen[id], 1);
  mbrl_buffer_free(&b);
  mbrl_paths_free(&p);
}

Test(model_buffer, sampling_without_replacement_is_distinct_and_uniform) {
  const int n = 50, k = 10, draws = 4000;
  mbrl_paths p;
  mbrl_paths_init(&p, 1, 1, n);
  mbrl_buffer b;
  mbrl_buffer_init(&b, 1, 1, 40);
  fill_ids(&p, n, 0); /* capacity 40: ids 10..49 */
  mbrl_buffer_add(&b, &p, NULL);
  mbrl_rng r;
  mbrl_rng_init(&r, 5, 0);
  int idx[40], count[40] = {0}, first[40] = {0};
  for (int d = 0; d < draws; d++) {
    mbrl_buffer_sample(&b, &r, idx, k);
    int mark[40] = {0};
    for (int i = 0; i < k; i++) {
      cr_assert(idx[i] >= 0 && idx[i] < 40);
      cr_assert_eq(mark[idx[i]]++, 0, "row %d drawn twice", idx[i]);
      count[idx[i]]++;
    }
    first[idx[0]]++;
  }
  /* each row is drawn with probability k/size = 1/4: expected 1000, std ~27 */
  for (int i = 0; i < 40; i++) cr_expect(fabs(count[i] - 1000.0) < 140, "row %d drawn %d times", i, count[i]);
  /* the order is random too: each row comes first ~100 times */
  for (int i = 0; i < 40; i++) cr_expect(first[i] > 50 && first[i] < 160, "row %d first %d times", i, first[i]);
  /* k = size is a permutation */
  mbrl_buffer_sample(&b, &r, idx, 40);
  int mark[40] = {0};
  for (int i = 0; i < 40; i++) mark[idx[i]]++;
  for (int i = 0; i < 40; i++) cr_assert_eq(mark[i], 1);
  mbrl_buffer_free(&b);
  mbrl_paths_free(&p);
}

Test(model_buffer, sampling_with_replacement_repeats_rows) {
  mbrl_paths p;
  mbrl_paths_init(&p, 1, 1, 8);
  mbrl_buffer b;
  mbrl_buffer_init(&b, 1, 1, 100);
  fill_ids(&p, 8, 0);
  mbrl_buffer_add(&b, &p, NULL);
  mbrl_rng r;
  mbrl_rng_init(&r, 6, 0);
  int idx[64], count[8] = {0};
  mbrl_buffer_sample_replace(&b, &r, idx, 64);
  for (int i = 0; i < 64; i++) {
    cr_assert(idx[i] >= 0 && idx[i] < 8);
    count[idx[i]]++;
  }
  for (int i = 0; i < 8; i++) cr_expect(count[i] > 0 && count[i] < 20);
  /* gathering returns the rows asked for, in order */
  float obs[64], act[64], rew[64], nobs[64], term[64];
  mbrl_buffer_gather(&b, idx, 64, obs, act, rew, nobs, term);
  for (int i = 0; i < 64; i++) {
    cr_assert_eq(obs[i], b.obs[idx[i]]);
    cr_assert_eq(act[i], -obs[i]);
    cr_assert_eq(rew[i], 10.0f * obs[i]);
    cr_assert_eq(nobs[i], obs[i] + 0.5f);
    cr_assert_eq(term[i], (float)((int)obs[i] % 2));
  }
  mbrl_buffer_free(&b);
  mbrl_paths_free(&p);
}

Test(model_buffer, sl_noise_is_one_percent_of_the_column_mean) {
  /* obs columns: constant 5, constant 0, alternating +-1e-6 (mean exactly 0, and small enough
   * that float32 holds noise of 1e-8); next_obs: -10, 2, 3 */
  const int n = 20000;
  mbrl_paths p;
  mbrl_paths_init(&p, 3, 1, n);
  p.n = n;
  for (int i = 0; i < n; i++) {
    float *o = p.obs + 3 * i, *o2 = p.next_obs + 3 * i;
    o[0] = 5.0f, o[1] = 0.0f, o[2] = i % 2 ? 1e-6f : -1e-6f;
    o2[0] = -10.0f, o2[1] = 2.0f, o2[2] = 3.0f;
    p.act[i] = 0.5f, p.reward[i] = 1.0f;
  }
  mbrl_buffer b;
  mbrl_buffer_init(&b, 3, 1, n);
  mbrl_rng r;
  mbrl_rng_init(&r, 7, 0);
  mbrl_buffer_add(&b, &p, &r);
  const double want_obs[3] = {0.05, 1e-8, 1e-8}, want_next[3] = {0.1, 0.02, 0.03};
  double cross = 0.0;
  for (int j = 0; j < 3; j++) {
    double m = 0, v = 0, m2 = 0, v2 = 0;
    for (int i = 0; i < n; i++) {
      double u = (double)b.obs[3 * i + j] - p.obs[3 * i + j], w = (double)b.next_obs[3 * i + j] - p.next_obs[3 * i + j];
      m += u, v += u * u, m2 += w, v2 += w * w;
      if (j == 0) cross += u * w;
    }
    double sd = sqrt(v / n), sd2 = sqrt(v2 / n);
    /* the sample std of 20000 normals is within 3% of the truth with overwhelming odds */
    cr_expect(fabs(sd / want_obs[j] - 1) < 0.03, "obs column %d noise std %g, want %g", j, sd, want_obs[j]);
    cr_expect(fabs(sd2 / want_next[j] - 1) < 0.03, "next_obs column %d noise std %g, want %g", j, sd2, want_next[j]);
    cr_expect(fabs(m / n) < 0.03 * want_obs[j] && fabs(m2 / n) < 0.03 * want_next[j]);
  }
  /* obs and next_obs noises are independent */
  cr_expect(fabs(cross / n / (0.05 * 0.1)) < 0.05, "correlation %g", cross / n / (0.05 * 0.1));
  /* actions, rewards and the source batch are untouched */
  for (int i = 0; i < n; i++) {
    cr_assert_eq(b.act[i], 0.5f);
    cr_assert_eq(b.reward[i], 1.0f);
    cr_assert_eq(p.obs[3 * i], 5.0f);
  }
  mbrl_buffer_free(&b);
  mbrl_paths_free(&p);
}

/* ---- collection ---- */

typedef struct {
  mbrl_rng rng;
  int calls, fail_at;
  int resets, calls_at_reset; /* episode starts, and the actions taken before the last one */
} rand_policy;

static int random_act(void *ctx, const float *obs, float *act) {
  rand_policy *rp = ctx;
  (void)obs;
  if (++rp->calls == rp->fail_at) return MBRL_EINVAL;
  mbrl_rng_fill_uniform(&rp->rng, act, 2, -0.99f, 0.99f);
  return 0;
}

/* counts episode starts, and checks that each comes before the episode's first action */
static void count_reset(void *ctx) {
  rand_policy *rp = ctx;
  rp->resets++;
  rp->calls_at_reset = rp->calls;
}

/* a random walk drifting toward the goal, so episodes can end early on done */
static int drift_act(void *ctx, const float *obs, float *act) {
  rand_policy *rp = ctx;
  for (int i = 0; i < 2; i++) {
    float to = obs[2 + i] - obs[i], u = (float)mbrl_rng_uniform(&rp->rng) - 0.5f;
    act[i] = fmaxf(-0.99f, fminf(0.99f, (to > 0 ? 0.6f : -0.6f) * fminf(1.0f, 10.0f * fabsf(to)) + 1.2f * u));
  }
  return 0;
}

static void check_batch(const mbrl_paths *p, int n_steps, int ep_len) {
  cr_assert(p->n >= n_steps && p->n < n_steps + ep_len, "%d transitions", p->n);
  int row = 0;
  for (int e = 0; e < p->n_eps; e++) {
    double ret = 0;
    cr_assert(p->ep_len[e] >= 1 && p->ep_len[e] <= ep_len);
    for (int t = 0; t < p->ep_len[e]; t++, row++) {
      int last = t == p->ep_len[e] - 1;
      cr_assert_eq(p->terminal[row], last ? 1.0f : 0.0f, "row %d", row);
      if (!last) cr_assert_eq(memcmp(p->next_obs + 4 * row, p->obs + 4 * (row + 1), 4 * sizeof(float)), 0);
      /* reward is -|p' - g| on the next observation */
      const float *o = p->next_obs + 4 * row;
      cr_assert_float_eq(p->reward[row], -hypotf(o[0] - o[2], o[1] - o[3]), 1e-6);
      ret += p->reward[row];
    }
    cr_assert_float_eq(p->ep_return[e], ret, 1e-9);
  }
  cr_assert_eq(row, p->n);
  /* only the last episode takes the total past n_steps */
  cr_assert(row - p->ep_len[p->n_eps - 1] < n_steps);
}

Test(model_collect, whole_episodes_until_n_steps) {
  mbrl_env *env;
  mbrl_env_make(&env, "obstacles-cs285-v0", NULL, 0);
  cr_assert_not_null(env);
  mbrl_paths p;
  mbrl_paths_init(&p, 4, 2, 100 + 30);
  rand_policy rp = {.fail_at = -1};
  mbrl_rng_init(&rp.rng, 8, 0);
  mbrl_rng r;
  mbrl_rng_init(&r, 9, 0);
  char err[256] = "";
  cr_assert_eq(mbrl_collect(&p, env, random_act, NULL, &rp, 100, 30, &r, err, sizeof err), 0, "%s", err);
  check_batch(&p, 100, 30);
  /* a random walk from the top left never gets near the goal: every episode runs 30 steps */
  cr_expect_eq(p.n_eps, 4);
  cr_expect_eq(p.n, 120);
  /* stored actions are as the policy gave them */
  for (int i = 0; i < 2 * p.n; i++) cr_assert(fabsf(p.act[i]) <= 0.99f);
  mbrl_return_stats s = mbrl_paths_return_stats(&p);
  double m = (p.ep_return[0] + p.ep_return[1] + p.ep_return[2] + p.ep_return[3]) / 4, v = 0;
  for (int e = 0; e < 4; e++) v += (p.ep_return[e] - m) * (p.ep_return[e] - m);
  cr_expect_float_eq(s.average, m, 1e-9);
  cr_expect_float_eq(s.std, sqrt(v / 4), 1e-9);
  cr_expect_eq(s.average_ep_len, 30.0);
  cr_expect(s.max >= s.average && s.min <= s.average && s.max > s.min);
  /* the batch must hold n_steps - 1 + ep_len; drifting episodes can end on done */
  cr_assert_eq(mbrl_collect(&p, env, drift_act, NULL, &rp, 200, 0, &r, err, sizeof err), MBRL_EINVAL);
  mbrl_paths_free(&p);
  mbrl_paths_init(&p, 4, 2, 200 + 100);
  cr_assert_eq(mbrl_collect(&p, env, drift_act, NULL, &rp, 200, 0, &r, err, sizeof err), 0, "%s", err);
  check_batch(&p, 200, 100);
  int early = 0;
  for (int e = 0; e < p.n_eps; e++) early += p.ep_len[e] < 100;
  cr_expect(early >= 1 && p.n_eps >= 3, "%d episodes, %d ended early", p.n_eps, early);
  mbrl_paths_free(&p);
  mbrl_env_free(env);
}

Test(model_collect, the_policy_is_reset_before_each_episode) {
  mbrl_env *env;
  mbrl_env_make(&env, "obstacles-cs285-v0", NULL, 0);
  mbrl_paths p;
  mbrl_paths_init(&p, 4, 2, 100 + 30);
  rand_policy rp = {.fail_at = -1};
  mbrl_rng_init(&rp.rng, 8, 0);
  mbrl_rng r;
  mbrl_rng_init(&r, 9, 0);
  char err[256] = "";
  cr_assert_eq(mbrl_collect(&p, env, random_act, count_reset, &rp, 100, 30, &r, err, sizeof err), 0, "%s", err);
  cr_expect_eq(rp.resets, p.n_eps);
  cr_expect_eq(rp.calls_at_reset, p.n - p.ep_len[p.n_eps - 1], "the last reset came before its episode's steps");
  mbrl_paths_free(&p);
  mbrl_env_free(env);
}

Test(model_collect, policy_failure_stops_with_its_code) {
  mbrl_env *env;
  mbrl_env_make(&env, "obstacles-cs285-v0", NULL, 0);
  mbrl_paths p;
  mbrl_paths_init(&p, 4, 2, 200);
  rand_policy rp = {.fail_at = 45};
  mbrl_rng_init(&rp.rng, 8, 0);
  mbrl_rng r;
  mbrl_rng_init(&r, 9, 0);
  char err[256] = "";
  cr_assert_eq(mbrl_collect(&p, env, random_act, NULL, &rp, 100, 20, &r, err, sizeof err), MBRL_EINVAL);
  cr_expect(strstr(err, "policy") != NULL, "%s", err);
  /* the two finished episodes remain */
  cr_expect_eq(p.n, 40);
  cr_expect_eq(p.n_eps, 2);
  mbrl_paths_free(&p);
  mbrl_env_free(env);
}
