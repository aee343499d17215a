/* Configuration tables: defaults, values from text with their checks, JSON out and back in
 * (sections and a dynamic section included), and bad JSON refused with the key named. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "io_test.h"
#include "mbrl/config.h"
#include "mbrl/core.h"
#include "mbrl/mb.h"

typedef struct {
  int depth;
  float rate;
} inner;

typedef struct {
  double scale;
} extra_a;

typedef struct {
  char name[MBRL_CONFIG_STR];
  int count;
  double ratio;
  int on;
  int colour;
  inner in;
  char kind[MBRL_CONFIG_STR];
  _Alignas(8) unsigned char more[64];
} outer;

static const char *const colours[] = {"red", "green", "blue", NULL};

static const mbrl_field inner_fields[] = {
    MBRL_CFG_INT(inner, depth, "depth", "-d", 0, 10, 3, "depth"),
    MBRL_CFG_FLOAT(inner, rate, "rate", NULL, 0, 1, 1e-3, "rate"),
};
static const mbrl_config_table inner_table = {"inner", inner_fields, 2};

static const mbrl_field extra_fields[] = {MBRL_CFG_DOUBLE(extra_a, scale, "scale", NULL, 0, 0, 2.5, "scale")};
static const mbrl_config_table extra_table = {"a", extra_fields, 1};

/* the extra block has a table only when kind is "a" */
static const mbrl_config_table *more_of(const void *base) {
  return strcmp(((const outer *)base)->kind, "a") ? NULL : &extra_table;
}

static const mbrl_field outer_fields[] = {
    MBRL_CFG_STRING(outer, name, "name", NULL, "none", "name"),
    MBRL_CFG_INT(outer, count, "count", "-n", 1, 100, 20, "count"),
    MBRL_CFG_DOUBLE(outer, ratio, "ratio", NULL, 0, 1, 0.25, "ratio"),
    MBRL_CFG_BOOL(outer, on, "on", NULL, 0, "on"),
    MBRL_CFG_CHOICE(outer, colour, "colour", NULL, colours, 1, "colour"),
    MBRL_CFG_SECTION(outer, in, &inner_table),
    MBRL_CFG_STRING(outer, kind, "kind", NULL, "a", "kind"),
    MBRL_CFG_DYNAMIC(outer, more, more_of),
};
static const mbrl_config_table outer_table = {"test", outer_fields, 8};

static outer defaults(void) {
  outer o;
  memset(&o, 0, sizeof o);
  mbrl_config_defaults(&outer_table, &o);
  return o;
}

static double scale_of(const outer *o) {
  extra_a e;
  memcpy(&e, o->more, sizeof e);
  return e.scale;
}

Test(config, defaults_fill_every_field_and_sections) {
  outer o = defaults();
  cr_expect_str_eq(o.name, "none");
  cr_expect_eq(o.count, 20);
  cr_expect_eq(o.ratio, 0.25);
  cr_expect_eq(o.on, 0);
  cr_expect_eq(o.colour, 1);
  cr_expect_eq(o.in.depth, 3);
  cr_expect_eq(o.in.rate, 1e-3f);
  cr_expect_eq(scale_of(&o), 2.5, "the dynamic section's defaults once kind names its table");
  cr_expect_eq(mbrl_config_extent(&inner_table), sizeof(inner));
  cr_expect_eq(mbrl_config_extent(&extra_table), sizeof(extra_a));
  cr_expect_eq(mbrl_config_extent(&outer_table), SIZE_MAX, "a dynamic section's extent is not known");
}

