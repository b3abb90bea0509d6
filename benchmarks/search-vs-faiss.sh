#!/usr/bin/env bash
# Whole-process exact search on the same .npy files: `reid search` against FAISS IndexFlatIP (Debian's python3-faiss) and a
# plain numpy matmul + argpartition, each as its own process (start-up, reading, search, writing int64 indices + float32
# distances). Cosine, top-K. Usage: benchmarks/search-vs-faiss.sh [Q=2000] [G=100000] [D=512] [K=50]
# Needs: python3-numpy, python3-faiss and OpenBLAS (apt-get install -y python3-numpy python3-faiss libopenblas0-pthread; without
# OpenBLAS, Debian points FAISS and numpy at the reference netlib BLAS and FAISS takes ~59 s instead of ~4 s), a Release build of src/ReId.Cli.
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian's python3-numpy/python3-faiss live under /usr/bin/python3 (a pyenv python3 on PATH would not see them).
py=${PYTHON:-/usr/bin/python3}
nq=${1:-2000}; ng=${2:-100000}; dim=${3:-512}; k=${4:-50}
reid=src/ReId.Cli/bin/Release/net10.0/reid
[ -x "$reid" ] || dotnet build src/ReId.Cli -c Release >/dev/null
work=$(mktemp -d /tmp/reid-search-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
"$py" - "$work" "$nq" "$ng" "$dim" <<'PY'
import sys, numpy as np
w, nq, ng, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = np.random.default_rng(1)
np.save(f"{w}/q.npy", rng.uniform(-1, 1, (nq, d)).astype(np.float32))
np.save(f"{w}/g.npy", rng.uniform(-1, 1, (ng, d)).astype(np.float32))
PY
cat > "$work/faiss_search.py" <<'PY'
import sys, numpy as np, faiss
q, g, k, out = np.load(sys.argv[1]), np.load(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
faiss.normalize_L2(q); faiss.normalize_L2(g)
index = faiss.IndexFlatIP(g.shape[1]); index.add(g)
sims, idx = index.search(q, k)
np.save(out, idx.astype(np.int64)); np.save(out[:-4] + ".distances.npy", (1 - sims).astype(np.float32))
PY
cat > "$work/numpy_search.py" <<'PY'
import sys, numpy as np
q, g, k, out = np.load(sys.argv[1]), np.load(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
q /= np.linalg.norm(q, axis=1, keepdims=True); g /= np.linalg.norm(g, axis=1, keepdims=True)
idx = np.empty((len(q), k), np.int64); dist = np.empty((len(q), k), np.float32)
for s in range(0, len(q), 256):
    sims = q[s:s+256] @ g.T
    part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    ps = np.take_along_axis(sims, part, 1); order = np.argsort(-ps, axis=1, kind="stable")
    idx[s:s+256] = np.take_along_axis(part, order, 1); dist[s:s+256] = 1 - np.take_along_axis(ps, order, 1)
np.save(out, idx); np.save(out[:-4] + ".distances.npy", dist)
PY
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $nq queries x $ng gallery x $dim, top-$k, cosine; ${runs:=3} run(s) each, fastest shown"
# Wall time and CPU time (user + system, all threads) of the fastest run: on a shared machine the CPU time says more.
best() { local b=999999 c=0; for r in $(seq "$runs"); do /usr/bin/time -f "%e %U %S" -o "$work/t" "$@" >/dev/null 2>&1 || return 1
  read -r e u s < "$work/t"; if "$py" -c "import sys; sys.exit(0 if $e < $b else 1)"; then b=$e; c=$("$py" -c "print(round($u + $s, 2))"); fi; done
  echo "wall $b s, CPU $c s"; }
t_reid=$(best "$reid" search --query-features "$work/q.npy" --gallery-features "$work/g.npy" --top-k "$k" --out "$work/reid.npy")
t_faiss=$("$py" -c "import faiss" 2>/dev/null && best "$py" "$work/faiss_search.py" "$work/q.npy" "$work/g.npy" "$k" "$work/faiss.npy" || echo "n/a")
t_numpy=$(best "$py" "$work/numpy_search.py" "$work/q.npy" "$work/g.npy" "$k" "$work/numpy.npy")
echo "reid search:              $t_reid"
echo "FAISS IndexFlatIP (python3-faiss $("$py" -c 'import faiss; print(faiss.__version__)' 2>/dev/null || echo absent)): $t_faiss"
echo "numpy matmul+argpartition (numpy $("$py" -c 'import numpy; print(numpy.__version__)')): $t_numpy"
"$py" - "$work" <<'PY'
import sys, os, numpy as np
w = sys.argv[1]; r = np.load(f"{w}/reid.npy"); rd = np.load(f"{w}/reid.distances.npy")
for name in ("faiss", "numpy"):
    if not os.path.exists(f"{w}/{name}.npy"): continue
    o = np.load(f"{w}/{name}.npy"); od = np.load(f"{w}/{name}.distances.npy")
    print(f"agreement with {name}: identical indices {np.mean(r == o):.4%}, max |distance difference| {np.abs(rd - od).max():.2e}")
PY
