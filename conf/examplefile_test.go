package conf

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/rawbytes"
	"github.com/knadh/koanf/v2"
)

// exampleFile is the documented example shipped at the top of the repository.
const exampleFile = "../conference.example.yaml"

// keysOf returns the flattened keys of a YAML document.
func keysOf(t *testing.T, doc []byte) map[string]bool {
	t.Helper()
	k := koanf.New(".")
	if err := k.Load(rawbytes.Provider(doc), yaml.Parser()); err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, key := range k.Keys() {
		keys[key] = true
	}
	return keys
}

// commentedOperators extracts the commented operators example from the
// example file and uncomments it.
func commentedOperators(t *testing.T, doc string) []byte {
	t.Helper()
	start := strings.Index(doc, "#   operators:\n")
	if start < 0 {
		t.Fatal("example file has no commented \"#   operators:\" example")
	}
	var out strings.Builder
	for line := range strings.Lines(doc[start:]) {
		if !strings.HasPrefix(line, "#   ") {
			break
		}
		out.WriteString(strings.TrimPrefix(line, "#   "))
	}
	return []byte(out.String())
}

func TestExampleFileShowsDefaults(t *testing.T) {
	cfg := mustLoad(t, Options{File: exampleFile, Environ: noEnv})
	if !reflect.DeepEqual(cfg, Default()) {
		t.Errorf("%s says its values are the defaults, but they differ", exampleFile)
	}
}

func TestExampleFileNamesEveryKey(t *testing.T) {
	doc, err := os.ReadFile(exampleFile)
	if err != nil {
		t.Fatal(err)
	}
	present := keysOf(t, doc)
	k := koanf.New(".")
	if err := k.Load(rawbytes.Provider(commentedOperators(t, string(doc))), yaml.Parser()); err != nil {
		t.Fatalf("commented operators example: %v", err)
	}
	if unknown := configSchema().unknownKeys("", k.Raw()); len(unknown) > 0 {
		t.Errorf("commented operators example has unknown keys %q", unknown)
	}
	for _, entry := range k.Slices("operators") {
		for _, key := range entry.Keys() {
			present["operators[]."+key] = true
		}
	}
	for _, key := range configSchema().leafKeys("") {
		if !present[key] {
			t.Errorf("%s: key %q is not in the example; document it", exampleFile, key)
		}
	}
}

func TestDefaultsNameEveryKey(t *testing.T) {
	present := keysOf(t, defaultsYAML)
	for _, key := range configSchema().leafKeys("") {
		if !strings.Contains(key, "[]") && !present[key] {
			t.Errorf("defaults.yaml lacks key %q", key)
		}
	}
}
