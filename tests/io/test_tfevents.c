/* Tests of TensorBoard event files: CRC32C vectors, exact record bytes, round trips, and corrupted or
 * truncated files that must fail cleanly. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io_test.h"
#include "mbrl/core.h"
#include "mbrl/rng.h"
#include "mbrl/tfevents.h"

Test(tfevents, crc32c_standard_vectors) {
  uint8_t buf[32];
  cr_assert_eq(mbrl_tfevents_crc32c("123456789", 9), 0xe3069283u);
  memset(buf, 0, 32);
  cr_assert_eq(mbrl_tfevents_crc32c(buf, 32), 0x8a9136aau);
  memset(buf, 0xff, 32);
  cr_assert_eq(mbrl_tfevents_crc32c(buf, 32), 0x62a8ab43u);
  for (int i = 0; i < 32; i++) buf[i] = (uint8_t)i;
  cr_assert_eq(mbrl_tfevents_crc32c(buf, 32), 0x46dd794eu);
  for (int i = 0; i < 32; i++) buf[i] = (uint8_t)(31 - i);
  cr_assert_eq(mbrl_tfevents_crc32c(buf, 32), 0x113fdb5cu);
  cr_assert_eq(mbrl_tfevents_crc32c(NULL, 0), 0u);
}

Test(tfevents, masked_crc) {
  cr_assert_eq(mbrl_tfevents_mask(0), 0xa282ead8u);
  cr_assert_eq(mbrl_tfevents_mask(0x12345678u), 0x4f730f40u);
  cr_assert_eq(mbrl_tfevents_mask(0xe3069283u), 0xc78ab0e5u);
}

/* the single events file in dir, malloc'd path */
static char *find_events(const char *dir) {
  char cmd[256];
  snprintf(cmd, sizeof cmd, "ls %s", dir);
  FILE *p = popen(cmd, "r");
  cr_assert_not_null(p);
  char name[512];
  cr_assert_not_null(fgets(name, sizeof name, p), "no file in %s", dir);
  cr_assert_null(fgets(name + 256, 256, p), "more than one file in %s", dir);
  pclose(p);
  name[strcspn(name, "\n")] = '\0';
  char *path = malloc(1024);
  snprintf(path, 1024, "%s/%s", dir, name);
  return path;
}

static uint32_t f32_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}

