# converts zl_run.m output (values in fusionAssess.m order) to metrics/testdata/suites/zhengliu.json
import json, sys
names = ["Q_MI","Q_TE","Q_NCIE","Q_G","Q_M","Q_SF","Q_P","Q_S","Q_C","Q_Y","Q_CV","Q_CB"]
raw = json.load(open(sys.argv[1]))
out = {"toolkit": "zhengliu6699/imageFusionMetrics@d6f7f1a0c0a13e7d19bc1e8e4d4f3ad51f439273 fusionAssess.m",
       "runner": "GNU Octave 7.3.0, octave-image 2.14.0 (see README.md)",
       "seconds": {t: v["seconds"] for t, v in raw.items()},
       "values": {t: dict(zip(names, v["values"])) for t, v in raw.items()}}
json.dump(out, open(sys.argv[2], "w"), indent=1)
