package report

// Counts returns, for every method, the number of images of r.Images it
// has scores for, and whether these numbers differ between methods (as
// they do after mfif metrics --skip-missing --rank-all).
func (r *Results) Counts() (counts map[string]int, uneven bool) {
	counts = make(map[string]int, len(r.Methods))
	for i, method := range r.Methods {
		n := 0
		for _, img := range r.Images {
			if len(r.PerImage[method][img]) > 0 {
				n++
			}
		}
		counts[method] = n
		if i > 0 && n != counts[r.Methods[0]] {
			uneven = true
		}
	}
	return counts, uneven
}
