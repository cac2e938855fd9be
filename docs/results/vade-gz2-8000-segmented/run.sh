#!/bin/bash
# The two GZ2 runs of README "The 8,000 GZ2 images at 64 px" (segmented and the moments rerun), one after the other on
# the idle machine, from a build of commit c8bdd2e in /tmp/snap3 (git archive c8bdd2e | tar -x -C /tmp/snap3;
# npx tsc -p tsconfig.build.json there). The segmented v1 run (vade-gz2-8000-segmented-v1) was the same command from a
# build of 2673716.
set -euo pipefail
cd /tmp/snap3
for fe in segmented moments; do
  /usr/bin/time -v node dist/cli/main.js cluster --data /work/shared/data/gz2-kaggle-votes /work/shared/data/gz2-kaggle-unlabelled --crop 0.5 --image-size 64 \
    --filters 8,16,8 --kernels 3,3,3 --front-end $fe --batch-size 64 --warmup-epochs 3 --anneal-epochs 1 --static-epochs 1 \
    --periods 1 --choose-k --k 20 --workers 2 --out /work/main/runs/h14b/gz2-$fe-v2 > /work/main/runs/h14b/gz2-$fe-v2.out 2> /work/main/runs/h14b/gz2-$fe-v2.err
done
node dist/cli/main.js generate --model /work/main/runs/h14b/gz2-segmented-v2 --per-cluster 4 --out /work/main/runs/h14b/gz2-seg-generated
