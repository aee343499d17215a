/* TensorBoard event files: TFRecord framing with masked CRC32C around hand-encoded protobuf Events,
 * written one scalar per record and read back with every CRC and field checked. */
#include "mbrl/tfevents.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "io/file.h"
#include "mbrl/core.h"

#define FILE_VERSION "brain.Event:2"

/* ---- crc32c ---- */

static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void) {
  /* reflected Castagnoli polynomial */
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0x82f63b78u & (0u - (c & 1u)));
    crc_table[i] = c;
  }
}

uint32_t mbrl_tfevents_crc32c(const void *data, size_t n) {
  MBRL_ASSERT(data || n == 0);
  pthread_once(&crc_once, crc_init);
  const uint8_t *p = data;
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < n; i++) c = crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

uint32_t mbrl_tfevents_mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }

/* ---- protobuf encoding ---- */

static size_t varint_len(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) v >>= 7, n++;
  return n;
}

static uint8_t *put_varint(uint8_t *p, uint64_t v) {
  while (v >= 0x80) *p++ = (uint8_t)(v | 0x80), v >>= 7;
  *p++ = (uint8_t)v;
  return p;
}

static uint8_t *put_le(uint8_t *p, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; i++) *p++ = (uint8_t)(v >> (8 * i));
  return p;
}

static uint64_t get_le(const uint8_t *p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}

/* protobuf keys: (field << 3) | wire type */
enum { WT_VARINT = 0, WT_FIXED64 = 1, WT_LEN = 2, WT_FIXED32 = 5 };
#define KEY(field, wt) ((uint8_t)(((field) << 3) | (wt)))

/* ---- writer ---- */

struct mbrl_tfevents {
  FILE *f;
  char *path;
  uint8_t *buf;  /* one framed record */
  size_t cap;
};

