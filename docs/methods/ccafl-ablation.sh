#!/usr/bin/env bash
# CCAFL ablation on synthetic persons with intra-camera labels: ICS baseline / + ICDL / + association / + ICAL (full
# CCAFL), and the fully supervised bot-small as the upper reference; three seeds each, the final model.zip's
# cross-camera mAP (ML.NET + ONNX Runtime, as `reid train --json` reports it), mean ± sample sd.
# JOBS runs at a time (default 2), one libtorch thread and one loader worker each.
# Usage: [JOBS=N] ccafl-ablation.sh REID_DLL DATA_DIR OUT_DIR [EXTRA CCAFL TRAIN ARGS...]
#        (data: reid synth --kind person --format market1501 --ids 48 --seed 3 --out DATA_DIR;
#         log: OUT_DIR/ablation.log, table: OUT_DIR/table.md)
set -uo pipefail
reid="$1"; data="$2"; out="$3"; shift 3; extra=("$@")
mkdir -p "$out"
declare -A rows=(
  [1-baseline]="--recipe ccafl-small --supervision intra-camera --set ccafl.icdl=false --set ccafl.association=false --set ccafl.adversarial=false"
  [2-icdl]="--recipe ccafl-small --supervision intra-camera --set ccafl.association=false --set ccafl.adversarial=false"
  [3-association]="--recipe ccafl-small --supervision intra-camera --set ccafl.adversarial=false"
  [4-ical]="--recipe ccafl-small --supervision intra-camera"
  [5-bot-small-full]="--recipe bot-small --supervision full"
)
one() {
  local row="$1" seed="$2" run="$out/$1-s$2" t0 rc args
  t0=$(date +%s)
  rm -rf "$run"
  args=(${rows[$row]})
  # The CCAFL-specific extras do not apply to the bot-small reference.
  [[ "$row" == *bot-small* ]] || args+=("${extra[@]}")
  dotnet "$reid" train "${args[@]}" --data "$data" --format market1501 --out "$run" --seed "$seed" \
    --set threads=1 --set workers=1 --set evaluate-every=100 --set checkpoint-every=100 --json > "$run.train.json" 2> "$run.train.log"
  rc=$?
  echo "$row seed $seed: exit $rc, $(( $(date +%s) - t0 )) s" >> "$out/ablation.log"
}
start=$(date +%s)
jobs=()
for row in $(printf '%s\n' "${!rows[@]}" | sort); do
  for seed in 1 2 3; do
    one "$row" "$seed" &
    jobs+=($!)
    if [ "${#jobs[@]}" -ge "${JOBS:-2}" ]; then wait "${jobs[0]}"; jobs=("${jobs[@]:1}"); fi
  done
done
wait
echo "total $(( $(date +%s) - start )) s" >> "$out/ablation.log"
python3 - "$out" <<'PY' > "$out/table.md"
import json, sys, glob, os, statistics as st
out = sys.argv[1]
def f(xs): return f"{st.mean(xs):.2f} ± {st.stdev(xs):.2f}" if len(xs) > 1 else (f"{xs[0]:.2f}" if xs else "—")
print("| variant | seeds | untrained mAP | final mAP (mean ± sd) | per seed | rank-1 (mean) | images/s (mean) |")
print("|---|---|---|---|---|---|---|")
for row in sorted({os.path.basename(p).rsplit('-s', 1)[0] for p in glob.glob(f"{out}/*-s1.train.json")}):
    runs = []
    for s in (1, 2, 3):
        try: runs.append((s, json.load(open(f"{out}/{row}-s{s}.train.json"))))
        except Exception: pass
    ok = [(s, r) for s, r in runs if r.get("mAP") is not None]
    final = [100 * r["mAP"] for _, r in ok]
    init = [100 * r["initialMAP"] for _, r in ok if r.get("initialMAP") is not None]
    rank1 = [100 * r["rank1"] for _, r in ok]
    ips = [r["imagesPerSecond"] for _, r in ok]
    print(f"| {row} | {','.join(str(s) for s, _ in ok)} | {f(init)} | {f(final)} | {', '.join(f'{x:.2f}' for x in final)} | "
          f"{st.mean(rank1) if rank1 else float('nan'):.2f} | {st.mean(ips) if ips else float('nan'):.1f} |")
PY
cat "$out/table.md"
