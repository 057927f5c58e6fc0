// Swift cannot import HDF5's function-like macros over globals (H5T_NATIVE_FLOAT,
// H5F_ACC_RDONLY, H5P_DATASET_CREATE, ...). These getters expose them as functions.
#ifndef XP_CHDF5_SHIM_H
#define XP_CHDF5_SHIM_H
#include <hdf5.h>

static inline hid_t xp_H5P_DEFAULT(void) { return H5P_DEFAULT; }
static inline hid_t xp_H5S_ALL(void) { return H5S_ALL; }
static inline unsigned xp_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }
static inline unsigned xp_H5F_ACC_TRUNC(void) { return H5F_ACC_TRUNC; }
static inline hid_t xp_H5P_DATASET_CREATE(void) { return H5P_DATASET_CREATE; }
static inline hid_t xp_H5P_FILE_ACCESS(void) { return H5P_FILE_ACCESS; }
static inline hid_t xp_H5P_LINK_CREATE(void) { return H5P_LINK_CREATE; }
static inline hid_t xp_H5P_GROUP_CREATE(void) { return H5P_GROUP_CREATE; }

static inline hid_t xp_H5T_NATIVE_FLOAT(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t xp_H5T_NATIVE_DOUBLE(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t xp_H5T_NATIVE_INT64(void) { return H5T_NATIVE_INT64; }
static inline hid_t xp_H5T_NATIVE_UINT8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t xp_H5T_NATIVE_INT32(void) { return H5T_NATIVE_INT32; }
static inline hid_t xp_H5T_C_S1(void) { return H5T_C_S1; }
static inline hid_t xp_H5T_IEEE_F32LE(void) { return H5T_IEEE_F32LE; }
static inline hid_t xp_H5T_IEEE_F64LE(void) { return H5T_IEEE_F64LE; }
static inline hid_t xp_H5T_STD_I64LE(void) { return H5T_STD_I64LE; }
static inline hid_t xp_H5T_STD_U8LE(void) { return H5T_STD_U8LE; }
static inline size_t xp_H5T_VARIABLE(void) { return H5T_VARIABLE; }

/// Silences HDF5's automatic error stack printing; errors are reported as typed Swift errors.
static inline void xp_H5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
#endif
