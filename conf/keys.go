package conf

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// schema is the shape of the configuration as seen through the koanf tags of
// Config: which keys exist and what each one holds. It is derived from the
// struct by reflection, so adding a field is enough to make its key known.
type schema struct {
	// fields holds the children of a struct node, by koanf key.
	fields map[string]*schema
	// list marks a slice node; elem is its element when that is a struct.
	list bool
	elem *schema
}

// configSchema returns the schema of Config.
func configSchema() *schema {
	return schemaOf(reflect.TypeFor[Config]())
}

// schemaOf describes one type: structs by their tagged fields, slices by
// their element, anything else as a scalar.
func schemaOf(t reflect.Type) *schema {
	switch t.Kind() {
	case reflect.Struct:
		s := &schema{fields: map[string]*schema{}}
		for f := range fieldsOf(t) {
			s.fields[f.key] = schemaOf(f.typ)
		}
		return s
	case reflect.Slice:
		s := &schema{list: true}
		if t.Elem().Kind() == reflect.Struct {
			s.elem = schemaOf(t.Elem())
		}
		return s
	default:
		return &schema{}
	}
}

// taggedField is one exported struct field that carries a koanf key.
type taggedField struct {
	key   string
	index int
	typ   reflect.Type
}

// fieldsOf yields the koanf-tagged exported fields of a struct type in
// declaration order.
func fieldsOf(t reflect.Type) func(yield func(taggedField) bool) {
	return func(yield func(taggedField) bool) {
		for i := range t.NumField() {
			f := t.Field(i)
			key, _, _ := strings.Cut(f.Tag.Get("koanf"), ",")
			if !f.IsExported() || key == "" || key == "-" {
				continue
			}
			if !yield(taggedField{key: key, index: i, typ: f.Type}) {
				return
			}
		}
	}
}

// scalarLike reports whether a key holds a single value or a list of single
// values, the only shapes an environment variable can express.
func (s *schema) scalarLike() bool {
	return s.fields == nil && s.elem == nil
}

// lookup finds the node for a dotted key, or nil if there is none.
func (s *schema) lookup(key string) *schema {
	node := s
	for part := range strings.SplitSeq(key, ".") {
		if node.fields == nil {
			return nil
		}
		if node = node.fields[part]; node == nil {
			return nil
		}
	}
	return node
}

// leafKeys lists every key that holds a value, in dotted form and sorted.
// Keys inside list elements are written with "[]", as in
// "operators[].name".
func (s *schema) leafKeys(prefix string) []string {
	var keys []string
	switch {
	case s.fields != nil:
		for k, child := range s.fields {
			keys = append(keys, child.leafKeys(joinKey(prefix, k))...)
		}
	case s.elem != nil:
		keys = append(keys, prefix)
		keys = append(keys, s.elem.leafKeys(prefix+"[]")...)
	default:
		keys = append(keys, prefix)
	}
	slices.Sort(keys)
	return keys
}

// unknownKeys walks a parsed configuration map and returns the full names of
// the keys the schema does not know, sorted. Values of the wrong shape are
// left for the decoder to report.
func (s *schema) unknownKeys(prefix string, v any) []string {
	var unknown []string
	switch {
	case s.fields != nil:
		m, _ := v.(map[string]any)
		for _, k := range sortedKeys(m) {
			child := s.fields[k]
			if child == nil {
				unknown = append(unknown, joinKey(prefix, k))
				continue
			}
			unknown = append(unknown, child.unknownKeys(joinKey(prefix, k), m[k])...)
		}
	case s.elem != nil:
		l, _ := v.([]any)
		for i, e := range l {
			unknown = append(unknown, s.elem.unknownKeys(fmt.Sprintf("%s[%d]", prefix, i), e)...)
		}
	}
	return unknown
}

// joinKey appends one key to a dotted prefix.
func joinKey(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// sortedKeys returns a map's keys in order, so errors come out the same way
// every time.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
