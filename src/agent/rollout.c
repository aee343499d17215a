/* Model rollouts: a batch of short policy trajectories through an ensemble model from states of
 * real data, written rollout by rollout as paths. */
#include <math.h>
#include <string.h>

#include "mbrl/core.h"
#include "mbrl/rollout.h"

int mbrl_rollout_init(mbrl_rollout *ro, const mbrl_rollout_config *cfg, const mbrl_model *model,
                      const mbrl_task *task, mbrl_rng *rng, char *err, size_t err_sz) {
  memset(ro, 0, sizeof *ro);
  if (cfg->max_B < 1 || cfg->length < 1)
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "rollouts: max_B %d and length %d must be at least 1",
                     cfg->max_B, cfg->length);
  const size_t B = (size_t)cfg->max_B, O = (size_t)model->obs_dim, A = (size_t)model->act_dim;
  const mbrl_propagate_config pc = {.mode = cfg->random_member ? MBRL_PROP_TS1 : MBRL_PROP_EXPECTATION,
                                    .particles = 1};
  int rc = mbrl_propagate_init(&ro->prop, &pc, model, task, cfg->max_B, err, err_sz);
  if (rc) return rc;
  ro->cfg = *cfg;
  ro->obs_dim = model->obs_dim, ro->act_dim = model->act_dim;
  mbrl_paths_init(&ro->paths, model->obs_dim, model->act_dim, cfg->max_B * cfg->length);
  mbrl_rng_split(&ro->rng, rng, 0x726f6c); /* "rol" */
  ro->idx = mbrl_alloc(B * sizeof(int));
  ro->len = mbrl_alloc(B * sizeof(int));
  ro->s = mbrl_alloc(B * O * sizeof(float));
  ro->a = mbrl_alloc(B * A * sizeof(float));
  ro->next = mbrl_alloc(B * O * sizeof(float));
  ro->term = mbrl_alloc(B * sizeof(float));
  ro->rew = mbrl_alloc(B * sizeof(float));
  return MBRL_OK;
}

void mbrl_rollout_free(mbrl_rollout *ro) {
  if (!ro) return;
  mbrl_paths_free(&ro->paths);
  mbrl_free(ro->idx), mbrl_free(ro->len);
  mbrl_free(ro->s), mbrl_free(ro->a), mbrl_free(ro->next), mbrl_free(ro->term), mbrl_free(ro->rew);
  mbrl_propagate_free(&ro->prop);
  memset(ro, 0, sizeof *ro);
}

int mbrl_rollout_run(mbrl_rollout *ro, mbrl_batch_policy_fn policy, void *policy_ctx, const mbrl_buffer *start,
                     int B, char *err, size_t err_sz) {
  const int O = ro->obs_dim, A = ro->act_dim, L = ro->cfg.length;
  const mbrl_model *model = &ro->prop.model;
  const mbrl_task *task = &ro->prop.task;
  MBRL_ASSERT(B >= 1 && B <= ro->cfg.max_B);
  MBRL_ASSERT(start->obs_dim == O && start->act_dim == A);
  if (model->ready && !model->ready(model->ctx))
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "rollouts: the model is not ready (no statistics yet)");
  if (start->size < 1) return mbrl_errf(err, err_sz, MBRL_EINVAL, "rollouts: no start states");
  mbrl_paths *p = &ro->paths;
  p->n = 0, p->n_eps = 0;

  /* start states and terminals from real rows */
  mbrl_buffer_sample_replace(start, &ro->rng, ro->idx, B);
  mbrl_buffer_gather(start, ro->idx, B, ro->s, NULL, NULL, NULL, ro->term);
  /* len[b] counts the steps kept: a rollout lives at step t while len[b] == t */
  for (int b = 0; b < B; b++) {
    float *sb = ro->s + (size_t)b * O;
    ro->len[b] = mbrl_all_finite(sb, (size_t)O) ? 0 : -1;
    if (ro->len[b] < 0) memset(sb, 0, (size_t)O * sizeof(float)); /* the policy still sees a number */
  }

  for (int t = 0; t < L; t++) {
    int rc = policy(policy_ctx, ro->s, ro->a, B);
    if (rc < 0) return mbrl_errf(err, err_sz, rc, "rollouts: the policy failed at step %d", t);
    if ((rc = mbrl_propagate_step(&ro->prop, ro->s, ro->a, ro->next, B, &ro->rng)))
      return mbrl_errf(err, err_sz, rc, "rollouts: the model failed at step %d", t);
    task->reward(task->ctx, ro->s, ro->a, ro->cfg.reward_next ? ro->next : ro->s, B, ro->rew, NULL);
    for (int b = 0; b < B; b++) {
      const float *nb = ro->next + (size_t)b * O;
      if (ro->len[b] != t || !mbrl_all_finite(nb, (size_t)O) || !isfinite(ro->rew[b])) continue;
      size_t row = (size_t)b * L + (size_t)t;
      memcpy(p->obs + row * O, ro->s + (size_t)b * O, (size_t)O * sizeof(float));
      memcpy(p->act + row * A, ro->a + (size_t)b * A, (size_t)A * sizeof(float));
      memcpy(p->next_obs + row * O, nb, (size_t)O * sizeof(float));
      p->reward[row] = ro->rew[b];
      p->terminal[row] = ro->term[b];
      ro->len[b] = t + 1;
      memcpy(ro->s + (size_t)b * O, nb, (size_t)O * sizeof(float)); /* an ended one keeps its last state */
    }
  }

  /* close the gaps of rollouts that ended early; rows only move down */
  for (int b = 0; b < B; b++) {
    int n = ro->len[b] > 0 ? ro->len[b] : 0;
    ro->cut += L - n;
    if (n == 0) continue;
    size_t src = (size_t)b * L, dst = (size_t)p->n;
    double ret = 0.0;
    for (int t = 0; t < n; t++, src++, dst++) {
      if (src != dst) {
        memmove(p->obs + dst * O, p->obs + src * O, (size_t)O * sizeof(float));
        memmove(p->act + dst * A, p->act + src * A, (size_t)A * sizeof(float));
        memmove(p->next_obs + dst * O, p->next_obs + src * O, (size_t)O * sizeof(float));
        p->reward[dst] = p->reward[src];
        p->terminal[dst] = p->terminal[src];
      }
      ret += p->reward[dst];
    }
    p->n += n;
    p->ep_return[p->n_eps] = ret;
    p->ep_len[p->n_eps++] = n;
  }
  ro->rollouts += B;
  ro->transitions += p->n;
  return MBRL_OK;
}
