#!/bin/bash
sleep 10
while pgrep -f "chain4.sh" >/dev/null; do sleep 5; done
cd /tmp/snap3
C="--simulate 1500 --classes elliptical,spiral,edge-on --k 3 --image-size 32 --filters 16,16,8 --kernels 3,5,5 --batch-size 64 --workers 1 --snr-range 100,800 --warmup-epochs 4 --anneal-epochs 1 --static-epochs 1 --periods 2 --front-end segmented --seeds 3"
for s in 2 7; do node dist/cli/main.js cluster $C --seed $s --out /work/main/runs/h14b/T3-s$s > /work/main/runs/h14b/T3-s$s.out 2>&1 & done; wait
