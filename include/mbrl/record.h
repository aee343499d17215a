/* Filming an episode: a recorder wraps a policy, draws the environment (render.h) at every step
 * of the first episode after it starts, and writes the frames to an MP4 file (video.h).
 */
#ifndef MBRL_RECORD_H
#define MBRL_RECORD_H

#include <stddef.h>

#include "mbrl/env.h"
#include "mbrl/policy.h"

#pragma GCC visibility push(default)

/* ---- filming an episode ---------------------------------------------------------------------- */

/* Wraps a policy so that the first episode played through it after mbrl_recorder_start is filmed:
 * a frame of the environment before each action, and one of the final state when the environment
 * still holds that episode at mbrl_recorder_finish (an episode of T steps gives T + 1 frames when
 * it ends a collection, else T). */
typedef struct mbrl_recorder mbrl_recorder;

/* Makes a recorder of env (which must outlive it) with frames of width x height (<= 0: the
 * environment's size); nothing is drawn or loaded before mbrl_recorder_start. */
mbrl_recorder *mbrl_recorder_make(mbrl_env *env, int width, int height);

/* Frees a recorder, its renderer and an unfinished video (leaving no file); NULL is a no-op. */
void mbrl_recorder_free(mbrl_recorder *r);

/* Starts a video at path, at the environment's real-time rate (mbrl_renderer_fps), of the next
 * episode that policy (called with ctx; reset, may be NULL, through mbrl_recorder_reset) plays
 * through mbrl_recorder_policy; the first start makes
 * the renderer (and loads EGL for a MuJoCo environment). Returns 0, or with a message in err
 * MBRL_EINVAL for a bad frame size, MBRL_EUNSUPPORTED when the environment cannot be drawn or
 * EGL is missing, MBRL_EIO when path cannot be written (mbrl_recorder_policy then only calls the
 * policy). */
int mbrl_recorder_start(mbrl_recorder *r, const char *path, mbrl_policy_fn policy, mbrl_policy_reset_fn reset,
                        void *ctx, char *err, size_t err_sz);

/* An mbrl_policy_fn over a recorder (ctx): films the environment while the first episode since
 * start lasts, then returns what the wrapped policy returns. A failure to draw or encode ends the
 * filming, not the policy; mbrl_recorder_finish reports it. */
int mbrl_recorder_policy(void *recorder, const float *obs, float *act);

/* An mbrl_policy_reset_fn over a recorder: the wrapped policy's reset, if it has one. */
void mbrl_recorder_reset(void *recorder);

/* Ends the video started last and writes its file; returns 0 with the frame count in *frames (may
 * be NULL), or the first failure since start with its message (no file is then left). */
int mbrl_recorder_finish(mbrl_recorder *r, int *frames, char *err, size_t err_sz);

#pragma GCC visibility pop

#endif
