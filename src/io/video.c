/* MP4 files: RGB frames converted to yuv420p by libswscale, encoded as H.264 by libavcodec
 * (libx264 where it is built in) and muxed by libavformat into <path>.tmp, renamed when done. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>

#include "mbrl/core.h"
#include "mbrl/video.h"

struct mbrl_video {
  AVFormatContext *fmt;
  AVCodecContext *enc;
  AVStream *stream;
  AVFrame *frame;   /* yuv420p, reused for every frame */
  AVPacket *pkt;
  struct SwsContext *sws;
  int width, height;
  int frames;
  char path[1024], tmp[1040];
};

/* libav logs encoder details to stderr at its default level; the library keeps errors only,
 * unless the program chose a level itself */
static void quiet_log(void) {
  if (av_log_get_level() == AV_LOG_INFO) av_log_set_level(AV_LOG_ERROR);
}
static pthread_once_t quiet_once = PTHREAD_ONCE_INIT;

static int av_fail(char *err, size_t err_sz, const char *path, const char *what, int averr) {
  char msg[AV_ERROR_MAX_STRING_SIZE] = "";
  av_strerror(averr, msg, sizeof msg);
  return mbrl_errf(err, err_sz, MBRL_EIO, "video %s: %s: %s", path, what, msg);
}

void mbrl_video_free(mbrl_video *v) {
  if (!v) return;
  if (v->fmt && v->fmt->pb) {
    avio_closep(&v->fmt->pb);
    remove(v->tmp);
  }
  avformat_free_context(v->fmt);
  avcodec_free_context(&v->enc);
  av_frame_free(&v->frame);
  av_packet_free(&v->pkt);
  sws_freeContext(v->sws);
  mbrl_free(v);
}

/* libx264 by name (Debian's libavcodec has it), else whatever H.264 encoder there is */
static const AVCodec *h264_encoder(void) {
  const AVCodec *c = avcodec_find_encoder_by_name("libx264");
  return c ? c : avcodec_find_encoder(AV_CODEC_ID_H264);
}

int mbrl_video_open(mbrl_video **out, const char *path, int width, int height, double fps, char *err,
                    size_t err_sz) {
  MBRL_ASSERT(out && path);
  *out = NULL;
  pthread_once(&quiet_once, quiet_log);
  if (!mbrl_video_size_ok(width, height) || !(fps >= 1.0 && fps <= 1000.0))
    return mbrl_errf(err, err_sz, MBRL_EINVAL,
                     "video %s: %d x %d at %g fps; sizes must be even, 16 to 4096, and 1 <= fps <= 1000", path,
                     width, height, fps);
  const AVCodec *codec = h264_encoder();
  if (!codec)
    return mbrl_errf(err, err_sz, MBRL_EUNSUPPORTED,
                     "video %s: libavcodec has no H.264 encoder (Debian's libavcodec59 has libx264)", path);
  mbrl_video *v = mbrl_alloc(sizeof *v);
  v->width = width, v->height = height;
  if (snprintf(v->path, sizeof v->path, "%s", path) >= (int)sizeof v->path) {
    mbrl_free(v);
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "video: path too long");
  }
  snprintf(v->tmp, sizeof v->tmp, "%s.tmp", path);
  AVRational rate = av_d2q(fps, 100000);
  int rc, code = MBRL_EIO;
  if ((rc = avformat_alloc_output_context2(&v->fmt, NULL, "mp4", v->tmp)) < 0 || !v->fmt) {
    code = av_fail(err, err_sz, path, "no MP4 muxer", rc);
    goto fail;
  }
  v->enc = avcodec_alloc_context3(codec);
  v->stream = avformat_new_stream(v->fmt, NULL);
  v->frame = av_frame_alloc();
  v->pkt = av_packet_alloc();
  if (!v->enc || !v->stream || !v->frame || !v->pkt) {
    code = mbrl_errf(err, err_sz, MBRL_ENOMEM, "video %s: out of memory", path);
    goto fail;
  }
  v->enc->width = width, v->enc->height = height;
  v->enc->pix_fmt = AV_PIX_FMT_YUV420P;
  v->enc->time_base = av_inv_q(rate);
  v->enc->framerate = rate;
  if (v->fmt->oformat->flags & AVFMT_GLOBALHEADER) v->enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  /* constant quality, a fast preset: frames of simulations compress easily */
  AVDictionary *opt = NULL;
  if (!strcmp(codec->name, "libx264")) {
    av_dict_set(&opt, "preset", "veryfast", 0);
    av_dict_set(&opt, "crf", "23", 0);
  }
  rc = avcodec_open2(v->enc, codec, &opt);
  av_dict_free(&opt);
  if (rc < 0) {
    code = av_fail(err, err_sz, path, "the H.264 encoder refused the settings", rc);
    goto fail;
  }
  if ((rc = avcodec_parameters_from_context(v->stream->codecpar, v->enc)) < 0) {
    code = av_fail(err, err_sz, path, "stream parameters", rc);
    goto fail;
  }
  v->stream->time_base = v->enc->time_base;
  v->stream->avg_frame_rate = rate;
  v->frame->format = AV_PIX_FMT_YUV420P;
  v->frame->width = width, v->frame->height = height;
  if ((rc = av_frame_get_buffer(v->frame, 0)) < 0) {
    code = av_fail(err, err_sz, path, "frame buffer", rc);
    goto fail;
  }
  v->sws = sws_getContext(width, height, AV_PIX_FMT_RGB24, width, height, AV_PIX_FMT_YUV420P,
                          SWS_BILINEAR, NULL, NULL, NULL);
  if (!v->sws) {
    code = mbrl_errf(err, err_sz, MBRL_EUNSUPPORTED, "video %s: no RGB to yuv420p conversion", path);
    goto fail;
  }
  if ((rc = avio_open(&v->fmt->pb, v->tmp, AVIO_FLAG_WRITE)) < 0) {
    code = av_fail(err, err_sz, path, "cannot write", rc);
    goto fail;
  }
  if ((rc = avformat_write_header(v->fmt, NULL)) < 0) {
    code = av_fail(err, err_sz, path, "cannot write the header", rc);
    goto fail;
  }
  *out = v;
  return MBRL_OK;
