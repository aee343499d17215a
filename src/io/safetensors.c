/* Safetensors checkpoints: a loader that validates the whole file before use, and an atomic writer. */
#include "mbrl/safetensors.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/file.h"
#include "mbrl/core.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "tensor data is copied as little-endian");

/* the reference implementation refuses headers above 100 MB; so do we */
#define MAX_HEADER ((uint64_t)100000000)
/* integers above 2^53 do not survive cJSON's doubles */
#define MAX_JSON_INT 9007199254740992.0

struct mbrl_safetensors {
  uint8_t *buf;                /* the whole file (size bytes) when owned */
  size_t size;
  cJSON *json;                 /* parsed header; names and metadata point into it */
  int n;
  mbrl_safetensors_tensor *t;  /* (n) sorted by name */
  int64_t *shapes;             /* shapes of all tensors, back to back */
  int n_meta;
  mbrl_safetensors_meta *meta; /* (n_meta) in file order */
};

static const struct {
  const char *name;
  size_t size;
} dtypes[MBRL_DTYPE_COUNT] = {
    [MBRL_DTYPE_BOOL] = {"BOOL", 1},    [MBRL_DTYPE_U8] = {"U8", 1},
    [MBRL_DTYPE_I8] = {"I8", 1},        [MBRL_DTYPE_F8_E5M2] = {"F8_E5M2", 1},
    [MBRL_DTYPE_F8_E4M3] = {"F8_E4M3", 1}, [MBRL_DTYPE_U16] = {"U16", 2},
    [MBRL_DTYPE_I16] = {"I16", 2},      [MBRL_DTYPE_F16] = {"F16", 2},
    [MBRL_DTYPE_BF16] = {"BF16", 2},    [MBRL_DTYPE_U32] = {"U32", 4},
    [MBRL_DTYPE_I32] = {"I32", 4},      [MBRL_DTYPE_F32] = {"F32", 4},
    [MBRL_DTYPE_U64] = {"U64", 8},      [MBRL_DTYPE_I64] = {"I64", 8},
    [MBRL_DTYPE_F64] = {"F64", 8},
};

const char *mbrl_dtype_name(mbrl_dtype dtype) {
  if ((int)dtype < 0 || dtype >= MBRL_DTYPE_COUNT) return NULL;
  return dtypes[dtype].name;
}

size_t mbrl_dtype_size(mbrl_dtype dtype) {
  MBRL_ASSERT((int)dtype >= 0 && dtype < MBRL_DTYPE_COUNT);
  return dtypes[dtype].size;
}

static int dtype_parse(const char *s) {
  for (int i = 0; i < MBRL_DTYPE_COUNT; i++)
    if (strcmp(s, dtypes[i].name) == 0) return i;
  return -1;
}

/* length of the valid UTF-8 prefix of p (n bytes); n when all of it is valid */
static size_t utf8_valid_prefix(const uint8_t *p, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = p[i];
    size_t len;
    uint32_t min, cp;
    if (c < 0x80) { i++; continue; }
    if ((c & 0xe0) == 0xc0) { len = 2; min = 0x80; cp = c & 0x1f; }
    else if ((c & 0xf0) == 0xe0) { len = 3; min = 0x800; cp = c & 0x0f; }
    else if ((c & 0xf8) == 0xf0) { len = 4; min = 0x10000; cp = c & 0x07; }
    else return i;
    if (n - i < len) return i;
    for (size_t k = 1; k < len; k++) {
      if ((p[i + k] & 0xc0) != 0x80) return i;
      cp = (cp << 6) | (p[i + k] & 0x3f);
    }
    /* no overlong forms, no surrogates, nothing past U+10FFFF */
    if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return i;
    i += len;
  }
  return n;
}

static int utf8_ok(const char *s) { return utf8_valid_prefix((const uint8_t *)s, strlen(s)) == strlen(s); }

/* "[3, 4]" into buf, shortened with "..." when it does not fit */
static const char *shape_str(char *buf, size_t sz, int ndim, const int64_t *shape) {
  size_t k = (size_t)snprintf(buf, sz, "[");
  for (int i = 0; i < ndim && k < sz; i++)
    k += (size_t)snprintf(buf + k, sz - k, "%s%" PRId64, i ? ", " : "", shape[i]);
  if (k < sz) k += (size_t)snprintf(buf + k, sz - k, "]");
  if (k >= sz && sz > 4) memcpy(buf + sz - 4, "...", 4);
  return buf;
}

