# Runs CDDFuse's utils/Evaluator.py (unmodified) on the suite triples and writes cddfuse.json.
# usage: python3 cdd_run.py CDDFUSE_CHECKOUT SUITEDIR TRIPLES OUT.json
import json, sys, time
sys.path.insert(0, sys.argv[1])
from utils.Evaluator import Evaluator
from utils.img_read_save import image_read_cv2
import numpy as np, cv2, sklearn, skimage, scipy

root, suitedir, triples, out = sys.argv[1], sys.argv[2], sys.argv[3].split(","), sys.argv[4]
E = Evaluator
metrics = [("EN", lambda f, a, b: E.EN(f)), ("SD", lambda f, a, b: E.SD(f)), ("SF", lambda f, a, b: E.SF(f)),
           ("MI", E.MI), ("SCD", E.SCD), ("VIF", E.VIFF), ("Qabf", E.Qabf), ("SSIM", E.SSIM),
           ("AG", lambda f, a, b: E.AG(f)), ("CC", E.CC), ("MSE", E.MSE), ("PSNR", E.PSNR)]
res = {"toolkit": "Zhaozixiang1228/MMIF-CDDFuse@fd8da1f39d8d403b7343e577bd5a30cba38c7b7b utils/Evaluator.py",
       "runner": "python %s, numpy %s, scipy %s, opencv %s, scikit-image %s, scikit-learn %s" % (
           sys.version.split()[0], np.__version__, scipy.__version__, cv2.__version__, skimage.__version__, sklearn.__version__),
       "seconds": {}, "cpu_seconds": {}, "values": {}}
for t in triples:
    a = image_read_cv2(f"{suitedir}/{t}_A.png", "GRAY")
    b = image_read_cv2(f"{suitedir}/{t}_B.png", "GRAY")
    f = image_read_cv2(f"{suitedir}/{t}_F.png", "GRAY")
    t0, c0 = time.perf_counter(), time.process_time()
    vals = {}
    for name, fn in metrics:
        v = float(fn(f, a, b))
        vals[name] = None if np.isnan(v) else v
    res["seconds"][t] = time.perf_counter() - t0
    res["cpu_seconds"][t] = time.process_time() - c0
    res["values"][t] = vals
json.dump(res, open(out, "w"), indent=1)
