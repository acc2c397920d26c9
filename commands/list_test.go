package commands

import (
	"reflect"
	"testing"
)

func TestParseListFilter(t *testing.T) {
	cases := []struct {
		param string
		want  listFilter
	}{
		{"", listFilter{}},
		{",,,", listFilter{}},
		{"#a,#B", listFilter{names: []string{"#a", "#B"}}},
		{"#a*,!*x*", listFilter{masks: []string{"#a*"}, notMasks: []string{"*x*"}}},
		{">3,<10", listFilter{conds: []listCond{{kind: 'U', n: 3}, {kind: 'U', less: true, n: 10}}}},
		{"C>5,c<7,T>1,t<2", listFilter{conds: []listCond{{kind: 'C', n: 5}, {kind: 'C', less: true, n: 7}, {kind: 'T', n: 1}, {kind: 'T', less: true, n: 2}}}},
		// Malformed conditions are dropped, never half-applied.
		{"<,>x,C<,T>-1,>999999999999999999999", listFilter{}},
	}
	for _, c := range cases {
		if got := parseListFilter(c.param); !reflect.DeepEqual(got, c.want) {
			t.Errorf("parseListFilter(%q) = %+v, want %+v", c.param, got, c.want)
		}
	}
}
