/* The oneDNN backend: dense layers as fp32 matmuls (forward with bias and activation fused, one
 * per member; backward batched over members), bfloat16 forwards (fp32 accumulation, bias and
 * activation), forwards on weights packed into the kernel's own layout, primitives cached by
 * shape and data types. This is the only file that includes oneDNN's headers.
 *
 * The engine is shared by the whole process (oneDNN engines are thread-safe). Everything a call
 * binds its pointers into is per thread: each thread that calls in gets its own context (a stream
 * and a cache of primitives with the memory objects they run on), made on its first call and
 * released when the thread exits. So a planner and a trainer, or two planners, run their matmuls
 * at the same time without a lock. It also keeps each primitive on the thread that built it, as
 * oneDNN wants: the scratch memory its kernels share is per thread, sized when a primitive is
 * built on that thread. */
#include <oneapi/dnnl/dnnl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mbrl/core.h"
#include "nn/backend.h"

/* OP_FWDP is OP_FWD on packed weights; OP_PACK packs the members' weights */
enum { OP_FWD, OP_FWDP, OP_DX, OP_DW, OP_PACK };
enum { MAX_ARGS = 4, CACHE_SIZE = 64 };

/* data types of a forward: all fp32, or bf16 input and weights with a bf16 or an fp32 output */
enum { DT_F32, DT_BF16, DT_BF16_F32OUT };

typedef struct {
  int used, op, E, B, in, out, act, bias, dt;
  dnnl_primitive_t prim;
  int nargs, calls;             /* arguments; executions per call (one per member or one) */
  int64_t step[MAX_ARGS];       /* byte offset of each argument between executions */
  dnnl_exec_arg_t args[MAX_ARGS];
} entry;

/* one thread's stream and primitives; only that thread touches it */
typedef struct {
  dnnl_stream_t stream;
  entry cache[CACHE_SIZE];
  int next_evict;
} context;

static struct {
  pthread_once_t once;
  pthread_key_t key; /* the calling thread's context */
  dnnl_engine_t engine;
  char info[128];
} g = {.once = PTHREAD_ONCE_INIT};

static void check(dnnl_status_t s, const char *what) {
  if (s != dnnl_success) {
    fprintf(stderr, "mbrl: oneDNN failed in %s (status %d)\n", what, (int)s);
    abort();
  }
}

static void release_context(void *p);

static void init_once(void) {
  /* flush denormals on the pool oneDNN will run on, also for callers that never set threads */
  mbrl_threads_set(mbrl_threads_get());
  check(dnnl_engine_create(&g.engine, dnnl_cpu, 0), "engine");
  int rc = pthread_key_create(&g.key, release_context);
  MBRL_ASSERT(rc == 0);
  static const struct {
    dnnl_cpu_isa_t isa;
    const char *name;
  } isas[] = {{dnnl_cpu_isa_avx512_core_amx, "avx512_core_amx"},
              {dnnl_cpu_isa_avx512_core_bf16, "avx512_core_bf16"},
              {dnnl_cpu_isa_avx512_core_vnni, "avx512_core_vnni"},
              {dnnl_cpu_isa_avx512_core, "avx512_core"},
              {dnnl_cpu_isa_avx2_vnni, "avx2_vnni"},
              {dnnl_cpu_isa_avx2, "avx2"},
              {dnnl_cpu_isa_avx, "avx"},
              {dnnl_cpu_isa_sse41, "sse41"}};
  dnnl_cpu_isa_t isa = dnnl_get_effective_cpu_isa();
  const char *name = "other";
  for (size_t i = 0; i < sizeof isas / sizeof *isas; i++)
    if (isas[i].isa == isa) name = isas[i].name;
  const dnnl_version_t *v = dnnl_version();
  snprintf(g.info, sizeof g.info, "oneDNN %d.%d.%d, %s", v->major, v->minor, v->patch, name);
}

const char *mbrl_backend_info(void) {
  pthread_once(&g.once, init_once);
  return g.info;
}

int mbrl_bf16_native(void) {
  pthread_once(&g.once, init_once);
  unsigned isa = (unsigned)dnnl_get_effective_cpu_isa();
  return (isa & dnnl_cpu_isa_avx512_core_bf16) == dnnl_cpu_isa_avx512_core_bf16;
}

