/* Soft actor-critic (SAC) as CS285 HW4 carries it over from the HW3 solutions: twin Q critics
 * with soft-updated targets, a squashed-Gaussian actor and a learned temperature, each with Adam.
 *
 * Networks. The critics are ONE ensemble of E = 2 members, each an MLP [s, a] -> Q with n_layers
 * hidden ReLU layers of size units; the targets are a second ensemble of the same shape, a copy
 * at init. The actor's mean is an MLP s -> act_dim with n_layers tanh hidden layers of size
 * units; its log-std is a learned vector (act_dim), state-independent, initialised to 0 and
 * clamped to [log_std_min, log_std_max] = [-20, 2] where it is used (no gradient beyond the
 * bounds, as torch.clamp). All weights are initialised as PyTorch's nn.Linear.
 *
 * Policy. x = mu(s) + std * eps with eps ~ N(0, I); the action is a = mid + half * tanh(x) with
 * mid = (act_high + act_low) / 2 and half = (act_high - act_low) / 2. The log-probability is the
 * squashed Gaussian's, log pi = sum_j [log N(x_j; mu_j, std_j) - 2 (log 2 - x_j - softplus(-2 x_j))],
 * the density of tanh(x) on (-1, 1): the constant log(half) of the rescaling is left out, as in
 * the reference. Acting with the mean gives mid + half * tanh(mu).
 *
 * One update (mbrl_sac_update), in the reference's order:
 *   1. critics: a' ~ pi(s'), y = r + gamma (1 - d) (min(Q1', Q2')(s', a') - alpha log pi(a'|s')),
 *      Critic_Loss = MSE(Q1(s, a), y) + MSE(Q2(s, a), y), one Adam step over both critics;
 *   2. targets: theta' <- tau theta + (1 - tau) theta' with tau = 0.005;
 *   3. actor: a ~ pi(s) by reparameterisation (fresh eps), Actor_Loss = mean(alpha log pi -
 *      min(Q1, Q2)(s, a)) with the updated critics, the gradient flowing through the critics into
 *      a, through tanh and the sample into the mean network and the log-std; alpha is a constant;
 *   4. temperature: Alpha_Loss = mean(-alpha (log pi + target_entropy)) on the same sample, log pi
 *      a constant, target_entropy = -act_dim; Adam on log_alpha (init log(init_temperature)).
 * The HW3 agent's schedule, with every count 1 by default: an update takes critic_updates critic
 * steps, each followed by step 2 when the update count is a multiple of target_update_freq, then,
 * when the count is a multiple of actor_update_freq, actor_updates actor and temperature steps.
 * The actor, its log-std and log_alpha each have their own Adam (Adam works elementwise, so this
 * is the reference's one optimiser over mean net and log-std); every Adam uses lr. Temperature is
 * alpha after the step.
 *
 * Where this differs from the reference. The reference critics see buffer actions in the env's
 * scale but, in the actor and target computations, the unscaled tanh sample; here the critics
 * always see the scaled action. The two agree when the range is [-1, 1] (cheetah). The action
 * range is a scalar pair [act_low, act_high] as the reference's [min(low), max(high)]. Ties of
 * min(Q1, Q2) send the gradient to Q1. An update whose loss or gradient is not finite is skipped
 * (the critic part and the actor part separately) and counted.
 *
 * Terminals. d = 1 stops the bootstrap. CS285's buffer stores 1 on the last step of every
 * episode, step limit included; on pendulum swing-up (64-wide networks) 3 of 4 such runs stayed
 * between -1000 and -1300 after 60 to 100 episodes, where storing 0 at the step limit learned the
 * swing-up (about -350) within 50 episodes on each of 6 seeds.
 *
 * Memory. Scratch for batch_size rows (updates) and act_batch rows (acting) is allocated at init;
 * act and update allocate nothing, and an agent serves one thread at a time. Randomness comes
 * from three streams split from the init rng: acting, the update's samples, and the rows
 * mbrl_sac_train_step draws.
 */
#ifndef MBRL_SAC_H
#define MBRL_SAC_H

#include <stddef.h>
#include <stdint.h>

#include "mbrl/buffer.h"
#include "mbrl/config.h"
#include "mbrl/nn.h"
#include "mbrl/rng.h"

#pragma GCC visibility push(default)

/* the reference's SAC replay buffer: a FIFO (mbrl_buffer) of this capacity */
#define MBRL_SAC_BUFFER_CAPACITY 100000

