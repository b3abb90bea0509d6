#!/usr/bin/env bash
# CSGN ablation on synthetic clothes-changing persons: baseline / + grey prompt bank (MDG) / + VSS / + HSF,
# three seeds each; cc-only and cc-standard of each run's final model.zip (reid eval), mean ± spread.
# Usage: csgn-ablation.sh REID_DLL DATA_DIR OUT_DIR [EPOCHS]    (logs to OUT_DIR/ablation.log, table to OUT_DIR/table.md)
set -euo pipefail
reid="$1"; data="$2"; out="$3"; epochs="${4:-}"
mkdir -p "$out"
declare -A rows=(
  [1-baseline]="--set csgn.prompts=false --set csgn.fusion=none --set csgn.hsf=false"
  [2-grey-bank]="--set csgn.prompts=true --set csgn.fusion=none --set csgn.hsf=false"
  [3-vss]="--set csgn.prompts=true --set csgn.fusion=concat --set csgn.hsf=false"
  [4-hsf]="--set csgn.prompts=true --set csgn.fusion=concat --set csgn.hsf=true"
)
start=$(date +%s)
for row in $(printf '%s\n' "${!rows[@]}" | sort); do
  for seed in 1 2 3; do
    run="$out/$row-s$seed"
    rm -rf "$run"
    t0=$(date +%s)
    # shellcheck disable=SC2086
    dotnet "$reid" train --recipe csgn-small --data "$data" --format ltcc --out "$run" --seed "$seed" ${epochs:+--epochs $epochs} ${rows[$row]} --json \
      > "$run.train.json" 2> "$run.train.log"
    for p in cc-only cc-standard; do
      dotnet "$reid" eval --model "$run" --data "$data" --format ltcc --protocol "$p" --json > "$run.$p.json"
    done
    echo "$row seed $seed: $(( $(date +%s) - t0 )) s, cc-only $(cat "$run.cc-only.json"), cc-standard $(cat "$run.cc-standard.json")" >> "$out/ablation.log"
  done
done
echo "total $(( $(date +%s) - start )) s" >> "$out/ablation.log"
python3 - "$out" <<'PY' > "$out/table.md"
import json, sys, glob, statistics as st, os
out = sys.argv[1]
print("| row | cc-only mAP | cc-only R1 | cc-standard mAP | cc-standard R1 |")
print("|---|---|---|---|---|")
for row in sorted({os.path.basename(p).rsplit('-s', 1)[0] for p in glob.glob(f"{out}/*-s1.cc-only.json")}):
    cells = []
    for p in ("cc-only", "cc-standard"):
        for k in ("mAP", "rank1"):
            v = [100 * json.load(open(f"{out}/{row}-s{s}.{p}.json"))[k] for s in (1, 2, 3)]
            cells.append(f"{st.mean(v):.1f} ± {st.stdev(v):.1f} ({min(v):.1f}–{max(v):.1f})")
    print(f"| {row} | " + " | ".join(cells) + " |")
PY
cat "$out/table.md"