static dnnl_memory_desc_t md2(int64_t d0, int64_t d1, int64_t s0, int64_t s1, dnnl_data_type_t dt) {
  dnnl_memory_desc_t d;
  dnnl_dims_t dims = {d0, d1}, strides = {s0, s1};
  check(dnnl_memory_desc_init_by_strides(&d, 2, dims, dt, strides), "memory desc");
  return d;
}

static dnnl_memory_desc_t md3(int64_t d0, int64_t d1, int64_t d2, int64_t s0, int64_t s1,
                              int64_t s2) {
  dnnl_memory_desc_t d;
  dnnl_dims_t dims = {d0, d1, d2}, strides = {s0, s1, s2};
  check(dnnl_memory_desc_init_by_strides(&d, 3, dims, dnnl_f32, strides), "memory desc");
  return d;
}

static dnnl_alg_kind_t alg_of(int act) {
  switch (act) {
    case MBRL_ACT_TANH: return dnnl_eltwise_tanh;
    case MBRL_ACT_RELU: return dnnl_eltwise_relu;
    case MBRL_ACT_SILU: return dnnl_eltwise_swish;
    default: return dnnl_alg_kind_undef;
  }
}

/* the layout the forward's kernel wants its weights (in x out) in: oneDNN's brgemm kernels copy
 * plain weights into blocks of 16 x 64 (pairs of rows in bf16) on every call, so a copy kept
 * packed saves that work; it does not depend on the number of rows */
static dnnl_memory_desc_t packed_md(int64_t in, int64_t out, dnnl_data_type_t xt) {
  dnnl_memory_desc_t src = md2(256, in, in, 1, xt), dst = md2(256, out, out, 1, xt), wei, res;
  dnnl_dims_t dims = {in, out};
  check(dnnl_memory_desc_init_by_tag(&wei, 2, dims, xt, dnnl_format_tag_any), "memory desc");
  dnnl_matmul_desc_t desc;
  check(dnnl_matmul_desc_init(&desc, &src, &wei, NULL, &dst), "matmul desc");
  dnnl_primitive_desc_t pd;
  check(dnnl_primitive_desc_create(&pd, &desc, NULL, g.engine, NULL), "matmul primitive desc");
  res = *dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
  dnnl_primitive_desc_destroy(pd);
  return res;
}

/* the reorder of E members' plain weights (out x in, row-major) into packed_md, one after the other */
static void build_pack(entry *en) {
  dnnl_data_type_t xt = en->dt == DT_F32 ? dnnl_f32 : dnnl_bf16;
  dnnl_memory_desc_t src = md2(en->in, en->out, 1, en->in, xt), dst = packed_md(en->in, en->out, xt);
  dnnl_primitive_desc_t pd;
  check(dnnl_reorder_primitive_desc_create(&pd, &src, g.engine, &dst, g.engine, NULL), "reorder primitive desc");
  check(dnnl_primitive_create(&en->prim, pd), "reorder primitive");
  dnnl_primitive_desc_destroy(pd);
  en->calls = en->E, en->nargs = 2;
  const dnnl_memory_desc_t *mds[2] = {&src, &dst};
  const int ids[2] = {DNNL_ARG_FROM, DNNL_ARG_TO};
  for (int i = 0; i < 2; i++) {
    en->args[i].arg = ids[i];
    en->step[i] = (int64_t)dnnl_memory_desc_get_size(mds[i]);
    check(dnnl_memory_create(&en->args[i].memory, mds[i], g.engine, DNNL_MEMORY_NONE), "memory");
  }
}

/* builds the matmul for one (op, shape); args are bound to pointers at each call.
 * The forward runs one 2-D matmul per member with bias and activation fused: oneDNN 2.6 has no
 * fast kernel for a per-member bias on a batched matmul (as the matmul's bias it falls back to
 * its reference code, as a binary post-op it runs at half speed), while E calls of the 2-D
 * kernel reach the large-matmul rate. Backward products have no bias and run batched. */
