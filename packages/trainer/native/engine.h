// The llama recipe's training step in C++: the same maths and parameter layout as src/model/model.ts (the
// TypeScript reference, which the gradient check verifies), in f32 over the packed GEMM, with OpenMP threads.
#pragma once
#include <cstddef>
#include <array>
#include <cstdint>
#include <vector>

#include "gemm.h"

namespace benih {

struct ModelShape {
  int dim, layers, heads, kvHeads, ff, vocab;
  float eps, ropeTheta;
};

/** A LoRA adapter's shape: rank, alpha / rank, and which matrices (bit i = wq wk wv wo gate up down). */
struct LoraShape {
  int rank = 0;
  float scale = 0;
  int targets = 0;
};

class Engine {
 public:
  Engine(const ModelShape& shape, int batch, int seqLen, const LoraShape& lora = {});
  /** Weighted mean cross-entropy; keeps activations and the softmax for backward(). */
  double forward(const float* params, const int32_t* tokens, const int32_t* targets, const float* weights);
  /**
   * Adds d(loss)/d(params) of the last forward() into grads. With an adapter (lora, loraGrads given) the base is
   * frozen: grads may be null, its weight gradients are skipped, and the adapter's are added into loraGrads.
   */
  void backward(const float* params, float* grads, const float* lora = nullptr, float* loraGrads = nullptr);
  /** out = base with each adapted W replaced by W + scale · B · A (layout of src/model/lora.ts). */
  void loraMerge(const float* base, const float* lora, float* out);
  size_t paramCount() const { return paramCount_; }
  size_t loraSize() const { return loraSize_; }
  int tokensPerBatch() const { return N_; }

 private:
  struct Layer {
    std::vector<float> x, xn1, rstd1, qkv, probs, att, x2, xn2, rstd2, gu, act;
  };
  struct Offsets {
    size_t attnNorm, wqkv, wo, ffnNorm, wgu, down;
  };
  struct LoraSlot {
    int rows, cols;
    size_t base, a, b;
  };
  ModelShape s_;
  LoraShape lora_;
  size_t loraSize_ = 0;
  // Per layer, the slots of wq wk wv wo gate up down (-1 where not adapted).
  std::vector<std::array<int, 7>> slotOf_;
  std::vector<LoraSlot> slots_;
  std::vector<float> loraU_, loraG_, loraB_;
  int B_, T_, N_, D_, QW_;
  size_t paramCount_;
  size_t finalNormAt_;
  std::vector<Offsets> at_;
  std::vector<Layer> L_;
  std::vector<float> xLast_, xf_, rstdf_, logits_;
  std::vector<float> cos_, sin_;
  std::vector<int32_t> tokens_, targets_;
  std::vector<float> weights_;
  double weightTotal_ = 0;
  // backward scratch
  std::vector<float> dxf_, dx_, dx2_, dxIn_, dact_, dgu_, dxn_, datt_, dqkv_;
  GemmScratch gs_;
  bool ready_ = false;

  void rope(float* v, int stride, int offset, int heads, float sign);
  void loraGrads(int layer, int target, const float* dout, int ldo, const float* inp, int ldi, const float* lora,
                 float* dl);
};

/** AdamW over a flat buffer; decay[i] = 1 where weight decay applies. */
void adamw(float* params, const float* grads, float* m, float* v, const uint8_t* decay, size_t n, float lr, float beta1,
           float beta2, float eps, float weightDecay, int t);
/** Global L2 norm of grads; scales them down to maxNorm when above it. Returns the norm before clipping. */
double clipGradients(float* grads, size_t n, double maxNorm);

}  // namespace benih
