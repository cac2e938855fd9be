#!/bin/bash
# Every command behind README "Personalised anomalies on the real GZ2 data" (issue 13), as run on 2026-12-03 from a
# snapshot of commit 5fd893a (galmorph = node dist/cli/main.js), each at nice -n 19 on the shared 2-core machine.
set -e
D=../shared/data/gz2-kaggle-votes
R=runs/anom-clean

# 0. the folds: fold = A when idUniform(id, 'anomaly-fold') < 0.5 (src/data/split.ts), else B; each fold a catalog
#    folder with the fold's rows of labels.csv and images/ -> $D/images. ids.csv also records every galaxy's split in
#    the shipped gz2's training run (splitOf(id): train/val/test; its test part equals pretrained/gz2/test_ids.txt).
#    (made with a throw-away tsx snippet calling splitOf / idUniform; ids.csv is the result)

# 1. the shipped gz2 on the 3,000 galaxies (80% of them in its training loss)
galmorph embed --catalog $D --model gz2 --layer dense --out $R/embed-gz2-all
galmorph embed --catalog $D --model gz2 --layer dense --tta --out $R/embed-gz2-all-tta
for s in 0 1 2; do
  galmorph anomalies --embeddings $R/embed-gz2-all --catalog $D --rater-column q6_odd_yes --rater-scale 5 --anomaly-threshold 0.6 --seed $s --out $R/anom-gz2-all-s$s
  galmorph anomalies --embeddings $R/embed-gz2-all-tta --catalog $D --rater-column q6_odd_yes --rater-scale 5 --anomaly-threshold 0.6 --seed $s --out $R/anom-gz2-tta-s$s
  galmorph anomalies --embeddings $R/embed-gz2-all --catalog $D --rater-column q6_odd_yes --rater-scale 5 --anomaly-threshold 0.7 --seed $s --out $R/anom-gz2-all-odd07-s$s
done
npx tsx scripts/anomalyContamination.ts $R/anom-gz2-all-s{0,1,2} > docs/results/anomalies-contamination/gz2-dense-odd06.md
npx tsx scripts/anomalyContamination.ts $R/anom-gz2-tta-s{0,1,2} > docs/results/anomalies-contamination/gz2-dense-tta-odd06.md
npx tsx scripts/anomalyContamination.ts $R/anom-gz2-all-odd07-s{0,1,2} > docs/results/anomalies-contamination/gz2-dense-odd07.md

# 2. the shipped gz2 on fold B alone
galmorph embed --catalog $R/foldB --model gz2 --layer dense --out $R/embed-gz2-foldB
for s in 0 1 2; do
  galmorph anomalies --embeddings $R/embed-gz2-foldB --catalog $R/foldB --rater-column q6_odd_yes --rater-scale 5 --anomaly-threshold 0.6 --seed $s --out $R/anom-gz2-foldB-s$s
done

# 3. cross-fit encoders: the shipped recipe on one fold only (12 epochs, see README), the other fold as --test
galmorph train --preset gz2 --data $R/foldA --test $R/foldB --epochs 12 --lr-schedule cosine --max-seconds 2700 --passes 1 --workers 2 --seed 0 --out $R/train-foldA
galmorph train --preset gz2 --data $R/foldB --test $R/foldA --epochs 12 --lr-schedule cosine --max-seconds 2700 --passes 1 --workers 2 --seed 0 --out $R/train-foldB