static void build(entry *en) {
  if (en->op == OP_PACK) {
    build_pack(en);
    return;
  }
  int64_t E = en->E, B = en->B, in = en->in, out = en->out;
  dnnl_memory_desc_t src, wei, dst, bias;
  dnnl_post_ops_t po;
  check(dnnl_post_ops_create(&po), "post ops");
  if (en->op == OP_FWD || en->op == OP_FWDP) {
    /* y (B,out) = x (B,in) . w^T + b, w stored (out,in) or packed; the bias stays fp32 */
    dnnl_data_type_t xt = en->dt == DT_F32 ? dnnl_f32 : dnnl_bf16;
    dnnl_data_type_t yt = en->dt == DT_BF16 ? dnnl_bf16 : dnnl_f32;
    src = md2(B, in, in, 1, xt);
    wei = en->op == OP_FWDP ? packed_md(in, out, xt) : md2(in, out, 1, in, xt);
    dst = md2(B, out, out, 1, yt);
    bias = md2(1, out, out, 1, dnnl_f32);
    if (en->act != MBRL_ACT_IDENTITY)
      check(dnnl_post_ops_append_eltwise(po, 1.0f, alg_of(en->act),
                                         en->act == MBRL_ACT_SILU ? 1.0f : 0.0f, 0.0f),
            "eltwise post op");
    en->calls = (int)E;
    en->step[0] = (int64_t)dnnl_memory_desc_get_size(&src);
    en->step[1] = (int64_t)dnnl_memory_desc_get_size(&wei);
    en->step[2] = (int64_t)dnnl_memory_desc_get_size(&dst);
    en->step[3] = out * (int64_t)sizeof(float);
  } else if (en->op == OP_DX) {
    /* dx (E,B,in) = dy (E,B,out) . w (E,out,in) */
    src = md3(E, B, out, B * out, out, 1);
    wei = md3(E, out, in, out * in, in, 1);
    dst = md3(E, B, in, B * in, in, 1);
    en->calls = 1;
  } else {
    /* dw (E,out,in) += dy^T (E,out,B) . x (E,B,in) */
    src = md3(E, out, B, B * out, 1, out);
    wei = md3(E, B, in, B * in, in, 1);
    dst = md3(E, out, in, out * in, in, 1);
    check(dnnl_post_ops_append_sum(po, 1.0f), "sum post op");
    en->calls = 1;
  }
  dnnl_matmul_desc_t desc;
  check(dnnl_matmul_desc_init(&desc, &src, &wei, en->bias ? &bias : NULL, &dst), "matmul desc");
  dnnl_primitive_attr_t attr;
  check(dnnl_primitive_attr_create(&attr), "attr");
  check(dnnl_primitive_attr_set_post_ops(attr, po), "set post ops");
  dnnl_primitive_desc_t pd;
  check(dnnl_primitive_desc_create(&pd, &desc, attr, g.engine, NULL), "matmul primitive desc");
  check(dnnl_primitive_create(&en->prim, pd), "matmul primitive");
  dnnl_primitive_desc_destroy(pd);
  dnnl_primitive_attr_destroy(attr);
  dnnl_post_ops_destroy(po);
  const int arg_ids[MAX_ARGS] = {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST, DNNL_ARG_BIAS};
  const dnnl_memory_desc_t *mds[MAX_ARGS] = {&src, &wei, &dst, &bias};
  en->nargs = en->bias ? 4 : 3;
  for (int i = 0; i < en->nargs; i++) {
    en->args[i].arg = arg_ids[i];
    check(dnnl_memory_create(&en->args[i].memory, mds[i], g.engine, DNNL_MEMORY_NONE), "memory");
  }
}

static void release(entry *en) {
  for (int i = 0; i < en->nargs; i++) dnnl_memory_destroy(en->args[i].memory);
  dnnl_primitive_destroy(en->prim);
  memset(en, 0, sizeof *en);
}

/* the key's destructor: runs on a thread that exits, so short-lived threads leave nothing behind */
static void release_context(void *p) {
  context *ctx = p;
  for (int i = 0; i < CACHE_SIZE; i++)
    if (ctx->cache[i].used) release(&ctx->cache[i]);
  dnnl_stream_destroy(ctx->stream);
  mbrl_free(ctx);
}

/* the calling thread's context, made on its first call */
static context *thread_context(void) {
  pthread_once(&g.once, init_once);
  context *ctx = pthread_getspecific(g.key);
  if (ctx) return ctx;
  /* this thread's OpenMP pool is its own: flush denormals there too, as init_once did for the
   * first thread */
  mbrl_threads_set(mbrl_threads_get());
  ctx = mbrl_alloc(sizeof *ctx);
  check(dnnl_stream_create(&ctx->stream, g.engine, dnnl_stream_default_flags), "stream");
  int rc = pthread_setspecific(g.key, ctx);
  MBRL_ASSERT(rc == 0);
  return ctx;
}

