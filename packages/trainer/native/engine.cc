#include "engine.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

namespace benih {
namespace {

void rmsnormForward(float* out, float* rstd, const float* x, const float* w, int N, int C, float eps) {
#pragma omp parallel for schedule(static)
  for (int n = 0; n < N; n++) {
    const float* xr = x + (long)n * C;
    float* o = out + (long)n * C;
    float ss = 0;
#pragma omp simd reduction(+ : ss)
    for (int i = 0; i < C; i++) ss += xr[i] * xr[i];
    const float r = 1.0f / std::sqrt(ss / C + eps);
    rstd[n] = r;
#pragma omp simd
    for (int i = 0; i < C; i++) o[i] = xr[i] * r * w[i];
  }
}

// dx += ∂/∂x, dw += ∂/∂w. dw is summed row by row in order, so results do not depend on the thread count.
void rmsnormBackward(float* dx, float* dw, const float* dout, const float* x, const float* w, const float* rstd, int N,
                     int C) {
#pragma omp parallel for schedule(static)
  for (int n = 0; n < N; n++) {
    const float* d = dout + (long)n * C;
    const float* xr = x + (long)n * C;
    float* dxr = dx + (long)n * C;
    const float r = rstd[n];
    float dot = 0;
#pragma omp simd reduction(+ : dot)
    for (int i = 0; i < C; i++) dot += d[i] * w[i] * xr[i];
    const float k = dot * r * r * r / C;
#pragma omp simd
    for (int i = 0; i < C; i++) dxr[i] += d[i] * w[i] * r - xr[i] * k;
  }
  if (!dw) return;  // a frozen weight
  for (int n = 0; n < N; n++) {
    const float* d = dout + (long)n * C;
    const float* xr = x + (long)n * C;
    const float r = rstd[n];
#pragma omp simd
    for (int i = 0; i < C; i++) dw[i] += d[i] * xr[i] * r;
  }
}

void scaleBy(float* v, long n, float k) {
#pragma omp parallel for simd schedule(static)
  for (long i = 0; i < n; i++) v[i] *= k;
}

// e^x in float, vectorisable (std::exp is not, here, without -ffast-math): x = n·ln 2 + r with |r| ≤ ln 2 / 2,
// e^r by Cephes' degree-6 polynomial (relative error about 2e-7), 2^n put into the exponent bits. Inputs are
// clamped to the range where e^x is a normal float.
inline float expf_(float x) {
  x = x < -87.0f ? -87.0f : x > 88.0f ? 88.0f : x;
  // Round to nearest by adding and taking away 1.5 · 2^23 (floor() would keep the loop from vectorising).
  const float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  const float r = x - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  return p * __builtin_bit_cast(float, ((int32_t)n + 127) << 23);
}

void add(float* y, const float* x, long n) {
#pragma omp parallel for simd schedule(static)
  for (long i = 0; i < n; i++) y[i] += x[i];
}

}  // namespace

Engine::Engine(const ModelShape& s, int batch, int seqLen, const LoraShape& lora)
    : s_(s), lora_(lora), B_(batch), T_(seqLen), N_(batch * seqLen) {
  if (s.dim <= 0 || s.layers <= 0 || s.heads <= 0 || s.kvHeads <= 0 || s.ff <= 0 || s.vocab <= 0 || batch <= 0 ||
      seqLen <= 0)
    throw std::invalid_argument("every model dimension, the batch and the sequence length must be positive");
  if (s.dim % s.heads || s.heads % s.kvHeads || (s.dim / s.heads) % 2)
    throw std::invalid_argument("dim must split into heads of even size, and heads into kv groups");
  if (s.dim / s.heads > 64) throw std::invalid_argument("heads of more than 64 dimensions are not supported");
  const int C = s.dim, H = s.heads, KV = s.kvHeads, F = s.ff, V = s.vocab, N = N_;
  D_ = C / H;
  QW_ = (H + 2 * KV) * D_;
  // Layout of src/model/params.ts: embedding, per layer attnNorm wq wk wv wo ffnNorm gate up down, final norm.
  // wq|wk|wv and gate|up are adjacent, so each pair of projections is one GEMM.
  size_t at = (size_t)V * C;
  for (int l = 0; l < s.layers; l++) {
    Offsets o;
    o.attnNorm = at, at += C;
    o.wqkv = at, at += (size_t)QW_ * C;
    o.wo = at, at += (size_t)C * H * D_;
    o.ffnNorm = at, at += C;
    o.wgu = at, at += (size_t)2 * F * C;
    o.down = at, at += (size_t)C * F;
    at_.push_back(o);
  }
  finalNormAt_ = at;
  paramCount_ = at + C;
  if (lora.targets) {
    const int r = lora.rank;
    // rows, cols and offset in the layer of wq wk wv wo gate up down, as src/model/lora.ts lays them out.
    const int rows[7] = {H * D_, KV * D_, KV * D_, C, F, F, C}, cols[7] = {C, C, C, H * D_, C, C, F};
    size_t la = 0;
    int widest = 0;
    for (int l = 0; l < s.layers; l++) {
      const Offsets& o = at_[l];
      const size_t base[7] = {o.wqkv, o.wqkv + (size_t)H * D_ * C, o.wqkv + (size_t)(H + KV) * D_ * C, o.wo,
                              o.wgu, o.wgu + (size_t)F * C, o.down};
      std::array<int, 7> of;
      of.fill(-1);
      for (int t = 0; t < 7; t++) {
        if (!(lora.targets >> t & 1)) continue;
        if (r < 1 || r > std::min(rows[t], cols[t])) throw std::invalid_argument("LoRA rank exceeds a target matrix");
        of[t] = (int)slots_.size();
        slots_.push_back({rows[t], cols[t], base[t], la, la + (size_t)r * cols[t]});
        la += (size_t)r * (rows[t] + cols[t]);
        widest = std::max(widest, rows[t]);
      }
      slotOf_.push_back(of);
    }
    loraSize_ = la;
    loraU_.resize((size_t)N * r), loraG_.resize((size_t)N * r), loraB_.resize((size_t)widest * r);
  }
  L_.resize(s.layers);
  for (auto& l : L_) {
    l.x.resize((size_t)N * C), l.xn1.resize((size_t)N * C), l.rstd1.resize(N), l.qkv.resize((size_t)N * QW_);
    l.probs.resize((size_t)B_ * H * T_ * T_), l.att.resize((size_t)N * H * D_), l.x2.resize((size_t)N * C);
    l.xn2.resize((size_t)N * C), l.rstd2.resize(N), l.gu.resize((size_t)N * 2 * F), l.act.resize((size_t)N * F);
  }
  xLast_.resize((size_t)N * C), xf_.resize((size_t)N * C), rstdf_.resize(N), logits_.resize((size_t)N * V);
  dxf_.resize((size_t)N * C), dx_.resize((size_t)N * C), dx2_.resize((size_t)N * C), dxIn_.resize((size_t)N * C);
  dact_.resize((size_t)N * F), dgu_.resize((size_t)N * 2 * F), dxn_.resize((size_t)N * C);
  datt_.resize((size_t)N * H * D_), dqkv_.resize((size_t)N * QW_);
  const int half = D_ / 2;
  cos_.resize((size_t)T_ * half), sin_.resize((size_t)T_ * half);
  for (int t = 0; t < T_; t++)
    for (int i = 0; i < half; i++) {
      const double a = t * std::pow((double)s.ropeTheta, -2.0 * i / D_);
      cos_[t * half + i] = (float)std::cos(a), sin_[t * half + i] = (float)std::sin(a);
    }
  tokens_.resize(N), targets_.resize(N), weights_.resize(N);
}

// Rotates adjacent pairs of `heads` heads starting at column `offset` of rows of width `stride`, by position.
void Engine::rope(float* v, int stride, int offset, int heads, float sign) {
  const int half = D_ / 2;
#pragma omp parallel for schedule(static)
  for (int n = 0; n < N_; n++) {
    const int t = n % T_;
    const float* c = &cos_[t * half];
    const float* sn = &sin_[t * half];
    for (int h = 0; h < heads; h++) {
      float* p = v + (long)n * stride + offset + h * D_;
      for (int i = 0; i < half; i++) {
        const float s = sign * sn[i], x0 = p[2 * i], x1 = p[2 * i + 1];
        p[2 * i] = x0 * c[i] - x1 * s;
        p[2 * i + 1] = x0 * s + x1 * c[i];
      }
    }
  }
}

void Engine::loraMerge(const float* base, const float* lora, float* out) {
  std::memcpy(out, base, paramCount_ * sizeof(float));
  const int r = lora_.rank;
  for (const LoraSlot& sl : slots_) {
    std::copy(lora + sl.b, lora + sl.b + (size_t)sl.rows * r, loraB_.begin());
    scaleBy(loraB_.data(), (long)sl.rows * r, lora_.scale);
    gemm(sl.rows, sl.cols, r, loraB_.data(), r, false, lora + sl.a, sl.cols, false, out + sl.base, sl.cols, true, gs_);
  }
}

// For W[rows][cols] with out = inp · W'ᵀ: dB += doutᵀ · (scale · inp · Aᵀ), dA += (scale · dout · B)ᵀ · inp. Costs
// about 2·N·rank·(rows + cols), against N·rows·cols for the frozen W's own gradient, which is skipped.
void Engine::loraGrads(int layer, int target, const float* dout, int ldo, const float* inp, int ldi, const float* lora,
                       float* dl) {
  const int at = slotOf_[layer][target];
  if (at < 0) return;
  const LoraSlot& sl = slots_[at];
  const int r = lora_.rank, N = N_;
  gemm(N, r, sl.cols, inp, ldi, false, lora + sl.a, sl.cols, true, loraU_.data(), r, false, gs_);
  scaleBy(loraU_.data(), (long)N * r, lora_.scale);
  gemm(sl.rows, r, N, dout, ldo, true, loraU_.data(), r, false, dl + sl.b, r, true, gs_);
  gemm(N, r, sl.rows, dout, ldo, false, lora + sl.b, r, false, loraG_.data(), r, false, gs_);
  scaleBy(loraG_.data(), (long)N * r, lora_.scale);
  gemm(r, sl.cols, N, loraG_.data(), r, true, inp, ldi, false, dl + sl.a, sl.cols, true, gs_);
}

double Engine::forward(const float* P, const int32_t* tokens, const int32_t* targets, const float* weights) {
  const int C = s_.dim, H = s_.heads, KV = s_.kvHeads, F = s_.ff, V = s_.vocab, N = N_, T = T_, D = D_, QW = QW_;
  for (int n = 0; n < N; n++) {
    if (tokens[n] < 0 || tokens[n] >= V)
      throw std::range_error("token " + std::to_string(tokens[n]) + " is outside the vocabulary (" + std::to_string(V) + ")");
    if (targets[n] < 0 || targets[n] >= V)
      throw std::range_error("target " + std::to_string(targets[n]) + " is outside the vocabulary (" + std::to_string(V) + ")");
  }
  std::copy(tokens, tokens + N, tokens_.begin());
  std::copy(targets, targets + N, targets_.begin());
  std::copy(weights, weights + N, weights_.begin());
  ready_ = false;

  float* x = s_.layers ? L_[0].x.data() : xLast_.data();
  for (int n = 0; n < N; n++) std::memcpy(x + (long)n * C, P + (size_t)tokens[n] * C, C * sizeof(float));
  const float scale = 1.0f / std::sqrt((float)D);
  const int group = H / KV;
  for (int l = 0; l < s_.layers; l++) {
    Layer& A = L_[l];
    const Offsets& o = at_[l];
    rmsnormForward(A.xn1.data(), A.rstd1.data(), A.x.data(), P + o.attnNorm, N, C, s_.eps);
    gemm(N, QW, C, A.xn1.data(), C, false, P + o.wqkv, C, true, A.qkv.data(), QW, false, gs_);
    rope(A.qkv.data(), QW, 0, H, 1);
    rope(A.qkv.data(), QW, H * D, KV, 1);
    const float* q = A.qkv.data();
    const float* k = q + H * D;
    const float* v = q + (H + KV) * D;
// Scores are built a key dimension at a time over all keys (s[j] += q[d]·K[d][j], keys transposed once per
// head), so the inner loops run along j in full vectors instead of reducing 32-wide dot products one key at a time.
#pragma omp parallel for collapse(2) schedule(static)
    for (int b = 0; b < B_; b++)
      for (int h = 0; h < H; h++) {
        const int kvh = h / group;
        std::vector<float> kt((size_t)D * T);
        for (int j = 0; j < T; j++)
          for (int d = 0; d < D; d++) kt[(size_t)d * T + j] = k[(long)(b * T + j) * QW + kvh * D + d];
        for (int t = 0; t < T; t++) {
          const float* qr = q + (long)(b * T + t) * QW + h * D;
          float* pr = &A.probs[(((size_t)b * H + h) * T + t) * T];
          std::fill(pr, pr + T, 0.f);
          for (int d = 0; d < D; d++) {
            const float qd = qr[d] * scale;
            const float* kd = &kt[(size_t)d * T];
#pragma omp simd
            for (int j = 0; j <= t; j++) pr[j] += qd * kd[j];
          }
          float max = -INFINITY;
#pragma omp simd reduction(max : max)
          for (int j = 0; j <= t; j++) max = pr[j] > max ? pr[j] : max;
          float sum = 0;
#pragma omp simd reduction(+ : sum)
          for (int j = 0; j <= t; j++) sum += pr[j] = expf_(pr[j] - max);
          const float inv = 1.0f / sum;
#pragma omp simd
          for (int j = 0; j <= t; j++) pr[j] *= inv;
          float acc[64] = {};  // summed in registers, stored once (D ≤ 64, checked at construction)
          for (int j = 0; j <= t; j++) {
            const float* vr = v + (long)(b * T + j) * QW + kvh * D;
            const float p = pr[j];
#pragma omp simd
            for (int d = 0; d < D; d++) acc[d] += p * vr[d];
          }
          std::copy(acc, acc + D, &A.att[(size_t)(b * T + t) * H * D + h * D]);
        }
      }
    gemm(N, C, H * D, A.att.data(), H * D, false, P + o.wo, H * D, true, A.x2.data(), C, false, gs_);
    add(A.x2.data(), A.x.data(), (long)N * C);
    rmsnormForward(A.xn2.data(), A.rstd2.data(), A.x2.data(), P + o.ffnNorm, N, C, s_.eps);
    gemm(N, 2 * F, C, A.xn2.data(), C, false, P + o.wgu, C, true, A.gu.data(), 2 * F, false, gs_);
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++) {
      const float* g = &A.gu[(size_t)n * 2 * F];
      float* a = &A.act[(size_t)n * F];
#pragma omp simd
      for (int i = 0; i < F; i++) a[i] = g[i] / (1.0f + expf_(-g[i])) * g[F + i];
    }
    float* next = l + 1 < s_.layers ? L_[l + 1].x.data() : xLast_.data();
    gemm(N, C, F, A.act.data(), F, false, P + o.down, F, true, next, C, false, gs_);
    add(next, A.x2.data(), (long)N * C);
  }
  rmsnormForward(xf_.data(), rstdf_.data(), xLast_.data(), P + finalNormAt_, N, C, s_.eps);
  gemm(N, V, C, xf_.data(), C, false, P, C, true, logits_.data(), V, false, gs_);
  // Softmax in place (logits_ holds probabilities from here on); the loss sums in a fixed order.
  std::vector<double> rowLoss(N);
#pragma omp parallel for schedule(static)
  for (int n = 0; n < N; n++) {
    float* r = &logits_[(size_t)n * V];
    float max = -INFINITY;
#pragma omp simd reduction(max : max)
    for (int i = 0; i < V; i++) max = r[i] > max ? r[i] : max;
    float sum = 0;
#pragma omp simd reduction(+ : sum)
    for (int i = 0; i < V; i++) sum += r[i] = expf_(r[i] - max);
    const float inv = 1.0f / sum;
#pragma omp simd
    for (int i = 0; i < V; i++) r[i] *= inv;
    rowLoss[n] = weights[n] ? -weights[n] * std::log((double)r[targets[n]]) : 0;
  }
  double loss = 0, total = 0;
  for (int n = 0; n < N; n++) loss += rowLoss[n], total += weights[n];
  weightTotal_ = total;
  ready_ = true;
  return total ? loss / total : 0;
}

