package conf

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/go-viper/mapstructure/v2"
	"github.com/knadh/koanf/v2"
)

// decode turns the merged layers into a Config. Values of the wrong type
// become problems; the keys that failed are returned so that validation does
// not report them a second time.
func (l *loader) decode() (*Config, []string) {
	cfg := &Config{}
	err := l.k.UnmarshalWithConf("", cfg, koanf.UnmarshalConf{})
	var failed []string
	walkDecodeError(err, func(key string, err error) {
		failed = append(failed, key)
		l.add(l.sourceOf(key), key, "%s", describeDecodeError(err, l.valueOf(key)))
	})
	fillNilSlices(reflect.ValueOf(cfg).Elem())
	return cfg, failed
}

// valueOf returns what key was set to, for error messages; keys inside
// lists are not looked up.
func (l *loader) valueOf(key string) any {
	if strings.Contains(key, "[") {
		return nil
	}
	return l.k.Get(key)
}

// fillNilSlices turns every nil list into an empty one, so that a key left
// out and a key set to [] load the same and a Config equals itself reloaded
// from its YAML.
func fillNilSlices(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		for f := range fieldsOf(v.Type()) {
			fillNilSlices(v.Field(f.index))
		}
	case reflect.Slice:
		if v.IsNil() {
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		}
		for i := range v.Len() {
			fillNilSlices(v.Index(i))
		}
	}
}

// walkDecodeError calls fn for each field the decoder could not fill, with
// its key and the decoder's own error.
func walkDecodeError(err error, fn func(key string, err error)) {
	if err == nil {
		return
	}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range joined.Unwrap() {
			walkDecodeError(e, fn)
		}
		return
	}
	if de, ok := err.(*mapstructure.DecodeError); ok {
		fn(de.Name(), de.Unwrap())
		return
	}
	if inner := errors.Unwrap(err); inner != nil {
		walkDecodeError(inner, fn)
		return
	}
	fn("", err)
}

// describeDecodeError rewords a decoder error for people who write YAML;
// value is what the key was set to, or nil when unknown.
func describeDecodeError(err error, value any) string {
	var pe *mapstructure.ParseError
	var ue *mapstructure.UnconvertibleTypeError
	switch {
	case errors.As(err, &pe):
		return fmt.Sprintf("cannot read %q as %s", fmt.Sprint(pe.Value), typeWord(pe.Expected.Type().String()))
	case errors.As(err, &ue):
		return fmt.Sprintf("expected %s, got %q", typeWord(ue.Expected.Type().String()), fmt.Sprint(ue.Value))
	case strings.Contains(err.Error(), "expected a map") && value == nil:
		return "expected " + typeWord("struct")
	case strings.Contains(err.Error(), "expected a map"):
		return fmt.Sprintf("expected %s, got %q", typeWord("struct"), fmt.Sprint(value))
	case isDurationError(err) && value != nil:
		return fmt.Sprintf("cannot read %q as %s", fmt.Sprint(value), typeWord("time.Duration"))
	case value != nil:
		return fmt.Sprintf("%v (got %q)", err, fmt.Sprint(value))
	}
	return err.Error()
}

// isDurationError reports an error from parsing a duration. The decoder
// shortens time.ParseDuration's errors to "time: unknown unit" and the like,
// dropping the value, so they are told apart by their "time: " prefix.
func isDurationError(err error) bool {
	return strings.Contains(err.Error(), "duration") || strings.HasPrefix(err.Error(), "time: ")
}

// typeWord names a Go type the way the example file does.
func typeWord(goType string) string {
	switch {
	case goType == "time.Duration":
		return "a duration (like 60s)"
	case goType == "bool":
		return "true or false"
	case goType == "float64":
		return "a number"
	case strings.HasPrefix(goType, "int"):
		return "a whole number"
	case goType == "string":
		return "text"
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	default:
		return "a section of keys"
	}
}