Test(tfevents, scalars_round_trip) {
  char dir[64], sub[128], err[256] = "";
  io_test_mkdtemp(dir);
  snprintf(sub, sizeof sub, "%s/run/a", dir);
  mbrl_tfevents *w;
  mbrl_tfevents_open(&w, sub, err, sizeof err);
  cr_assert_not_null(w, "%s", err);
  cr_assert(strstr(mbrl_tfevents_path(w), "/run/a/events.out.tfevents.") != NULL);

  const char *tags[] = {"Training Loss", "eval/return", "x", "Training Loss", "\xc3\xa9t\xc3\xa9", "big"};
  int64_t steps[] = {0, 1, -5, 2, 300, (int64_t)1 << 40};
  float values[] = {0.25f, -0.0f, NAN, INFINITY, 1e-40f, 123456.789f};
  double times[] = {1700000000.5, 1700000001.25, 2.0, 3.0, 4.0, 5.0};
  int n = 6;
  for (int i = 0; i < n; i++)
    cr_assert_eq(mbrl_tfevents_scalar(w, tags[i], steps[i], values[i], times[i], err, sizeof err), MBRL_OK);
  cr_assert_eq(mbrl_tfevents_flush(w, err, sizeof err), MBRL_OK);
  cr_assert_eq(mbrl_tfevents_scalar(w, "now", 7, 1.0f, -1, err, sizeof err), MBRL_OK);
  cr_assert_eq(mbrl_tfevents_close(w, err, sizeof err), MBRL_OK);

  char *path = find_events(sub);
  mbrl_tfevents_reader *r;
  mbrl_tfevents_reader_open(&r, path, err, sizeof err);
  cr_assert_not_null(r, "%s", err);
  mbrl_tfevents_event ev;
  cr_assert_eq(mbrl_tfevents_reader_next(r, &ev, err, sizeof err), 1, "%s", err);
  cr_assert_str_eq(ev.file_version, "brain.Event:2");
  cr_assert_eq(ev.n_values, 0);
  cr_assert_gt(ev.wall_time, 1.6e9);
  for (int i = 0; i < n; i++) {
    cr_assert_eq(mbrl_tfevents_reader_next(r, &ev, err, sizeof err), 1, "%s", err);
    cr_assert_null(ev.file_version);
    cr_assert_eq(ev.step, steps[i]);
    cr_assert_eq(ev.wall_time, times[i]);
    cr_assert_eq(ev.n_values, 1);
    cr_assert_str_eq(ev.values[0].tag, tags[i]);
    cr_assert_eq(f32_bits(ev.values[0].value), f32_bits(values[i]), "value %d", i);
  }
  cr_assert_eq(mbrl_tfevents_reader_next(r, &ev, err, sizeof err), 1, "%s", err);
  cr_assert_str_eq(ev.values[0].tag, "now");
  cr_assert_gt(ev.wall_time, 1.6e9);
  cr_assert_eq(mbrl_tfevents_reader_next(r, &ev, err, sizeof err), 0);
  cr_assert_eq(mbrl_tfevents_reader_next(r, &ev, err, sizeof err), 0);
  mbrl_tfevents_reader_free(r);
  mbrl_tfevents_reader_free(NULL);
  cr_assert_eq(mbrl_tfevents_close(NULL, NULL, 0), MBRL_OK);
  free(path);
  io_test_rmtree(dir);
}

Test(tfevents, record_bytes_match_the_protobuf_encoding) {
  char dir[64], err[256] = "";
  io_test_mkdtemp(dir);
  mbrl_tfevents *w;
  mbrl_tfevents_open(&w, dir, err, sizeof err);
  cr_assert_not_null(w, "%s", err);
  cr_assert_eq(mbrl_tfevents_scalar(w, "loss", 3, 1.5f, 2.0, err, sizeof err), MBRL_OK);
  mbrl_tfevents_close(w, NULL, 0);
  char *path = find_events(dir);
  size_t n;
  uint8_t *raw = io_test_slurp(path, &n);
  cr_assert_not_null(raw);

  /* first record: Event{1: wall_time, 2: 0, 3: "brain.Event:2"} = 9 + 2 + 15 bytes */
  cr_assert_eq(raw[0], 26);
  size_t at = 8 + 4 + 26 + 4;
  cr_assert_eq(raw[12], 0x09);
  cr_assert_eq(memcmp(raw + 12 + 9, "\x10\x00\x1a\x0d" "brain.Event:2", 17), 0);

  /* second record, computed by hand from the protobuf wire format */
  static const uint8_t event[] = {
      0x09, 0, 0, 0, 0, 0, 0, 0, 0x40,   /* wall_time 2.0 */
      0x10, 0x03,                        /* step 3 */
      0x2a, 0x0d,                        /* summary, 13 bytes */
      0x0a, 0x0b,                        /*   value, 11 bytes */
      0x0a, 0x04, 'l', 'o', 's', 's',    /*     tag */
      0x15, 0x00, 0x00, 0xc0, 0x3f,      /*     simple_value 1.5f */
  };
  cr_assert_eq(n, at + 16 + sizeof event);
  uint8_t len[8] = {sizeof event, 0, 0, 0, 0, 0, 0, 0};
  cr_assert_eq(memcmp(raw + at, len, 8), 0);
  uint32_t lc = mbrl_tfevents_mask(mbrl_tfevents_crc32c(len, 8));
  uint32_t dc = mbrl_tfevents_mask(mbrl_tfevents_crc32c(event, sizeof event));
  uint8_t crc[4] = {(uint8_t)lc, (uint8_t)(lc >> 8), (uint8_t)(lc >> 16), (uint8_t)(lc >> 24)};
  cr_assert_eq(memcmp(raw + at + 8, crc, 4), 0);
  cr_assert_eq(memcmp(raw + at + 12, event, sizeof event), 0);
  uint8_t dcrc[4] = {(uint8_t)dc, (uint8_t)(dc >> 8), (uint8_t)(dc >> 16), (uint8_t)(dc >> 24)};
  cr_assert_eq(memcmp(raw + at + 12 + sizeof event, dcrc, 4), 0);
  free(raw);
  free(path);
  io_test_rmtree(dir);
}

