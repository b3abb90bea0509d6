#!/usr/bin/env bash
# CSGN ablation on synthetic clothes-changing persons: baseline / + grey prompt bank (MDG) / + VSS / + HSF, three seeds
# each; cc-only and cc-standard of each run's final model.zip through `reid eval` (ML.NET + ONNX Runtime), mean ± spread.
# Two runs at a time, one libtorch thread each (the csgn-small recipe's setting).
# Usage: csgn-ablation.sh REID_DLL DATA_DIR OUT_DIR [EXTRA TRAIN ARGS...]   (log: OUT_DIR/ablation.log, table: OUT_DIR/table.md)
set -uo pipefail
reid="$1"; data="$2"; out="$3"; shift 3; extra=("$@")
mkdir -p "$out"
declare -A rows=(
  [1-baseline]="--set csgn.prompts=false --set csgn.fusion=none --set csgn.hsf=false"
  [2-grey-bank]="--set csgn.prompts=true --set csgn.fusion=none --set csgn.hsf=false"
  [3-vss]="--set csgn.prompts=true --set csgn.fusion=concat --set csgn.hsf=false"
  [4-hsf]="--set csgn.prompts=true --set csgn.fusion=concat --set csgn.hsf=true"
)
one() {
  local row="$1" seed="$2" run="$out/$1-s$2" t0 rc attempt
  t0=$(date +%s)
  for attempt in 1 2; do
    rm -rf "$run"
    # shellcheck disable=SC2086
    dotnet "$reid" train --recipe csgn-small --data "$data" --format ltcc --out "$run" --seed "$seed" ${rows[$row]} "${extra[@]}" --json \
      > "$run.train.json" 2> "$run.train.log"
    rc=$?
    # Exit 1 is an internal failure: TorchSharp 0.107's rare Scalar finalisation crash (README) is retried once.
    [ "$rc" -eq 1 ] && [ "$attempt" -eq 1 ] && { echo "$row seed $seed: internal failure, retrying" >> "$out/ablation.log"; continue; }
    break
  done
  for p in cc-only cc-standard; do
    dotnet "$reid" eval --model "$run" --data "$data" --format ltcc --protocol "$p" --json > "$run.$p.json" 2>> "$run.train.log"
  done
  echo "$row seed $seed: exit $rc, $(( $(date +%s) - t0 )) s, train $(cat "$run.train.json"), cc-only $(cat "$run.cc-only.json"), cc-standard $(cat "$run.cc-standard.json")" >> "$out/ablation.log"
}
start=$(date +%s)
jobs=()
for row in $(printf '%s\n' "${!rows[@]}" | sort); do
  for seed in 1 2 3; do
    one "$row" "$seed" &
    jobs+=($!)
    if [ "${#jobs[@]}" -ge 2 ]; then wait "${jobs[0]}"; jobs=("${jobs[@]:1}"); fi
  done
done
wait
echo "total $(( $(date +%s) - start )) s" >> "$out/ablation.log"
python3 - "$out" <<'PY' > "$out/table.md"
import json, sys, glob, statistics as st, os
out = sys.argv[1]
print("| row | cc-only mAP | cc-only rank-1 | cc-standard mAP | cc-standard rank-1 | untrained cc-only mAP | training images/s |")
print("|---|---|---|---|---|---|---|")
for row in sorted({os.path.basename(p).rsplit('-s', 1)[0] for p in glob.glob(f"{out}/*-s1.cc-only.json")}):
    cells = []
    for p in ("cc-only", "cc-standard"):
        for k in ("mAP", "rank1"):
            v = [100 * json.load(open(f"{out}/{row}-s{s}.{p}.json"))[k] for s in (1, 2, 3)]
            cells.append(f"{st.mean(v):.1f} ± {st.stdev(v):.1f} [{min(v):.1f}, {max(v):.1f}]")
    train = [json.load(open(f"{out}/{row}-s{s}.train.json")) for s in (1, 2, 3)]
    cells.append(f"{st.mean(100 * t['initial']['cc-only-map'] for t in train):.1f}")
    cells.append(f"{st.mean(t['imagesPerSecond'] for t in train):.0f}")
    print(f"| {row} | " + " | ".join(cells) + " |")
PY
cat "$out/table.md"
