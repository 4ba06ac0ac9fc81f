package browsertest

import (
	"os"
	"testing"
)

// TestReportDir checks the report folder named by $MFIF_REPORT_DIR (for
// example mfif-demo/report after make demo), keeping its screenshots in
// $MFIF_SCREENSHOTS when set; it skips when the variable is unset.
func TestReportDir(t *testing.T) {
	dir := os.Getenv("MFIF_REPORT_DIR")
	if dir == "" {
		t.Skip("set MFIF_REPORT_DIR to a report folder to check its page")
	}
	shots := os.Getenv("MFIF_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	res := Check(t, dir, shots)
	t.Logf("%s: %d pairs, %d images loaded, %d panels share crop %.2f; screenshots %v", dir, res.Pairs, res.Images, res.Panels, res.Crop, res.Screenshots)
}