/* writes a small valid file into dir; returns its bytes (malloc'd) and record boundaries */
static uint8_t *sample_file(const char *dir, size_t *n, size_t *ends, int *n_records) {
  char err[256] = "";
  mbrl_tfevents *w;
  mbrl_tfevents_open(&w, dir, err, sizeof err);
  cr_assert_not_null(w, "%s", err);
  for (int i = 0; i < 4; i++)
    cr_assert_eq(mbrl_tfevents_scalar(w, i % 2 ? "Training Loss" : "return", i, (float)i * 0.5f, 10.0 + i,
                                      err, sizeof err),
                 MBRL_OK);
  mbrl_tfevents_close(w, NULL, 0);
  char *path = find_events(dir);
  uint8_t *raw = io_test_slurp(path, n);
  cr_assert_not_null(raw);
  remove(path);
  free(path);
  *n_records = 0;
  for (size_t at = 0; at < *n;) {
    at += 16 + (size_t)raw[at];
    ends[(*n_records)++] = at;
  }
  cr_assert_eq(*n_records, 5);
  return raw;
}

/* reads path to the end: the number of events read, and the final return code in *rc */
static int read_all(const char *path, int *rc, char *err, size_t err_sz) {
  mbrl_tfevents_reader *r;
  mbrl_tfevents_reader_open(&r, path, err, err_sz);
  cr_assert_not_null(r, "%s", err);
  mbrl_tfevents_event ev;
  int count = 0;
  while ((*rc = mbrl_tfevents_reader_next(r, &ev, err, err_sz)) == 1) {
    for (int i = 0; i < ev.n_values; i++) cr_assert_not_null(ev.values[i].tag);
    count++;
  }
  mbrl_tfevents_reader_free(r);
  return count;
}

static void write_bytes(const char *path, const uint8_t *p, size_t n) {
  FILE *f = fopen(path, "wb");
  cr_assert_not_null(f);
  cr_assert_eq(fwrite(p, 1, n, f), n);
  fclose(f);
}

Test(tfevents, every_single_byte_corruption_is_detected) {
  char dir[64], path[128], err[256];
  io_test_mkdtemp(dir);
  size_t n, ends[8];
  int nrec;
  uint8_t *raw = sample_file(dir, &n, ends, &nrec);
  snprintf(path, sizeof path, "%s/bad", dir);
  for (size_t at = 0; at < n; at++) {
    for (int bit = 0; bit < 8; bit += 3) {
      raw[at] ^= (uint8_t)(1u << bit);
      write_bytes(path, raw, n);
      int rc;
      err[0] = '\0';
      int good = read_all(path, &rc, err, sizeof err);
      cr_assert_eq(rc, MBRL_EFORMAT, "flip at byte %zu went unnoticed", at);
      cr_assert(strstr(err, "record at byte") != NULL, "%s", err);
      /* the records before the damaged one still read */
      int rec = 0;
      while (ends[rec] <= at) rec++;
      cr_assert_eq(good, rec, "flip at byte %zu: %d good records, expected %d", at, good, rec);
      raw[at] ^= (uint8_t)(1u << bit);
    }
  }
  free(raw);
  io_test_rmtree(dir);
}

