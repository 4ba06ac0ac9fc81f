package main

import "github.com/mfif/mfif/internal/progress"

// logger returns the one path of a command's informational lines and
// progress: stderr, silent under --quiet. On a terminal its bars redraw in
// place; redirected (a Slurm log, 2>file) they become a line every 10 % or
// 30 s.
func (a *app) logger() *progress.Logger {
	return progress.NewLogger(a.stderr, a.v.GetBool("quiet"))
}
