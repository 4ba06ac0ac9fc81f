package memstat

import "testing"

func TestResidentGrowsWithTouchedMemory(t *testing.T) {
	if Resident() == 0 {
		t.Skip("no /proc/self/status")
	}
	before := Settled()
	buf := make([]byte, 64<<20)
	for i := range buf {
		buf[i] = byte(i)
	}
	if grew := Resident() - before; grew < 32<<20 {
		t.Errorf("resident memory grew %d MB after touching 64 MB", grew>>20)
	}
	_ = buf[len(buf)-1]
}