Test(tfevents, truncated_files_read_up_to_the_cut) {
  char dir[64], path[128], err[256];
  io_test_mkdtemp(dir);
  size_t n, ends[8];
  int nrec;
  uint8_t *raw = sample_file(dir, &n, ends, &nrec);
  snprintf(path, sizeof path, "%s/cut", dir);
  for (size_t len = 0; len <= n; len++) {
    write_bytes(path, raw, len);
    int rc, whole = 0, boundary = len == 0;
    while (whole < nrec && ends[whole] <= len) boundary |= ends[whole++] == len;
    err[0] = '\0';
    int good = read_all(path, &rc, err, sizeof err);
    cr_assert_eq(good, whole, "cut at %zu", len);
    if (boundary) cr_assert_eq(rc, 0, "cut at %zu: %s", len, err);
    else cr_assert(rc == MBRL_EFORMAT && strstr(err, "truncated"), "cut at %zu: %d %s", len, rc, err);
  }
  free(raw);
  io_test_rmtree(dir);
}

/* appends data (n bytes) framed as a TFRecord */
static void put_record(FILE *f, const uint8_t *data, size_t n) {
  uint8_t head[12];
  for (int i = 0; i < 8; i++) head[i] = (uint8_t)((uint64_t)n >> (8 * i));
  uint32_t lc = mbrl_tfevents_mask(mbrl_tfevents_crc32c(head, 8));
  uint32_t dc = mbrl_tfevents_mask(mbrl_tfevents_crc32c(data, n));
  for (int i = 0; i < 4; i++) head[8 + i] = (uint8_t)(lc >> (8 * i));
  uint8_t tail[4] = {(uint8_t)dc, (uint8_t)(dc >> 8), (uint8_t)(dc >> 16), (uint8_t)(dc >> 24)};
  fwrite(head, 1, 12, f);
  fwrite(data, 1, n, f);
  fwrite(tail, 1, 4, f);
}

Test(tfevents, reads_tensor_scalars_and_skips_other_fields) {
  char dir[64], path[128], err[256] = "";
  io_test_mkdtemp(dir);
  snprintf(path, sizeof path, "%s/events.out.tfevents.1.host", dir);
  FILE *f = fopen(path, "wb");
  cr_assert_not_null(f);
  /* TF2 style: Value{tag "a", metadata{...}, tensor{dtype DT_FLOAT, tensor_shape {}, float_val [2.5]}}
   * and Value{tag "b", tensor{dtype DT_DOUBLE, tensor_content 8 bytes of -0.75}}, plus a
   * graph_def (field 4) and an image value without a scalar to be skipped */
  static const uint8_t ev[] = {
      0x10, 0x07,                                      /* step 7 */
      0x22, 0x02, 0xaa, 0xbb,                          /* graph_def bytes */
      0x2a, 0x3a,                                      /* summary, 58 bytes */
      0x0a, 0x15,                                      /* value a, 21 bytes */
      0x0a, 0x01, 'a',                                 /*   tag */
      0x4a, 0x02, 0x0a, 0x00,                          /*   metadata{plugin_data{}} */
      0x42, 0x0c,                                      /*   tensor, 12 bytes */
      0x08, 0x01, 0x12, 0x00,                          /*     dtype 1, shape {} */
      0x2a, 0x04, 0x00, 0x00, 0x20, 0x40,              /*     float_val packed [2.5] */
      0x32, 0x00,                                      /*     double_val packed [] */
      0x0a, 0x13,                                      /* value b, 19 bytes */
      0x0a, 0x01, 'b',                                 /*   tag */
      0x42, 0x0c,                                      /*   tensor, 12 bytes */
      0x08, 0x02,                                      /*     dtype 2 */
      0x22, 0x08, 0, 0, 0, 0, 0, 0, 0xe8, 0xbf,        /*     tensor_content -0.75 */
      0x60, 0x01,                                      /*   unknown varint field 12 */
      0x0a, 0x0c,                                      /* value c, 12 bytes */
      0x0a, 0x01, 'c',                                 /*   tag */
      0x22, 0x02, 0x08, 0x01,                          /*   image */
      0x7d, 0, 0, 0, 0,                                /*   unknown fixed32 field 15 */
  };
  put_record(f, ev, sizeof ev);
  /* field 1 (wall_time) with the wrong wire type */
  static const uint8_t bad[] = {0x08, 0x01};
  put_record(f, bad, sizeof bad);
  fclose(f);

  mbrl_tfevents_reader *r;
  mbrl_tfevents_reader_open(&r, path, err, sizeof err);
  cr_assert_not_null(r, "%s", err);
  mbrl_tfevents_event e;
  cr_assert_eq(mbrl_tfevents_reader_next(r, &e, err, sizeof err), 1, "%s", err);
  cr_assert_eq(e.step, 7);
  cr_assert_eq(e.n_values, 2);
  cr_assert_str_eq(e.values[0].tag, "a");
  cr_assert_eq(e.values[0].value, 2.5f);
  cr_assert_str_eq(e.values[1].tag, "b");
  cr_assert_eq(e.values[1].value, -0.75f);
  cr_assert_eq(mbrl_tfevents_reader_next(r, &e, err, sizeof err), MBRL_EFORMAT);
  cr_assert(strstr(err, "not a valid Event") != NULL, "%s", err);
  /* a failed reader keeps failing the same way */
  char err2[256] = "";
  cr_assert_eq(mbrl_tfevents_reader_next(r, &e, err2, sizeof err2), MBRL_EFORMAT);
  cr_assert_str_eq(err, err2);
  mbrl_tfevents_reader_free(r);
  io_test_rmtree(dir);
}

