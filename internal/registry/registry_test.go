package registry

import (
	"reflect"
	"sync"
	"testing"
)

func TestRegistry(t *testing.T) {
	var r Registry[int]
	if _, ok := r.Get("a"); ok {
		t.Fatal("empty registry found a name")
	}
	for _, tc := range []struct {
		name    string
		v       int
		wantErr bool
	}{
		{"b", 2, false},
		{"a", 1, false},
		{"a", 3, true},
		{"", 4, true},
	} {
		if err := r.Add(tc.name, tc.v); (err != nil) != tc.wantErr {
			t.Errorf("Add(%q) error %v, want error %v", tc.name, err, tc.wantErr)
		}
	}
	if v, ok := r.Get("a"); !ok || v != 1 {
		t.Errorf("Get(a) = %d, %v; want 1 (the first registration), true", v, ok)
	}
	if got := r.Names(); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("Names = %v", got)
	}
	if got := r.Known(); got != "a, b" {
		t.Errorf("Known = %q", got)
	}
	r.Remove("a")
	if _, ok := r.Get("a"); ok || r.Known() != "b" {
		t.Errorf("after Remove(a): Known = %q", r.Known())
	}
}

func TestRegistryConcurrentReads(t *testing.T) {
	var r Registry[string]
	if err := r.Add("x", "y"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if v, _ := r.Get("x"); v != "y" {
				t.Error("lost value")
			}
			_ = r.Names()
		}()
	}
	wg.Wait()
}
