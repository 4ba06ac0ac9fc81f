// Package browsertest opens a report's HTML page (report.HTMLFile) from the
// file system in a real headless Chromium and checks what a reader relies
// on: every image loads, sorting a table column reorders its rows, every
// gallery panel shows the same crop after zooming and panning, and the
// flick key swaps the two chosen methods. It takes screenshots on the way.
// Tests that use it skip when no Chromium is installed.
package browsertest

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Chromium returns the browser to drive: $MFIF_CHROMIUM, or chromium,
// chromium-browser or google-chrome on the PATH. It skips the test when
// there is none.
func Chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("MFIF_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no Chromium installed (apt-get install chromium), or set MFIF_CHROMIUM")
	return ""
}

// Result is what Check measured on a page.
type Result struct {
	// Images is the number of images that loaded, over all gallery pairs
	// and the plots.
	Images int
	// Pairs is the number of gallery pairs shown.
	Pairs int
	// Panels is the number of gallery panels of the first pair whose
	// crops were compared.
	Panels int
	// Crop is the crop every panel showed after the zoom and the drag
	// (x0, y0, x1, y1 in image pixels).
	Crop [4]float64
	// Screenshots are the PNG files written.
	Screenshots []string
}

// Check opens dir/index.html and runs the checks, failing t on any
// problem. Screenshots go to shots (created when missing).
func Check(t testing.TB, dir, shots string) Result {
	t.Helper()
	var res Result
	page, err := filepath.Abs(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(page); err != nil {
		t.Fatalf("no page: %v", err)
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(Chromium(t)), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("allow-file-access-from-files", false), chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 1000),
	}
	var mu sync.Mutex
	var remote, jsErrors []string
	listen := func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			if u := e.Request.URL; !strings.HasPrefix(u, "file://") && !strings.HasPrefix(u, "data:") {
				remote = append(remote, u)
			}
		case *runtime.EventExceptionThrown:
			msg := e.ExceptionDetails.Text
			if e.ExceptionDetails.Exception != nil {
				msg += " " + e.ExceptionDetails.Exception.Description
			}
			jsErrors = append(jsErrors, msg)
		}
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithListener(listen))
	defer cancel()
	ctx, cancelTime := context.WithTimeout(ctx, 3*time.Minute)
	defer cancelTime()

	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+page), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatalf("open %s: %v", page, err)
	}
	shot := func(name string) {
		b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG
		if err != nil {
			t.Errorf("screenshot %s: %v", name, err)
			return
		}
		p := filepath.Join(shots, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Error(err)
			return
		}
		res.Screenshots = append(res.Screenshots, p)
	}

	// Every image of the page, then of every gallery pair, loads.
	pairs := eval[int](t, ctx, `window.mfifGallery ? mfifGallery.pairs : 0`)
	res.Pairs = pairs
	res.Images += waitImages(t, ctx, "page")
	for i := 1; i < pairs; i++ {
		eval[int](t, ctx, fmt.Sprintf(`mfifGallery.show(%d), 0`, i))
		res.Images += waitImages(t, ctx, fmt.Sprintf("pair %d", i))
	}
	if pairs > 1 {
		eval[int](t, ctx, `mfifGallery.show(0), 0`)
		res.Images += waitImages(t, ctx, "pair 0")
	}
	shot("page.png")

	checkSort(t, ctx)

	if pairs > 0 {
		res.Panels, res.Crop = checkCrop(t, ctx)
		checkFlick(t, ctx)
		if err := chromedp.Do(ctx, chromedp.ScrollIntoView(chromedp.ID("gallery-section"))); err != nil {
			t.Error(err)
		}
		shot("gallery.png")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(remote) > 0 {
		t.Errorf("the page asked for %d non-file URLs, e.g. %s", len(remote), remote[0])
	}
	if len(jsErrors) > 0 {
		t.Errorf("script errors: %v", jsErrors)
	}
	return res
}