fail:
  mbrl_video_free(v);
  return code;
}

/* sends frame (NULL: flush) and writes every packet the encoder has ready */
static int encode(mbrl_video *v, AVFrame *frame, char *err, size_t err_sz) {
  int rc = avcodec_send_frame(v->enc, frame);
  if (rc < 0) return av_fail(err, err_sz, v->path, "encoding", rc);
  for (;;) {
    rc = avcodec_receive_packet(v->enc, v->pkt);
    if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return 0;
    if (rc < 0) return av_fail(err, err_sz, v->path, "encoding", rc);
    av_packet_rescale_ts(v->pkt, v->enc->time_base, v->stream->time_base);
    v->pkt->stream_index = v->stream->index;
    rc = av_interleaved_write_frame(v->fmt, v->pkt);
    if (rc < 0) return av_fail(err, err_sz, v->path, "writing", rc);
  }
}

int mbrl_video_write(mbrl_video *v, const unsigned char *rgb, char *err, size_t err_sz) {
  MBRL_ASSERT(v && rgb);
  int rc = av_frame_make_writable(v->frame);
  if (rc < 0) return av_fail(err, err_sz, v->path, "frame buffer", rc);
  const uint8_t *src[1] = {rgb};
  const int stride[1] = {3 * v->width};
  sws_scale(v->sws, src, stride, 0, v->height, v->frame->data, v->frame->linesize);
  v->frame->pts = v->frames;
  if ((rc = encode(v, v->frame, err, err_sz))) return rc;
  v->frames++;
  return 0;
}

int mbrl_video_frames(const mbrl_video *v) { return v->frames; }

int mbrl_video_close(mbrl_video *v, char *err, size_t err_sz) {
  if (!v) return 0;
  int rc = encode(v, NULL, err, err_sz);
  if (!rc && (rc = av_write_trailer(v->fmt)) < 0)
    rc = av_fail(err, err_sz, v->path, "cannot finish the file", rc);
  if (!rc && (rc = avio_closep(&v->fmt->pb)) < 0)
    rc = av_fail(err, err_sz, v->path, "cannot finish the file", rc);
  if (!rc && rename(v->tmp, v->path))
    rc = mbrl_errf(err, err_sz, MBRL_EIO, "video %s: cannot rename %s", v->path, v->tmp);
  if (rc) remove(v->tmp);
  mbrl_video_free(v);
  return rc;
}