# 4. each encoder on the fold it never trained on (clean), encoder A also on its own fold (contaminated) and with --tta
galmorph embed --catalog $R/foldB --model $R/train-foldA/model --layer dense --out $R/embed-encA-foldB
galmorph embed --catalog $R/foldA --model $R/train-foldA/model --layer dense --out $R/embed-encA-foldA
galmorph embed --catalog $R/foldB --model $R/train-foldA/model --layer dense --tta --out $R/embed-encA-foldB-tta
galmorph embed --catalog $R/foldA --model $R/train-foldB/model --layer dense --out $R/embed-encB-foldA
galmorph embed --catalog $R/foldA --model $R/train-foldB/model --layer dense --tta --out $R/embed-encB-foldA-tta
for s in 0 1 2; do
  for p in encA-foldB:B encA-foldA:A encA-foldB-tta:B encB-foldA:A encB-foldA-tta:A; do
    n=${p%:*}; f=${p#*:}
    galmorph anomalies --embeddings $R/embed-$n --catalog $R/fold$f --rater-column q6_odd_yes --rater-scale 5 --anomaly-threshold 0.6 --seed $s --out $R/anom-$n-s$s
  done
done

# 5. false-positive lists of the cross-fit runs (groups-encA.csv: id,group = which fold encoder A trained on)
npx tsx scripts/anomalyContamination.ts --groups docs/results/anomalies-crossfit/groups-encA.csv $R/anom-encA-foldB-s{0,1,2} $R/anom-encA-foldB-tta-s{0,1,2} $R/anom-encA-foldA-s{0,1,2} > docs/results/anomalies-contamination/crossfit-encA.md
npx tsx scripts/anomalyContamination.ts --groups docs/results/anomalies-crossfit/groups-encB.csv $R/anom-encB-foldA-s{0,1,2} $R/anom-encB-foldA-tta-s{0,1,2} > docs/results/anomalies-contamination/crossfit-encB.md

# 6. at 11:22 the machine went idle: a longer encoder A (60 epochs cosine, stopped by --max-seconds 540 after 39)
galmorph train --preset gz2 --data $R/foldA --test $R/foldB \
  --epochs 60 --lr-schedule cosine --max-seconds 540 --passes 1 --workers 2 --seed 0 --out $R/train-foldA60
galmorph embed --catalog $R/foldB --model $R/train-foldA60/model --layer dense --out $R/embed-encA60-foldB
for s in 0 1 2; do
  galmorph anomalies --embeddings $R/embed-encA60-foldB --catalog $R/foldB \
    --rater-column q6_odd_yes --rater-scale 5 --anomaly-threshold 0.6 --seed $s --out $R/anom-encA60-foldB-s$s
done

# 7. full-budget cross-fit encoders (helper 25, 12:38-13:57 UTC, from a snapshot of commit b462378 in /tmp/snap25):
#    the shipped recipe (150 epochs, cosine) on one fold only, the two folds in parallel, each at nice -n 10 with
#    --workers 1, beside the lead's two nice-10 experiments (load 6-23 on the 2 cores); 3,897 s (A) and 3,972 s (B)
for p in A:B B:A; do
  e=${p%:*}; f=${p#*:}
  galmorph train --preset gz2 --data $R/fold$e --test $R/fold$f --epochs 150 --lr-schedule cosine --passes 1 --workers 1 --seed 0 --out $R/train-fold${e}150
done
for p in A:B B:A; do
  e=${p%:*}; f=${p#*:}; n=enc${e}150-fold$f
  galmorph embed --catalog $R/fold$f --model $R/train-fold${e}150/model --layer dense --out $R/embed-$n
  galmorph embed --catalog $R/fold$f --model $R/train-fold${e}150/model --layer dense --tta --out $R/embed-$n-tta
  for s in 0 1 2; do
    galmorph anomalies --embeddings $R/embed-$n --catalog $R/fold$f --rater-column q6_odd_yes --rater-scale 5 --anomaly-threshold 0.6 --seed $s --out $R/anom-$n-s$s
    galmorph anomalies --embeddings $R/embed-$n-tta --catalog $R/fold$f --rater-column q6_odd_yes --rater-scale 5 --anomaly-threshold 0.6 --seed $s --out $R/anom-$n-tta-s$s
    galmorph anomalies --embeddings $R/embed-$n --catalog $R/fold$f --rater-column q6_odd_yes --rater-scale 5 --anomaly-threshold 0.7 --seed $s --out $R/anom-$n-odd07-s$s
  done
  npx tsx scripts/anomalyContamination.ts --groups docs/results/anomalies-crossfit/groups-enc$e.csv \
    $R/anom-$n-s{0,1,2} $R/anom-$n-tta-s{0,1,2} > docs/results/anomalies-contamination/crossfit-enc${e}150.md
done