void Engine::backward(const float* P, float* G, const float* lora, float* LG) {
  if (!ready_) throw std::logic_error("backward() needs a forward() first");
  if ((lora != nullptr) != (loraSize_ > 0) || (lora != nullptr) != (LG != nullptr))
    throw std::logic_error(loraSize_ ? "this engine trains an adapter: give it and its gradients" : "this engine has no adapter");
  if (lora) G = nullptr;  // the base is frozen
  if (!G && !lora) throw std::logic_error("backward() needs gradients to add into");
  ready_ = false;  // the softmax buffer becomes the logits' gradient below
  const int C = s_.dim, H = s_.heads, KV = s_.kvHeads, F = s_.ff, V = s_.vocab, N = N_, T = T_, D = D_, QW = QW_;
  if (!weightTotal_) return;
  float* dl = logits_.data();
#pragma omp parallel for schedule(static)
  for (int n = 0; n < N; n++) {
    float* r = dl + (size_t)n * V;
    const float w = (float)(weights_[n] / weightTotal_);
    if (!w) {
      std::fill(r, r + V, 0.f);
      continue;
    }
#pragma omp simd
    for (int i = 0; i < V; i++) r[i] *= w;
    r[targets_[n]] -= w;
  }
  gemm(N, C, V, dl, V, false, P, C, false, dxf_.data(), C, false, gs_);
  if (G) gemm(V, C, N, dl, V, true, xf_.data(), C, false, G, C, true, gs_);
  std::fill(dx_.begin(), dx_.end(), 0.f);
  rmsnormBackward(dx_.data(), G ? G + finalNormAt_ : nullptr, dxf_.data(), xLast_.data(), P + finalNormAt_, rstdf_.data(), N, C);

  const float scale = 1.0f / std::sqrt((float)D);
  const int group = H / KV;
  for (int l = s_.layers - 1; l >= 0; l--) {
    Layer& A = L_[l];
    const Offsets& o = at_[l];
    // x_out = x2 + down(act)
    dx2_ = dx_;
    gemm(N, F, C, dx_.data(), C, false, P + o.down, F, false, dact_.data(), F, false, gs_);
    if (G) gemm(C, F, N, dx_.data(), C, true, A.act.data(), F, false, G + o.down, F, true, gs_);
    if (lora) loraGrads(l, 6, dx_.data(), C, A.act.data(), F, lora, LG);
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++) {
      const float* g = &A.gu[(size_t)n * 2 * F];
      const float* da = &dact_[(size_t)n * F];
      float* dg = &dgu_[(size_t)n * 2 * F];
#pragma omp simd
      for (int i = 0; i < F; i++) {
        const float gi = g[i], sg = 1.0f / (1.0f + expf_(-gi));
        dg[F + i] = da[i] * gi * sg;
        dg[i] = da[i] * g[F + i] * sg * (1 + gi * (1 - sg));
      }
    }
    gemm(N, C, 2 * F, dgu_.data(), 2 * F, false, P + o.wgu, C, false, dxn_.data(), C, false, gs_);
    if (G) gemm(2 * F, C, N, dgu_.data(), 2 * F, true, A.xn2.data(), C, false, G + o.wgu, C, true, gs_);
    if (lora) {
      loraGrads(l, 4, dgu_.data(), 2 * F, A.xn2.data(), C, lora, LG);
      loraGrads(l, 5, dgu_.data() + F, 2 * F, A.xn2.data(), C, lora, LG);
    }
    rmsnormBackward(dx2_.data(), G ? G + o.ffnNorm : nullptr, dxn_.data(), A.x2.data(), P + o.ffnNorm, A.rstd2.data(), N, C);
    // x2 = x + wo(att)
    dxIn_ = dx2_;
    gemm(N, H * D, C, dx2_.data(), C, false, P + o.wo, H * D, false, datt_.data(), H * D, false, gs_);
    if (G) gemm(C, H * D, N, dx2_.data(), C, true, A.att.data(), H * D, false, G + o.wo, H * D, true, gs_);
    if (lora) loraGrads(l, 3, dx2_.data(), C, A.att.data(), H * D, lora, LG);
    std::fill(dqkv_.begin(), dqkv_.end(), 0.f);
    const float* q = A.qkv.data();
    const float* k = q + H * D;
    const float* v = q + (H + KV) * D;
    float* dq = dqkv_.data();
    float* dk = dq + H * D;
    float* dv = dq + (H + KV) * D;
    // One task per (sequence, kv head): the query heads of a group all add into that kv head's dk and dv.
#pragma omp parallel for collapse(2) schedule(static)
    for (int b = 0; b < B_; b++)
      for (int kvh = 0; kvh < KV; kvh++) {
        std::vector<float> dp(T), vt((size_t)D * T);
        for (int j = 0; j < T; j++)
          for (int d = 0; d < D; d++) vt[(size_t)d * T + j] = v[(long)(b * T + j) * QW + kvh * D + d];
        for (int h = kvh * group; h < (kvh + 1) * group; h++)
          for (int t = 0; t < T; t++) {
            const long qo = (long)(b * T + t) * QW + h * D;
            const float* dout = &datt_[(size_t)(b * T + t) * H * D + h * D];
            const float* pr = &A.probs[(((size_t)b * H + h) * T + t) * T];
            std::fill(dp.begin(), dp.begin() + t + 1, 0.f);
            for (int d = 0; d < D; d++) {
              const float g = dout[d];
              const float* vd = &vt[(size_t)d * T];
#pragma omp simd
              for (int j = 0; j <= t; j++) dp[j] += g * vd[j];
            }
            float pdp = 0;
#pragma omp simd reduction(+ : pdp)
            for (int j = 0; j <= t; j++) pdp += pr[j] * dp[j];
            // dq of this query sums over keys: kept in a local row, stored once (dq, dk and dv share one buffer,
            // so the compiler would otherwise load and store it for every key).
            float acc[64] = {};
            const float* qr = q + qo;
            for (int j = 0; j <= t; j++) {
              const long ro = (long)(b * T + j) * QW + kvh * D;
              const float p = pr[j], ds = p * (dp[j] - pdp) * scale;
              float* __restrict dvr = dv + ro;
              float* __restrict dkr = dk + ro;
              const float* __restrict kr = k + ro;
#pragma omp simd
              for (int d = 0; d < D; d++) {
                dvr[d] += p * dout[d];
                dkr[d] += ds * qr[d];
                acc[d] += ds * kr[d];
              }
            }
#pragma omp simd
            for (int d = 0; d < D; d++) dq[qo + d] += acc[d];
          }
      }
    rope(dqkv_.data(), QW, 0, H, -1);  // a rotation's gradient is the inverse rotation
    rope(dqkv_.data(), QW, H * D, KV, -1);
    gemm(N, C, QW, dqkv_.data(), QW, false, P + o.wqkv, C, false, dxn_.data(), C, false, gs_);
    if (G) gemm(QW, C, N, dqkv_.data(), QW, true, A.xn1.data(), C, false, G + o.wqkv, C, true, gs_);
    if (lora)
      for (int t = 0; t < 3; t++)
        loraGrads(l, t, dqkv_.data() + (t ? (H + (t - 1) * KV) * D : 0), QW, A.xn1.data(), C, lora, LG);
    rmsnormBackward(dxIn_.data(), G ? G + o.attnNorm : nullptr, dxn_.data(), A.x.data(), P + o.attnNorm, A.rstd1.data(), N, C);
    dx_.swap(dxIn_);
  }
  // Embedding rows: in token order, so a token seen twice sums the same way every run.
  if (!G) return;
  for (int n = 0; n < N; n++) {
    float* e = G + (size_t)tokens_[n] * C;
    const float* d = &dx_[(size_t)n * C];
#pragma omp simd
    for (int i = 0; i < C; i++) e[i] += d[i];
  }
}

