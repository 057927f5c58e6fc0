// zstd for compressed JSONL exports and caches.
#ifndef XP_CZSTD_SHIM_H
#define XP_CZSTD_SHIM_H
#include <zstd.h>
#endif
