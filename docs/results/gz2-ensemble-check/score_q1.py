"""usage: score_q1.py LABELS.csv PREDICTIONS.csv ... -> id count, Q1 sum-abs, Q1 RMSE per predictions file"""
import csv,sys,math
lab={r['galaxy_id']:r for r in csv.DictReader(open(sys.argv[1]))}
A=['q1_smooth','q1_features_or_disk','q1_star_or_artifact']
for f in sys.argv[2:]:
  P=list(csv.DictReader(open(f)))
  sa=0;se=0;n=0
  for p in P:
    l=lab[p['id']]; t=[float(l[a]) for a in A]; s=sum(t); t=[x/s for x in t]
    q=[float(p[a]) for a in A]
    sa+=sum(abs(a-b) for a,b in zip(q,t)); se+=sum((a-b)**2 for a,b in zip(q,t)); n+=1
  print(f, n, round(sa/n,4), round(math.sqrt(se/(3*n)),4))
