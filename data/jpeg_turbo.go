//go:build cgo && !purego

package data

// JPEG decoding through libjpeg-turbo's libjpeg API, so pixels match
// libjpeg (MATLAB imread, OpenCV imread, Pillow) exactly: the defaults keep
// the accurate integer IDCT (JDCT_ISLOW) and fancy (triangular) chroma
// upsampling. The libjpeg API is used rather than TurboJPEG because it
// reports every warning by code: TurboJPEG keeps only the text of the first
// one, so a harmless warning could hide a later one that means lost
// pixels. Build with -tags purego or CGO_ENABLED=0 to use Go's image/jpeg
// instead (see jpeg_go.go); that decoder differs from libjpeg by a few
// levels on colour images.
//
// Requires libjpeg62-turbo-dev (Debian: apt-get install libjpeg62-turbo-dev).

/*
#cgo LDFLAGS: -ljpeg
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <jpeglib.h>
#include <jerror.h>

// mfif_max_scans bounds the scans of a progressive file: real files have
// about ten, a hostile one can have millions of tiny scans.
#define MFIF_MAX_SCANS 256

enum { MFIF_OK = 0, MFIF_FAIL = -1, MFIF_TOO_LARGE = 1, MFIF_CMYK = 2, MFIF_LOST = 3 };

struct mfif_err {
	struct jpeg_error_mgr pub;
	jmp_buf jb;
	char *msg;
	int msglen;
	int lost;   // the failure is a warning meaning lost pixels
	int code;   // libjpeg message code of the failure
};

static void mfif_format(j_common_ptr c) {
	struct mfif_err *e = (struct mfif_err *)c->err;
	char buf[JMSG_LENGTH_MAX];
	(*c->err->format_message)(c, buf);
	snprintf(e->msg, e->msglen, "%s", buf);
	e->code = c->err->msg_code;
}

static void mfif_error_exit(j_common_ptr c) {
	mfif_format(c);
	longjmp(((struct mfif_err *)c->err)->jb, 1);
}

// mfif_harmless lists the warnings that leave every pixel decoded: padding
// before a marker, an unknown JFIF revision or Adobe transform code, a bad
// ICC marker. Any other warning (premature end of data, bad Huffman code,
// lost resync, inconsistent progression, ...) means pixels were invented.
static int mfif_harmless(int code) {
	switch (code) {
	case JWRN_EXTRANEOUS_DATA:
	case JWRN_JFIF_MAJOR:
	case JWRN_ADOBE_XFORM:
	case JWRN_BOGUS_ICC:
		return 1;
	}
	return 0;
}

static void mfif_emit(j_common_ptr c, int level) {
	if (level >= 0) {
		return; // trace messages
	}
	c->err->num_warnings++;
	if (mfif_harmless(c->err->msg_code)) {
		return;
	}
	mfif_format(c);
	((struct mfif_err *)c->err)->lost = 1;
	longjmp(((struct mfif_err *)c->err)->jb, 1);
}

static void mfif_progress(j_common_ptr c) {
	j_decompress_ptr d = (j_decompress_ptr)c;
	if (d->input_scan_number > MFIF_MAX_SCANS) {
		struct mfif_err *e = (struct mfif_err *)c->err;
		snprintf(e->msg, e->msglen, "Corrupt JPEG data: more than %d scans", MFIF_MAX_SCANS);
		longjmp(e->jb, 1);
	}
}

// mfif_decode decodes buf into a malloc'd RGB or gray buffer (*out, to be
// freed by the caller). It returns MFIF_OK, MFIF_TOO_LARGE (the header
// announces more than maxpix pixels; *w and *h are set, nothing decoded),
// MFIF_CMYK, MFIF_LOST (a warning meaning lost pixels; msg says which) or
// MFIF_FAIL (msg holds libjpeg's error). With header_only it stops after
// the header (and those checks), returning MFIF_OK with *w and *h set and
// nothing decoded.
static int mfif_decode(const unsigned char *buf, unsigned long n, int *w, int *h, int *comps,
                       unsigned char **out, char *msg, int msglen, double maxpix, int header_only) {
	struct jpeg_decompress_struct d;
	struct jpeg_progress_mgr prog;
	struct mfif_err e;
	unsigned char *volatile dst = NULL;
	*out = NULL;
	*w = *h = *comps = 0;
	memset(&d, 0, sizeof d);
	e.msg = msg;
	e.msglen = msglen;
	e.lost = 0;
	e.code = 0;
	msg[0] = 0;
	d.err = jpeg_std_error(&e.pub);
	e.pub.error_exit = mfif_error_exit;
	e.pub.emit_message = mfif_emit;
	e.pub.output_message = mfif_format;
	if (setjmp(e.jb)) {
		free(dst);
		jpeg_destroy_decompress(&d);
		return e.lost ? MFIF_LOST : MFIF_FAIL;
	}
	jpeg_create_decompress(&d);
	prog.progress_monitor = mfif_progress;
	d.progress = &prog;
	jpeg_mem_src(&d, buf, n);
	jpeg_read_header(&d, TRUE);
	*w = (int)d.image_width;
	*h = (int)d.image_height;
	if (d.jpeg_color_space == JCS_CMYK || d.jpeg_color_space == JCS_YCCK) {
		jpeg_destroy_decompress(&d);
		return MFIF_CMYK;
	}
	if ((double)d.image_width * (double)d.image_height > maxpix) {
		jpeg_destroy_decompress(&d);
		return MFIF_TOO_LARGE;
	}
	if (header_only) {
		jpeg_destroy_decompress(&d);
		return MFIF_OK;
	}
	d.out_color_space = (d.jpeg_color_space == JCS_GRAYSCALE) ? JCS_GRAYSCALE : JCS_RGB;
	jpeg_start_decompress(&d);
	*comps = d.output_components;
	size_t stride = (size_t)d.output_width * (size_t)d.output_components;
	dst = (unsigned char *)malloc(stride * (size_t)d.output_height);
	if (!dst) {
		snprintf(msg, msglen, "out of memory");
		jpeg_destroy_decompress(&d);
		return MFIF_FAIL;
	}
	while (d.output_scanline < d.output_height) {
		JSAMPROW row = dst + stride * d.output_scanline;
		jpeg_read_scanlines(&d, &row, 1);
	}
	jpeg_finish_decompress(&d);
	jpeg_destroy_decompress(&d);
	*w = (int)d.output_width;
	*h = (int)d.output_height;
	*out = dst;
	return MFIF_OK;
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

// decodeJPEG decodes a JPEG with libjpeg-turbo. libjpeg only warns about
// damaged data and fills what it could not decode with gray; here every
// warning that means invented pixels is an error: a premature end of the
// file or of a scan is ErrTruncated, a bad Huffman code, lost resync or
// broken progression ErrCorrupt. Warnings that leave every pixel decoded
// (padding before a marker, unknown JFIF revision or Adobe transform, bad
// ICC marker) are tolerated, as MATLAB and OpenCV tolerate them.
func decodeJPEG(b []byte) (*Image, error) {
	w, h, comps, out, err := turboDecode(b, false)
	if out != nil {
		defer C.free(unsafe.Pointer(out))
	}
	if err != nil {
		return nil, err
	}
	c := int(comps)
	if w <= 0 || h <= 0 || out == nil || (c != 1 && c != 3) {
		return nil, fmt.Errorf("jpeg: %w", ErrEmpty)
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

// jpegHeader reads a JPEG's header as decodeJPEG checks it (CMYK, more
// than MaxPixels), decoding no pixel.
func jpegHeader(b []byte) (w, h int, err error) {
	cw, ch, _, _, err := turboDecode(b, true)
	if err != nil {
		return 0, 0, err
	}
	if cw <= 0 || ch <= 0 {
		return 0, 0, fmt.Errorf("jpeg: %w: the header declares %dx%d pixels", ErrEmpty, cw, ch)
	}
	return int(cw), int(ch), nil
}

// turboDecode runs mfif_decode on b (only its header with headerOnly) and
// maps its result onto the package's errors; out, when not nil, is the
// caller's to free.
func turboDecode(b []byte, headerOnly bool) (w, h, comps C.int, out *C.uchar, err error) {
	msg := (*C.char)(C.malloc(C.JMSG_LENGTH_MAX + 64))
	defer C.free(unsafe.Pointer(msg))
	hdr := C.int(0)
	if headerOnly {
		hdr = 1
	}
	// b holds no Go pointers, so C may read it in place for the call.
	ret := C.mfif_decode((*C.uchar)(unsafe.Pointer(&b[0])), C.ulong(len(b)), &w, &h, &comps, &out,
		msg, C.JMSG_LENGTH_MAX+64, C.double(MaxPixels), hdr)
	switch ret {
	case C.MFIF_TOO_LARGE:
		err = tooLarge(fmtJPEG, int(w), int(h))
	case C.MFIF_CMYK:
		err = fmt.Errorf("jpeg: %w: CMYK/YCCK colour space", ErrUnsupported)
	case C.MFIF_LOST:
		err = jpegWarning(C.GoString(msg))
	case C.MFIF_OK:
	default:
		err = jpegError(C.GoString(msg))
	}
	return w, h, comps, out, err
}

// jpegWarning classifies a libjpeg warning that means lost pixels.
func jpegWarning(s string) error {
	if strings.Contains(strings.ToLower(s), "premature end") {
		return fmt.Errorf("jpeg: %w: %s (pixels past that point are missing)", ErrTruncated, s)
	}
	return fmt.Errorf("jpeg: %w: %s (some pixels could not be decoded)", ErrCorrupt, s)
}

// jpegError classifies a fatal libjpeg error.
func jpegError(s string) error {
	l := strings.ToLower(s)
	switch {
	case strings.Contains(l, "premature end"), strings.Contains(l, "empty input"):
		return fmt.Errorf("jpeg: %w: %s", ErrTruncated, s)
	case strings.Contains(l, "unsupported"):
		return fmt.Errorf("jpeg: %w: %s", ErrUnsupported, s)
	}
	return fmt.Errorf("jpeg: %w: %s", ErrCorrupt, s)
}