/* reads a JSON number that must be an integer in [0, 2^53] */
static int json_uint(const cJSON *j, uint64_t *out) {
  if (!cJSON_IsNumber(j)) return 0;
  double d = j->valuedouble;
  if (!(d >= 0 && d <= MAX_JSON_INT)) return 0;
  uint64_t u = (uint64_t)d;
  if ((double)u != d) return 0;
  *out = u;
  return 1;
}

static int cmp_str_ptr(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_by_name(const void *a, const void *b) {
  return strcmp(((const mbrl_safetensors_tensor *)a)->name, ((const mbrl_safetensors_tensor *)b)->name);
}

typedef struct span {
  uint64_t begin, end;
  const char *name;
} span;

static int cmp_span(const void *a, const void *b) {
  const span *x = a, *y = b;
  if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
  if (x->end != y->end) return x->end < y->end ? -1 : 1;
  return 0;
}

/* validates one tensor entry and fills t (shape written to shape_out, at most ndim_cap entries) */
static int parse_entry(const cJSON *e, const uint8_t *data, uint64_t data_size,
                       mbrl_safetensors_tensor *t, span *sp, int64_t *shape_out, char *err,
                       size_t err_sz) {
  const char *name = e->string;
  if (!cJSON_IsObject(e))
    return mbrl_errf(err, err_sz, MBRL_EFORMAT, "tensor '%s': entry is not a JSON object", name);
  const cJSON *jd = NULL, *js = NULL, *jo = NULL;
  for (const cJSON *k = e->child; k; k = k->next) {
    const cJSON **slot = strcmp(k->string, "dtype") == 0          ? &jd
                         : strcmp(k->string, "shape") == 0        ? &js
                         : strcmp(k->string, "data_offsets") == 0 ? &jo
                                                                  : NULL;
    if (!slot)
      return mbrl_errf(err, err_sz, MBRL_EFORMAT, "tensor '%s': unexpected key '%s'", name, k->string);
    if (*slot)
      return mbrl_errf(err, err_sz, MBRL_EFORMAT, "tensor '%s': key '%s' appears twice", name, k->string);
    *slot = k;
  }
  if (!jd) return mbrl_errf(err, err_sz, MBRL_EFORMAT, "tensor '%s': missing \"dtype\"", name);
  if (!js) return mbrl_errf(err, err_sz, MBRL_EFORMAT, "tensor '%s': missing \"shape\"", name);
  if (!jo) return mbrl_errf(err, err_sz, MBRL_EFORMAT, "tensor '%s': missing \"data_offsets\"", name);

  if (!cJSON_IsString(jd))
    return mbrl_errf(err, err_sz, MBRL_EFORMAT, "tensor '%s': \"dtype\" is not a string", name);
  int dt = dtype_parse(jd->valuestring);
  if (dt < 0)
    return mbrl_errf(err, err_sz, MBRL_EFORMAT, "tensor '%s': unknown dtype '%s'", name, jd->valuestring);

  if (!cJSON_IsArray(js))
    return mbrl_errf(err, err_sz, MBRL_EFORMAT, "tensor '%s': \"shape\" is not an array", name);
  int ndim = 0;
  uint64_t numel = 1;
  int overflow = 0;
  for (const cJSON *d = js->child; d; d = d->next, ndim++) {
    uint64_t v;
    if (!json_uint(d, &v))
      return mbrl_errf(err, err_sz, MBRL_EFORMAT,
                       "tensor '%s': shape entry %d is not a non-negative integer", name, ndim);
    overflow |= __builtin_mul_overflow(numel, v, &numel);
    shape_out[ndim] = (int64_t)v;
  }
  uint64_t nbytes;
  overflow |= __builtin_mul_overflow(numel, (uint64_t)dtypes[dt].size, &nbytes);

  uint64_t off[2];
  if (!cJSON_IsArray(jo) || cJSON_GetArraySize(jo) != 2 || !json_uint(jo->child, &off[0]) ||
      !json_uint(jo->child->next, &off[1]))
    return mbrl_errf(err, err_sz, MBRL_EFORMAT,
                     "tensor '%s': \"data_offsets\" is not a pair of non-negative integers", name);
  if (off[0] > off[1] || off[1] > data_size)
    return mbrl_errf(err, err_sz, MBRL_EFORMAT,
                     "tensor '%s': data_offsets [%" PRIu64 ", %" PRIu64
                     "] are outside the %" PRIu64 "-byte data section",
                     name, off[0], off[1], data_size);
  if (overflow || nbytes != off[1] - off[0]) {
    char sb[96], nb[32];
    if (overflow) snprintf(nb, sizeof nb, "more than 2^64");
    else snprintf(nb, sizeof nb, "%" PRIu64, nbytes);
    return mbrl_errf(err, err_sz, MBRL_EFORMAT,
                     "tensor '%s': %s %s takes %s bytes but data_offsets [%" PRIu64 ", %" PRIu64
                     "] span %" PRIu64,
                     name, dtypes[dt].name, shape_str(sb, sizeof sb, ndim, shape_out), nb, off[0],
                     off[1], off[1] - off[0]);
  }
  t->name = name;
  t->dtype = (mbrl_dtype)dt;
  t->ndim = ndim;
  t->shape = shape_out;
  t->data = data + off[0];
  sp->begin = off[0];
  sp->end = off[1];
  sp->name = name;
  return MBRL_OK;
}

static int parse_metadata(mbrl_safetensors *st, const cJSON *m, char *err, size_t err_sz) {
  if (!cJSON_IsObject(m))
    return mbrl_errf(err, err_sz, MBRL_EFORMAT, "\"__metadata__\" is not a JSON object");
  int n = cJSON_GetArraySize(m);
  st->meta = mbrl_alloc(sizeof *st->meta * (size_t)(n > 0 ? n : 1));
  for (const cJSON *k = m->child; k; k = k->next) {
    if (!cJSON_IsString(k))
      return mbrl_errf(err, err_sz, MBRL_EFORMAT, "metadata '%s': value is not a string", k->string);
    st->meta[st->n_meta].key = k->string;
    st->meta[st->n_meta].value = k->valuestring;
    st->n_meta++;
  }
  /* keys unique: sort a copy of them */
  const char **keys = mbrl_alloc(sizeof *keys * (size_t)(n > 0 ? n : 1));
  for (int i = 0; i < st->n_meta; i++) keys[i] = st->meta[i].key;
  qsort(keys, (size_t)st->n_meta, sizeof *keys, cmp_str_ptr);
  int rc = MBRL_OK;
  for (int i = 1; i < st->n_meta && rc == MBRL_OK; i++)
    if (strcmp(keys[i - 1], keys[i]) == 0)
      rc = mbrl_errf(err, err_sz, MBRL_EFORMAT, "metadata key '%s' appears twice", keys[i]);
  mbrl_free(keys);
  return rc;
}

/* validates buf (n bytes) into st; tensor data pointers point into buf */
static int parse(mbrl_safetensors *st, const uint8_t *buf, size_t n, char *err, size_t err_sz) {
  if (n < 8)
    return mbrl_errf(err, err_sz, MBRL_EFORMAT,
                     "file is %zu bytes, too short for the 8-byte header length", n);
  uint64_t hlen = 0;
  for (int i = 7; i >= 0; i--) hlen = (hlen << 8) | buf[i];
  if (hlen == 0) return mbrl_errf(err, err_sz, MBRL_EFORMAT, "header length is 0");
  if (hlen > n - 8)
    return mbrl_errf(err, err_sz, MBRL_EFORMAT,
                     "header length %" PRIu64 " is larger than the %zu bytes that follow it", hlen,
                     n - 8);
  if (hlen > MAX_HEADER)
    return mbrl_errf(err, err_sz, MBRL_EFORMAT, "header length %" PRIu64 " exceeds the limit of %" PRIu64,
                     hlen, MAX_HEADER);
  const uint8_t *hdr = buf + 8;
  const uint8_t *data = hdr + hlen;
  uint64_t data_size = n - 8 - hlen;
  if (hdr[0] != '{') return mbrl_errf(err, err_sz, MBRL_EFORMAT, "header does not start with '{'");
  size_t bad = utf8_valid_prefix(hdr, (size_t)hlen);
  if (bad != hlen)
    return mbrl_errf(err, err_sz, MBRL_EFORMAT, "header is not valid UTF-8 (byte %zu)", bad);

  /* cJSON wants a terminating zero: parse a copy, then allow only padding after the object */
  char *text = mbrl_alloc((size_t)hlen + 1);
  memcpy(text, hdr, (size_t)hlen);
  const char *end = NULL;
  st->json = cJSON_ParseWithOpts(text, &end, 0);
  size_t pos = end ? (size_t)(end - text) : 0;
  mbrl_free(text);
  if (!st->json)
    return mbrl_errf(err, err_sz, MBRL_EFORMAT, "header is not valid JSON (error near byte %zu)", pos);
  for (size_t i = pos; i < hlen; i++)
    if (hdr[i] != ' ' && hdr[i] != '\t' && hdr[i] != '\n' && hdr[i] != '\r')
      return mbrl_errf(err, err_sz, MBRL_EFORMAT, "unexpected byte after the header's JSON (byte %zu)", i);
  if (!cJSON_IsObject(st->json)) return mbrl_errf(err, err_sz, MBRL_EFORMAT, "header is not a JSON object");

  /* entries: metadata once, tensors otherwise; shape slots are bounded by the array sizes */
  int n_entries = 0, n_dims = 0;
  const cJSON *meta = NULL;
  for (const cJSON *e = st->json->child; e; e = e->next) {
    if (strcmp(e->string, "__metadata__") == 0) {
      if (meta) return mbrl_errf(err, err_sz, MBRL_EFORMAT, "\"__metadata__\" appears twice");
      meta = e;
      continue;
    }
    n_entries++;
    const cJSON *s = cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, "shape") : NULL;
    if (cJSON_IsArray(s)) n_dims += cJSON_GetArraySize(s);
  }
  if (meta) {
    int rc = parse_metadata(st, meta, err, err_sz);
    if (rc) return rc;
  }
  st->t = mbrl_alloc(sizeof *st->t * (size_t)(n_entries > 0 ? n_entries : 1));
  st->shapes = mbrl_alloc(sizeof *st->shapes * (size_t)(n_dims > 0 ? n_dims : 1));
  span *sp = mbrl_alloc(sizeof *sp * (size_t)(n_entries > 0 ? n_entries : 1));
  int rc = MBRL_OK, used = 0;
  for (const cJSON *e = st->json->child; e && rc == MBRL_OK; e = e->next) {
    if (e == meta) continue;
    /* parse_entry rejects a repeated "shape" key before writing any shape slot */
    rc = parse_entry(e, data, data_size, &st->t[st->n], &sp[st->n], st->shapes + used, err, err_sz);
    if (rc == MBRL_OK) used += st->t[st->n++].ndim;
  }

  /* names unique */
  if (rc == MBRL_OK) {
    qsort(st->t, (size_t)st->n, sizeof *st->t, cmp_by_name);
    for (int i = 1; i < st->n && rc == MBRL_OK; i++)
      if (strcmp(st->t[i - 1].name, st->t[i].name) == 0)
        rc = mbrl_errf(err, err_sz, MBRL_EFORMAT, "tensor '%s' appears twice", st->t[i].name);
  }
  /* tensors tile the data section: no overlap, no hole, nothing left over */
  if (rc == MBRL_OK) {
    qsort(sp, (size_t)st->n, sizeof *sp, cmp_span);
    uint64_t at = 0;
    for (int i = 0; i < st->n && rc == MBRL_OK; i++) {
      if (sp[i].begin < at)
        rc = mbrl_errf(err, err_sz, MBRL_EFORMAT,
                       "tensor '%s' at [%" PRIu64 ", %" PRIu64 "] overlaps the tensor before it",
                       sp[i].name, sp[i].begin, sp[i].end);
      else if (sp[i].begin > at)
        rc = mbrl_errf(err, err_sz, MBRL_EFORMAT,
                       "hole in the data section: bytes [%" PRIu64 ", %" PRIu64 ") belong to no tensor",
                       at, sp[i].begin);
      at = sp[i].end;
    }
    if (rc == MBRL_OK && at != data_size)
      rc = mbrl_errf(err, err_sz, MBRL_EFORMAT,
                     "tensors cover %" PRIu64 " bytes but the data section has %" PRIu64, at, data_size);
  }
  mbrl_free(sp);
  return rc;
}

