/* Internal: the two implementations of dense layers, selected by mbrl_backend. */
#ifndef MBRL_NN_BACKEND_H
#define MBRL_NN_BACKEND_H

#include "mbrl/nn.h"

void mbrl_ref_linear_forward(float *y, const float *x, const float *w, const float *b, int E, int B,
                             int in, int out, mbrl_act act);
void mbrl_ref_linear_backward(float *dx, float *dw, float *db, const float *dy, const float *x,
                              const float *w, int E, int B, int in, int out);

/* The mbrl_dnnl_ functions may be called from several threads at once: each thread runs on
 * primitives and a stream of its own, released when it exits (backend_dnnl.c). */
void mbrl_dnnl_linear_forward(float *y, const float *x, const float *w, const float *b, int E,
                              int B, int in, int out, mbrl_act act);
/* y = act(x w^T + b) with x (E x B x in) and w (E x out x in) bfloat16 when bf16_in, else fp32,
 * b fp32 (E x out) or NULL, fp32 accumulation; y (E x B x out) bfloat16 when bf16_out (which
 * needs bf16_in), else fp32 */
void mbrl_dnnl_linear_forward_dt(void *y, const void *x, const void *w, const float *b, int E, int B, int in,
                                 int out, mbrl_act act, int bf16_in, int bf16_out);
/* Bytes of one member's weights (out x in) packed into the layout the forward's kernel reads, in
 * bfloat16 or fp32; mbrl_dnnl_pack writes E members' plain weights (E x out x in, row-major, same
 * type) into it, one member after the other. */
size_t mbrl_dnnl_packed_size(int in, int out, int bf16);
void mbrl_dnnl_pack(void *dst, const void *w, int E, int in, int out, int bf16);
/* mbrl_dnnl_linear_forward_dt with w the E members' weights packed by mbrl_dnnl_pack, one after
 * the other */
void mbrl_dnnl_linear_forward_packed(void *y, const void *x, const void *w, const float *b, int E, int B, int in,
                                     int out, mbrl_act act, int bf16_in, int bf16_out);
void mbrl_dnnl_linear_backward(float *dx, float *dw, const float *dy, const float *x,
                               const float *w, int E, int B, int in, int out);

/* y = tanh(x) for n values, y fp32 (may be x) or bfloat16 (rounded to nearest even), in parallel
 * over the threads; absolute error below 3e-7 before the rounding. mbrl_tanh_pass_vectorised says
 * whether this CPU runs it with AVX-512 (else it is a loop of tanhf). */
void mbrl_tanh_pass(void *y, const float *x, size_t n, int bf16_out);
int mbrl_tanh_pass_vectorised(int bf16_out);

/* db (E x out) += sum over rows of dy (E x B x out); shared by both backends */
void mbrl_bias_backward(float *db, const float *dy, int E, int B, int out);

#endif
