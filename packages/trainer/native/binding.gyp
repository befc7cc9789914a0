{
  "targets": [
    {
      "target_name": "benih_trainer",
      "sources": ["addon.cc", "engine.cc", "gemm.cc"],
      "cflags_cc": ["-std=c++17", "-O3", "-march=native", "-fopenmp"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++20"],
      "ldflags": ["-fopenmp"]
    }
  ]
}
