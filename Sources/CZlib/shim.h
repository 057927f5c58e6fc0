// zlib: deflate for the NPZ archives numpy's savez_compressed writes, and CRC-32 for ZIP.
#ifndef XP_CZLIB_SHIM_H
#define XP_CZLIB_SHIM_H
#include <zlib.h>
#endif
