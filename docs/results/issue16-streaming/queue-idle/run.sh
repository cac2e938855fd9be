#!/bin/bash
# Queue throughput with 1 and 2 worker processes on this machine (gz2, 64 px simulated galaxies, 5 passes):
# a private redis-server on a free loopback port, `queue submit predict`, W workers `--until-empty` under
# /usr/bin/time -v, `queue status --json`; each W on a fresh output folder. Run from the repository root after a build.
# Usage: N=512 SHARD=32 docs/results/issue16-streaming/queue-idle/run.sh
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
N=${N:-512}; SHARD=${SHARD:-32}; OUT=${OUT:-runs/queue-idle}
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$OUT"
redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no > "$OUT/redis.log" 2>&1 &
REDIS=$!
trap 'kill $REDIS' EXIT
sleep 1
URL=redis://127.0.0.1:$PORT
for W in 1 2; do
  Q=idle-w$W
  rm -rf "$OUT/w$W"
  node dist/cli/main.js queue submit predict --redis "$URL" --queue "$Q" --model gz2 --catalog sim:$N,seed=3 \
    --shard-size "$SHARD" --passes 5 --out "$OUT/w$W" > "$HERE/submit-w$W.log"
  uptime > "$HERE/uptime-w$W.txt"
  START=$(date +%s.%N)
  for i in $(seq 1 $W); do
    /usr/bin/time -v node dist/cli/main.js worker --redis "$URL" --queue "$Q" --until-empty \
      > "$HERE/worker-w$W-$i.log" 2> "$HERE/worker-w$W-$i.time.txt" &
  done
  wait $(jobs -p | grep -v "^$REDIS\$")
  END=$(date +%s.%N)
  uptime >> "$HERE/uptime-w$W.txt"
  node dist/cli/main.js queue status --redis "$URL" --queue "$Q" --json > "$HERE/status-w$W.json"
  python3 -c "print('workers $W: wall', round($END - $START, 1), 's,', round($N / ($END - $START), 2), 'galaxies/s')" | tee "$HERE/wall-w$W.txt"
done
