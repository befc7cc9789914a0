// N-API binding of the engine. Typed arrays are borrowed for the duration of a call, never kept: JavaScript owns
// parameters, gradients and optimizer state, so checkpoints and the TypeScript reference see the same buffers.
#include <node_api.h>
#include <omp.h>

#include <exception>
#include <string>

#include "engine.h"

using benih::Engine;

namespace {

struct JsError {
  std::string message;
};

#define CHECK(call)                                          \
  do {                                                       \
    if ((call) != napi_ok) throw JsError{"N-API call failed"}; \
  } while (0)

template <typename T>
T* typed(napi_env env, napi_value v, napi_typedarray_type want, const char* what, size_t* length) {
  bool is = false;
  CHECK(napi_is_typedarray(env, v, &is));
  napi_typedarray_type type;
  void* data;
  if (is) CHECK(napi_get_typedarray_info(env, v, &type, length, &data, nullptr, nullptr));
  if (!is || type != want) throw JsError{std::string(what) + " has the wrong array type"};
  return static_cast<T*>(data);
}

double number(napi_env env, napi_value v, const char* what) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) throw JsError{std::string(what) + " must be a number"};
  return d;
}

double prop(napi_env env, napi_value obj, const char* name) {
  napi_value v;
  CHECK(napi_get_named_property(env, obj, name, &v));
  return number(env, v, name);
}

Engine* engineOf(napi_env env, napi_value v) {
  void* p = nullptr;
  if (napi_get_value_external(env, v, &p) != napi_ok || !p) throw JsError{"not an engine"};
  return static_cast<Engine*>(p);
}

// The first `want` arguments, which must be given, then up to `optional` more (undefined where not given).
std::vector<napi_value> args(napi_env env, napi_callback_info info, size_t want, size_t optional = 0) {
  std::vector<napi_value> a(want + optional);
  size_t n = want + optional;
  CHECK(napi_get_cb_info(env, info, &n, a.data(), nullptr, nullptr));
  if (n < want) throw JsError{"expected " + std::to_string(want) + " arguments"};
  return a;
}

bool given(napi_env env, napi_value v) {
  napi_valuetype t;
  CHECK(napi_typeof(env, v, &t));
  return t != napi_undefined && t != napi_null;
}

napi_value num(napi_env env, double d) {
  napi_value v;
  CHECK(napi_create_double(env, d, &v));
  return v;
}

template <typename F>
napi_value guarded(napi_env env, F f) {
  try {
    return f();
  } catch (const JsError& e) {
    napi_throw_type_error(env, nullptr, e.message.c_str());
  } catch (const std::exception& e) {
    napi_throw_error(env, nullptr, e.what());
  }
  return nullptr;
}

napi_value Create(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    auto a = args(env, info, 3, 1);
    benih::LoraShape lora;
    if (given(env, a[3]))
      lora = {(int)prop(env, a[3], "rank"), (float)prop(env, a[3], "scale"), (int)prop(env, a[3], "targets")};
    benih::ModelShape s{(int)prop(env, a[0], "dim"),     (int)prop(env, a[0], "layers"), (int)prop(env, a[0], "heads"),
                        (int)prop(env, a[0], "kvHeads"), (int)prop(env, a[0], "ff"),     (int)prop(env, a[0], "vocab"),
                        (float)prop(env, a[0], "eps"),   (float)prop(env, a[0], "ropeTheta")};
    auto* e = new Engine(s, (int)number(env, a[1], "batch"), (int)number(env, a[2], "seqLen"), lora);
    napi_value out;
    CHECK(napi_create_external(env, e, [](napi_env, void* p, void*) { delete static_cast<Engine*>(p); }, nullptr, &out));
    return out;
  });
}

napi_value ParamCount(napi_env env, napi_callback_info info) {
  return guarded(env, [&] { return num(env, (double)engineOf(env, args(env, info, 1)[0])->paramCount()); });
}

napi_value LoraSize(napi_env env, napi_callback_info info) {
  return guarded(env, [&] { return num(env, (double)engineOf(env, args(env, info, 1)[0])->loraSize()); });
}

napi_value LoraMerge(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    auto a = args(env, info, 4);
    Engine* e = engineOf(env, a[0]);
    size_t nb, nl, no;
    auto* base = typed<float>(env, a[1], napi_float32_array, "base", &nb);
    auto* lora = typed<float>(env, a[2], napi_float32_array, "lora", &nl);
    auto* out = typed<float>(env, a[3], napi_float32_array, "out", &no);
    if (nb != e->paramCount() || no != nb) throw JsError{"base and out must have the model's parameter count"};
    if (nl != e->loraSize()) throw JsError{"lora has " + std::to_string(nl) + " values, the adapter needs " + std::to_string(e->loraSize())};
    e->loraMerge(base, lora, out);
    return (napi_value) nullptr;
  });
}

