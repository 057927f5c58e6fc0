// FFmpeg's libraries for the six MP4 streams. Getters for macros Swift cannot import
// are added here as the media code needs them.
#ifndef XP_CLIBAV_SHIM_H
#define XP_CLIBAV_SHIM_H
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/channel_layout.h>
#include <libswscale/swscale.h>
#include <libswresample/swresample.h>

static inline int xp_AVERROR_EOF(void) { return AVERROR_EOF; }
static inline int xp_AVERROR_EAGAIN(void) { return AVERROR(EAGAIN); }
static inline int64_t xp_AV_NOPTS_VALUE(void) { return AV_NOPTS_VALUE; }
#endif
