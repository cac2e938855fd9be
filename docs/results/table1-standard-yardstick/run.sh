#!/bin/bash
# The independent PyTorch yardstick at the table1 `standard` preset's budgets (equal training images, not equal time):
# supervised / two-step: the cell's epochs × labels images (100×150, 300×50, 1200×13) in batches of 32;
# alternating: one pass of the unlabelled images (213 iterations of a labelled + an unlabelled batch of 32);
# two-step's VAE pre-training: one pass (213 batches of 32). 20 validations a run, patience 6, as table1.
# Test set: table1's own 896 test galaxies (splitOf(id, 0.6/0.1/0.3, 'table1')), cache made by
#   prep.py --dev ../../data/gz2-kaggle-votes --unlabelled ../../data/gz2-kaggle-unlabelled --test-ids table1-test-ids.txt --cache $CACHE
# Resumable: a cell whose result JSON exists in $OUT is skipped, and so is a seed's pre-training whose checkpoint exists.
set -u
Y=/work/shared/bench/gz2_yardstick/yardstick.py
export SCIREF_CACHE=${CACHE:-/tmp/yardstick-cache-t1} NT=${NT:-1}
OUT=${OUT:-/tmp/yardstick-t1}
mkdir -p $OUT
for s in ${SEEDS:-0 1 2}; do
  [ -f $OUT/vae_s$s.pt ] || /usr/bin/python3 $Y --regime pretrain --seed $s --iters 213 --pretrained $OUT/vae_s$s.pt --out $OUT > $OUT/pretrain_s$s.log 2>&1
  for n in 100 300 1200; do
    case $n in 100) it=469;; 300) it=469;; 1200) it=488;; esac
    ev=$(( (it + 19) / 20 ))
    [ -f $OUT/supervised_n${n}_s$s.json ] || /usr/bin/python3 $Y --regime supervised --n $n --seed $s --iters $it --eval_every $ev --patience 6 --test --out $OUT > $OUT/supervised_n${n}_s$s.log 2>&1
    [ -f $OUT/twostep_n${n}_s$s.json ] || /usr/bin/python3 $Y --regime twostep --n $n --seed $s --iters $it --eval_every $ev --patience 6 --pretrained $OUT/vae_s$s.pt --test --out $OUT > $OUT/twostep_n${n}_s$s.log 2>&1
    [ -f $OUT/alternating_n${n}_s$s.json ] || /usr/bin/python3 $Y --regime alternating --n $n --seed $s --iters 213 --eval_every 11 --patience 6 --test --out $OUT > $OUT/alternating_n${n}_s$s.log 2>&1
  done
done
