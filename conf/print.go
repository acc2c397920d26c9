package conf

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// YAML renders the effective configuration as YAML, with the same keys and
// in the same order as the example file (--print-config). Loading the
// result gives back an equal Config.
func (c *Config) YAML() ([]byte, error) {
	node, err := yamlNode(reflect.ValueOf(*c))
	if err != nil {
		return nil, fmt.Errorf("print config: %w", err)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(node); err != nil {
		return nil, fmt.Errorf("print config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("print config: %w", err)
	}
	return buf.Bytes(), nil
}

// yamlNode builds the YAML for one value: structs as mappings keyed by their
// koanf tags in declaration order, slices as sequences, durations in Go
// syntax, anything else as the YAML encoder writes it.
func yamlNode(v reflect.Value) (*yaml.Node, error) {
	switch {
	case v.Type() == reflect.TypeFor[time.Duration]():
		return scalarNode(formatDuration(time.Duration(v.Int())))
	case v.Kind() == reflect.Struct:
		return mappingNode(v)
	case v.Kind() == reflect.Slice:
		return sequenceNode(v)
	default:
		return scalarNode(v.Interface())
	}
}

// scalarNode encodes one plain value.
func scalarNode(v any) (*yaml.Node, error) {
	n := &yaml.Node{}
	if err := n.Encode(v); err != nil {
		return nil, err
	}
	return n, nil
}

// mappingNode encodes a struct's koanf-tagged fields in order.
func mappingNode(v reflect.Value) (*yaml.Node, error) {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for f := range fieldsOf(v.Type()) {
		value, err := yamlNode(v.Field(f.index))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.key, err)
		}
		key := &yaml.Node{Kind: yaml.ScalarNode, Value: f.key}
		n.Content = append(n.Content, key, value)
	}
	return n, nil
}

// sequenceNode encodes a slice; an empty one is written as [].
func sequenceNode(v reflect.Value) (*yaml.Node, error) {
	n := &yaml.Node{Kind: yaml.SequenceNode}
	if v.Len() == 0 {
		n.Style = yaml.FlowStyle
	}
	for i := range v.Len() {
		item, err := yamlNode(v.Index(i))
		if err != nil {
			return nil, fmt.Errorf("[%d]: %w", i, err)
		}
		n.Content = append(n.Content, item)
	}
	return n, nil
}

// formatDuration writes a duration in Go syntax without trailing zero
// units: 2m rather than 2m0s.
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
