#!/usr/bin/env bash
# Installs the build tree into a scratch prefix, builds examples/consumer against the installed
# package (find_package(perfplan)), runs it from elsewhere with no PERFPLAN_DATA_DIR, and checks
# that it read the installed data and planned. Usage: consumer.sh <build dir> <source dir>
set -euo pipefail
build=$(cd "$1" && pwd)
source=$(cd "$2" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# Everything but the Python module (whose destination is the interpreter's site-packages).
cmake --install "$build" --prefix "$scratch/prefix" --component Unspecified > "$scratch/install.log"
test -f "$scratch/prefix/lib/cmake/perfplan/perfplanConfig.cmake"
test -f "$scratch/prefix/include/perfplan/perfplan.hpp"
test -d "$scratch/prefix/share/perfplan/hardware_specs/gpus"
cmake -S "$source/examples/consumer" -B "$scratch/consumer" -DCMAKE_PREFIX_PATH="$scratch/prefix" > "$scratch/configure.log"
cmake --build "$scratch/consumer" > "$scratch/build.log"
cd "$scratch"
out=$(env -u PERFPLAN_DATA_DIR "$scratch/consumer/consumer")
echo "$out"
grep -qx "data $scratch/prefix/share/perfplan" <<< "$out"
grep -q "^best tp" <<< "$out"
test "$(grep -c '^cell 8b dgx-' <<< "$out")" -eq 4
# The installed CLI finds the installed data too.
env -u PERFPLAN_DATA_DIR "$scratch/prefix/bin/perfplan" plan --model llama-3.1-8b --cluster dgx-h100 --gpus 8 --top 1 > /dev/null
# The Python module: staged under DESTDIR (not into the real site-packages), it records the
# installed data directory and imports from there.
site=$(DESTDIR="$scratch/root" cmake --install "$build" --prefix "$scratch/prefix" --component python |
       sed -n 's|^-- Installing: \(.*\)/perfplan/__init__.py$|\1|p')
if [ -n "$site" ]; then
  grep -q "$scratch/prefix/share/perfplan" "$site/perfplan/_paths.py"
  (cd / && env -u PERFPLAN_DATA_DIR PYTHONPATH="$site" /usr/bin/python3 -c \
     "import perfplan; assert perfplan.data_directory() == '$scratch/prefix/share/perfplan'; print('python', perfplan.plan(model='llama-3.1-8b', cluster='dgx-h100', gpus=8, top=1).best.layout)")
fi
echo "consumer: built and ran against the installed package"
