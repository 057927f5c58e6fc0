// OpenBLAS's CBLAS interface plus the few LAPACK routines the heads use. LAPACK's
// Fortran symbols ship inside libopenblas; they are declared here so that no LAPACKE
// package is needed.
#ifndef XP_CBLAS_SHIM_H
#define XP_CBLAS_SHIM_H
#include <cblas.h>

/// Cholesky factorisation (LAPACK dpotrf/spotrf): uplo 'U' or 'L'.
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info);
void spotrf_(const char *uplo, const int *n, float *a, const int *lda, int *info);
/// Solve with a Cholesky factor (LAPACK dpotrs/spotrs).
void dpotrs_(const char *uplo, const int *n, const int *nrhs, const double *a, const int *lda,
             double *b, const int *ldb, int *info);
void spotrs_(const char *uplo, const int *n, const int *nrhs, const float *a, const int *lda,
             float *b, const int *ldb, int *info);
/// General solve with partial pivoting (LAPACK sgesv/dgesv), as numpy.linalg.solve does.
void sgesv_(const int *n, const int *nrhs, float *a, const int *lda, int *ipiv, float *b,
            const int *ldb, int *info);
void dgesv_(const int *n, const int *nrhs, double *a, const int *lda, int *ipiv, double *b,
            const int *ldb, int *info);
#endif
