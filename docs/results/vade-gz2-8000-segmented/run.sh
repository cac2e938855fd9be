#!/bin/bash
sleep 20
while pgrep -f "queueY.sh|chain3.sh|chain5.sh" >/dev/null; do sleep 5; done
/work/main/runs/h14b/queueY8.sh < /tmp/q8y.txt
cd /tmp/snap3
for fe in segmented moments; do
/usr/bin/time -v node dist/cli/main.js cluster --data /work/shared/data/gz2-kaggle-votes /work/shared/data/gz2-kaggle-unlabelled --crop 0.5 --image-size 64 \
  --filters 8,16,8 --kernels 3,3,3 --front-end $fe --batch-size 64 --warmup-epochs 3 --anneal-epochs 1 --static-epochs 1 \
  --periods 1 --choose-k --k 20 --workers 2 --out /work/main/runs/h14b/gz2-$fe-v2 > /work/main/runs/h14b/gz2-$fe-v2.out 2> /work/main/runs/h14b/gz2-$fe-v2.err
done
