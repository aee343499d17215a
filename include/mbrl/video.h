/* Video: frames of environments drawn offscreen, MP4 files, and a recorder that films an episode.
 *
 * Frames are RGB, 8 bits per channel, row-major with the top row first: (height x width x 3)
 * bytes. Sizes are even, 16 to 4096 pixels.
 *
 * MuJoCo environments are drawn by MuJoCo's own renderer (mjr_render into an offscreen buffer) in
 * an OpenGL context of EGL on Mesa's surfaceless platform, so no display is needed. libEGL.so.1
 * is loaded with dlopen when the first MuJoCo renderer is made: a program that never draws
 * neither links nor loads EGL or GL, and where they are missing only mbrl_renderer_init fails,
 * with a message saying what to install (Debian: libegl1, libegl-mesa0, libgl1-mesa-dri). The
 * cheetahs are filmed side on by a camera that follows the torso over a floor striped every
 * metre; other MuJoCo models by a fixed camera on the whole model. The pure-C environments
 * (obstacles, pendulum, cartpole) are drawn flat in 2-D without GL. Environments registered by
 * users cannot be drawn.
 *
 * Videos are MP4 files of H.264 (libx264 through libavcodec, yuv420p, constant quality), written
 * to <path>.tmp and renamed when closed, so a failed video leaves no file behind.
 */
#ifndef MBRL_VIDEO_H
#define MBRL_VIDEO_H

#include <stddef.h>

#include "mbrl/buffer.h"
#include "mbrl/env.h"

/* ---- frames of an environment ---------------------------------------------------------------- */

/* Draws one environment, on the thread that made it (a MuJoCo renderer's GL context is current
 * there; elsewhere drawing fails with a message). */
typedef struct mbrl_renderer mbrl_renderer;

/* Makes a renderer of env's current state (env must outlive it) with frames of width x height
 * (<= 0 both: the environment's own size, 640 x 360 for the cheetahs). Returns NULL with a
 * message in err (may be NULL) when the size is bad, the environment cannot be drawn, or no EGL
 * display or OpenGL context can be made. */
mbrl_renderer *mbrl_renderer_init(mbrl_env *env, int width, int height, char *err, size_t err_sz);

/* Whether width x height is a frame size renderers and videos take (even, 16 to 4096). */
int mbrl_video_size_ok(int width, int height);

/* Frees a renderer and its GL context; NULL is a no-op. */
void mbrl_renderer_free(mbrl_renderer *r);

/* The frame size in pixels. */
void mbrl_renderer_size(const mbrl_renderer *r, int *width, int *height);

/* The frames per second of real time for env: 1 / dt, or 10 where dt is 0. */
double mbrl_renderer_fps(const mbrl_env *env);

/* What draws the frames: the OpenGL renderer's name (Mesa's "llvmpipe (...)") or "2-D". */
const char *mbrl_renderer_info(const mbrl_renderer *r);

/* Draws the environment's current state into rgb (height x width x 3); returns 0 or MBRL_EIO
 * with a message when OpenGL reports an error. */
int mbrl_renderer_draw(mbrl_renderer *r, unsigned char *rgb, char *err, size_t err_sz);

/* ---- MP4 files ------------------------------------------------------------------------------- */

/* An MP4 file being written. */
typedef struct mbrl_video mbrl_video;

/* Opens path for a video of width x height frames at fps frames per second (1 to 1000). Returns
 * NULL with a message in err (may be NULL) for a bad size or rate, a missing H.264 encoder or a
 * path that cannot be written. */
mbrl_video *mbrl_video_open(const char *path, int width, int height, double fps, char *err,
                            size_t err_sz);

/* Appends one frame rgb (height x width x 3); returns 0 or MBRL_EIO with a message. */
int mbrl_video_write(mbrl_video *v, const unsigned char *rgb, char *err, size_t err_sz);

/* Frames written so far. */
int mbrl_video_frames(const mbrl_video *v);

/* Finishes the file, moves it to its path and frees v (NULL: returns 0); returns 0 or MBRL_EIO
 * with a message, and then no file is left. */
int mbrl_video_close(mbrl_video *v, char *err, size_t err_sz);

/* Frees v without finishing it, leaving no file; NULL is a no-op. */
void mbrl_video_free(mbrl_video *v);

/* ---- filming an episode ---------------------------------------------------------------------- */

/* Wraps a policy so that the first episode played through it after mbrl_recorder_start is filmed:
 * a frame of the environment before each action, and one of the final state when the environment
 * still holds that episode at mbrl_recorder_finish (an episode of T steps gives T + 1 frames when
 * it ends a collection, else T). */
typedef struct mbrl_recorder mbrl_recorder;

/* Makes a recorder of env (which must outlive it) with frames of width x height (<= 0: the
 * environment's size); nothing is drawn or loaded before mbrl_recorder_start. */
mbrl_recorder *mbrl_recorder_init(mbrl_env *env, int width, int height);

/* Frees a recorder, its renderer and an unfinished video (leaving no file); NULL is a no-op. */
void mbrl_recorder_free(mbrl_recorder *r);

/* Starts a video at path, at the environment's real-time rate (mbrl_renderer_fps), of the next
 * episode that policy (called with ctx) plays through mbrl_recorder_policy; the first start makes
 * the renderer (and loads EGL for a MuJoCo environment). Returns 0, or with a message in err
 * MBRL_EINVAL for a bad frame size, MBRL_EUNSUPPORTED when the environment cannot be drawn or
 * EGL is missing, MBRL_EIO when path cannot be written (mbrl_recorder_policy then only calls the
 * policy). */
int mbrl_recorder_start(mbrl_recorder *r, const char *path, mbrl_policy_fn policy, void *ctx,
                        char *err, size_t err_sz);

/* An mbrl_policy_fn over a recorder (ctx): films the environment while the first episode since
 * start lasts, then returns what the wrapped policy returns. A failure to draw or encode ends the
 * filming, not the policy; mbrl_recorder_finish reports it. */
int mbrl_recorder_policy(void *recorder, const float *obs, float *act);

/* Ends the video started last and writes its file; returns 0 with the frame count in *frames (may
 * be NULL), or the first failure since start with its message (no file is then left). */
int mbrl_recorder_finish(mbrl_recorder *r, int *frames, char *err, size_t err_sz);

#endif
