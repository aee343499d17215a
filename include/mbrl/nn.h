/* Neural-network core: dense layers, activations, losses, Adam, and MLP ensembles.
 *
 * An ensemble holds E independent MLPs that run together: inputs are (E x B x in), each member
 * with its own B rows, and one call per layer serves all members. A single MLP is an ensemble
 * with E = 1. Weights are stored (out x in) per member, as PyTorch stores them.
 */
#ifndef MBRL_NN_H
#define MBRL_NN_H

#include <stddef.h>
#include <stdint.h>

#include "mbrl/rng.h"

#pragma GCC visibility push(default)

#define MBRL_MAX_LAYERS 8

typedef enum mbrl_act {
  MBRL_ACT_IDENTITY = 0,
  MBRL_ACT_TANH,
  MBRL_ACT_RELU,
  MBRL_ACT_SILU
} mbrl_act;

/* which implementation runs the dense layers: oneDNN (fast) or plain C (the test oracle) */
typedef enum mbrl_backend {
  MBRL_BACKEND_DNNL = 0,
  MBRL_BACKEND_REF
} mbrl_backend;

/* The activations' names by value, NULL-terminated: "identity", "tanh", "relu", "silu". */
extern const char *const mbrl_act_names[];

/* Parses "tanh", "relu", "silu"/"swish", "identity"/"linear"; returns 0 or MBRL_EINVAL. */
int mbrl_act_parse(const char *name, mbrl_act *act);

/* Name of an activation ("tanh", ...). */
const char *mbrl_act_name(mbrl_act act);

/* ---- kernels ---- */

/* y = act(x w^T + b) for every member: x (E x B x in), w (E x out x in), b (E x out) or NULL,
 * y (E x B x out). */
void mbrl_linear_forward(mbrl_backend be, float *y, const float *x, const float *w, const float *b,
                         int E, int B, int in, int out, mbrl_act act);

/* Backward of y = x w^T + b given dy (E x B x out), the gradient at the pre-activation:
 * dx (E x B x in) is overwritten (may be NULL); dw (E x out x in) and db (E x out) are
 * accumulated into (db may be NULL). */
void mbrl_linear_backward(mbrl_backend be, float *dx, float *dw, float *db, const float *dy,
                          const float *x, const float *w, int E, int B, int in, int out);

/* y = act(z) elementwise over n values (y may equal z). */
void mbrl_act_forward(float *y, const float *z, size_t n, mbrl_act act);

/* dz = dy * act'(z) elementwise over n values, from the pre-activation z and the output y = act(z);
 * tanh and relu read only y, silu reads only z (the other may be NULL); dz may equal dy. */
void mbrl_act_backward(float *dz, const float *dy, const float *z, const float *y, size_t n,
                       mbrl_act act);

/* ---- losses ----
 * Each member's loss is a mean over its own rows; the returned value is the mean of the member
 * losses (what PyTorch logs for E separate models). The gradient written is that of the SUM of
 * the member losses, so each member receives exactly the gradient of its own loss. */

/* Mean squared error of pred vs target, both (E x B x D); dpred (E x B x D) may be NULL;
 * member_loss (E) may be NULL. */
float mbrl_mse_loss(float *dpred, const float *pred, const float *target, int E, int B, int D,
                    float *member_loss);

/* Bounds a raw log-variance softly into [min_logvar, max_logvar] as PETS does. */
float mbrl_bounded_logvar(float raw, float min_logvar, float max_logvar);

/* most output dimensions of a Gaussian loss */
#define MBRL_NLL_MAX_D 4096

/* Gaussian negative log-likelihood, per element 0.5 * ((mean - t)^2 * exp(-lv) + lv) with
 * lv = mbrl_bounded_logvar(raw, min_logvar[j], max_logvar[j]) for output dimension j: out
 * (E x B x 2D) holds the mean in its first D columns and the raw log-variance in the last D,
 * target (E x B x D), the bounds (D each, the members share them, min < max). dout (E x B x 2D),
 * dmin and dmax (D each, the gradient with respect to the bounds, as PETS learns them) and
 * member_loss (E) may be NULL. D <= MBRL_NLL_MAX_D. */
float mbrl_gaussian_nll_loss(float *dout, float *dmin, float *dmax, const float *out, const float *target, int E,
                             int B, int D, const float *min_logvar, const float *max_logvar, float *member_loss);

/* ---- Adam ---- */