void adamw(float* p, const float* g, float* m, float* v, const uint8_t* decay, size_t n, float lr, float beta1,
           float beta2, float eps, float weightDecay, int t) {
  const float c1 = 1 - std::pow(beta1, t), c2 = 1 - std::pow(beta2, t);
#pragma omp parallel for simd schedule(static)
  for (size_t i = 0; i < n; i++) {
    const float mi = m[i] = beta1 * m[i] + (1 - beta1) * g[i];
    const float vi = v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
    p[i] -= lr * (mi / c1 / (std::sqrt(vi / c2) + eps) + (decay[i] ? weightDecay * p[i] : 0.f));
  }
}

double clipGradients(float* g, size_t n, double maxNorm) {
  // Fixed chunks summed in order: the same norm whatever the thread count.
  const size_t chunk = 1 << 14, chunks = (n + chunk - 1) / chunk;
  std::vector<double> part(chunks);
#pragma omp parallel for schedule(static)
  for (size_t c = 0; c < chunks; c++) {
    double ss = 0;
    for (size_t i = c * chunk; i < std::min(n, (c + 1) * chunk); i++) ss += (double)g[i] * g[i];
    part[c] = ss;
  }
  double ss = 0;
  for (double x : part) ss += x;
  const double norm = std::sqrt(ss);
  if (norm > maxNorm) {
    const float k = (float)(maxNorm / norm);
#pragma omp parallel for simd schedule(static)
    for (size_t i = 0; i < n; i++) g[i] *= k;
  }
  return norm;
}

}  // namespace benih
