/* Internal: the two implementations of dense layers, selected by mbrl_backend. */
#ifndef MBRL_NN_BACKEND_H
#define MBRL_NN_BACKEND_H

#include "mbrl/nn.h"

void mbrl_ref_linear_forward(float *y, const float *x, const float *w, const float *b, int E, int B,
                             int in, int out, mbrl_act act);
void mbrl_ref_linear_backward(float *dx, float *dw, float *db, const float *dy, const float *x,
                              const float *w, int E, int B, int in, int out);

void mbrl_dnnl_linear_forward(float *y, const float *x, const float *w, const float *b, int E,
                              int B, int in, int out, mbrl_act act);
/* y = act(x w^T + b) with x and w bfloat16 (E x B x in, E x out x in), b fp32 (E x out) or NULL,
 * fp32 accumulation; y (E x B x out) is fp32 when y_f32, else bfloat16 */
void mbrl_dnnl_linear_forward_bf16(void *y, const uint16_t *x, const uint16_t *w, const float *b, int E,
                                   int B, int in, int out, mbrl_act act, int y_f32);
void mbrl_dnnl_linear_backward(float *dx, float *dw, const float *dy, const float *x,
                               const float *w, int E, int B, int in, int out);

/* db (E x out) += sum over rows of dy (E x B x out); shared by both backends */
void mbrl_bias_backward(float *db, const float *dy, int E, int B, int out);

#endif