typedef struct mbrl_sac_config {
  int obs_dim, act_dim;
  float act_low, act_high;        /* action range ([-1, 1]); the reference's [min(low), max(high)] */
  float gamma;                    /* discount (0.99) */
  int n_layers;                   /* hidden layers of actor and critics (2) */
  int size;                       /* hidden width (256) */
  float lr;                       /* Adam learning rate of all three parts (3e-4) */
  float init_temperature;         /* initial alpha (0.1, as the HW4 Q6 commands) */
  float tau;                      /* target soft-update rate (0.005) */
  float log_std_min, log_std_max; /* log-std clamp (-20, 2) */
  float target_entropy;           /* (-act_dim) */
  int batch_size;                 /* most rows one update takes; rows per mbrl_sac_train_step (256) */
  int act_batch;                  /* rows acted on at once; act takes any count in chunks (256) */
  int critic_updates;             /* critic steps per update (1) */
  int actor_updates;              /* actor and temperature steps on the updates that take them (1) */
  int actor_update_freq;          /* they run when the update count is a multiple of this (1) */
  int target_update_freq;         /* step 2 runs when the update count is a multiple of this (1) */
} mbrl_sac_config;

/* The four scalars the reference logs for an update. */
typedef struct mbrl_sac_losses {
  float critic_loss; /* Critic_Loss: MSE(Q1, y) + MSE(Q2, y) */
  float actor_loss;  /* Actor_Loss: mean(alpha log pi - min(Q1, Q2)) */
  float alpha_loss;  /* Alpha_Loss: mean(-alpha (log pi + target_entropy)) */
  float temperature; /* Temperature: alpha after the update */
} mbrl_sac_losses;

typedef struct mbrl_sac {
  mbrl_sac_config cfg;
  mbrl_ensemble actor;         /* E 1: obs_dim -> act_dim, tanh hidden: the mean */
  mbrl_ensemble critic;        /* E 2: obs_dim + act_dim -> 1, relu hidden: Q1, Q2 */
  mbrl_ensemble target;        /* E 2: target copies of the critics */
  float *log_std;              /* (act_dim) learned, unclamped */
  float *log_std_grad;         /* (act_dim) */
  float log_alpha;             /* alpha = exp(log_alpha) */
  float log_alpha_grad;
  mbrl_adam actor_opt, log_std_opt, critic_opt, alpha_opt;
  int64_t updates;             /* updates taken */
  int64_t skipped;             /* critic or actor parts skipped for a non-finite loss or gradient */
  mbrl_rng act_rng;            /* noise of mbrl_sac_act */
  mbrl_rng update_rng;         /* noise of the updates */
  mbrl_rng sample_rng;         /* rows drawn by mbrl_sac_train_step */
  /* scratch, sized at init; tests read eps, eps_next and y after an update */
  mbrl_ensemble_work actor_work, critic_work, target_work;
  float *mu;         /* (max(batch_size, act_batch) x act_dim) actor means */
  float *eps;        /* (max(batch_size, act_batch) x act_dim) noise of the actor step or of act */
  float *eps_next;   /* (batch_size x act_dim) noise of a' in the critic target */
  float *x, *th;     /* (batch_size x act_dim) pre-tanh sample and its tanh */
  float *logp;       /* (batch_size) log pi of each row's sample */
  float *y;          /* (batch_size) critic target of the last critic step */
  float *q_target;   /* (2 x batch_size) y for each critic, or target Q values */
  float *q_grad;     /* (2 x batch_size) gradient at the critic outputs */
  float *cin;        /* (2 x batch_size x (obs_dim + act_dim)) critic inputs, the rows twice */
  float *cin_grad;   /* (2 x batch_size x (obs_dim + act_dim)) */
  float *mu_grad;    /* (batch_size x act_dim) */
  int *idx;          /* (batch_size) rows drawn by mbrl_sac_train_step */
  float *b_obs, *b_act, *b_rew, *b_next, *b_term; /* (batch_size x ...) gathered rows */
} mbrl_sac;

/* Every setting of mbrl_sac_config: its defaults (obs_dim and act_dim 0, target_entropy 0 for
 * -act_dim) and the JSON of a SAC file's metadata. */
extern const mbrl_config_table mbrl_sac_table;

/* The reference's defaults for an environment's sizes: gamma 0.99, 2 x 256, lr 3e-4,
 * init_temperature 0.1, tau 0.005, log-std in [-20, 2], target entropy -act_dim, batch 256,
 * action range [-1, 1], every count of the schedule 1. */
mbrl_sac_config mbrl_sac_defaults(int obs_dim, int act_dim);

/* Builds the networks (PyTorch initialisation drawn from rng, targets copied from the critics),
 * the optimisers, scratch and three streams split from rng; returns 0 or MBRL_EINVAL (message
 * in err, may be NULL) for a bad configuration. */
int mbrl_sac_init(mbrl_sac *sac, const mbrl_sac_config *cfg, mbrl_rng *rng, char *err, size_t err_sz);

/* Frees everything; NULL is a no-op. */
void mbrl_sac_free(mbrl_sac *sac);

/* Sets the backend of the actor, critic and target networks (the tests use the reference). */
void mbrl_sac_set_backend(mbrl_sac *sac, mbrl_backend be);

/* alpha = exp(log_alpha). */
float mbrl_sac_alpha(const mbrl_sac *sac);

/* Writes act (B x act_dim) for obs (B x obs_dim), any B >= 0: a sample of the policy when sample
 * is nonzero (noise from act_rng), else mid + half * tanh(mu); returns 0, or MBRL_ENUMERIC when
 * an observation or an action is not finite. */
