package web

import (
	"io/fs"
	"strings"
	"testing"
)

// The whole page (HTML, CSS, JavaScript) stays small: a phone on a slow
// link gets it in one go.
func TestPageIsSmall(t *testing.T) {
	total := 0
	err := fs.WalkDir(pageFiles, "page", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := pageFiles.ReadFile(path)
		total += len(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if total > 200<<10 {
		t.Errorf("the page is %d bytes, more than 200 KB", total)
	}
}

// The page's script never builds markup from strings: every text from
// the network goes in through textContent or text nodes (the browser test
// tries injections end to end).
func TestPageScriptBuildsNoMarkup(t *testing.T) {
	js, err := pageFiles.ReadFile("page/app.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "setTimeout(\"", "javascript:"} {
		if strings.Contains(string(js), bad) {
			t.Errorf("app.js uses %s", bad)
		}
	}
}
