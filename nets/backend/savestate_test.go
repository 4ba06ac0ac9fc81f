package backend

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"
)

func TestSaveStateDictRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "model.pt")
	err := Run(func() error {
		ManualSeed(11)
		src := nn.NewVarStore(gotch.CPU)
		w := src.Root().Sub("conv").MustRandn("weight", []int64{4, 3, 3, 3}, 0, 1)
		src.Root().Sub("conv").MustZeros("bias", []int64{4})
		cnt, _ := ts.Ones([]int64{1}, gotch.Int64, gotch.CPU)
		cnt0, _ := cnt.Squeeze(true)
		src.Root().Sub("bn").MustAdd("num_batches_tracked", cnt0, false)
		if err := SaveVarStore(path, src); err != nil {
			return err
		}
		n, err := CheckTorchLoadable(path)
		if err != nil {
			return err
		}
		if n != 3 {
			t.Errorf("libtorch reader found %d tensors, want 3", n)
		}
		sd, err := LoadStateDict(path)
		if err != nil {
			return err
		}
		dst := nn.NewVarStore(gotch.CPU)
		w2 := dst.Root().Sub("conv").MustZeros("weight", []int64{4, 3, 3, 3})
		dst.Root().Sub("conv").MustOnes("bias", []int64{4})
		z, _ := ts.Zeros([]int64{1}, gotch.Int64, gotch.CPU)
		z0, _ := z.Squeeze(true)
		n2 := dst.Root().Sub("bn").MustAdd("num_batches_tracked", z0, false)
		if err := ApplyStateDict(dst, sd, true); err != nil {
			return err
		}
		a, _ := Float64s(w)
		b, _ := Float64s(w2)
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("weight %d: %g after round trip, want %g", i, b[i], a[i])
			}
		}
		if v, _ := Float64s(n2); v[0] != 1 {
			t.Errorf("num_batches_tracked = %v after round trip", v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temp files left behind: %v", entries)
	}
	bad := filepath.Join(t.TempDir(), "bad.pt")
	os.WriteFile(bad, []byte("not a zip"), 0o644)
	if _, err := CheckTorchLoadable(bad); err == nil {
		t.Error("garbage accepted as torch file")
	}
	if _, err := LoadStateDict(bad); err == nil {
		t.Error("LoadStateDict accepted garbage")
	}
	if err := SaveStateDict(filepath.Join(t.TempDir(), "x.pt"), map[string]*ts.Tensor{"a": nil}); err == nil {
		t.Error("nil tensor saved")
	}
}

// TestStateDictPicklePlain: the archive's pickle holds a plain dict of
// tensors. A type-tagged dict (torch.jit._pickle.restore_type_tag) is
// refused by torch.load's default weights_only=True since PyTorch 2.6; the
// only globals torch.load then meets are the tensor rebuilders on its
// allow-list.
func TestStateDictPicklePlain(t *testing.T) {
	var raw []byte
	err := Run(func() error {
		w, err := ts.Ones([]int64{2, 3}, gotch.Float, gotch.CPU)
		if err != nil {
			return err
		}
		defer w.MustDrop()
		raw, err = EncodeStateDict(map[string]*ts.Tensor{"conv.weight": w})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	var pkl []byte
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "data.pkl") {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			pkl, _ = io.ReadAll(rc)
			rc.Close()
		}
	}
	if pkl == nil {
		t.Fatal("no data.pkl in the archive")
	}
	if bytes.Contains(pkl, []byte("restore_type_tag")) {
		t.Error("the pickle tags the dict (torch.jit._pickle.restore_type_tag): torch.load(weights_only=True) refuses it")
	}
	for _, g := range regexp.MustCompile(`c([a-z_.]+)\n([A-Za-z_]+)\n`).FindAllSubmatch(pkl, -1) {
		switch string(g[1]) + "." + string(g[2]) {
		case "torch._utils._rebuild_tensor_v2", "torch.FloatStorage", "torch.LongStorage", "torch.DoubleStorage", "collections.OrderedDict":
		default:
			t.Errorf("pickle names global %s.%s, not on torch.load's weights_only allow-list", g[1], g[2])
		}
	}
}
