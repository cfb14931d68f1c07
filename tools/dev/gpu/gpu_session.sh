#!/usr/bin/env bash
# A whole session on a borrowed GPU machine, as one command: record the machine, run one training
# cycle (train_on_gpu.sh beside it), then check with the new weights that CPU and GPU decode the same
# symbols (aecodec.tools.dev.bench.cross_device on four photos of DATA_DIR). OUT_DIR ends up holding
# machine.txt, train.log, the weights in 15 MiB parts, weights.sha256 and cross_device.json.
#
#   tools/dev/gpu/gpu_session.sh DATA_DIR MINUTES OUT_DIR [more `aecodec train` options]
#
# constriction, which the check needs and training does not, is installed from the wheels in
# $WHEELS (default: .whl/ in this checkout) when there are any; without it the check is skipped.
set -uo pipefail
if [ $# -lt 3 ]; then
    echo "usage: $0 DATA_DIR MINUTES OUT_DIR [aecodec train options]" >&2
    exit 2
fi
data_dir=$1 minutes=$2 out_dir=$3
shift 3
root=$(cd "$(dirname "$0")/../../.." && pwd)
scratch=$(mktemp -d)
began=$(date +%s)
mkdir -p "$out_dir"
wheels=("${WHEELS:-$root/.whl}"/*.whl)
if [ -e "${wheels[0]}" ]; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target "$scratch/site" "${wheels[@]}" \
        || echo "could not install ${wheels[*]}" >&2
fi
export PYTHONPATH="$scratch/site${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>/dev/null; echo "cpus: $(nproc)"
  python3 -c "import torch, numpy, PIL; print('torch', torch.__version__, 'numpy', numpy.__version__, 'Pillow', PIL.__version__)"
} > "$out_dir/machine.txt"
cat "$out_dir/machine.txt"
"$root/tools/dev/gpu/train_on_gpu.sh" "$data_dir" "$minutes" "$out_dir" "$@" > /dev/null || exit
echo "trained and exported after $(( $(date +%s) - began )) s"
tr '\r' '\n' < "$out_dir/train.log" | grep -a -e 'budget ends' -e '^wrote' -e 'Error'
tr '\r' '\n' < "$out_dir/train.log" | tail -n 1
if python3 -c "import constriction" 2>/dev/null; then
    cat "$out_dir"/weights.npz.part-* > "$scratch/weights.npz"
    mkdir -p "$scratch/pkg" "$scratch/photos"
    ln -s "$root" "$scratch/pkg/aecodec"
    find "$data_dir" -maxdepth 1 -type f | sort | awk 'NR % 133 == 1' | head -n 4 | xargs -I{} cp {} "$scratch/photos/"
    PYTHONPATH="$scratch/pkg:$PYTHONPATH" python3 -m aecodec.tools.dev.bench.cross_device "$scratch/photos" \
        --weights "$scratch/weights.npz" --out "$out_dir/cross_device.json" > /dev/null \
        && echo "cross-device check written: $(tr -d ' \n' < "$out_dir/cross_device.json")"
else
    echo "constriction is missing: cross-device check skipped" >&2
fi
echo "done after $(( $(date +%s) - began )) s"