static double now_epoch(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint8_t *reserve(mbrl_tfevents *w, size_t n) {
  if (n > w->cap) {
    mbrl_free(w->buf);
    w->cap = n > 2 * w->cap ? n : 2 * w->cap;
    w->buf = mbrl_alloc(w->cap);
  }
  return w->buf;
}

/* frames the Event already encoded at buf + 12 (n bytes) and appends it to the file */
static int write_record(mbrl_tfevents *w, size_t n, char *err, size_t err_sz) {
  uint8_t *p = w->buf;
  put_le(p, n, 8);
  put_le(p + 8, mbrl_tfevents_mask(mbrl_tfevents_crc32c(p, 8)), 4);
  put_le(p + 12 + n, mbrl_tfevents_mask(mbrl_tfevents_crc32c(p + 12, n)), 4);
  if (fwrite(p, 1, n + 16, w->f) != n + 16)
    return mbrl_errf(err, err_sz, MBRL_EIO, "%s: write failed: %s", w->path, strerror(errno));
  return MBRL_OK;
}

int mbrl_tfevents_open(mbrl_tfevents **out, const char *dir, char *err, size_t err_sz) {
  static atomic_int opened;
  MBRL_ASSERT(out && dir);
  *out = NULL;
  int rc = mbrl_io_mkdirs(dir, err, err_sz);
  if (rc) return rc;
  char host[256] = "localhost";
  if (gethostname(host, sizeof host - 1) != 0 || !host[0]) snprintf(host, sizeof host, "localhost");
  for (char *c = host; *c; c++)
    if (*c == '/') *c = '_';
  double t = now_epoch();

  /* the name TensorBoard looks for, made unique by pid and a per-process count */
  int seq = atomic_fetch_add(&opened, 1);
  size_t len = strlen(dir) + strlen(host) + 96;
  char *path = mbrl_alloc(len);
  snprintf(path, len, "%s/events.out.tfevents.%010lld.%s.%ld.%d", dir, (long long)t, host,
           (long)getpid(), seq);
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
  FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
  if (!f) {
    rc = mbrl_errf(err, err_sz, MBRL_EIO, "%s: cannot create: %s", path, strerror(errno));
    if (fd >= 0) close(fd);
    mbrl_free(path);
    return rc;
  }
  mbrl_tfevents *w = mbrl_alloc(sizeof *w);
  w->f = f;
  w->path = path;

  /* first record: Event{wall_time, step 0, file_version} */
  size_t vl = strlen(FILE_VERSION);
  size_t n = 9 + 2 + 1 + varint_len(vl) + vl;
  uint8_t *p = reserve(w, n + 16) + 12;
  *p++ = KEY(1, WT_FIXED64);
  uint64_t bits;
  memcpy(&bits, &t, 8);
  p = put_le(p, bits, 8);
  *p++ = KEY(2, WT_VARINT);
  *p++ = 0;
  *p++ = KEY(3, WT_LEN);
  p = put_varint(p, vl);
  memcpy(p, FILE_VERSION, vl);
  if ((rc = write_record(w, n, err, err_sz)) || (rc = mbrl_tfevents_flush(w, err, err_sz))) {
    mbrl_tfevents_close(w, NULL, 0);
    return rc;
  }
  *out = w;
  return MBRL_OK;
}

const char *mbrl_tfevents_path(const mbrl_tfevents *w) {
  MBRL_ASSERT(w);
  return w->path;
}

int mbrl_tfevents_scalar(mbrl_tfevents *w, const char *tag, int64_t step, float value,
                         double wall_time, char *err, size_t err_sz) {
  MBRL_ASSERT(w && tag);
  if (wall_time < 0) wall_time = now_epoch();
  /* Event{1: wall_time, 2: step, 5: Summary{1: Value{1: tag, 2: simple_value}}} */
  size_t tl = strlen(tag);
  size_t value_len = 1 + varint_len(tl) + tl + 5;
  size_t summary_len = 1 + varint_len(value_len) + value_len;
  size_t n = 9 + 1 + varint_len((uint64_t)step) + 1 + varint_len(summary_len) + summary_len;
  uint8_t *p = reserve(w, n + 16) + 12;
  uint64_t bits;
  memcpy(&bits, &wall_time, 8);
  *p++ = KEY(1, WT_FIXED64);
  p = put_le(p, bits, 8);
  *p++ = KEY(2, WT_VARINT);
  p = put_varint(p, (uint64_t)step);
  *p++ = KEY(5, WT_LEN);
  p = put_varint(p, summary_len);
  *p++ = KEY(1, WT_LEN);
  p = put_varint(p, value_len);
  *p++ = KEY(1, WT_LEN);
  p = put_varint(p, tl);
  memcpy(p, tag, tl);
  p += tl;
  uint32_t fb;
  memcpy(&fb, &value, 4);
  *p++ = KEY(2, WT_FIXED32);
  put_le(p, fb, 4);
  return write_record(w, n, err, err_sz);
}

int mbrl_tfevents_flush(mbrl_tfevents *w, char *err, size_t err_sz) {
  MBRL_ASSERT(w);
  if (fflush(w->f) != 0)
    return mbrl_errf(err, err_sz, MBRL_EIO, "%s: flush failed: %s", w->path, strerror(errno));
  return MBRL_OK;
}

int mbrl_tfevents_close(mbrl_tfevents *w, char *err, size_t err_sz) {
  if (!w) return MBRL_OK;
  int rc = MBRL_OK;
  if (fclose(w->f) != 0)
    rc = mbrl_errf(err, err_sz, MBRL_EIO, "%s: close failed: %s", w->path, strerror(errno));
  mbrl_free(w->path);
  mbrl_free(w->buf);
  mbrl_free(w);
  return rc;
}

/* ---- reader ---- */

typedef struct found {
  size_t tag_off, tag_len;  /* tag bytes within the record */
  float value;
} found;

struct mbrl_tfevents_reader {
  FILE *f;
  char *path;
  uint64_t offset, size;  /* next record, file size as last seen */
  int failed;
  char *fail_msg;
  uint8_t *rec;           /* current record's data */
  size_t rec_cap;
  found *found;
  mbrl_tfevents_value *values;
  int found_n, found_cap;
  char *pool;             /* NUL-terminated tags and file_version */
  size_t pool_cap;
};

/* a protobuf reader over [p, end) */
typedef struct pb {
  const uint8_t *p, *end;
} pb;

static int pb_varint(pb *r, uint64_t *v) {
  *v = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (r->p >= r->end) return 0;
    uint8_t b = *r->p++;
    if (shift == 63 && b > 1) return 0;
    *v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) return 1;
  }
  return 0;
}

