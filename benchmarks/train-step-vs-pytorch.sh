#!/usr/bin/env bash
# Training images/s of TorchSharp (ReId.Benchmarks train-step, the trainer's own step) against PyTorch (train_step_pytorch.py,
# the same network and losses written in PyTorch), same thread count, random input, back to back, for the two configurations
# of issue 13: ResNet-18 128x64 batch 32 (bot-small) and ResNet-50-IBN-a 256x128 batch 64 (bot).
# Usage: benchmarks/train-step-vs-pytorch.sh [steps=10] [warm-up=2]. Needs Debian's python3-torch (apt-get install -y python3-torch).
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-10}; warmup=${2:-2}; threads=$(nproc)
py=${PYTHON:-/usr/bin/python3}
dotnet build benchmarks/ReId.Benchmarks -c Release >/dev/null
bench() { dotnet run -c Release --no-build --project benchmarks/ReId.Benchmarks -- train-step "$@" --steps "$steps" --warmup "$warmup" --threads "$threads"; }
for cfg in "bot-small resnet18" "bot resnet50-ibn"; do
  set -- $cfg
  bench --recipe "$1" | tail -2
  "$py" benchmarks/train_step_pytorch.py "$2" --steps "$steps" --warmup "$warmup" --threads "$threads"
done
