#!/usr/bin/env bash
# CUDA against CPU on a machine with an NVIDIA GPU (driver, CUDA 12 and cuDNN 9 installed): builds the benchmarks with the GPU
# ONNX Runtime package (-p:ReIdOnnxGpu=true) into their own output folder and prints one table: embedding images/s through
# ReIdEmbed, OnnxEmbedder and OnnxEmbedder.EmbedDataView, and GalleryIndex search, on CUDA and on CPU.
# Usage: benchmarks/gpu.sh [--device N] [--images N] [--batch B] [--queries Q] [--gallery G]   (about 3-4 minutes on a GPU machine)
# Without a GPU it still runs: the CUDA column then says why each row could not use CUDA.
set -euo pipefail
cd "$(dirname "$0")/.."
out="benchmarks/ReId.Benchmarks/bin/gpu"
# A separate output and intermediate folder, so the CPU build of the same project is left as it is.
dotnet build benchmarks/ReId.Benchmarks -c Release -p:ReIdOnnxGpu=true -o "$out" \
  -p:BaseIntermediateOutputPath=obj-gpu/ -p:MSBuildProjectExtensionsPath=obj-gpu/ >/dev/null
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || echo "no nvidia-smi: no NVIDIA driver on this machine"
"$out/ReId.Benchmarks" gpu "$@"
