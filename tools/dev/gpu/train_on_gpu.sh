#!/usr/bin/env bash
# One time-budgeted training cycle on a GPU machine whose python3 has torch, numpy, Pillow, click
# and tqdm but neither aecodec nor constriction installed: continue the latest candidate
# (tools/candidates/model-3.npz, the next release in training; the model-2 release if there is
# none) for MINUTES of wall clock (loading included), export it, and leave in OUT_DIR the training
# log and the exported weights in 15 MiB parts (rejoin: cat OUT_DIR/weights.npz.part-* > weights.npz).
# The clean photos do not fit one call's carry: make crops that do with
# `python -m aecodec.tools.dev.gpu.training_crops ../shared/data/train-clean --out .gpu_data/clean`.
# Its defaults (64 crops of 256×256 a step, bfloat16, eager, 2e-4 falling to 2e-6) made 34–41
# steps/s on one H200 (2026-12-04); `--compile` has not been tried on a GPU.
#
#   tools/dev/gpu/train_on_gpu.sh DATA_DIR MINUTES OUT_DIR [more `aecodec train` options]
#
# Options after OUT_DIR come last and so override the ones below (`--device cpu` tries the script
# on a CPU first).
set -euo pipefail
if [ $# -lt 3 ]; then
    echo "usage: $0 DATA_DIR MINUTES OUT_DIR [aecodec train options]" >&2
    exit 2
fi
data_dir=$1 minutes=$2 out_dir=$3
shift 3
root=$(cd "$(dirname "$0")/../../.." && pwd)
start="$root/tools/candidates/model-3.npz"
[ -f "$start" ] || start="$root/codec/weights/checkerboard-gain-128x192-v1.npz"
scratch=$(mktemp -d)
ln -s "$root" "$scratch/aecodec"
export PYTHONPATH="$scratch${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
mkdir -p "$out_dir"
python3 -m aecodec.tools.cli train "$data_dir" --out "$scratch/run.ckpt" \
    --resume "$start" --minutes "$minutes" \
    --batch-size 64 --crop 256 --lr 2e-4 --final-lr 2e-6 --device cuda --checkpoint-every 2000 "$@" \
    2>&1 | tee "$out_dir/train.log"
python3 -m aecodec.tools.cli export "$scratch/run.ckpt" -o "$out_dir/weights.npz"
split -b 15M -d "$out_dir/weights.npz" "$out_dir/weights.npz.part-"
rm "$out_dir/weights.npz"
