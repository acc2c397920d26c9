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

// commentedExample extracts the commented example of a list key (like
// "operators") from the example file and uncomments it.
func commentedExample(t *testing.T, doc, list string) []byte {
	t.Helper()
	start := strings.Index(doc, "#   "+list+":\n")
	if start < 0 {
		t.Fatalf("example file has no commented \"#   %s:\" example", list)
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
	cfg.file = "" // the settings are compared, not where they were read
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
	for _, list := range []string{"operators", "listeners", "webirc", "web.tokens"} {
		k := koanf.New(".")
		anchor, _, _ := strings.Cut(list, ".")
		if err := k.Load(rawbytes.Provider(commentedExample(t, string(doc), anchor)), yaml.Parser()); err != nil {
			t.Fatalf("commented %s example: %v", list, err)
		}
		if unknown := configSchema().unknownKeys("", k.Raw()); len(unknown) > 0 {
			t.Errorf("commented %s example has unknown keys %q", list, unknown)
		}
		for _, entry := range k.Slices(list) {
			for _, key := range entry.Keys() {
				present[list+"[]."+key] = true
			}
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