static int pb_key(pb *r, uint64_t *field, int *wt) {
  uint64_t k;
  if (!pb_varint(r, &k) || (k >> 3) == 0) return 0;
  *field = k >> 3;
  *wt = (int)(k & 7);
  return 1;
}

static int pb_fixed(pb *r, int bytes, uint64_t *v) {
  if (r->end - r->p < bytes) return 0;
  *v = get_le(r->p, bytes);
  r->p += bytes;
  return 1;
}

static int pb_bytes(pb *r, pb *sub) {
  uint64_t n;
  if (!pb_varint(r, &n) || n > (uint64_t)(r->end - r->p)) return 0;
  sub->p = r->p;
  sub->end = r->p + n;
  r->p += n;
  return 1;
}

static int pb_skip(pb *r, int wt) {
  uint64_t v;
  pb sub;
  switch (wt) {
    case WT_VARINT: return pb_varint(r, &v);
    case WT_FIXED64: return pb_fixed(r, 8, &v);
    case WT_LEN: return pb_bytes(r, &sub);
    case WT_FIXED32: return pb_fixed(r, 4, &v);
    default: return 0; /* groups are not used by Event */
  }
}

static float f32_bits(uint64_t v) {
  uint32_t u = (uint32_t)v;
  float f;
  memcpy(&f, &u, 4);
  return f;
}

static double f64_bits(uint64_t v) {
  double d;
  memcpy(&d, &v, 8);
  return d;
}

/* a TensorProto holding one float or double: the TF2 way of writing a scalar */
static int decode_tensor(pb t, float *out, int *has) {
  uint64_t field, dtype = 0, v;
  int wt, nf = 0, nd = 0;
  float fv = 0;
  double dv = 0;
  pb content = {NULL, NULL}, sub;
  while (t.p < t.end) {
    if (!pb_key(&t, &field, &wt)) return 0;
    if (field == 1 && wt == WT_VARINT) {
      if (!pb_varint(&t, &dtype)) return 0;
    } else if (field == 4 && wt == WT_LEN) {
      if (!pb_bytes(&t, &content)) return 0;
    } else if (field == 5 && (wt == WT_FIXED32 || wt == WT_LEN)) {
      /* float_val: one fixed32, or packed */
      if (wt == WT_FIXED32) {
        if (!pb_fixed(&t, 4, &v)) return 0;
        fv = f32_bits(v), nf++;
      } else {
        if (!pb_bytes(&t, &sub) || (sub.end - sub.p) % 4) return 0;
        while (sub.p < sub.end && pb_fixed(&sub, 4, &v)) fv = f32_bits(v), nf++;
      }
    } else if (field == 6 && (wt == WT_FIXED64 || wt == WT_LEN)) {
      if (wt == WT_FIXED64) {
        if (!pb_fixed(&t, 8, &v)) return 0;
        dv = f64_bits(v), nd++;
      } else {
        if (!pb_bytes(&t, &sub) || (sub.end - sub.p) % 8) return 0;
        while (sub.p < sub.end && pb_fixed(&sub, 8, &v)) dv = f64_bits(v), nd++;
      }
    } else if (!pb_skip(&t, wt)) {
      return 0;
    }
  }
  size_t cl = content.p ? (size_t)(content.end - content.p) : 0;
  if (dtype == 1 && cl == 4) *out = f32_bits(get_le(content.p, 4)), *has = 1;
  else if (dtype == 1 && !cl && nf == 1) *out = fv, *has = 1;
  else if (dtype == 2 && cl == 8) *out = (float)f64_bits(get_le(content.p, 8)), *has = 1;
  else if (dtype == 2 && !cl && nd == 1) *out = (float)dv, *has = 1;
  return 1;
}