typedef struct mbrl_adam {
  float lr, beta1, beta2, eps, weight_decay; /* weight decay as PyTorch's Adam: added to the grad */
  const float *decay;                        /* (n) a weight decay per parameter instead (may be NULL;
                                                the caller's, it must outlive the optimiser) */
  int64_t t;                                 /* steps taken */
  size_t n;                                  /* parameter count */
  float *m, *v;                              /* moments (n) */
} mbrl_adam;

/* Sets up Adam for n parameters with PyTorch's defaults (betas 0.9/0.999, eps 1e-8) and lr. */
void mbrl_adam_init(mbrl_adam *opt, size_t n, float lr);

/* Frees the moment buffers; NULL is a no-op. */
void mbrl_adam_free(mbrl_adam *opt);

/* One bias-corrected Adam step: params (n) -= ... from grads (n). */
void mbrl_adam_step(mbrl_adam *opt, float *params, const float *grads);

/* ---- MLP ensembles ---- */

typedef struct mbrl_mlp_config {
  int E;            /* members */
  int in, out;      /* input and output width */
  int n_hidden;     /* hidden layers (0..MBRL_MAX_LAYERS-1) */
  int hidden;       /* hidden width */
  mbrl_act act;     /* hidden activation */
  mbrl_act out_act; /* output activation, usually identity */
} mbrl_mlp_config;

typedef struct mbrl_ensemble {
  mbrl_mlp_config cfg;
  int n_layers;                   /* n_hidden + 1 */
  int dim[MBRL_MAX_LAYERS + 1];   /* dim[0] = in, dim[n_layers] = out */
  mbrl_backend backend;
  size_t n_params;                /* all members */
  float *params;                  /* (n_params) slab */
  float *grads;                   /* (n_params) slab, same layout */
  float *w[MBRL_MAX_LAYERS];      /* into params: (E x dim[l+1] x dim[l]) */
  float *b[MBRL_MAX_LAYERS];      /* into params: (E x dim[l+1]) */
  float *dw[MBRL_MAX_LAYERS];     /* into grads, same shapes */
  float *db[MBRL_MAX_LAYERS];
} mbrl_ensemble;

/* Allocates an ensemble and initialises it as PyTorch's nn.Linear does (Kaiming-uniform weights,
 * uniform bias in +-1/sqrt(fan_in)); returns 0 or MBRL_EINVAL for a bad configuration. */
int mbrl_ensemble_init(mbrl_ensemble *ens, const mbrl_mlp_config *cfg, mbrl_rng *rng, char *err,
                       size_t err_sz);

/* Frees an ensemble's memory; NULL is a no-op. */
void mbrl_ensemble_free(mbrl_ensemble *ens);

/* Zeroes the gradient slab. */
void mbrl_ensemble_zero_grad(mbrl_ensemble *ens);

/* Copies member src_e of src into member dst_e of dst (same layer sizes). */
void mbrl_ensemble_copy_member(mbrl_ensemble *dst, int dst_e, const mbrl_ensemble *src, int src_e);

/* Activations and scratch for up to max_B rows per member; one per thread. */
typedef struct mbrl_ensemble_work {
  int max_B;
  float *z[MBRL_MAX_LAYERS]; /* pre-activations (E x max_B x dim[l+1]), kept only for silu */
  float *y[MBRL_MAX_LAYERS]; /* outputs of each layer (E x max_B x dim[l+1]) */
  float *g0, *g1;            /* backward scratch (E x max_B x widest) */
} mbrl_ensemble_work;

/* Allocates a workspace for ens and up to max_B rows per member. */
void mbrl_ensemble_work_init(mbrl_ensemble_work *w, const mbrl_ensemble *ens, int max_B);

/* Frees a workspace; NULL is a no-op. */
void mbrl_ensemble_work_free(mbrl_ensemble_work *w);

/* Inference: y (E x B x out) = ensemble(x (E x B x in)); B <= work->max_B. */
void mbrl_ensemble_forward(const mbrl_ensemble *ens, mbrl_ensemble_work *work, float *y,
                           const float *x, int B);

/* Training forward: keeps every layer's activations in work and returns the output
 * (E x B x out), which lives in work until the next call. */
const float *mbrl_ensemble_forward_train(const mbrl_ensemble *ens, mbrl_ensemble_work *work,
                                         const float *x, int B);

/* Backward after mbrl_ensemble_forward_train on the same x (E x B x in): accumulates parameter
 * gradients from dy (E x B x out), the gradient at the output; dx (E x B x in) may be NULL. */
