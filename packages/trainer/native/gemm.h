// Single-precision GEMM for the trainer: C[M][N] (+)= op(A)[M][K] · op(B)[K][N], row-major, where op transposes
// when asked. BLIS structure: A and B packed into micro-panels per K block, one register-blocked micro-kernel
// (MR × NR accumulators) over every tile, tiles shared among OpenMP threads. GCC vector extensions turn into
// AVX-512, AVX2 or SSE for whatever -march the addon was built with.
#pragma once
#include <vector>

namespace benih {

struct GemmScratch {
  std::vector<float> a, b;
};

void gemm(int M, int N, int K, const float* A, int lda, bool transA, const float* B, int ldb, bool transB, float* C,
          int ldc, bool accumulate, GemmScratch& s);

}  // namespace benih