static void push_found(mbrl_tfevents_reader *r, size_t off, size_t len, float v) {
  if (r->found_n == r->found_cap) {
    int cap = r->found_cap ? 2 * r->found_cap : 8;
    found *nf = mbrl_alloc(sizeof *nf * (size_t)cap);
    if (r->found_n) memcpy(nf, r->found, sizeof *nf * (size_t)r->found_n);
    mbrl_free(r->found);
    mbrl_free(r->values);
    r->found = nf;
    r->values = mbrl_alloc(sizeof *r->values * (size_t)cap);
    r->found_cap = cap;
  }
  r->found[r->found_n++] = (found){off, len, v};
}

/* Value{1: tag, 2: simple_value, 8: tensor}; a scalar is recorded when one of the two is there */
static int decode_value(mbrl_tfevents_reader *r, pb v) {
  uint64_t field, bits;
  int wt, has = 0;
  float value = 0;
  pb tag = {NULL, NULL}, sub;
  while (v.p < v.end) {
    if (!pb_key(&v, &field, &wt)) return 0;
    if (field == 1) {
      if (wt != WT_LEN || !pb_bytes(&v, &tag)) return 0;
    } else if (field == 2) {
      if (wt != WT_FIXED32 || !pb_fixed(&v, 4, &bits)) return 0;
      value = f32_bits(bits), has = 1;
    } else if (field == 8 && !has) {
      if (wt != WT_LEN || !pb_bytes(&v, &sub) || !decode_tensor(sub, &value, &has)) return 0;
    } else if (!pb_skip(&v, wt)) {
      return 0;
    }
  }
  if (has) {
    size_t off = tag.p ? (size_t)(tag.p - r->rec) : 0;
    push_found(r, off, tag.p ? (size_t)(tag.end - tag.p) : 0, value);
  }
  return 1;
}

/* Event{1: wall_time, 2: step, 3: file_version, 5: summary}; other fields are skipped */
static int decode_event(mbrl_tfevents_reader *r, size_t n, mbrl_tfevents_event *ev) {
  pb e = {r->rec, r->rec + n}, version = {NULL, NULL}, s, val;
  uint64_t field, v;
  int wt;
  memset(ev, 0, sizeof *ev);
  r->found_n = 0;
  while (e.p < e.end) {
    if (!pb_key(&e, &field, &wt)) return 0;
    if (field == 1) {
      if (wt != WT_FIXED64 || !pb_fixed(&e, 8, &v)) return 0;
      ev->wall_time = f64_bits(v);
    } else if (field == 2) {
      if (wt != WT_VARINT || !pb_varint(&e, &v)) return 0;
      ev->step = (int64_t)v;
    } else if (field == 3) {
      if (wt != WT_LEN || !pb_bytes(&e, &version)) return 0;
    } else if (field == 5) {
      if (wt != WT_LEN || !pb_bytes(&e, &s)) return 0;
      /* Summary{1: repeated Value} */
      while (s.p < s.end) {
        if (!pb_key(&s, &field, &wt)) return 0;
        if (field == 1) {
          if (wt != WT_LEN || !pb_bytes(&s, &val) || !decode_value(r, val)) return 0;
        } else if (!pb_skip(&s, wt)) {
          return 0;
        }
      }
    } else if (!pb_skip(&e, wt)) {
      return 0;
    }
  }

  /* copy the strings out with terminating zeros */
  size_t vl = version.p ? (size_t)(version.end - version.p) : 0, need = vl + 1;
  for (int i = 0; i < r->found_n; i++) need += r->found[i].tag_len + 1;
  if (need > r->pool_cap) {
    mbrl_free(r->pool);
    r->pool_cap = need > 2 * r->pool_cap ? need : 2 * r->pool_cap;
    r->pool = mbrl_alloc(r->pool_cap);
  }
  char *q = r->pool;
  if (version.p) {
    memcpy(q, version.p, vl);
    q[vl] = '\0';
    ev->file_version = q;
    q += vl + 1;
  }
  for (int i = 0; i < r->found_n; i++) {
    memcpy(q, r->rec + r->found[i].tag_off, r->found[i].tag_len);
    q[r->found[i].tag_len] = '\0';
    r->values[i] = (mbrl_tfevents_value){q, r->found[i].value};
    q += r->found[i].tag_len + 1;
  }
  ev->n_values = r->found_n;
  ev->values = r->found_n ? r->values : NULL;
  return 1;
}