/* finds or builds the primitive in the calling thread's cache, binds the pointers and runs it;
 * no lock, since nothing here is shared with other threads but the engine */
static void run(int op, int E, int B, int in, int out, int act, const void *const ptrs[MAX_ARGS],
                int bias, int dt) {
  context *ctx = thread_context();
  entry *en = NULL;
  for (int i = 0; i < CACHE_SIZE && !en; i++) {
    entry *c = &ctx->cache[i];
    if (c->used && c->op == op && c->E == E && c->B == B && c->in == in && c->out == out &&
        c->act == act && c->bias == bias && c->dt == dt)
      en = c;
  }
  if (!en) {
    int slot = -1;
    for (int i = 0; i < CACHE_SIZE && slot < 0; i++)
      if (!ctx->cache[i].used) slot = i;
    if (slot < 0) {
      slot = ctx->next_evict;
      ctx->next_evict = (ctx->next_evict + 1) % CACHE_SIZE;
      release(&ctx->cache[slot]);
    }
    en = &ctx->cache[slot];
    *en = (entry){.used = 1, .op = op, .E = E, .B = B, .in = in, .out = out, .act = act, .bias = bias, .dt = dt};
    build(en);
  }
  for (int c = 0; c < en->calls; c++) {
    for (int i = 0; i < en->nargs; i++)
      check(dnnl_memory_set_data_handle(en->args[i].memory, (char *)(uintptr_t)ptrs[i] + c * en->step[i]),
            "bind");
    check(dnnl_primitive_execute(en->prim, ctx->stream, en->nargs, en->args), "execute");
  }
  check(dnnl_stream_wait(ctx->stream), "wait");
}

void mbrl_dnnl_linear_forward(float *y, const float *x, const float *w, const float *b, int E,
                              int B, int in, int out, mbrl_act act) {
  const void *ptrs[MAX_ARGS] = {x, w, y, b};
  run(OP_FWD, E, B, in, out, (int)act, ptrs, b != NULL, DT_F32);
}

/* the data types of a forward with bf16 or fp32 input and output */
static int forward_dt(int bf16_in, int bf16_out) {
  MBRL_ASSERT(bf16_in || !bf16_out);
  return !bf16_in ? DT_F32 : bf16_out ? DT_BF16 : DT_BF16_F32OUT;
}

void mbrl_dnnl_linear_forward_dt(void *y, const void *x, const void *w, const float *b, int E, int B, int in,
                                 int out, mbrl_act act, int bf16_in, int bf16_out) {
  const void *ptrs[MAX_ARGS] = {x, w, y, b};
  run(OP_FWD, E, B, in, out, (int)act, ptrs, b != NULL, forward_dt(bf16_in, bf16_out));
}

void mbrl_dnnl_linear_forward_packed(void *y, const void *x, const void *w, const float *b, int E, int B, int in,
                                     int out, mbrl_act act, int bf16_in, int bf16_out) {
  const void *ptrs[MAX_ARGS] = {x, w, y, b};
  run(OP_FWDP, E, B, in, out, (int)act, ptrs, b != NULL, forward_dt(bf16_in, bf16_out));
}

size_t mbrl_dnnl_packed_size(int in, int out, int bf16) {
  pthread_once(&g.once, init_once);
  dnnl_memory_desc_t d = packed_md(in, out, bf16 ? dnnl_bf16 : dnnl_f32);
  return dnnl_memory_desc_get_size(&d);
}

void mbrl_dnnl_pack(void *dst, const void *w, int E, int in, int out, int bf16) {
  const void *ptrs[MAX_ARGS] = {w, dst};
  run(OP_PACK, E, 0, in, out, MBRL_ACT_IDENTITY, ptrs, 0, bf16 ? DT_BF16 : DT_F32);
}

void mbrl_dnnl_linear_backward(float *dx, float *dw, const float *dy, const float *x,
                               const float *w, int E, int B, int in, int out) {
  if (dx) {
    const void *p[MAX_ARGS] = {dy, w, dx, NULL};
    run(OP_DX, E, B, in, out, MBRL_ACT_IDENTITY, p, 0, DT_F32);
  }
  const void *p[MAX_ARGS] = {dy, x, dw, NULL};
  run(OP_DW, E, B, in, out, MBRL_ACT_IDENTITY, p, 0, DT_F32);
}
