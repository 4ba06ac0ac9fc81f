// Package archtest holds tests of the repository's architecture (see
// docs/architecture.md): which packages may import which, and that no
// package outside nets/backend creates tensors or variable stores on a
// device it names itself. It has no code of its own.
package archtest
