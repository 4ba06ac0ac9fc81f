package main

import (
	"github.com/mfif/mfif/nets/backend"
)

// initBackend resolves the compute device (--device, MFIF_DEVICE or the
// config key device) and sets up libtorch (--threads, default one per core) once per
// invocation; the commands that compute with tensors (train, fuse, demo,
// run, bench) call it before building any model. With auto and no GPU it
// says once that it uses the CPU.
func (a *app) initBackend() (backend.Info, error) {
	if a.device != nil {
		return *a.device, nil
	}
	info, err := backend.Init(backend.Options{Device: a.v.GetString("device"), Threads: a.v.GetInt("threads"),
		Deterministic: a.v.GetBool("deterministic")})
	if err != nil {
		return info, err
	}
	if info.Note != "" {
		a.infof("%s", info.Note)
	}
	a.device = &info
	return info, nil
}
