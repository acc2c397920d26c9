package conf

import (
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/confmap"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/providers/rawbytes"
	"github.com/knadh/koanf/v2"
)

// defaultsYAML is the bottom layer of every configuration. It names every
// key, so a Config loaded with nothing else is complete and valid.
//
//go:embed defaults.yaml
var defaultsYAML []byte

// EnvPrefix starts every environment variable that Load reads. The rest of
// the name, lowercased with "_" turned into ".", is the key:
// CONFERENCE_LIMITS_NICKLEN sets limits.nicklen.
const EnvPrefix = "CONFERENCE_"

// Names of the layers that are not files, as they appear in problems.
const (
	sourceDefaults = "defaults"
	sourceEnv      = "environment"
	sourceFlags    = "flags"
)

// Options says where Load finds the layers above the embedded defaults.
type Options struct {
	// File is the YAML file to read; empty means none.
	File string
	// Environ is the environment as "KEY=value" strings. Nil means
	// os.Environ(); an empty, non-nil slice means no environment at all.
	Environ []string
	// Flags are values from the command line, by koanf key ("listen",
	// "limits.nicklen"). They take precedence over everything else.
	Flags map[string]any
	// HTTP are addresses (--http) to add as listener blocks serving the web
	// endpoints and IRC over WebSocket.
	HTTP []string
}

// Load builds a Config from the embedded defaults, then the YAML file, then
// CONFERENCE_* environment variables, then flags, each layer overriding the
// one before. It checks every key and value and reports every problem it
// finds at once, as errors joined together: split them with Problems. Each
// problem names where the value came from and its key, as in
// `conference.yaml: limits.nicklen: must be between 1 and 255 (got 0)`.
func Load(opts Options) (*Config, error) {
	l := &loader{
		k:      koanf.New("."),
		schema: configSchema(),
		origin: map[string]string{},
	}
	l.layer(sourceDefaults, rawbytes.Provider(defaultsYAML), yaml.Parser())
	if opts.File != "" {
		l.layer(opts.File, file.Provider(opts.File), yaml.Parser())
	}
	l.env(opts.Environ)
	if len(opts.Flags) > 0 {
		l.layer(sourceFlags, confmap.Provider(l.normalize(opts.Flags), "."), nil)
	}
	cfg, failed := l.decode()
	for _, addr := range opts.HTTP {
		cfg.Listeners = append(cfg.Listeners, httpListener(addr))
	}
	l.check(cfg, failed)
	cfg.file = opts.File
	cfg.exempt = exemptNets(cfg.Exempt)
	l.readMOTD(cfg, opts.File)
	l.readCertificates(cfg, opts.File)
	l.resolveACMECaches(cfg, opts.File)
	if len(l.problems) > 0 {
		return nil, errors.Join(l.problems...)
	}
	return cfg, nil
}

// Default returns a Config made of the embedded defaults alone, without any
// file, environment or flags. It is meant for tests that need a valid Config.
func Default() *Config {
	cfg, err := Load(Options{Environ: []string{}})
	if err != nil {
		panic("conf: embedded defaults are invalid: " + err.Error())
	}
	return cfg
}

// Problems splits an error returned by Load into one line per problem, for
// printing (--check-config) or for a REHASH refusal. Any other error comes
// back as a single line; nil gives none.
func Problems(err error) []string {
	if err == nil {
		return nil
	}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		var lines []string
		for _, e := range joined.Unwrap() {
			lines = append(lines, Problems(e)...)
		}
		return lines
	}
	return []string{err.Error()}
}

// File is the YAML file the configuration was loaded from, as it was
// named to Load; "" when there was none (or the Config was built by hand).
// A reload reads the same file.
func (c *Config) File() string { return c.file }

// MOTDLines returns the message of the day, one string per line: the
// contents of motd.file when that is set, read at load time, or else
// motd.text. A Config built by hand rather than by Load uses motd.text.
func (c *Config) MOTDLines() []string {
	if c.motdLines == nil {
		return splitLines(c.MOTD.Text)
	}
	return slices.Clone(c.motdLines)
}

// ExemptNets returns the exempt list parsed into prefixes, bare addresses
// widened to a single-address prefix. A Config built by hand rather than by
// Load is parsed on each call, skipping entries that do not parse.
func (c *Config) ExemptNets() []netip.Prefix {
	if c.exempt == nil {
		return exemptNets(c.Exempt)
	}
	return slices.Clone(c.exempt)
}

// problem is one thing wrong with a configuration.
type problem struct {
	// source is the layer the value came from: a file name, "environment",
	// "flags" or "defaults".
	source string
	// key is the dotted key, or empty when the problem is not about one.
	key string
	msg string
}

// Error formats the problem as "source: key: message".
func (p *problem) Error() string {
	if p.key == "" {
		return p.source + ": " + p.msg
	}
	return p.source + ": " + p.key + ": " + p.msg
}

// loader merges the layers and collects problems along the way.
type loader struct {
	k      *koanf.Koanf
	schema *schema
	// origin records, for each flattened key, the last layer that set it,
	// so a bad value can be blamed on the right source.
	origin   map[string]string
	problems []error
}

// add records a problem.
func (l *loader) add(source, key, format string, args ...any) {
	l.problems = append(l.problems, &problem{source: source, key: key, msg: fmt.Sprintf(format, args...)})
}