void mbrl_ensemble_backward(mbrl_ensemble *ens, mbrl_ensemble_work *work, float *dx,
                            const float *dy, const float *x, int B);

/* FLOPs of one forward over B rows per member (2 per multiply-add). */
double mbrl_ensemble_forward_flops(const mbrl_ensemble *ens, int B);

/* Version and CPU instruction set the oneDNN backend runs with, for logs. */
const char *mbrl_backend_info(void);

/* ---- inference copies, in fp32 or reduced precision ----
 * A copy of an ensemble's weights for inference, with its own activations. In bf16 the weights
 * and the activations between layers are bfloat16 (fp32 rounded to nearest even: 8 significant
 * bits), products are accumulated in fp32, bias and activation applied in fp32, and the output is
 * fp32; in fp32 it computes what mbrl_ensemble_forward does. The copy is taken by
 * mbrl_ensemble_infer_sync and does not follow later changes of the source.
 * (Padding the first layer's 27 inputs to 32 made it slower in both precisions on oneDNN 2.6, and
 * a padded row stride for hidden outputs sends its matmul to a slower kernel, so rows are dense.) */

typedef enum mbrl_precision {
  MBRL_PRECISION_FP32 = 0,
  MBRL_PRECISION_BF16
} mbrl_precision;

/* Parses "fp32" or "bf16"; returns 0 or MBRL_EINVAL. */
int mbrl_precision_parse(const char *name, mbrl_precision *p);

/* Name of a precision ("fp32", "bf16"). */
const char *mbrl_precision_name(mbrl_precision p);

/* Whether the CPU computes in bfloat16 natively (AVX-512 BF16 or AMX); without, oneDNN would
 * emulate it more slowly than fp32, so callers fall back to fp32. */
int mbrl_bf16_native(void);

/* fp32 to bfloat16, rounding to nearest even (NaN stays NaN), and back (exact). */
void mbrl_bf16_from_f32(uint16_t *dst, const float *src, size_t n);
void mbrl_f32_from_bf16(float *dst, const uint16_t *src, size_t n);

typedef struct mbrl_ensemble_infer {
  const mbrl_ensemble *src;     /* shapes, activations and backend; weights copied by sync */
  mbrl_precision precision;
  size_t elem;                  /* bytes of one weight or activation value */
  int max_B;
  void *w_slab;                 /* weights, w[l] (E x dim[l+1] x dim[l]) point into it */
  void *w[MBRL_MAX_LAYERS];
  void *packed_slab;            /* the weights packed for oneDNN's kernel, packed[l] per layer */
  void *packed[MBRL_MAX_LAYERS];
  size_t packed_size[MBRL_MAX_LAYERS]; /* bytes of one member's packed weights per layer */
  float *b_slab;                /* fp32 biases, b[l] (E x dim[l+1]) */
  float *b[MBRL_MAX_LAYERS];
  void *x;                      /* (E x max_B x dim[0]) the input */
  void *h[MBRL_MAX_LAYERS];     /* (E x max_B x dim[l+1]) hidden outputs */
  float *z;                     /* (max_B x widest hidden) one member's fp32 pre-activations (bf16) */
} mbrl_ensemble_infer;

/* Allocates a copy of ens (which must outlive it) in precision p for up to max_B rows per member
 * and syncs it. bf16 runs on any CPU but is slow without mbrl_bf16_native. */
void mbrl_ensemble_infer_init(mbrl_ensemble_infer *q, const mbrl_ensemble *ens, mbrl_precision p, int max_B);

/* Frees a copy; NULL is a no-op. */
void mbrl_ensemble_infer_free(mbrl_ensemble_infer *q);

/* Copies the source's current weights and biases (rounding the weights in bf16). */
void mbrl_ensemble_infer_sync(mbrl_ensemble_infer *q);

/* mbrl_ensemble_infer_forward of an input the caller wrote into q->x itself (E x B x dim[0] values
 * in the copy's precision). */
void mbrl_ensemble_infer_forward_x(mbrl_ensemble_infer *q, float *y, int B);

/* y (E x B x out, fp32) = the copy applied to x (E x B x in, fp32; rounded in bf16); B <= max_B.
 * With the source's backend MBRL_BACKEND_REF it runs in plain C (products summed in double), the
 * oracle the oneDNN path is tested against. */
void mbrl_ensemble_infer_forward(mbrl_ensemble_infer *q, float *y, const float *x, int B);

#pragma GCC visibility pop

#endif