void mbrl_safetensors_free(mbrl_safetensors *st) {
  if (!st) return;
  cJSON_Delete(st->json);
  mbrl_free(st->t);
  mbrl_free(st->shapes);
  mbrl_free(st->meta);
  mbrl_free(st->buf);
  mbrl_free(st);
}

int mbrl_safetensors_load_mem(mbrl_safetensors **out, const void *buf, size_t n, char *err, size_t err_sz) {
  MBRL_ASSERT(out && (buf || n == 0));
  *out = NULL;
  mbrl_safetensors *st = mbrl_alloc(sizeof *st);
  int rc = parse(st, buf, n, err, err_sz);
  if (rc) {
    mbrl_safetensors_free(st);
    return rc;
  }
  /* validated in place; now own a copy and move the data pointers onto it */
  st->buf = mbrl_alloc(n);
  st->size = n;
  memcpy(st->buf, buf, n);
  for (int i = 0; i < st->n; i++)
    st->t[i].data = st->buf + ((const uint8_t *)st->t[i].data - (const uint8_t *)buf);
  *out = st;
  return MBRL_OK;
}

int mbrl_safetensors_load(mbrl_safetensors **out, const char *path, char *err, size_t err_sz) {
  MBRL_ASSERT(out && path);
  *out = NULL;
  uint8_t *buf;
  size_t n;
  int rc = mbrl_io_read_all(path, &buf, &n, err, err_sz);
  if (rc) return rc;
  mbrl_safetensors *st = mbrl_alloc(sizeof *st);
  st->buf = buf;
  st->size = n;
  if ((rc = parse(st, buf, n, err, err_sz))) {
    /* prefix the file name, keeping the parser's message */
    if (err && err_sz > 0) {
      size_t pl = strlen(path) + 2, ml = strnlen(err, err_sz - 1);
      if (pl + ml < err_sz) {
        memmove(err + pl, err, ml + 1);
        memcpy(err, path, pl - 2);
        memcpy(err + pl - 2, ": ", 2);
      }
    }
    mbrl_safetensors_free(st);
    return rc;
  }
  *out = st;
  return MBRL_OK;
}

