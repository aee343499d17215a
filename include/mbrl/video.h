/* Video files: MP4 of H.264 (libx264 through libavcodec, yuv420p, constant quality) from RGB
 * frames (height x width x 3 bytes, top row first), written to <path>.tmp and renamed when
 * closed, so a failed video leaves no file behind. render.h draws frames of environments,
 * record.h films an episode.
 */
#ifndef MBRL_VIDEO_H
#define MBRL_VIDEO_H

#include <stddef.h>

#pragma GCC visibility push(default)

/* Whether width x height is a frame size renderers and videos take (even, 16 to 4096). */
int mbrl_video_size_ok(int width, int height);

/* ---- MP4 files ------------------------------------------------------------------------------- */

/* An MP4 file being written. */
typedef struct mbrl_video mbrl_video;

/* Opens path for a video of width x height frames at fps frames per second (1 to 1000) into *v.
 * Returns 0, or a negative code with a message in err (may be NULL) and *v NULL: MBRL_EINVAL for
 * a bad size or rate, MBRL_EUNSUPPORTED for a missing H.264 encoder, MBRL_EIO for a path that
 * cannot be written. */
int mbrl_video_open(mbrl_video **v, const char *path, int width, int height, double fps, char *err,
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

#pragma GCC visibility pop

#endif
