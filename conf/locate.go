package conf

import (
	"errors"
	"io/fs"
	"os"
)

// SearchPaths are where the server looks for its configuration file when
// none is named with --config, in order: the working directory, then the
// system-wide place.
func SearchPaths() []string {
	return []string{"conference.yaml", "/etc/conference/conference.yaml"}
}

// Locate returns the first of paths that exists, or "" when none does. A
// path that exists but cannot be read (no permission, a directory) is
// returned too, so that Load reports why rather than falling back to the
// defaults in silence.
func Locate(paths []string) string {
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil || !errors.Is(err, fs.ErrNotExist) {
			return p
		}
	}
	return ""
}
