#!/usr/bin/env bash
# The plate reader's reproducible training pipeline: installs the fonts and Python packages,
# renders the synthetic plates, builds the training sets from the TRAIN split of the
# development photos, trains both networks on the CPU and writes crates/vision/models/.
#
#   crates/vision/train/train.sh [PLATES_DEV_DIR]
#
# Minutes of training per network and round: READER_MINUTES, DETECTOR_MINUTES (default 40);
# threads per trainer: TRAIN_THREADS (default 1: the two trainers run side by side).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
plates_dev="${1:-$here/../../../../shared/datasets/plates-dev}"
work="${CORRIDOR_TRAIN_DIR:-/tmp/corridor-train}"
venv="${CORRIDOR_TRAIN_VENV:-$work/venv}"
models="$here/../models"
export TRAIN_THREADS="${TRAIN_THREADS:-1}"
mkdir -p "$work/round1" "$work/round2"

if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q fonts-dejavu-core fonts-liberation2 \
    fonts-urw-base35 fonts-roboto-unhinted fonts-freefont-ttf fonts-noto-core >/dev/null
fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q -r "$here/requirements.txt"

cd "$here"
py="$venv/bin/python"
# Round 1: 80,000 reader crops and 3,000 detector scenes (seed 7), both networks from scratch.
"$py" gen.py --plates-dev "$plates_dev" --out "$work/data1" --seed 7 --reader 80000 --detector 3000
"$py" train_reader.py --data "$work/data1" --plates-dev "$plates_dev" \
  --minutes "${READER_MINUTES:-40}" --out "$work/round1/plate-reader.onnx" &
"$py" train_detector.py --data "$work/data1" \
  --minutes "${DETECTOR_MINUTES:-40}" --out "$work/round1/plate-detector.onnx" &
wait
# Round 2: 40,000 more crops and 2,000 more scenes (seed 8); both networks go on from round 1
# at half the peak learning rate over both sets.
"$py" gen.py --plates-dev "$plates_dev" --out "$work/data2" --seed 8 --reader 40000 --detector 2000
"$py" train_reader.py --data "$work/data1" --data "$work/data2" --init "$work/round1/plate-reader.onnx.pt" \
  --lr 1e-3 --plates-dev "$plates_dev" --minutes "${READER_MINUTES:-40}" --out "$work/round2/plate-reader.onnx" &
"$py" train_detector.py --data "$work/data1" --data "$work/data2" --init "$work/round1/plate-detector.onnx.pt" \
  --lr 1e-3 --minutes "${DETECTOR_MINUTES:-40}" --out "$work/round2/plate-detector.onnx" &
wait
cp "$work/round2/plate-reader.onnx" "$work/round2/plate-detector.onnx" "$models/"
"$py" evaluate.py --models "$models" --plates-dev "$plates_dev" --widen 0,0.1 --smooth 1 --synthetic 300
