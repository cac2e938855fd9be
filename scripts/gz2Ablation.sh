#!/usr/bin/env bash
# Ablation of the GZ2 training recipe at a fixed number of epochs (so the figures do not depend on machine load):
# each variant changes one thing on the way from the old defaults to `--preset gz2` (v0–v6), then one thing at a
# time from the preset as it stood before the Q1 loss weight (v7–v14: v7 is that preset). v3–v6 were run when
# `--preset gz2` was still v2's yardstick-sized network with head bias -3; run today they start from the current
# preset, so their committed figures (docs/results/gz2-ablation) are the record of that first round. Usage:
#   scripts/gz2Ablation.sh DATA OUT [EPOCHS] [LANES]
# DATA: a GZ2 catalog folder such as ../shared/data/gz2-kaggle-votes; OUT: a folder for one run folder per variant.
# Scores come from each run's results.json (test split: the id-hash 10% the runs share); summary in OUT/ablation.csv.
set -euo pipefail
DATA=${1:?data folder}; OUT=${2:?output folder}; EPOCHS=${3:-20}; LANES=${4:-2}
HERE="$(cd "$(dirname "$0")/.." && pwd)"
GM="node $HERE/dist/cli/main.js train --data $DATA --epochs $EPOCHS --workers 1 --passes 10 --seed 0"
OLD="--crop 0.5 --image-size 64 --augment --head dirichlet --blocks 32,32/64,64/64 --pooling mean --dense-units 128 --dropout 0.5 --head-bias 0"
SMALL="--crop 0.5 --image-size 64 --augment --head dirichlet --blocks 32,32/32,32/16/16 --dense-units 64 --dropout 0.3"
declare -A V=(
  [v0-old-defaults]="$OLD"
  [v1-old-flatten]="${OLD/--pooling mean/--pooling flatten}"
  [v2-small-flatten]="$SMALL --pooling flatten --head-bias 0"
  [v3-preset-gz2]="--preset gz2"
  [v4-preset-batchnorm]="--preset gz2 --batch-norm"
  [v5-preset-mean-pool]="--preset gz2 --pooling mean"
  [v6-preset-q1-only]="--preset gz2 --head multinomial --question q1"
  # second round (after the preset became v1's blocks + flatten + head bias -3): colour, crop, the loss's questions
  [v7-preset-q1w1]="--preset gz2 --loss-weights q1=1"
  [v8-preset-q1w1-rgb]="--preset gz2 --loss-weights q1=1 --colour rgb"
  [v9-preset-q1w1-crop035]="--preset gz2 --loss-weights q1=1 --crop 0.35"
  [v10-preset-q1w1-crop035-rgb]="--preset gz2 --loss-weights q1=1 --crop 0.35 --colour rgb"
  [v11-preset-q1-schema-dirichlet]="--preset gz2 --schema q1 --loss-weights q1=1"
  [v12-preset-q1-multinomial]="--preset gz2 --head multinomial --question q1 --loss-weights q1=1"
  [v13-preset-q1w2]="--preset gz2 --loss-weights q1=2"
  [v14-preset-q1w4]="--preset gz2 --loss-weights q1=4"
)
mkdir -p "$OUT"
run() { local name=$1; [ -f "$OUT/$name/results.json" ] && return 0; rm -rf "$OUT/$name"; $GM ${V[$name]} --out "$OUT/$name" > "$OUT/$name.log" 2>&1; }
export -f run; export OUT GM
names=$(printf '%s\n' "${!V[@]}" | sort)
for name in $names; do
  while [ "$(jobs -r | wc -l)" -ge "$LANES" ]; do sleep 2; done
  run "$name" &
done
wait
node -e '
const fs = require("fs"), path = require("path"); const out = process.argv[1];
const rows = ["variant,epochs,best_epoch,q1_sum_abs,q1_rmse,mean_q1_sum_abs,mean_q1_rmse,all_rmse,q1_smooth_coverage_error"];
const order = (d) => Number((d.match(/^v(\d+)/) ?? [0, 1e9])[1]);
for (const d of fs.readdirSync(out).filter((d) => fs.existsSync(path.join(out, d, "results.json"))).sort((a, b) => order(a) - order(b))) {
  const r = JSON.parse(fs.readFileSync(path.join(out, d, "results.json"), "utf8"));
  const q1 = r.test.perQuestion.find((q) => q.question === "q1");
  const cov = r.test.coverage.find((c) => c.answer === "q1_smooth");
  rows.push([d, r.epochs, r.bestEpoch, q1.sum_abs, q1.rmse, q1.baseline_sum_abs, q1.baseline_rmse, r.test.rmse, cov ? cov.coverageError : ""].map((v) => typeof v === "number" ? +v.toFixed(4) : v).join(","));
}
fs.writeFileSync(path.join(out, "ablation.csv"), rows.join("\n") + "\n"); console.log(rows.join("\n"));' "$OUT"
