#!/bin/bash
# runs "name seed extra-flags…" lines two at a time (segmented front end, S/N 100-800, the 0.707 row's schedule)
cd /tmp/snap3
C="--simulate 1500 --classes elliptical,spiral,edge-on --k 3 --image-size 32 --filters 16,16,8 --kernels 3,5,5 --batch-size 64 --workers 1 --snr-range 8,800 --warmup-epochs 4 --anneal-epochs 1 --static-epochs 1 --periods 2 --front-end segmented"
run() { local name=$1 seed=$2; shift 2; node dist/cli/main.js cluster $C "$@" --seed $seed --out /work/main/runs/h14b/$name > /work/main/runs/h14b/$name.out 2>&1; }
while read -r a; do
  if read -r b; then run $a & run $b & wait; else run $a; fi
done