int mbrl_sac_act(mbrl_sac *sac, float *act, const float *obs, int B, int sample);

/* A policy (mbrl_policy_fn) for mbrl_collect that samples one action with ctx = an mbrl_sac. */
int mbrl_sac_policy_sample(void *ctx, const float *obs, float *act);

/* A policy (mbrl_policy_fn) that acts with the mean, for evaluation; ctx = an mbrl_sac. */
int mbrl_sac_policy_mean(void *ctx, const float *obs, float *act);

/* A batch policy (mbrl_batch_policy_fn of rollout.h) that samples act (B x act_dim) for obs
 * (B x obs_dim) with ctx = an mbrl_sac, as model rollouts act. */
int mbrl_sac_policy_sample_batch(void *ctx, const float *obs, float *act, int B);

/* Log-density of tanh(x) for x ~ N(mu, exp(log_std)^2), at the pre-tanh point x, summed over n
 * dimensions: sum_j [log N(x_j; mu_j, std_j) - 2 (log 2 - x_j - softplus(-2 x_j))]. x, mu and
 * log_std are (n) each. */
float mbrl_squashed_normal_log_prob(const float *x, const float *mu, const float *log_std, int n);

/* Step 1 without the Adam step: draws a' for next_obs, writes the targets to sac->y and the
 * critic gradient (zeroed first) of Critic_Loss to sac->critic.grads; returns Critic_Loss.
 * obs (B x obs_dim), act (B x act_dim), reward (B), next_obs (B x obs_dim), terminal (B);
 * 1 <= B <= batch_size. */
float mbrl_sac_critic_loss(mbrl_sac *sac, const float *obs, const float *act, const float *reward,
                           const float *next_obs, const float *terminal, int B);

/* Steps 3 and 4 without the Adam steps: draws a for obs (B x obs_dim), writes the gradients of
 * Actor_Loss to sac->actor.grads and sac->log_std_grad (zeroed first) and that of Alpha_Loss to
 * sac->log_alpha_grad; returns Actor_Loss and writes Alpha_Loss to *alpha_loss (may be NULL).
 * The critic gradients are left overwritten; 1 <= B <= batch_size. */
float mbrl_sac_actor_loss(mbrl_sac *sac, float *alpha_loss, const float *obs, int B);

/* Step 2: every target parameter moves by tau toward its critic. */
void mbrl_sac_soft_update(mbrl_sac *sac);

/* One update on a batch of transitions (steps 1 to 4 on the schedule above), shapes as
 * mbrl_sac_critic_loss; writes the losses of its last steps to *losses (may be NULL; Actor_Loss
 * and Alpha_Loss are NaN on an update without actor steps) and returns 0, or MBRL_ENUMERIC when
 * a step was skipped for a non-finite loss or gradient (message in err, may be NULL). */
int mbrl_sac_update(mbrl_sac *sac, mbrl_sac_losses *losses, const float *obs, const float *act,
                    const float *reward, const float *next_obs, const float *terminal, int B,
                    char *err, size_t err_sz);

/* One update on min(batch_size, buf->size) distinct rows drawn uniformly from buf (the
 * reference's sample_random_data); returns as mbrl_sac_update, or MBRL_EINVAL when buf is empty. */
int mbrl_sac_train_step(mbrl_sac *sac, mbrl_buffer *buf, mbrl_sac_losses *losses, char *err,
                        size_t err_sz);

/* Saves the networks to one safetensors file: actor.layer<l>.{weight,bias}, actor.log_std,
 * critic.layer<l>.*, target.layer<l>.*, log_alpha (scalar); metadata format "mbrl.sac.v2",
 * actor.arch, critic.arch, target.arch and sac (mbrl_sac_table's JSON, then "updates"). */
int mbrl_sac_save(const mbrl_sac *sac, const char *path, char *err, size_t err_sz);

/* Builds sac (uninitialised or freed) from a file of mbrl_sac_save, with fresh optimisers and
 * streams split from rng; returns 0 or a negative code with a message. */
int mbrl_sac_load(mbrl_sac *sac, const char *path, mbrl_rng *rng, char *err, size_t err_sz);

struct mbrl_checkpoint;
struct mbrl_safetensors;

/* Adds everything training continues from to a checkpoint as tensors named <prefix>...: the
 * actor's, critics' and targets' parameters, the log-std and log-temperature, the four optimisers'
 * moments and step counts, the counters and the three streams (sac is not changed; the tensors
 * point into it until the checkpoint is written). */
void mbrl_sac_state_add(struct mbrl_checkpoint *ck, const char *prefix, mbrl_sac *sac);

/* Restores what mbrl_sac_state_add saved into sac, built with the same configuration; returns 0
 * or MBRL_ENOTFOUND / MBRL_EFORMAT with a message. */
int mbrl_sac_state_load(mbrl_sac *sac, const struct mbrl_safetensors *st, const char *prefix, char *err,
                        size_t err_sz);

#pragma GCC visibility pop

#endif
