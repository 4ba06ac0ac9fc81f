// Package metrics implements the objective quality metrics of multi-focus
// image fusion in pure Go, reproducing the public MATLAB reference code to
// about 1e-13 relative (tested against Octave values when the shared oracle
// folder is present).
//
// Every metric works on one gray channel with samples on the 0..255 scale:
// colour inputs go through MATLAB's rgb2gray ((*data.Image).Gray) first, as
// MFIF evaluation scripts do. Metrics are looked up by name in a registry;
// adding one is one file with a function and one Register call. Evaluate
// converts and validates the inputs once and lets metrics share
// intermediate maps; EvaluateMany runs a folder's worth of inputs on all
// cores with results in input order.
//
// # Names and reference code
//
// Zheng Liu's toolbox is zhengliu6699/imageFusionMetrics (commit d6f7f1a);
// Yu Liu's corrected files are yuliu316316/MFIF-Metrics (a3b02ba,
// fusion-metrics/); Qabf.m is the copy in
// thfylsty/Objective-evaluation-for-image-fusion. Calls use a, b, f =
// double gray images; "oracle key" is the key in the shared reference.json.
//
//	name            reference call                       oracle key
//	Q_NMI           metricMI(a,b,f,1)                    values.Q_NMI
//	Q_G             metricXydeas(a,b,f)     (Zheng Liu)   values.Q_G
//	Q_CB            metricChenBlum(a,b,f)                values.Q_CB
//	Q_TE            metricMI(a,b,f,3)       (q=0.43137)   values.Q_TE
//	Q_SF            metricZheng(a,b,f)                   values.Q_SF
//	Q_Piella        metricPeilla(a,b,f,1)   (SSIM 11x11)  values.Q_Piella
//	Q_TE_cvejic     metricMI(a,b,f,2)       (q=1.85)      alternates.Q_TE_cvejic_q1.85
//	Q_W_zl          metricPeilla(a,b,f,2)                alternates.Q_W_zl
//	Q_G_yuliu       metricXydeas(a,b,f)     (Yu Liu)      alternates.Q_G_yuliu
//	Q_ABF_qabf      Qabf(a,b,f)                          alternates.Q_ABF_qabf_m
//	Q_Piella_yuliu  metricPeilla(a,b,f,1)   (Yu Liu)      alternates.Q_S_yuliu_uiqi8
//	Q_W_yuliu       metricPeilla(a,b,f,2)   (Yu Liu)      alternates.Q_W_yuliu_uiqi8
//	Q_E_yuliu       metricPeilla(a,b,f,3)   (Yu Liu)      alternates.Q_E_yuliu_uiqi8
//	EN, SD, SF, AG  entropy, std (divisor MN), sqrt(RF^2+CF^2) (divisor MN), average gradient of F
//	MI              MI(A,F)+MI(B,F), raw 256-level joint histograms, bits
//	SCD             corr2(F-B,A) + corr2(F-A,B) (Aslantas & Bavirlisen 2015)
//	VIF             sum over sources of VIFP(S_i -> F), pixel-domain 4-scale vifp_mscale
//	PSNR, SSIM      F against the ground truth (ssim_index defaults), need Inputs.Reference
//
// Quirks of the reference kept on purpose: normalize1 (per-image stretch to
// 0..255 and rounding) before Q_NMI, Q_TE and Q_CB; the transposed
// marginals in tsallis.m; Q_G's non-paper sigmoid constants, orientation
// modulo pi and per-pixel normalised mean; Chen-Blum's image-size-scaled
// CSF and unnormalised 31x31 Gaussians; Q_SF's full M*N divisor and the
// sqrt(2)/2 weight on squared diagonal sums; Qabf.m's G = gF where
// gA == gF. Q_W_zl depends on where local variances are exactly 0 (the
// reference then adds 0.5), so its local sums are accumulated in the same
// tap order as filter2.
//
// # More than two sources
//
// N = 2 reproduces the reference. For N >= 3: Q_NMI = (4/N) sum_i
// MI(Si,F)/(H(Si)+H(F)) (range 0..2 kept); Q_G, Q_G_yuliu, Q_ABF_qabf sum
// the weighted edge preservation over all sources; Q_CB uses lambda_i =
// CP_i^2 / sum_j CP_j^2; Q_SF's reference gradient is the per-pixel maximum
// over all sources; the Piella indices use lambda_i = s_i / sum_j s_j (0.5
// added to every s_i where all are 0) and weight max_i s_i; Q_TE_cvejic, MI
// and VIF sum over sources. Q_TE (pairwise source term in the denominator)
// and SCD are defined for two sources only and return ErrUnsupported.
//
// # Degenerate inputs
//
// A metric whose reference would produce NaN or an infinity returns an
// error wrapping ErrDegenerate that names the image or the reason: a
// constant non-zero image in normalize1 (0/0), all-zero images (0/0
// entropies), constant sources in Q_SF (SF_R = 0), zero Chen-Blum contrast,
// images smaller than a metric's window, and PSNR of an image equal to its
// reference. Size, plane-count and empty-image problems are plain errors.
// No metric returns NaN or an infinity.
//
// # Speed
//
// Evaluate shares gray conversion, normalize1 images, joint histograms,
// Sobel maps and local SSIM statistics between metrics, and takes its large
// buffers from size-keyed pools returned when it finishes. Chen-Blum's CSF
// runs through an exact-size mixed-radix FFT (fft.go; radices 2, 3, 4,
// unrolled 5, 7, 11, 13 and a generic odd radix, so any image size works,
// large prime sizes slowly), two images per complex transform. For images
// of at least 64x64 its 31x31 Gaussians are applied in the same spectra
// (exact away from the 15-pixel border, where direct sums replace them);
// smaller images and the SSIM windows use separable direct sums.
//
// The pixel loops are small kernels (vec.go) with a portable version and,
// when the module is built with GOEXPERIMENT=simd on amd64 (scripts/torchenv
// sets it) and the CPU has AVX2, a four-lane version (vec_simd.go,
// fft_simd.go, fft_odd_simd.go): FFT passes, filters, the Sobel and
// arctangent maps, the edge-preservation sigmoids, the SSIM and Chen-Blum
// pixel maps. The vector kernels do each element's IEEE operations in the
// scalar order, so they return the same bits (the tests compare them),
// except the exponential (within an ulp or so of math.Exp) and the image
// sums, which add in four lanes. Kernels reports which set is in use.
// BenchmarkPrimary520Colour times the six primary metrics on one 520x520
// colour triple and also reports CPU time per op, which is the meaningful
// number on a shared machine.
package metrics
