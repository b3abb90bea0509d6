cd /work/main
B="dotnet benchmarks/ReId.Benchmarks/bin/Release/net10.0/ReId.Benchmarks.dll train-step --recipe bot-small --steps 30 --warmup 3 --threads 2"
for i in 1 2 3; do
  echo "round $i $(cat /proc/loadavg)"
  /usr/bin/python3 benchmarks/train_step_pytorch.py resnet18 --steps 30 --warmup 3 --threads 2 2>&1 | tail -1 | sed 's/^/pytorch /'
  $B 2>&1 | tail -1 | sed 's/^/torchsharp /'
  $B --channels-last 2>&1 | tail -1 | sed 's/^/torchsharp-cl /'
done
