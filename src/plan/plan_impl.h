/* Internal interface between the planner front end (planner.c) and the planners, one per file. */
#ifndef MBRL_PLAN_IMPL_H
#define MBRL_PLAN_IMPL_H

#include <stddef.h>

#include "mbrl/planner.h"

/* Fills x (rows x act_dim) uniformly within the action bounds. */
void mbrl_plan_uniform(mbrl_planner *p, float *x, size_t rows);

/* Clips x (rows x act_dim) to the action bounds in place. */
void mbrl_plan_clip(const mbrl_planner *p, float *x, size_t rows);

/* Whether score a ranks above score b: NaN ranks below every number. */
static inline int mbrl_plan_better(float a, float b) { return a > b || (b != b && a == a); }

/* Counts the NaN scores of the last evaluation into p->nonfinite. */
void mbrl_plan_count_nan(mbrl_planner *p);

/* Random shooting: plans from obs and writes the first action (act_dim). */
void mbrl_plan_random_shooting(mbrl_planner *p, const float *obs, float *act);

/* CEM: plans from obs and writes the first action (act_dim). */
void mbrl_plan_cem(mbrl_planner *p, const float *obs, float *act);

#endif
