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

// Error codes built with AVERROR(e) or FFERRTAG, which Swift cannot import.
static inline int xp_AVERROR_EINVAL(void) { return AVERROR(EINVAL); }
static inline int xp_AVERROR_ENOMEM(void) { return AVERROR(ENOMEM); }
static inline int xp_AVERROR_INVALIDDATA(void) { return AVERROR_INVALIDDATA; }
static inline int xp_AVERROR_DECODER_NOT_FOUND(void) { return AVERROR_DECODER_NOT_FOUND; }

// AVFrame's data/linesize are fixed-size C arrays, which Swift imports as tuples; these
// getters index them without tuple gymnastics.
static inline uint8_t *xp_frame_data(const AVFrame *f, int plane) { return f->data[plane]; }
static inline int xp_frame_linesize(const AVFrame *f, int plane) { return f->linesize[plane]; }
static inline int xp_frame_channels(const AVFrame *f) { return f->ch_layout.nb_channels; }
static inline int xp_codecpar_channels(const AVCodecParameters *p) { return p->ch_layout.nb_channels; }
static inline int xp_codecctx_channels(const AVCodecContext *c) { return c->ch_layout.nb_channels; }

// A resampler from the decoder's layout, format and rate to packed float at out_rate with
// out_channels channels (default order). Channel mixing uses libswresample's default matrix,
// which is what `ffmpeg -ac N` uses. Returns NULL on failure.
static inline SwrContext *xp_swr_to_float(const AVChannelLayout *in_layout, enum AVSampleFormat in_fmt,
                                          int in_rate, int out_channels, int out_rate) {
    AVChannelLayout out_layout;
    av_channel_layout_default(&out_layout, out_channels);
    AVChannelLayout in_copy;
    if (in_layout->order == AV_CHANNEL_ORDER_UNSPEC || in_layout->nb_channels <= 0) {
        // Unspecified order (e.g. some AAC in MP4): assume the default order for that count.
        av_channel_layout_default(&in_copy, in_layout->nb_channels > 0 ? in_layout->nb_channels : 1);
    } else if (av_channel_layout_copy(&in_copy, in_layout) < 0) {
        av_channel_layout_uninit(&out_layout);
        return NULL;
    }
    SwrContext *s = NULL;
    int r = swr_alloc_set_opts2(&s, &out_layout, AV_SAMPLE_FMT_FLT, out_rate,
                                &in_copy, in_fmt, in_rate, 0, NULL);
    av_channel_layout_uninit(&out_layout);
    av_channel_layout_uninit(&in_copy);
    if (r < 0 || s == NULL) { swr_free(&s); return NULL; }
    if (swr_init(s) < 0) { swr_free(&s); return NULL; }
    return s;
}

// Sets an encoder context's layout to the default order for `channels`.
static inline void xp_codecctx_set_channels(AVCodecContext *c, int channels) {
    av_channel_layout_uninit(&c->ch_layout);
    av_channel_layout_default(&c->ch_layout, channels);
}
static inline int xp_frame_set_layout_from(AVFrame *f, const AVCodecContext *c) {
    return av_channel_layout_copy(&f->ch_layout, &c->ch_layout);
}

// The byte offset just past the last sample the demuxer's index points at, or -1 without an
// index. Beyond the file's size means the file was cut short. (AVIndexEntry's size is a bitfield.)
static inline int64_t xp_index_data_end(AVStream *st) {
    int n = avformat_index_get_entries_count(st);
    int64_t end = -1;
    for (int i = 0; i < n; i++) {
        const AVIndexEntry *e = avformat_index_get_entry(st, i);
        if (e && e->pos >= 0 && e->pos + e->size > end) end = e->pos + e->size;
    }
    return end;
}
#endif
