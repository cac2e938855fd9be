#!/bin/bash
# runs "name frontend seed" lines two at a time
cd /tmp/snap2
C="--simulate 1500 --classes elliptical,spiral,edge-on --k 3 --image-size 32 --filters 16,16,8 --kernels 3,5,5 --batch-size 64 --workers 1 --snr-range 8,800 --warmup-epochs 4 --anneal-epochs 1 --static-epochs 1 --periods 2"
run() { node dist/cli/main.js cluster $C --front-end $2 --seed $3 --out /work/main/runs/h14b/$1 > /work/main/runs/h14b/$1.out 2>&1; }
while read -r a b c && read -r d e f; do
  run $a $b $c & run $d $e $f & wait
done
