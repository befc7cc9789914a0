#include "gemm.h"

#include <algorithm>
#include <cstring>

namespace benih {
namespace {

constexpr int MR = 8;
constexpr int NR = 32;
constexpr int KC = 256;

typedef float v16 __attribute__((vector_size(64), aligned(4)));

inline v16 load(const float* p) {
  v16 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store(float* p, v16 v) { std::memcpy(p, &v, sizeof v); }

// Ap: [kc][MR], Bp: [kc][NR]; C tile of mr × nr (edges smaller than MR × NR).
void kernel(int kc, const float* __restrict Ap, const float* __restrict Bp, float* C, int ldc, int mr, int nr,
            bool accumulate) {
  v16 c[MR][2] = {};
  for (int k = 0; k < kc; k++) {
    const v16 b0 = load(Bp + k * NR), b1 = load(Bp + k * NR + 16);
#pragma GCC unroll 8
    for (int r = 0; r < MR; r++) {
      const float a = Ap[k * MR + r];
      c[r][0] += a * b0;
      c[r][1] += a * b1;
    }
  }
  if (mr == MR && nr == NR) {
    for (int r = 0; r < MR; r++) {
      float* row = C + (long)r * ldc;
      if (accumulate) {
        store(row, load(row) + c[r][0]);
        store(row + 16, load(row + 16) + c[r][1]);
      } else {
        store(row, c[r][0]);
        store(row + 16, c[r][1]);
      }
    }
    return;
  }
  float tile[MR][NR];
  for (int r = 0; r < MR; r++) {
    store(tile[r], c[r][0]);
    store(tile[r] + 16, c[r][1]);
  }
  for (int r = 0; r < mr; r++) {
    float* row = C + (long)r * ldc;
    for (int j = 0; j < nr; j++) row[j] = accumulate ? row[j] + tile[r][j] : tile[r][j];
  }
}

}  // namespace

void gemm(int M, int N, int K, const float* A, int lda, bool transA, const float* B, int ldb, bool transB, float* C,
          int ldc, bool accumulate, GemmScratch& s) {
  if (M <= 0 || N <= 0) return;
  const int mp = (M + MR - 1) / MR, np = (N + NR - 1) / NR;
  if (K <= 0) {
    if (!accumulate)
      for (int i = 0; i < M; i++) std::fill(C + (long)i * ldc, C + (long)i * ldc + N, 0.f);
    return;
  }
  const int kcMax = std::min(K, KC);
  if (s.a.size() < (size_t)mp * MR * kcMax) s.a.resize((size_t)mp * MR * kcMax);
  if (s.b.size() < (size_t)np * NR * kcMax) s.b.resize((size_t)np * NR * kcMax);
  float* Ap = s.a.data();
  float* Bp = s.b.data();
  for (int k0 = 0; k0 < K; k0 += KC) {
    const int kc = std::min(KC, K - k0);
    const bool acc = accumulate || k0 > 0;
#pragma omp parallel
    {
#pragma omp for schedule(static) nowait
      for (int i = 0; i < mp; i++) {
        float* dst = Ap + (size_t)i * MR * kc;
        const int i0 = i * MR, mr = std::min(MR, M - i0);
        for (int k = 0; k < kc; k++)
          for (int r = 0; r < MR; r++)
            dst[k * MR + r] = r < mr ? (transA ? A[(long)(k0 + k) * lda + i0 + r] : A[(long)(i0 + r) * lda + k0 + k]) : 0.f;
      }
#pragma omp for schedule(static)
      for (int j = 0; j < np; j++) {
        float* dst = Bp + (size_t)j * NR * kc;
        const int j0 = j * NR, nr = std::min(NR, N - j0);
        for (int k = 0; k < kc; k++) {
          if (!transB && nr == NR) {
            std::memcpy(dst + k * NR, B + (long)(k0 + k) * ldb + j0, NR * sizeof(float));
            continue;
          }
          for (int c = 0; c < NR; c++)
            dst[k * NR + c] = c < nr ? (transB ? B[(long)(j0 + c) * ldb + k0 + k] : B[(long)(k0 + k) * ldb + j0 + c]) : 0.f;
        }
      }
      // Column panels outermost: one B panel stays in L1 while the A panels stream past it.
#pragma omp for schedule(static)
      for (long t = 0; t < (long)mp * np; t++) {
        const int j = (int)(t / mp), i = (int)(t % mp);
        const int i0 = i * MR, j0 = j * NR;
        kernel(kc, Ap + (size_t)i * MR * kc, Bp + (size_t)j * NR * kc, C + (long)i0 * ldc + j0, ldc,
               std::min(MR, M - i0), std::min(NR, N - j0), acc);
      }
    }
  }
}

}  // namespace benih
