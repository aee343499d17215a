/* Transitions: batches of whole episodes collected from an environment, and a FIFO replay buffer
 * that samples them uniformly, with or without replacement.
 *
 * A transition is (obs, act, reward, next_obs, terminal), stored as flat float32 arrays, one row
 * per transition. terminal is 1 on the last step of each collected episode, whether the episode
 * ended on the environment's done or on the step limit (as CS285 stores it).
 */
#ifndef MBRL_BUFFER_H
#define MBRL_BUFFER_H

#include <stddef.h>
#include <stdint.h>

#include "mbrl/env.h"
#include "mbrl/policy.h"
#include "mbrl/rng.h"

#pragma GCC visibility push(default)

#define MBRL_BUFFER_DEFAULT_CAPACITY 1000000

/* A batch of transitions from whole episodes, in the order they were taken. */
typedef struct mbrl_paths {
  int obs_dim, act_dim;
  int max_steps;     /* transitions it can hold */
  int n;             /* transitions held */
  int n_eps;         /* episodes held (at most max_steps) */
  float *obs;        /* (max_steps x obs_dim) */
  float *act;        /* (max_steps x act_dim) as the policy gave it, before the env clips it */
  float *reward;     /* (max_steps) */
  float *next_obs;   /* (max_steps x obs_dim) */
  float *terminal;   /* (max_steps) 1 on the last step of each episode, else 0 */
  double *ep_return; /* (max_steps) undiscounted return of each episode */
  int *ep_len;       /* (max_steps) steps of each episode */
} mbrl_paths;

/* Summary of the episodes of a batch, as CS285 logs it (Train_ or Eval_ prefix). */
typedef struct mbrl_return_stats {
  double average, std, max, min; /* of the episode returns; std is the population std */
  double average_ep_len;
} mbrl_return_stats;

/* Allocates an empty batch for up to max_steps transitions (at least n_steps - 1 + ep_len for a
 * collection of n_steps with episodes of at most ep_len steps). */
void mbrl_paths_init(mbrl_paths *p, int obs_dim, int act_dim, int max_steps);

/* Frees a batch; NULL is a no-op. */
void mbrl_paths_free(mbrl_paths *p);

/* Return statistics of the episodes held (all zero when there are none). */
mbrl_return_stats mbrl_paths_return_stats(const mbrl_paths *p);

/* Replaces the batch in p with whole episodes of env under policy until at least n_steps
 * transitions are held (the last episode runs to its end, so up to ep_len - 1 more). An episode
 * ends on the environment's terminated or truncated, or after ep_len steps (ep_len <= 0: the
 * environment's); each starts from mbrl_env_reset with a seed drawn from rng, then reset (may be
 * NULL) with policy_ctx. Returns 0;
 * MBRL_EINVAL when p cannot hold n_steps - 1 + ep_len transitions; or the negative code of a
 * failing policy or environment (message in err, may be NULL), p then holding the episodes
 * finished before the failure. */
int mbrl_collect(mbrl_paths *p, mbrl_env *env, mbrl_policy_fn policy, mbrl_policy_reset_fn reset,
                 void *policy_ctx, int n_steps, int ep_len, mbrl_rng *rng, char *err, size_t err_sz);

/* A FIFO of transitions: once capacity is reached, each added transition replaces the oldest. */
typedef struct mbrl_buffer {
  int obs_dim, act_dim;
  int capacity;     /* most transitions held */
  int size;         /* transitions held; rows 0..size-1 are valid, in no particular order */
  int next;         /* row the next transition goes to: size until full, then the oldest */
  int rows;         /* rows allocated: storage grows on add, up to capacity */
  int64_t added;    /* transitions added since init */
  float *obs;       /* (rows x obs_dim) */
  float *act;       /* (rows x act_dim) */
  float *reward;    /* (rows) */
  float *next_obs;  /* (rows x obs_dim) */
  float *terminal;  /* (rows) */
  int *perm;        /* (rows) a permutation of 0..size-1 kept between samples */
} mbrl_buffer;

/* Sets up an empty buffer of capacity transitions (<= 0: MBRL_BUFFER_DEFAULT_CAPACITY); memory
 * is taken as transitions arrive, never more than capacity rows. */
void mbrl_buffer_init(mbrl_buffer *buf, int obs_dim, int act_dim, int capacity);

/* Frees a buffer; NULL is a no-op. */
void mbrl_buffer_free(mbrl_buffer *buf);

/* Appends every transition of p, evicting the oldest beyond capacity (of a batch larger than
 * the capacity only its tail is kept). With noise_rng (may be NULL: no noise) the stored obs and
 * next_obs get CS285's add_sl_noise, each separately: column j of the batch gets Normal(0,
 * |0.01 m_j|) noise, m_j being the column's mean over the whole batch (1e-6 where it is 0);
 * p itself is not changed. */
void mbrl_buffer_add(mbrl_buffer *buf, const mbrl_paths *p, mbrl_rng *noise_rng);

/* Replaces the contents of buf with size rows saved from a buffer of the same sizes and capacity:
 * obs, act, reward, next_obs, terminal and its sampling permutation perm (size each, rows of
 * width obs_dim / act_dim / 1), its next row and its count of transitions added, so that it then
 * samples and adds exactly as the saved one. Returns 0 or MBRL_EINVAL (message in err) when they
 * do not fit: size beyond the capacity, next or a perm entry out of range. */
int mbrl_buffer_restore(mbrl_buffer *buf, int size, int next, int64_t added, const float *obs, const float *act,
                        const float *reward, const float *next_obs, const float *terminal, const int *perm,
                        char *err, size_t err_sz);

/* Writes k distinct rows (0 <= k <= size) drawn uniformly without replacement into idx (k), in
 * random order, as numpy's permutation(size)[:k]; O(k) per call. */
void mbrl_buffer_sample(mbrl_buffer *buf, mbrl_rng *rng, int *idx, int k);

/* Writes k rows drawn uniformly with replacement into idx (k); size >= 1. */
void mbrl_buffer_sample_replace(const mbrl_buffer *buf, mbrl_rng *rng, int *idx, int k);

/* Copies rows idx (k) into obs (k x obs_dim), act (k x act_dim), reward (k), next_obs
 * (k x obs_dim) and terminal (k); each output may be NULL. */
void mbrl_buffer_gather(const mbrl_buffer *buf, const int *idx, int k, float *obs, float *act,
                        float *reward, float *next_obs, float *terminal);

#pragma GCC visibility pop

#endif
