# converts yl_run.m output to metrics/testdata/suites/toolkits/yuliu.json
import json, sys
raw = json.load(open(sys.argv[1]))
out = {"toolkit": "yuliu316316/MFIF-Metrics@a3b02ba24e72b7eafd1bb822560a810b287fedaa fusion-metrics/ and FR-IQA/",
       "runner": "GNU Octave 7.3.0, octave-image 2.14.0 (see README.md)",
       "seconds": {t: {k: v["seconds"] for k, v in m.items()} for t, m in raw.items()},
       "errors": {t: {k: v["error"] for k, v in m.items() if v["error"]} for t, m in raw.items()},
       "values": {t: {k: v["value"] for k, v in m.items()} for t, m in raw.items()}}
json.dump(out, open(sys.argv[2], "w"), indent=1)