int mbrl_safetensors_count(const mbrl_safetensors *st) {
  MBRL_ASSERT(st);
  return st->n;
}

const mbrl_safetensors_tensor *mbrl_safetensors_at(const mbrl_safetensors *st, int i) {
  MBRL_ASSERT(st && i >= 0 && i < st->n);
  return &st->t[i];
}

const mbrl_safetensors_tensor *mbrl_safetensors_find(const mbrl_safetensors *st, const char *name) {
  MBRL_ASSERT(st && name);
  int lo = 0, hi = st->n;
  while (lo < hi) {
    int mid = lo + (hi - lo) / 2;
    int c = strcmp(st->t[mid].name, name);
    if (c == 0) return &st->t[mid];
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return NULL;
}

int mbrl_safetensors_get_f32(const mbrl_safetensors *st, const char *name, float *out, int ndim,
                             const int64_t *expect_shape, char *err, size_t err_sz) {
  MBRL_ASSERT(st && name && ndim >= 0 && (expect_shape || ndim == 0));
  const mbrl_safetensors_tensor *t = mbrl_safetensors_find(st, name);
  if (!t) return mbrl_errf(err, err_sz, MBRL_ENOTFOUND, "tensor '%s' not found", name);
  int same = t->dtype == MBRL_DTYPE_F32 && t->ndim == ndim;
  for (int i = 0; same && i < ndim; i++) same = t->shape[i] == expect_shape[i];
  if (!same) {
    char want[96], got[96];
    return mbrl_errf(err, err_sz, MBRL_EFORMAT, "tensor '%s': expected F32 %s, found %s %s", name,
                     shape_str(want, sizeof want, ndim, expect_shape), dtypes[t->dtype].name,
                     shape_str(got, sizeof got, t->ndim, t->shape));
  }
  size_t numel = 1;
  for (int i = 0; i < ndim; i++) numel *= (size_t)t->shape[i];
  MBRL_ASSERT(out || numel == 0);
  if (numel > 0) memcpy(out, t->data, numel * sizeof(float));
  return MBRL_OK;
}

const char *mbrl_safetensors_meta_get(const mbrl_safetensors *st, const char *key) {
  MBRL_ASSERT(st && key);
  for (int i = 0; i < st->n_meta; i++)
    if (strcmp(st->meta[i].key, key) == 0) return st->meta[i].value;
  return NULL;
}

int mbrl_safetensors_meta_count(const mbrl_safetensors *st) {
  MBRL_ASSERT(st);
  return st->n_meta;
}

mbrl_safetensors_meta mbrl_safetensors_meta_at(const mbrl_safetensors *st, int i) {
  MBRL_ASSERT(st && i >= 0 && i < st->n_meta);
  return st->meta[i];
}

/* ---- writer ---- */

/* checks the caller's tensors and metadata; sizes (n) receives each tensor's byte count */
static int check_inputs(const mbrl_safetensors_tensor *t, int n, const mbrl_safetensors_meta *meta,
                        int n_meta, uint64_t *sizes, char *err, size_t err_sz) {
  uint64_t total = 0;
  for (int i = 0; i < n; i++) {
    const char *name = t[i].name;
    if (!name || !name[0] || !utf8_ok(name) || strcmp(name, "__metadata__") == 0)
      return mbrl_errf(err, err_sz, MBRL_EINVAL, "tensor %d: name is empty, not UTF-8 or reserved", i);
    if ((int)t[i].dtype < 0 || t[i].dtype >= MBRL_DTYPE_COUNT)
      return mbrl_errf(err, err_sz, MBRL_EINVAL, "tensor '%s': dtype %d out of range", name, (int)t[i].dtype);
    if (t[i].ndim < 0 || (t[i].ndim > 0 && !t[i].shape))
      return mbrl_errf(err, err_sz, MBRL_EINVAL, "tensor '%s': bad ndim or NULL shape", name);
    uint64_t numel = 1;
    int overflow = 0;
    for (int d = 0; d < t[i].ndim; d++) {
      if (t[i].shape[d] < 0 || (double)t[i].shape[d] > MAX_JSON_INT)
        return mbrl_errf(err, err_sz, MBRL_EINVAL, "tensor '%s': shape entry %d is %" PRId64, name, d,
                         t[i].shape[d]);
      overflow |= __builtin_mul_overflow(numel, (uint64_t)t[i].shape[d], &numel);
    }
    overflow |= __builtin_mul_overflow(numel, (uint64_t)dtypes[t[i].dtype].size, &sizes[i]);
    overflow |= __builtin_add_overflow(total, sizes[i], &total);
    if (overflow || (double)total > MAX_JSON_INT)
      return mbrl_errf(err, err_sz, MBRL_EINVAL, "tensor '%s': data too large", name);
    if (sizes[i] > 0 && !t[i].data)
      return mbrl_errf(err, err_sz, MBRL_EINVAL, "tensor '%s': NULL data", name);
  }
  for (int i = 0; i < n_meta; i++)
    if (!meta[i].key || !meta[i].value || !utf8_ok(meta[i].key) || !utf8_ok(meta[i].value))
      return mbrl_errf(err, err_sz, MBRL_EINVAL, "metadata entry %d: NULL or not UTF-8", i);

  /* no duplicate names among tensors, nor among metadata keys */
  int rc = MBRL_OK;
  int m = n > n_meta ? n : n_meta;
  const char **names = mbrl_alloc(sizeof *names * (size_t)(m > 0 ? m : 1));
  for (int pass = 0; pass < 2 && rc == MBRL_OK; pass++) {
    int k = pass == 0 ? n : n_meta;
    for (int i = 0; i < k; i++) names[i] = pass == 0 ? t[i].name : meta[i].key;
    qsort(names, (size_t)k, sizeof *names, cmp_str_ptr);
    for (int i = 1; i < k && rc == MBRL_OK; i++)
      if (strcmp(names[i - 1], names[i]) == 0)
        rc = mbrl_errf(err, err_sz, MBRL_EINVAL, "%s '%s' given twice", pass == 0 ? "tensor" : "metadata key",
                       names[i]);
  }
  mbrl_free(names);
  return rc;
}

static cJSON *json_uint_raw(uint64_t v) {
  char s[24];
  snprintf(s, sizeof s, "%" PRIu64, v);
  return cJSON_CreateRaw(s);
}

/* builds the header JSON; NULL when cJSON runs out of memory */
static char *header_json(const mbrl_safetensors_tensor *t, int n, const mbrl_safetensors_meta *meta,
                         int n_meta, const uint64_t *sizes) {
  cJSON *root = cJSON_CreateObject();
  int ok = root != NULL;
  if (ok && n_meta > 0) {
    cJSON *m = cJSON_AddObjectToObject(root, "__metadata__");
    ok = m != NULL;
    for (int i = 0; ok && i < n_meta; i++) ok = cJSON_AddStringToObject(m, meta[i].key, meta[i].value) != NULL;
  }
  uint64_t at = 0;
  for (int i = 0; ok && i < n; i++) {
    cJSON *e = cJSON_AddObjectToObject(root, t[i].name);
    ok = e && cJSON_AddStringToObject(e, "dtype", dtypes[t[i].dtype].name);
    cJSON *shape = ok ? cJSON_AddArrayToObject(e, "shape") : NULL;
    cJSON *offs = shape ? cJSON_AddArrayToObject(e, "data_offsets") : NULL;
    ok = offs != NULL;
    for (int d = 0; ok && d < t[i].ndim; d++) ok = cJSON_AddItemToArray(shape, json_uint_raw((uint64_t)t[i].shape[d]));
    ok = ok && cJSON_AddItemToArray(offs, json_uint_raw(at)) &&
         cJSON_AddItemToArray(offs, json_uint_raw(at + sizes[i]));
    at += sizes[i];
  }
  char *text = ok ? cJSON_PrintUnformatted(root) : NULL;
  cJSON_Delete(root);
  return text;
}

int mbrl_safetensors_write(const char *path, const mbrl_safetensors_tensor *tensors, int n,
                           const mbrl_safetensors_meta *meta, int n_meta, char *err, size_t err_sz) {
  MBRL_ASSERT(path && n >= 0 && n_meta >= 0 && (tensors || n == 0) && (meta || n_meta == 0));
  uint64_t *sizes = mbrl_alloc(sizeof *sizes * (size_t)(n > 0 ? n : 1));
  int rc = check_inputs(tensors, n, meta, n_meta, sizes, err, err_sz);
  char *text = rc == MBRL_OK ? header_json(tensors, n, meta, n_meta, sizes) : NULL;
  if (rc == MBRL_OK && !text) rc = mbrl_errf(err, err_sz, MBRL_ENOMEM, "%s: out of memory building the header", path);

  mbrl_io_atomic a;
  if (rc == MBRL_OK) rc = mbrl_io_atomic_open(&a, path, err, err_sz);
  if (rc == MBRL_OK) {
    /* header length, JSON padded with spaces to a multiple of 8, then the tensors in order */
    size_t len = strlen(text), padded = (len + 7) & ~(size_t)7;
    uint8_t le[8];
    for (int i = 0; i < 8; i++) le[i] = (uint8_t)((uint64_t)padded >> (8 * i));
    static const char spaces[] = "        ";
    rc = mbrl_io_atomic_write(&a, le, 8, err, err_sz);
    if (rc == MBRL_OK) rc = mbrl_io_atomic_write(&a, text, len, err, err_sz);
    if (rc == MBRL_OK) rc = mbrl_io_atomic_write(&a, spaces, padded - len, err, err_sz);
    for (int i = 0; i < n && rc == MBRL_OK; i++)
      rc = mbrl_io_atomic_write(&a, tensors[i].data, (size_t)sizes[i], err, err_sz);
    if (rc == MBRL_OK) rc = mbrl_io_atomic_commit(&a, err, err_sz);
    else mbrl_io_atomic_abort(&a);
  }
  cJSON_free(text);
  mbrl_free(sizes);
  return rc;
}
