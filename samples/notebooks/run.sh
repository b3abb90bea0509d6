#!/usr/bin/env bash
# Executes the Polyglot notebooks in this folder with the real .NET Interactive kernel, headless.
#
#   samples/notebooks/run.sh [--pack] [NOTEBOOK...]
#
# Packs ReId.MLNet and ReId.Training into out/packages (the notebooks reference them as NuGet packages, the way a user
# does), readies TorchSharp's native libraries for notebooks (prepare-torchsharp.proj), then runs every *.ipynb here (or
# those named) with `jupyter nbconvert --execute`, writing the executed copies to out/. A cell error, a notebook without
# a picture (image/png output) or a dead kernel fails the run (exit 1). --pack only packs and prepares, for opening the
# notebooks in an editor. REID_NOTEBOOK_SIZE=small makes every notebook a quick run (CI sets it).
#
# Installs nothing: it needs jupyter-nbconvert, python3-ipykernel and the .NET Interactive kernel (.ci/run installs them).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT=1
export PATH="$PATH:$HOME/.dotnet/tools"

pack_only=0
notebooks=()
for arg in "$@"; do
  case "$arg" in
    --pack) pack_only=1 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) nb="$arg"; [ -f "$nb" ] || nb="$here/$(basename "$arg")"
       [ -f "$nb" ] || { echo "run.sh: notebook '$arg' not found (looked in . and $here)" >&2; exit 2; }
       notebooks+=("$(cd "$(dirname "$nb")" && pwd)/$(basename "$nb")") ;;
  esac
done
if [ ${#notebooks[@]} -eq 0 ] && [ $pack_only -eq 0 ]; then
  while IFS= read -r nb; do notebooks+=("$nb"); done < <(find "$here" -maxdepth 1 -name '*.ipynb' | sort)
  [ ${#notebooks[@]} -gt 0 ] || { echo "run.sh: no notebooks in $here" >&2; exit 2; }
fi

if [ $pack_only -eq 0 ]; then
  missing=()
  command -v jupyter-nbconvert >/dev/null 2>&1 || missing+=("jupyter-nbconvert (apt-get install jupyter-nbconvert python3-ipykernel)")
  command -v dotnet-interactive >/dev/null 2>&1 || missing+=("the .NET Interactive tool (dotnet tool install -g Microsoft.dotnet-interactive --version 1.0.712001)")
  [ -f "$HOME/.local/share/jupyter/kernels/.net-csharp/kernel.json" ] || missing+=("the .net-csharp Jupyter kernel (mkdir -p ~/.local/share/jupyter/kernels && dotnet interactive jupyter install)")
  if [ ${#missing[@]} -gt 0 ]; then
    printf 'run.sh: missing %s\n' "${missing[@]}" >&2
    exit 2
  fi
fi

out="$here/out"
mkdir -p "$out"
start=$(date +%s)

# A fresh package version per pack (the assemblies keep theirs), so NuGet's cache never serves an older build; the
# notebooks take the newest with "*-*". Older local builds of our own two packages are removed from the cache.
base=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/Directory.Build.props" | head -n 1)
version="$base-local.$(date -u +%Y%m%d%H%M%S)"
echo "run.sh: packing ReId.MLNet and ReId.Training $version into $out/packages"
rm -rf "$out/packages"
dotnet pack "$root/src/ReId.Training/ReId.Training.csproj" -c Release -o "$out/packages" -p:PackageVersion="$version" -nologo -v:q >"$out/pack.log" 2>&1 \
  && dotnet pack "$root/src/ReId.MLNet/ReId.MLNet.csproj" -c Release -o "$out/packages" -p:PackageVersion="$version" --no-build -nologo -v:q >>"$out/pack.log" 2>&1 \
  || { cat "$out/pack.log" >&2; echo "run.sh: packing failed" >&2; exit 1; }
cache="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
for pkg in reid.mlnet reid.training; do
  for old in "$cache/$pkg"/*-local.*; do
    [ -d "$old" ] && [ "$(basename "$old")" != "$version" ] && rm -rf "$old"
  done
done
dotnet msbuild "$root/samples/notebooks/prepare-torchsharp.proj" -nologo -v:m
# TorchSharp first loads libtorch by name; a system libtorch (Debian's python3-torch puts libtorch_cpu.so 1.13 into
# /usr/lib/x86_64-linux-gnu) then wins, and the gathered libLibTorchSharp.so fails on its symbols. The gathered folder
# goes first on the search path so the name resolves to the libtorch TorchSharp was built against.
torchsharp=$(sed -n 's:.*Include="TorchSharp" Version="\([^"]*\)".*:\1:p' "$root/Directory.Packages.props")
export LD_LIBRARY_PATH="$cache/torchsharp/$torchsharp/lib/net8.0/cpu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
echo "run.sh: packed in $(( $(date +%s) - start )) s"
[ $pack_only -eq 1 ] && exit 0

# Counts image/png outputs; prints the count (0 if none or unreadable).
images() {
  python3 - "$1" <<'PY'
import json, sys
try:
    nb = json.load(open(sys.argv[1]))
except Exception:
    print(0); sys.exit()
print(sum(1 for c in nb.get("cells", []) for o in c.get("outputs", []) if "image/png" in o.get("data", {})))
PY
}

failed=0
summary=()
for nb in "${notebooks[@]}"; do
  name=$(basename "$nb" .ipynb)
  echo "run.sh: executing $name (REID_NOTEBOOK_SIZE=${REID_NOTEBOOK_SIZE:-default})"
  t0=$(date +%s)
  status=ok
  if ! (cd "$(dirname "$nb")" && jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=3600 \
        --output-dir "$out" --output "$name" "$nb") >"$out/$name.log" 2>&1; then
    status=failed
  fi
  seconds=$(( $(date +%s) - t0 ))
  n=$(images "$out/$name.ipynb")
  if [ "$status" = ok ] && [ "$n" -eq 0 ]; then status="failed: no image output"; fi
  if [ "$status" != ok ]; then
    failed=$((failed + 1))
    echo "run.sh: $name failed; the last lines of $out/$name.log:" >&2
    grep -v '^info: \|^      ' "$out/$name.log" | tail -n 30 >&2
  fi
  summary+=("$(printf '%-32s %5d s %3d images  %s' "$name" "$seconds" "$n" "$status")")
done

echo "run.sh: notebooks (executed copies in $out)"
printf '  %s\n' "${summary[@]}"
echo "run.sh: ${#notebooks[@]} notebooks, $failed failed, $(( $(date +%s) - start )) s in total"
[ $failed -eq 0 ]
