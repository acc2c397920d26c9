package conf

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLocate(t *testing.T) {
	dir := t.TempDir()
	first, second := filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml")
	missing := filepath.Join(dir, "missing.yaml")
	if got := Locate([]string{missing, first, second}); got != "" {
		t.Errorf("with no file: %q", got)
	}
	writeTestConfig(t, second)
	if got := Locate([]string{missing, first, second}); got != second {
		t.Errorf("with the second file only: %q", got)
	}
	writeTestConfig(t, first)
	if got := Locate([]string{missing, first, second}); got != first {
		t.Errorf("with both: %q, want the first", got)
	}
	// A directory in the way is returned, for Load to explain.
	asDir := filepath.Join(dir, "dir.yaml")
	if err := os.Mkdir(asDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if got := Locate([]string{asDir, first}); got != asDir {
		t.Errorf("a directory: %q", got)
	}
	if probs := loadProblems(t, Options{File: asDir, Environ: noEnv}); len(probs) == 0 {
		t.Error("loading a directory gave no problem")
	}
}

func TestSearchPathsStartHere(t *testing.T) {
	paths := SearchPaths()
	if len(paths) != 2 || paths[0] != "conference.yaml" || paths[1] != "/etc/conference/conference.yaml" {
		t.Errorf("SearchPaths() = %q; README.md and conference.example.yaml name these", paths)
	}
}

func writeTestConfig(t *testing.T, path string) {
	t.Helper()
	if err := os.WriteFile(path, []byte("server:\n  name: irc.test.example\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}