int mbrl_tfevents_reader_open(mbrl_tfevents_reader **out, const char *path, char *err, size_t err_sz) {
  MBRL_ASSERT(out && path);
  *out = NULL;
  FILE *f;
  int rc = mbrl_io_open_read(&f, path, err, err_sz);
  if (rc) return rc;
  struct stat sb;
  if (fstat(fileno(f), &sb) != 0) {
    fclose(f);
    return mbrl_errf(err, err_sz, MBRL_EIO, "%s: cannot read its size", path);
  }
  mbrl_tfevents_reader *r = mbrl_alloc(sizeof *r);
  r->f = f;
  size_t n = strlen(path) + 1;
  r->path = mbrl_alloc(n);
  memcpy(r->path, path, n);
  r->size = (uint64_t)sb.st_size;
  *out = r;
  return MBRL_OK;
}

/* records the failure so later calls repeat it */
static int fail(mbrl_tfevents_reader *r, char *err, size_t err_sz, const char *what) {
  r->failed = 1;
  if (!r->fail_msg) {
    size_t n = strlen(r->path) + strlen(what) + 64;
    r->fail_msg = mbrl_alloc(n);
    snprintf(r->fail_msg, n, "%s: record at byte %" PRIu64 ": %s", r->path, r->offset, what);
  }
  return mbrl_errf(err, err_sz, MBRL_EFORMAT, "%s", r->fail_msg);
}

int mbrl_tfevents_reader_next(mbrl_tfevents_reader *r, mbrl_tfevents_event *ev, char *err,
                              size_t err_sz) {
  MBRL_ASSERT(r && ev);
  memset(ev, 0, sizeof *ev);
  if (r->failed) return mbrl_errf(err, err_sz, MBRL_EFORMAT, "%s", r->fail_msg);
  uint8_t head[12];
  size_t got = fread(head, 1, sizeof head, r->f);
  if (got == 0 && feof(r->f)) return 0;
  if (got < sizeof head) return fail(r, err, err_sz, "truncated record header");
  if (get_le(head + 8, 4) != mbrl_tfevents_mask(mbrl_tfevents_crc32c(head, 8)))
    return fail(r, err, err_sz, "length CRC mismatch");
  uint64_t len = get_le(head, 8);

  /* the file may have grown since it was opened; look again before calling it truncated */
  struct stat sb;
  uint64_t left = r->size > r->offset + 16 ? r->size - r->offset - 16 : 0;
  if (len > left && fstat(fileno(r->f), &sb) == 0) {
    r->size = (uint64_t)sb.st_size;
    left = r->size > r->offset + 16 ? r->size - r->offset - 16 : 0;
  }
  if (len > left || len > SIZE_MAX - 4) return fail(r, err, err_sz, "truncated record");
  if (len + 4 > r->rec_cap) {
    mbrl_free(r->rec);
    r->rec_cap = (size_t)len + 4;
    r->rec = mbrl_alloc(r->rec_cap);
  }
  if (fread(r->rec, 1, (size_t)len + 4, r->f) != len + 4) return fail(r, err, err_sz, "truncated record");
  if (get_le(r->rec + len, 4) != mbrl_tfevents_mask(mbrl_tfevents_crc32c(r->rec, (size_t)len)))
    return fail(r, err, err_sz, "data CRC mismatch");
  if (!decode_event(r, (size_t)len, ev)) {
    memset(ev, 0, sizeof *ev);
    return fail(r, err, err_sz, "record is not a valid Event");
  }
  r->offset += len + 16;
  return 1;
}

void mbrl_tfevents_reader_free(mbrl_tfevents_reader *r) {
  if (!r) return;
  fclose(r->f);
  mbrl_free(r->path);
  mbrl_free(r->fail_msg);
  mbrl_free(r->rec);
  mbrl_free(r->found);
  mbrl_free(r->values);
  mbrl_free(r->pool);
  mbrl_free(r);
}