Test(config, values_from_text_are_checked) {
  outer o = defaults();
  char err[256] = "";
  cr_expect_eq(mbrl_config_set(&outer_table, &o, "count", "7", err, sizeof err), 0);
  cr_expect_eq(o.count, 7);
  cr_expect_eq(mbrl_config_set(&outer_table, &o, "depth", "9", err, sizeof err), 0, "a section's field");
  cr_expect_eq(o.in.depth, 9);
  cr_expect_eq(mbrl_config_set(&outer_table, &o, "scale", "-4", err, sizeof err), 0, "a dynamic section's");
  cr_expect_eq(scale_of(&o), -4.0);
  cr_expect_eq(mbrl_config_set(&outer_table, &o, "colour", "blue", err, sizeof err), 0);
  cr_expect_eq(o.colour, 2);
  cr_expect_eq(mbrl_config_set(&outer_table, &o, "on", "true", err, sizeof err), 0);
  cr_expect_eq(o.on, 1);
  cr_expect_eq(mbrl_config_set(&outer_table, &o, "count", "101", err, sizeof err), MBRL_EINVAL);
  cr_expect(strstr(err, "count") && strstr(err, "[1, 100]"), "%s", err);
  cr_expect_eq(mbrl_config_set(&outer_table, &o, "count", "2.5", err, sizeof err), MBRL_EINVAL);
  cr_expect_eq(mbrl_config_set(&outer_table, &o, "ratio", "nan", err, sizeof err), MBRL_EINVAL);
  cr_expect_eq(mbrl_config_set(&outer_table, &o, "colour", "pink", err, sizeof err), MBRL_EINVAL);
  cr_expect(strstr(err, "red, green, blue") != NULL, "%s", err);
  cr_expect_eq(mbrl_config_set(&outer_table, &o, "on", "maybe", err, sizeof err), MBRL_EINVAL);
  cr_expect_eq(mbrl_config_set(&outer_table, &o, "nothing", "1", err, sizeof err), MBRL_ENOTFOUND);
  char longer[MBRL_CONFIG_STR + 8];
  memset(longer, 'x', sizeof longer - 1);
  longer[sizeof longer - 1] = 0;
  cr_expect_eq(mbrl_config_set(&outer_table, &o, "name", longer, err, sizeof err), MBRL_EINVAL);
  cr_expect_eq(o.count, 7, "a refused value changes nothing");
  char text[64];
  mbrl_config_field_text(&inner_fields[1], &o.in, text, sizeof text);
  cr_expect_str_eq(text, "0.001", "a float by its shortest decimal form");
}

Test(config, json_round_trip) {
  outer o = defaults(), back = defaults();
  snprintf(o.name, sizeof o.name, "run \"one\"");
  o.count = 5, o.ratio = 0.1, o.on = 1, o.colour = 2, o.in.depth = 0, o.in.rate = 0.3f;
  extra_a e = {-1.25};
  memcpy(o.more, &e, sizeof e);
  cJSON *j = cJSON_CreateObject();
  mbrl_config_to_json(&outer_table, &o, j);
  char *text = cJSON_PrintUnformatted(j);
  cr_expect(strstr(text, "\"rate\":0.3,") != NULL, "floats written as typed: %s", text);
  cr_expect(strstr(text, "\"colour\":\"blue\"") && strstr(text, "\"on\":true") && strstr(text, "\"scale\":-1.25"),
            "%s", text);
  char err[256] = "";
  cr_assert_eq(mbrl_config_from_json(&outer_table, &back, j, "test", err, sizeof err), 0, "%s", err);
  cr_expect_str_eq(back.name, o.name);
  cr_expect_eq(back.count, 5);
  cr_expect_eq(back.ratio, 0.1);
  cr_expect_eq(back.on, 1);
  cr_expect_eq(back.colour, 2);
  cr_expect_eq(back.in.depth, 0);
  cr_expect_eq(back.in.rate, 0.3f);
  cr_expect_eq(scale_of(&back), -1.25);
  cJSON_free(text);
  cJSON_Delete(j);
}

/* the error of reading json into defaults, or "" */
static int read_json(const char *json, outer *o, char *err, size_t err_sz) {
  *o = defaults();
  cJSON *j = cJSON_Parse(json);
  cr_assert_not_null(j, "%s", json);
  int rc = mbrl_config_from_json(&outer_table, o, j, "config.json", err, err_sz);
  cJSON_Delete(j);
  return rc;
}

