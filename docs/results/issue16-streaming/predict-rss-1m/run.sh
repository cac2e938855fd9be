#!/bin/bash
# Peak RSS of the streaming `galmorph predict` at 10k, 100k and 1M simulated galaxies, same tiny model and settings
# as the embed measurement beside it (../embed-rss-1m). Run from a build of the repository (DIST = its dist/).
# Usage: DIST=/path/to/dist OUT=/path/to/runs docs/results/issue16-streaming/predict-rss-1m/run.sh
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
MODEL=$HERE/../embed-rss-1m/tiny16-model
OUT=${OUT:-runs/issue16-predict-rss}
mkdir -p "$OUT"
for N in ${SIZES:-10000 100000 1000000}; do
  ( while sleep 30; do echo "$(date -u +%H:%M:%S) $(cat /proc/loadavg | cut -d' ' -f1) $(grep -h -E 'VmRSS|VmHWM' /proc/$(pgrep -n -f "predict-tiny-$N\$")/status 2>/dev/null | tr -s ' \n' ' ') $(ls "$OUT/predict-tiny-$N/shards" 2>/dev/null | wc -l)"; done ) > "$HERE/rss-$N.txt" &
  SAMPLER=$!
  /usr/bin/time -v node "$DIST/cli/main.js" predict --model "$MODEL" --catalog sim:$N,seed=1,size=16 \
    --shard-size 4096 --passes 1 --batch-size 256 --backend wasm --out "$OUT/predict-tiny-$N" \
    > "$HERE/predict-tiny-$N.log" 2> "$HERE/predict-tiny-$N.time.txt"
  kill $SAMPLER
  cp "$OUT/predict-tiny-$N/results.json" "$HERE/predict-tiny-$N.results.json" 2>/dev/null
done
