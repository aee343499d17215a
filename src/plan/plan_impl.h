/* The built-in planner classes, one per file, for the registry in planner.c. */
#ifndef MBRL_PLAN_IMPL_H
#define MBRL_PLAN_IMPL_H

#include "mbrl/planner.h"

extern const mbrl_planner_class mbrl_planner_random; /* random_shooting.c */
extern const mbrl_planner_class mbrl_planner_cem;    /* cem.c */
extern const mbrl_planner_class mbrl_planner_mppi;   /* mppi.c */
extern const mbrl_planner_class mbrl_planner_icem;   /* icem.c */
extern const mbrl_planner_class mbrl_planner_grad;   /* grad.c */
extern const mbrl_planner_class mbrl_planner_cemgd;  /* cemgd.c */

/* Gradient refinement of action sequences (grad.c), for K sequences at most. */
typedef struct mbrl_grad {
  int K, E, H, O, A;
  float *s;       /* ((H + 1) x E x K x O) the states of a forward pass, member by member */
  float *a;       /* (H x E x K x A) the actions the model saw */
  float *r, *w;   /* (E x K) a step's rewards; the rewards' weights 1 / E */
  float *gs, *gs2;             /* (E x K x O) d return / d state */
  float *gr_obs, *gr_next;     /* (E x K x O) the reward's gradients */
  float *gr_act, *gm_act;      /* (E x K x A) the reward's and the model's action gradients */
  float *grad, *m, *v, *prev;  /* (K x H x A) the return's gradient, Adam's moments, the last sequences */
  double *ret;    /* (K) the returns of the last forward pass */
  float *step;    /* (K) each sequence's step size */
  int *fails;     /* (K) steps undone in a row */
} mbrl_grad;

/* Sizes the refinement for planner p (needs the model's vjp and the task's reward_vjp) and up to K
 * sequences; returns 0 or MBRL_EINVAL with a message. */
int mbrl_grad_init(mbrl_grad *g, mbrl_planner *p, int K, char *err, size_t err_sz);
void mbrl_grad_free(mbrl_grad *g);

/* The returns (g->ret) and their gradients (g->grad, k x H x A) of the k sequences x from obs, as
 * the refinement takes them. Returns 0 or the model's code. */
int mbrl_grad_gradient(mbrl_grad *g, mbrl_planner *p, const float *obs, const float *x, int k);

/* Improves the k sequences x (k x H x A, projected to the bounds first) from obs by iters steps of
 * Adam on their mean-model returns (lr in half action ranges), undoing and halving a step that
 * lowers a return; writes the final returns into ret (k). Returns 0 or the model's code. */
int mbrl_grad_refine(mbrl_grad *g, mbrl_planner *p, const float *obs, float *x, int k, int iters, float lr,
                     double *ret);

/* The index of the highest of the k returns ret, NaN below every number, the first of equals. */
int mbrl_grad_best(const double *ret, int k);

#endif
