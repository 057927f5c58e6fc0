// What the HDF5 fuzz target asks libhdf5 directly: how many identifiers are still open after
// a run (the wrapper must close every one it opens).
#ifndef XP_CHDF5_PROBE_H
#define XP_CHDF5_PROBE_H
#include <hdf5.h>

/// Open identifiers of every kind (files, groups, datasets, datatypes, attributes) in all files.
static inline ssize_t xp_probe_open_objects(void) { return H5Fget_obj_count((hid_t)H5F_OBJ_ALL, H5F_OBJ_ALL); }
#endif