Test(tfevents, random_garbage_never_crashes) {
  char dir[64], path[128], err[256];
  io_test_mkdtemp(dir);
  size_t n, ends[8];
  int nrec;
  uint8_t *raw = sample_file(dir, &n, ends, &nrec);
  snprintf(path, sizeof path, "%s/garbage", dir);
  mbrl_rng rng;
  mbrl_rng_init(&rng, 99, 0);
  int failed = 0;
  for (int it = 0; it < 300; it++) {
    /* random bytes with valid framing sometimes, so the protobuf decoder sees garbage too */
    uint8_t data[64];
    size_t len = (size_t)mbrl_rng_below(&rng, sizeof data);
    for (size_t i = 0; i < len; i++) data[i] = (uint8_t)mbrl_rng_u64(&rng);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    if (it % 2) put_record(f, data, len);
    else fwrite(data, 1, len, f);
    fclose(f);
    int rc;
    read_all(path, &rc, err, sizeof err);
    cr_assert(rc == 0 || rc == MBRL_EFORMAT);
    failed += rc == MBRL_EFORMAT;
  }
  cr_assert_gt(failed, 0);
  free(raw);
  io_test_rmtree(dir);
}

Test(tfevents, missing_file_and_bad_directory_fail) {
  char dir[64], path[128], err[256] = "";
  io_test_mkdtemp(dir);
  snprintf(path, sizeof path, "%s/none", dir);
  cr_assert_eq(mbrl_tfevents_reader_open(&(mbrl_tfevents_reader *){NULL}, path, err, sizeof err), MBRL_ENOTFOUND);
  cr_assert(strstr(err, "cannot open") != NULL, "%s", err);
  /* a file where the run directory should be */
  write_bytes(path, (const uint8_t *)"x", 1);
  cr_assert_neq(mbrl_tfevents_open(&(mbrl_tfevents *){NULL}, path, err, sizeof err), 0);
  cr_assert(strstr(err, "not a directory") != NULL, "%s", err);
  io_test_rmtree(dir);
}
