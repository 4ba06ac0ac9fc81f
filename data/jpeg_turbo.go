//go:build cgo && !purego

package data

// JPEG decoding through libjpeg-turbo's TurboJPEG API, so pixels match
// libjpeg (MATLAB imread, OpenCV imread, Pillow) exactly: flags 0 keeps the
// accurate integer IDCT (JDCT_ISLOW) and fancy (triangular) chroma
// upsampling, both libjpeg defaults. Build with -tags purego or
// CGO_ENABLED=0 to use Go's image/jpeg instead (see jpeg_go.go); that
// decoder differs from libjpeg by a few levels on colour images.
//
// Requires libturbojpeg0-dev (Debian: apt-get install libturbojpeg0-dev).

/*
#cgo LDFLAGS: -lturbojpeg
#include <stdio.h>
#include <stdlib.h>
#include <turbojpeg.h>

// decode runs header + decompress on one handle. ret: 0 ok, -1 error.
// *warn is set when libjpeg only warned (e.g. premature end of data).
// ret 1: the header announces more than maxpix pixels (nothing decoded).
static int mfif_decode(const unsigned char *buf, unsigned long n, int *w, int *h,
                       int *cs, unsigned char **out, int *warn, char *msg, int msglen,
                       double maxpix) {
	*out = NULL;
	*warn = 0;
	tjhandle t = tjInitDecompress();
	if (!t) {
		snprintf(msg, msglen, "%s", tjGetErrorStr2(NULL));
		return -1;
	}
	int sub;
	if (tjDecompressHeader3(t, buf, n, w, h, &sub, cs) != 0) {
		snprintf(msg, msglen, "%s", tjGetErrorStr2(t));
		tjDestroy(t);
		return -1;
	}
	if (*cs == TJCS_CMYK || *cs == TJCS_YCCK || *w <= 0 || *h <= 0) {
		tjDestroy(t);
		return 0;
	}
	if ((double)(*w) * (double)(*h) > maxpix) {
		tjDestroy(t);
		return 1;
	}
	int pf = (*cs == TJCS_GRAY) ? TJPF_GRAY : TJPF_RGB;
	int ps = (*cs == TJCS_GRAY) ? 1 : 3;
	unsigned char *dst = (unsigned char *)malloc((size_t)(*w) * (size_t)(*h) * ps);
	if (!dst) {
		snprintf(msg, msglen, "out of memory");
		tjDestroy(t);
		return -1;
	}
	if (tjDecompress2(t, buf, n, dst, *w, 0, *h, pf, 0) != 0) {
		snprintf(msg, msglen, "%s", tjGetErrorStr2(t));
		if (tjGetErrorCode(t) != TJERR_WARNING) {
			free(dst);
			tjDestroy(t);
			return -1;
		}
		*warn = 1;
	}
	*out = dst;
	tjDestroy(t);
	return 0;
}
*/
import "C"

import (
	"fmt"
	"strings"
	"unsafe"
)

// JPEGDecoder names the JPEG decoder compiled in: "libjpeg-turbo" or "go".
const JPEGDecoder = "libjpeg-turbo"

// decodeJPEG decodes a JPEG with libjpeg-turbo. A premature end of data is
// reported as ErrTruncated (libjpeg itself only warns and pads with gray, as
// Pillow refuses such files by default); other libjpeg warnings are
// tolerated, as MATLAB and OpenCV tolerate them.
func decodeJPEG(b []byte) (*Image, error) {
	var w, h, cs, warn C.int
	var out *C.uchar
	msg := (*C.char)(C.malloc(256))
	defer C.free(unsafe.Pointer(msg))
	// b holds no Go pointers, so C may read it in place for the call.
	ret := C.mfif_decode((*C.uchar)(unsafe.Pointer(&b[0])), C.ulong(len(b)), &w, &h, &cs, &out, &warn, msg, 256, C.double(MaxPixels))
	if ret == 1 {
		return nil, fmt.Errorf("jpeg: %w: %dx%d exceeds MaxPixels (%d)", ErrUnsupported, int(w), int(h), MaxPixels)
	}
	if ret != 0 {
		return nil, jpegError(C.GoString(msg))
	}
	if cs == C.TJCS_CMYK || cs == C.TJCS_YCCK {
		return nil, fmt.Errorf("jpeg: %w: CMYK/YCCK colour space", ErrUnsupported)
	}
	if w <= 0 || h <= 0 || out == nil {
		return nil, fmt.Errorf("jpeg: %w", ErrEmpty)
	}
	defer C.free(unsafe.Pointer(out))
	if warn != 0 {
		if s := C.GoString(msg); strings.Contains(s, "Premature end") {
			return nil, fmt.Errorf("jpeg: %w: %s", ErrTruncated, s)
		}
	}
	c := 3
	if cs == C.TJCS_GRAY {
		c = 1
	}
	n := int(w) * int(h)
	pix := unsafe.Slice((*byte)(unsafe.Pointer(out)), n*c)
	m := NewImage(int(w), int(h), c)
	m.Depth = 8
	for i := 0; i < n; i++ {
		for k := 0; k < c; k++ {
			m.Planes[k][i] = float64(pix[i*c+k])
		}
	}
	return m, nil
}

func jpegError(s string) error {
	switch {
	case strings.Contains(s, "Premature end"), strings.Contains(s, "premature end"):
		return fmt.Errorf("jpeg: %w: %s", ErrTruncated, s)
	case strings.Contains(s, "Unsupported"), strings.Contains(s, "unsupported"):
		return fmt.Errorf("jpeg: %w: %s", ErrUnsupported, s)
	}
	return fmt.Errorf("jpeg: %w: %s", ErrCorrupt, s)
}