Test(config, bad_json_values_are_refused_with_their_key) {
  outer o;
  char err[256] = "";
  cr_expect_eq(read_json("{\"count\": 3, \"unknown\": [1], \"threads\": 2}", &o, err, sizeof err), 0,
               "unknown keys are ignored: %s", err);
  cr_expect_eq(o.count, 3);
  cr_expect_eq(o.ratio, 0.25, "absent keys keep their value");
  const char *bad[] = {"{\"count\": \"3\"}", "{\"count\": 2.5}", "{\"count\": 1e12}", "{\"count\": 500}",
                       "{\"colour\": 1}",    "{\"colour\": \"pink\"}", "{\"on\": \"yes\"}", "{\"depth\": -1}",
                       "{\"ratio\": null}", "{\"kind\": \"a\", \"scale\": \"big\"}"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    err[0] = 0;
    cr_expect_eq(read_json(bad[i], &o, err, sizeof err), MBRL_EFORMAT, "%s", bad[i]);
    cr_expect(strstr(err, "config.json") != NULL, "%s: %s", bad[i], err);
  }
  cr_expect_eq(read_json("[1, 2]", &o, err, sizeof err), MBRL_EFORMAT);
  /* a dynamic section with no table for the kind read: its keys are ignored */
  cr_expect_eq(read_json("{\"kind\": \"b\", \"scale\": \"big\"}", &o, err, sizeof err), 0, "%s", err);
}

Test(config, metadata_text_round_trips_and_needs_every_key) {
  outer o = defaults(), back = defaults();
  o.count = 7, o.in.rate = 0.1f, o.colour = 2;
  char *text = mbrl_config_print(&inner_table, &o.in);
  cr_expect_str_eq(text, "{\"depth\":3,\"rate\":0.1}");
  char err[256] = "";
  back.in.depth = 9;
  cr_expect_eq(mbrl_config_parse(&inner_table, &back.in, text, "meta", err, sizeof err), 0, "%s", err);
  cr_expect_eq(back.in.depth, 3);
  cr_expect_eq(back.in.rate, 0.1f);
  mbrl_free(text);
  const char *bad[] = {"{\"depth\":3}", "{\"rate\":0.1}", "{\"depth\":3,\"rate\":\"x\"}", "[3]", "{\"depth\":", NULL};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    err[0] = 0;
    cr_expect_eq(mbrl_config_parse(&inner_table, &back.in, bad[i], "meta", err, sizeof err), MBRL_EFORMAT, "%s",
                 bad[i] ? bad[i] : "NULL");
    cr_expect(strstr(err, "meta") != NULL, "%s", err);
  }
  cr_expect(strstr(err, "missing") != NULL, "absent metadata: %s", err);
}

Test(config, files_write_and_read_back) {
  char dir[64], path[128], err[256] = "";
  io_test_mkdtemp(dir);
  snprintf(path, sizeof path, "%s/config.json", dir);
  outer o = defaults(), back = defaults();
  o.count = 42;
  cJSON *j = cJSON_CreateObject();
  mbrl_config_to_json(&outer_table, &o, j);
  cr_assert_eq(mbrl_config_write_json(j, path, err, sizeof err), 0, "%s", err);
  cJSON_Delete(j);
  cr_assert_eq(mbrl_config_read_file(&outer_table, &back, path, err, sizeof err), 0, "%s", err);
  cr_expect_eq(back.count, 42);
  FILE *f = fopen(path, "w");
  fputs("{\"count\": ", f);
  fclose(f);
  cr_expect_eq(mbrl_config_read_file(&outer_table, &back, path, err, sizeof err), MBRL_EFORMAT);
  snprintf(path, sizeof path, "%s/missing.json", dir);
  cr_expect_neq(mbrl_config_read_file(&outer_table, &back, path, err, sizeof err), MBRL_EFORMAT,
                "a missing file is not a format error");
  io_test_rmtree(dir);
}

Test(config, mb_table_holds_cs285s_defaults_and_embeds_model_and_planner) {
  mbrl_mb_config c = mbrl_mb_defaults();
  cr_expect_eq(c.n_iter, 20);
  cr_expect_eq(c.model.E, 3);
  cr_expect_eq(c.model.lr, 1e-3f);
  cr_expect_eq(c.planner.N, 1000);
  cr_expect_eq(c.planner.H, 10);
  cr_expect_str_eq(c.planner.name, "random");
  cr_expect_eq(c.batch_size_initial, 20000);
  cr_expect_eq(c.eval_batch_size, 400);
  cr_expect_str_eq(c.logdir, "data");
  char err[256] = "";
  cr_expect_eq(mbrl_config_set(&mbrl_mb_table, &c, "ensemble_size", "5", err, sizeof err), 0);
  cr_expect_eq(c.model.E, 5);
  cr_expect_eq(mbrl_config_set(&mbrl_mb_table, &c, "mpc_horizon", "15", err, sizeof err), 0);
  cr_expect_eq(c.planner.H, 15);
}