// layer loads one source into its own koanf, reports its unknown keys and
// merges it over the layers below.
func (l *loader) layer(source string, p koanf.Provider, parser koanf.Parser) {
	lk := koanf.New(".")
	if err := lk.Load(p, parser); err != nil {
		var pathErr *fs.PathError
		if errors.As(err, &pathErr) {
			err = pathErr.Err
		}
		// One problem, one line: YAML errors can span several.
		l.add(source, "", "%s", strings.Join(strings.Fields(err.Error()), " "))
		return
	}
	dropNulls(lk)
	for _, key := range l.schema.unknownKeys("", lk.Raw()) {
		l.add(source, "", "unknown key %q", key)
	}
	for _, key := range lk.Keys() {
		l.setOrigin(key, source)
	}
	if err := l.k.Merge(lk); err != nil {
		l.add(source, "", "merge: %v", err)
	}
}

// dropNulls removes keys written with no value ("limits:" with every line
// under it commented out), so they keep their defaults rather than zeroing
// a whole section.
func dropNulls(k *koanf.Koanf) {
	for _, key := range k.Keys() {
		if k.Get(key) == nil {
			k.Delete(key)
		}
	}
}

// env turns the CONFERENCE_* variables into a layer. Only keys that hold a
// value or a list of values can come from the environment; lists are
// comma-separated. A variable set to nothing (or only spaces) is an error.
func (l *loader) env(environ []string) {
	if environ == nil {
		environ = os.Environ()
	}
	environ = slices.Sorted(slices.Values(environ))
	values := map[string]any{}
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		rest, ok := strings.CutPrefix(name, EnvPrefix)
		if !ok {
			continue
		}
		key := strings.ReplaceAll(strings.ToLower(rest), "_", ".")
		switch node := l.schema.lookup(key); {
		case node == nil:
			l.add(sourceEnv, "", "unknown key %q (%s)", key, name)
		case !node.scalarLike():
			l.add(sourceEnv, key, "cannot be set from the environment (%s); use the file", name)
		case strings.TrimSpace(value) == "":
			// An empty variable is a mistake for every key alike (an unset
			// shell variable, a template left blank), never a way to clear
			// a setting: CONFERENCE_PASSWORD= must not remove the password.
			l.add(sourceEnv, key, "%s is set but empty; unset it to keep the value from the file or the defaults", name)
		default:
			values[key] = value
		}
	}
	if len(values) > 0 {
		l.layer(sourceEnv, confmap.Provider(l.normalize(values), "."), nil)
	}
}

// normalize splits comma-separated strings given for list keys, so that
// CONFERENCE_LISTEN=":531,:6667" and a flag "listen" of ":531,:6667" mean two
// addresses. It returns a new map with flat keys.
func (l *loader) normalize(flat map[string]any) map[string]any {
	out := make(map[string]any, len(flat))
	for key, v := range flat {
		s, isString := v.(string)
		if node := l.schema.lookup(key); isString && node != nil && node.list && node.elem == nil {
			v = splitList(s)
		}
		out[key] = v
	}
	return out
}

// splitList splits a comma-separated list, trimming spaces and dropping
// empty items.
func splitList(s string) []string {
	items := []string{}
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			items = append(items, item)
		}
	}
	return items
}

// check validates the decoded Config, blaming each problem on the layer that
// set its key.
func (l *loader) check(cfg *Config, failed []string) {
	for _, p := range cfg.validate() {
		if !coveredBy(p.key, failed) {
			l.add(l.sourceOf(p.key), p.key, "%s", p.msg)
		}
	}
}

// coveredBy reports whether key is, or is inside, one of the given keys.
func coveredBy(key string, keys []string) bool {
	for _, k := range keys {
		if key == k || strings.HasPrefix(key, k+".") || strings.HasPrefix(key, k+"[") {
			return true
		}
	}
	return false
}

// setOrigin records that source set key, and touched each section above
// it. A key set as a whole ("limits: 5") replaces whatever lower layers set
// beneath it, so their origins go.
func (l *loader) setOrigin(key, source string) {
	for k := range l.origin {
		if strings.HasPrefix(k, key+".") {
			delete(l.origin, k)
		}
	}
	for parent := key; parent != ""; {
		l.origin[parent] = source
		i := strings.LastIndex(parent, ".")
		parent = parent[:max(i, 0)]
	}
}

// sourceOf names the layer that last set key, looking at its parents when
// the key itself was not set (operators[1].name was set as "operators").
func (l *loader) sourceOf(key string) string {
	key, _, _ = strings.Cut(key, "[")
	for key != "" {
		if source, ok := l.origin[key]; ok {
			return source
		}
		i := strings.LastIndex(key, ".")
		if i < 0 {
			break
		}
		key = key[:i]
	}
	return sourceDefaults
}

// readMOTD reads motd.file, if set, and splits the MOTD into lines. A
// relative path set in the config file is taken from that file's directory,
// so the server finds it whatever its working directory.
func (l *loader) readMOTD(cfg *Config, configFile string) {
	if cfg.MOTD.File == "" {
		cfg.motdLines = nonNil(splitLines(cfg.MOTD.Text))
		return
	}
	path := cfg.MOTD.File
	source := l.sourceOf("motd.file")
	if configFile != "" && source == configFile && !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(configFile), path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		l.add(source, "motd.file", "cannot read the MOTD: %v", err)
		return
	}
	cfg.motdLines = nonNil(splitLines(string(data)))
}

// nonNil turns nil into an empty slice: a loaded Config marks "MOTD read,
// and empty" apart from "built by hand" that way.
func nonNil(lines []string) []string {
	if lines == nil {
		return []string{}
	}
	return lines
}

// splitLines splits text into lines, accepting CRLF and ignoring the final
// newline. Empty text has no lines.
func splitLines(text string) []string {
	text = strings.TrimSuffix(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	if text == "" {
		return nil
	}
	return strings.Split(text, "\n")
}
