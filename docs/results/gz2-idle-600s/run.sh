#!/bin/bash
# idle back-to-back: yardstick and galmorph preset gz2, 600 s each, seeds 0 and 1
export MALLOC_MMAP_THRESHOLD_=1000000000 MALLOC_TRIM_THRESHOLD_=1000000000
for s in 0 1; do
  date -u +"%T yardstick s$s start" >> /tmp/idle/timeline.txt
  uptime >> /tmp/idle/timeline.txt
  (cd /work/shared/bench/gz2_yardstick && SCIREF_CACHE=/tmp/yardstick-cache NT=2 /usr/bin/python3 yardstick.py --regime supervised --n 2400 --seed $s --iters 100000 --eval_every 100 --patience 30 --time_budget 600 --test --out /tmp/idle/yardstick > /tmp/idle/yardstick-s$s.out 2>&1)
  date -u +"%T galmorph s$s start" >> /tmp/idle/timeline.txt
  uptime >> /tmp/idle/timeline.txt
  (cd /tmp/snap5 && node dist/cli/main.js train --preset gz2 --data /work/shared/data/gz2-kaggle-votes --max-seconds 600 --tta --passes 16 --workers 2 --seed $s --out /tmp/idle/gz2-600s-s$s > /tmp/idle/gz2-600s-s$s.out 2>&1)
done
date -u +"%T done" >> /tmp/idle/timeline.txt
uptime >> /tmp/idle/timeline.txt
touch /tmp/idle-bench.done
