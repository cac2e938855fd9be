{
  "targets": [
    {
      "target_name": "galmorph_native",
      "sources": [
        "src/addon.cc",
        "src/batchnorm.cc",
        "src/context.cc",
        "src/decoder.cc",
        "src/conv.cc",
        "src/matmul.cc",
        "src/narrowConv.cc",
        "src/sampler.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-O3", "-fopenmp", "-fexceptions"],
      "ldflags": ["-fopenmp"],
      "libraries": ["-ldnnl"]
    }
  ]
}
