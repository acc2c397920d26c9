//go:build !unix

package loadgen

// RaiseOpenFileLimit does nothing where there is no RLIMIT_NOFILE and
// reports no limit.
func RaiseOpenFileLimit() (uint64, error) { return 1 << 62, nil }
