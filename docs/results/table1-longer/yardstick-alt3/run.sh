#!/bin/bash
# The PyTorch yardstick's alternating regime with three passes of the unlabelled images (639 iterations of a labelled
# + an unlabelled batch of 32, three times the standard budget's 213), at 100 and 300 labels, seeds 0-2; 20
# validations (every 32 iterations), patience 6; table1's 896 test galaxies. Two chains in parallel, NT=1 each.
Y=/work/shared/bench/gz2_yardstick/yardstick.py
export SCIREF_CACHE=${CACHE:-/tmp/yardstick-cache-t1} NT=1
OUT=${OUT:-/tmp/yardstick-alt3}
cell() { [ -f $OUT/alternating_n$1_s$2.json ] || /usr/bin/python3 $Y --regime alternating --n $1 --seed $2 --iters 639 --eval_every 32 --patience 6 --test --out $OUT > $OUT/alternating_n$1_s$2.log 2>&1; }
( cell 100 0; cell 300 0; cell 100 1 ) &
( cell 300 1; cell 100 2; cell 300 2 ) &
wait
