#!/bin/bash
# Every simulator run of this folder (README, "The simulator target", 4.), two at a time on the idle 2-core machine.
# Each run was made from a build of the commit named beside it (git archive COMMIT | tar -x -C SNAP; npx tsc -p
# tsconfig.build.json in SNAP): 2673716 = segmented v1 (smoothed noise assumed σ/3), c8bdd2e = the final mask; the
# moments runs of seeds 0-5 used dc9b4a1 (R10-*, with --gmm-restarts 10) and 2673716 (M-*), whose moments front end is
# the same. Then: OUT=runs/h14b; python3 compare.py (inside this folder, on the copied results).
set -euo pipefail
OUT=${OUT:-/work/main/runs/h14b}
COMMON="--simulate 1500 --classes elliptical,spiral,edge-on --k 3 --image-size 32 --filters 16,16,8 --kernels 3,5,5 --batch-size 64 --workers 1 --warmup-epochs 4 --anneal-epochs 1 --static-epochs 1 --periods 2"

# queue SNAP SNR < lines of "name seed flags…": runs them two at a time with the build in SNAP at S/N SNR
queue() {
  local snap=$1 snr=$2
  run() { local name=$1 seed=$2; shift 2; (cd "$snap" && node dist/cli/main.js cluster $COMMON --snr-range "$snr" "$@" --seed "$seed" --out "$OUT/$name" > "$OUT/$name.out" 2>&1); }
  while read -r a; do
    if read -r b; then run $a & run $b & wait; else run $a; fi
  done
}

# dc9b4a1: the moments front end, seeds 0-2 (all 10 GMM restarts reached the same fit), a longer schedule, a 4x sample
queue /tmp/snap1 100,800 <<'LINES'
R10-s0 0 --front-end moments --gmm-restarts 10
R10-s1 1 --front-end moments --gmm-restarts 10
R10-s2 2 --front-end moments --gmm-restarts 10
L-s0 0 --front-end moments --warmup-epochs 10 --anneal-epochs 2 --static-epochs 2 --periods 3
L-s1 1 --front-end moments --warmup-epochs 10 --anneal-epochs 2 --static-epochs 2 --periods 3
N6k-s0 0 --front-end moments --simulate 6000
N6k-s1 1 --front-end moments --simulate 6000
LINES

# 2673716: segmented v1, the moments front end on seeds 3-5, the one-setting sweep, three models a sample
queue /tmp/snap2 100,800 <<'LINES'
S-s0 0 --front-end segmented
S-s1 1 --front-end segmented
S-s2 2 --front-end segmented
S-s3 3 --front-end segmented
M-s3 3 --front-end moments
M-s4 4 --front-end moments
S-s4 4 --front-end segmented
S-s5 5 --front-end segmented
M-s5 5 --front-end moments
M-s2x 2 --front-end moments
S3-s2 2 --front-end segmented --seeds 3
S3-s4 4 --front-end segmented --seeds 3
S3-s0 0 --front-end segmented --seeds 3
S3-s1 1 --front-end segmented --seeds 3
KL01-s0 0 --front-end segmented --kl-weight 0.01
KL01-s1 1 --front-end segmented --kl-weight 0.01
KL01-s2 2 --front-end segmented --kl-weight 0.01
LAT10-s0 0 --front-end segmented --latent 10
LAT10-s1 1 --front-end segmented --latent 10
LAT10-s2 2 --front-end segmented --latent 10
LAM50-s0 0 --front-end segmented --lambda 50
LAM50-s1 1 --front-end segmented --lambda 50
LAM50-s2 2 --front-end segmented --lambda 50
LINES
queue /tmp/snap2 8,800 <<'LINES'
S8-s0 0 --front-end segmented
S8-s1 1 --front-end segmented
S8-s2 2 --front-end segmented
M8-s2 2 --front-end moments
M8-s0 0 --front-end moments
M8-s1 1 --front-end moments
LINES

# c8bdd2e: the final mask, seeds 0-11 (6-11 new samples, with the moments front end beside them), latent 10,
# three models on the two lowest samples, and S/N 8-800
queue /tmp/snap3 100,800 <<'LINES'
T-s0 0 --front-end segmented
T-s1 1 --front-end segmented
T-s2 2 --front-end segmented
T-s3 3 --front-end segmented
T-s4 4 --front-end segmented
T-s5 5 --front-end segmented
TL-s0 0 --front-end segmented --latent 10
TL-s1 1 --front-end segmented --latent 10
TL-s2 2 --front-end segmented --latent 10
TL-s3 3 --front-end segmented --latent 10
TL-s4 4 --front-end segmented --latent 10
TL-s5 5 --front-end segmented --latent 10
T-s6 6 --front-end segmented
M-s6 6 --front-end moments
T-s7 7 --front-end segmented
M-s7 7 --front-end moments
T-s8 8 --front-end segmented
M-s8 8 --front-end moments
T3-s2 2 --front-end segmented --seeds 3
T3-s7 7 --front-end segmented --seeds 3
T-s9 9 --front-end segmented
M-s9 9 --front-end moments
T-s10 10 --front-end segmented
M-s10 10 --front-end moments
T-s11 11 --front-end segmented
M-s11 11 --front-end moments
LINES
queue /tmp/snap3 8,800 <<'LINES'
T8-s0 0 --front-end segmented
T8-s1 1 --front-end segmented
T8-s2 2 --front-end segmented
LINES