napi_value BackwardLora(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    auto a = args(env, info, 4);
    Engine* e = engineOf(env, a[0]);
    size_t np, nl, ng;
    auto* p = typed<float>(env, a[1], napi_float32_array, "params", &np);
    auto* lora = typed<float>(env, a[2], napi_float32_array, "lora", &nl);
    auto* g = typed<float>(env, a[3], napi_float32_array, "loraGrads", &ng);
    if (np != e->paramCount()) throw JsError{"params must have the model's parameter count"};
    if (nl != e->loraSize() || ng != nl) throw JsError{"lora and loraGrads must have the adapter's size"};
    e->backward(p, nullptr, lora, g);
    return (napi_value) nullptr;
  });
}

napi_value Forward(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    auto a = args(env, info, 5);
    Engine* e = engineOf(env, a[0]);
    size_t np, nt, ng, nw;
    auto* p = typed<float>(env, a[1], napi_float32_array, "params", &np);
    auto* tok = typed<int32_t>(env, a[2], napi_int32_array, "tokens", &nt);
    auto* tgt = typed<int32_t>(env, a[3], napi_int32_array, "targets", &ng);
    auto* w = typed<float>(env, a[4], napi_float32_array, "weights", &nw);
    if (np != e->paramCount()) throw JsError{"params has " + std::to_string(np) + " values, the model needs " + std::to_string(e->paramCount())};
    if (nt != ng || nt != nw || nt != (size_t)e->tokensPerBatch()) throw JsError{"a batch is " + std::to_string(e->tokensPerBatch()) + " tokens"};
    return num(env, e->forward(p, tok, tgt, w));
  });
}

napi_value Backward(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    auto a = args(env, info, 3);
    Engine* e = engineOf(env, a[0]);
    size_t np, ng;
    auto* p = typed<float>(env, a[1], napi_float32_array, "params", &np);
    auto* g = typed<float>(env, a[2], napi_float32_array, "grads", &ng);
    if (np != e->paramCount() || ng != np) throw JsError{"params and grads must have the model's parameter count"};
    e->backward(p, g);
    return (napi_value) nullptr;
  });
}

napi_value AdamW(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    auto a = args(env, info, 11);
    size_t n, ng, nm, nv, nd;
    auto* p = typed<float>(env, a[0], napi_float32_array, "params", &n);
    auto* g = typed<float>(env, a[1], napi_float32_array, "grads", &ng);
    auto* m = typed<float>(env, a[2], napi_float32_array, "m", &nm);
    auto* v = typed<float>(env, a[3], napi_float32_array, "v", &nv);
    auto* d = typed<uint8_t>(env, a[4], napi_uint8_array, "decay", &nd);
    if (ng != n || nm != n || nv != n || nd != n) throw JsError{"AdamW buffers differ in length"};
    benih::adamw(p, g, m, v, d, n, (float)number(env, a[5], "lr"), (float)number(env, a[6], "beta1"),
                 (float)number(env, a[7], "beta2"), (float)number(env, a[8], "eps"),
                 (float)number(env, a[9], "weightDecay"), (int)number(env, a[10], "t"));
    return (napi_value) nullptr;
  });
}

napi_value Clip(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    auto a = args(env, info, 2);
    size_t n;
    auto* g = typed<float>(env, a[0], napi_float32_array, "grads", &n);
    return num(env, benih::clipGradients(g, n, number(env, a[1], "max")));
  });
}

// C[M][N] = A[M][K] · B[K][N] on the engine's GEMM: for measuring its peak beside a model's step.
napi_value Matmul(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    auto a = args(env, info, 6);
    size_t na, nb, nc;
    auto* A = typed<float>(env, a[0], napi_float32_array, "a", &na);
    auto* B = typed<float>(env, a[1], napi_float32_array, "b", &nb);
    auto* C = typed<float>(env, a[2], napi_float32_array, "c", &nc);
    const int M = (int)number(env, a[3], "m"), N = (int)number(env, a[4], "n"), K = (int)number(env, a[5], "k");
    if (M < 1 || N < 1 || K < 1 || na != (size_t)M * K || nb != (size_t)K * N || nc != (size_t)M * N)
      throw JsError{"a, b and c must be M×K, K×N and M×N"};
    static benih::GemmScratch scratch;
    benih::gemm(M, N, K, A, K, false, B, N, false, C, N, false, scratch);
    return (napi_value) nullptr;
  });
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    const int n = (int)number(env, args(env, info, 1)[0], "threads");
    if (n < 1) throw JsError{"threads must be at least 1"};
    omp_set_num_threads(n);
    return num(env, omp_get_max_threads());
  });
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor fns[] = {
      {"create", nullptr, Create, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"paramCount", nullptr, ParamCount, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"forward", nullptr, Forward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"backward", nullptr, Backward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"loraSize", nullptr, LoraSize, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"loraMerge", nullptr, LoraMerge, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"backwardLora", nullptr, BackwardLora, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adamw", nullptr, AdamW, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"clipGradients", nullptr, Clip, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"matmul", nullptr, Matmul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof fns / sizeof *fns, fns);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
