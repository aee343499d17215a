/* Test helper: reads an MP4 back through libavformat, independently of the library's writer. */
#ifndef MBRL_TESTS_IO_VIDEO_PROBE_H
#define MBRL_TESTS_IO_VIDEO_PROBE_H

#include <criterion/criterion.h>
#include <libavformat/avformat.h>

typedef struct {
  int frames;       /* video packets, one per frame */
  int width, height;
  int h264;         /* the stream is H.264 */
  double fps;       /* the stream's average frame rate */
} video_probe;

/* fills p from the file at path; fails the test when it cannot be read */
static inline video_probe probe_video(const char *path) {
  video_probe p = {0};
  AVFormatContext *fmt = NULL;
  cr_assert_eq(avformat_open_input(&fmt, path, NULL, NULL), 0, "cannot open %s", path);
  cr_assert_geq(avformat_find_stream_info(fmt, NULL), 0);
  int s = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
  cr_assert_geq(s, 0, "%s has no video stream", path);
  const AVCodecParameters *par = fmt->streams[s]->codecpar;
  p.width = par->width, p.height = par->height;
  p.h264 = par->codec_id == AV_CODEC_ID_H264;
  p.fps = av_q2d(fmt->streams[s]->avg_frame_rate);
  AVPacket *pkt = av_packet_alloc();
  while (av_read_frame(fmt, pkt) >= 0) {
    p.frames += pkt->stream_index == s;
    av_packet_unref(pkt);
  }
  av_packet_free(&pkt);
  avformat_close_input(&fmt);
  return p;
}

#endif