// eval evaluates js in the page and returns its value, failing t on an
// error.
func eval[T any](t testing.TB, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// waitImages waits until every <img> of the page has finished loading and
// fails t for any that did not decode; it returns their number.
func waitImages(t testing.TB, ctx context.Context, what string) int {
	t.Helper()
	type imageState struct {
		Total, Done int
		Broken      []string
	}
	var state imageState
	js := `(() => { const im = Array.from(document.images);
	  return {Total: im.length, Done: im.filter(i => i.complete).length,
	          Broken: im.filter(i => i.complete && i.naturalWidth === 0).map(i => i.getAttribute("src"))}; })()`
	deadline := time.Now().Add(60 * time.Second)
	for {
		state = eval[imageState](t, ctx, js)
		if state.Done == state.Total || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if state.Done != state.Total {
		t.Errorf("%s: %d of %d images still loading after 60 s", what, state.Total-state.Done, state.Total)
	}
	if len(state.Broken) > 0 {
		t.Errorf("%s: %d images did not load: %v", what, len(state.Broken), state.Broken)
	}
	if state.Total == 0 {
		t.Errorf("%s: no images", what)
	}
	return state.Total - len(state.Broken)
}

// checkSort clicks the header of the first metric column of the results
// table (the first whose header says which direction is better; twice if
// need be) and checks that the row order changed and follows the column's
// values.
func checkSort(t testing.TB, ctx context.Context) {
	t.Helper()
	col := eval[int](t, ctx, `Array.from(document.querySelectorAll("#results thead th")).findIndex(h => (h.title || "").startsWith("better:"))`)
	if col < 0 {
		t.Error("results table has no metric column")
		return
	}
	order := func() (names []string, keys []float64) {
		type row struct{ Name, Key string }
		js := fmt.Sprintf(`Array.from(document.querySelectorAll("#results tbody tr")).map(r => ({Name: r.cells[0].textContent.trim(), Key: r.cells[%d].getAttribute("data-sort") || ""}))`, col)
		rows := eval[[]row](t, ctx, js)
		for _, r := range rows {
			names = append(names, r.Name)
			var v float64
			if _, err := fmt.Sscan(r.Key, &v); err != nil {
				v = math.NaN()
			}
			keys = append(keys, v)
		}
		return names, keys
	}
	before, _ := order()
	if len(before) < 2 {
		t.Errorf("results table has %d rows, need 2 to test sorting", len(before))
		return
	}
	for click := 1; click <= 2; click++ {
		head := chromedp.CSS(fmt.Sprintf(`#results thead th:nth-child(%d)`, col+1))
		if err := chromedp.Do(ctx, chromedp.Click(head)); err != nil {
			t.Fatal(err)
		}
		after, keys := order()
		attr, err := chromedp.Run(ctx, chromedp.AttributeValue(head, "aria-sort"))
		if err != nil {
			t.Fatal(err)
		}
		dir := attr.Value
		for i := 1; i < len(keys); i++ {
			if math.IsNaN(keys[i-1]) || math.IsNaN(keys[i]) {
				continue
			}
			if (dir == "ascending" && keys[i] < keys[i-1]) || (dir == "descending" && keys[i] > keys[i-1]) {
				t.Errorf("click %d (%s): rows not sorted: %v", click, dir, keys)
				break
			}
		}
		if strings.Join(after, "\x00") != strings.Join(before, "\x00") {
			return
		}
	}
	t.Errorf("sorting by column %d never changed the row order %v", col+1, before)
}

// crops returns the crop every visible gallery panel shows, measured from
// the laid-out geometry of the panel and its image (not from what the
// script says), as x0, y0, x1, y1 in image pixels, and the crop the script
// reports.
const cropsJS = `Array.from(document.querySelectorAll("#gallery .vp")).filter(v => v.offsetParent !== null).map(v => {
  const img = v.querySelector("img"), r = v.getBoundingClientRect(), i = img.getBoundingClientRect(), k = i.width / img.naturalWidth;
  return {Geom: [(r.left - i.left) / k, (r.top - i.top) / k, (r.right - i.left) / k, (r.bottom - i.top) / k], Said: v.dataset.crop, Kind: v.dataset.kind};
})`

type panelCrop struct {
	Geom []float64
	Said string
	Kind string
}

// checkCrop zooms into the first panel with the mouse wheel and drags it,
// then checks that every panel shows the same crop.
func checkCrop(t testing.TB, ctx context.Context) (int, [4]float64) {
	t.Helper()
	type rect struct{ X, Y, W, H float64 }
	js := `(() => { const v = document.querySelector("#gallery .vp"); v.scrollIntoView({block: "center"}); const r = v.getBoundingClientRect(); return {X: r.left, Y: r.top, W: r.width, H: r.height}; })()`
	box := eval[rect](t, ctx, js)
	before := eval[[]panelCrop](t, ctx, cropsJS)
	x, y := box.X+0.3*box.W, box.Y+0.6*box.H
	err := chromedp.Do(ctx,
		chromedp.MouseEvent(chromedp.MouseWheel, x, y, func(p *input.DispatchMouseEventParams) {
			p.DeltaX, p.DeltaY = 0.001, -600 // a zero deltaX is left out of the message, which Chromium rejects
		}),
		chromedp.Sleep(100*time.Millisecond),
		chromedp.MouseEvent(chromedp.MousePressed, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1)),
		chromedp.MouseEvent(chromedp.MouseMoved, x+15, y+10, chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseMoved, x+30, y+20, chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseReleased, x+30, y+20, chromedp.ButtonLeft, chromedp.ClickCount(1)),
		chromedp.Sleep(100*time.Millisecond),
	)
	if err != nil {
		t.Fatal(err)
	}
	after := eval[[]panelCrop](t, ctx, cropsJS)
	if len(after) < 2 {
		t.Fatalf("gallery shows %d panels", len(after))
	}
	var crop [4]float64
	copy(crop[:], after[0].Geom)
	for _, p := range after {
		for k := range crop {
			if math.Abs(p.Geom[k]-crop[k]) > 0.05 {
				t.Errorf("panel %s shows crop %.3f, panel 1 %.3f", p.Kind, p.Geom, crop)
				break
			}
		}
		said := strings.Split(p.Said, ",")
		for k := range crop {
			var v float64
			if len(said) != 4 {
				t.Errorf("panel %s: crop attribute %q", p.Kind, p.Said)
				break
			}
			fmt.Sscan(said[k], &v)
			if math.Abs(v-p.Geom[k]) > 0.05 {
				t.Errorf("panel %s: script says crop %s, the layout shows %.3f", p.Kind, p.Said, p.Geom)
				break
			}
		}
	}
	if b := before[0].Geom; crop[2]-crop[0] > 0.8*(b[2]-b[0]) || crop == [4]float64{b[0], b[1], b[2], b[3]} {
		t.Errorf("zoom and drag did not change the crop: before %.2f, after %.2f", b, crop)
	}
	return len(after), crop
}

// checkFlick presses f twice and checks that the large panel swaps to the
// second chosen method and back.
func checkFlick(t testing.TB, ctx context.Context) {
	t.Helper()
	src := `document.querySelector("#flick img").getAttribute("src")`
	a := eval[string](t, ctx, src)
	methods := eval[int](t, ctx, `document.querySelectorAll("#flick-a option").length`)
	if err := chromedp.Do(ctx, chromedp.KeyEvent("f")); err != nil {
		t.Fatal(err)
	}
	if b := eval[string](t, ctx, src); methods > 1 && a == b {
		t.Errorf("the f key did not flick (still %s)", a)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent("f")); err != nil {
		t.Fatal(err)
	}
	if now := eval[string](t, ctx, src); now != a {
		t.Errorf("a second f showed %s, want %s back", now, a)
	}
}
