package commands

import (
	"slices"
	"testing"
)

func TestParseWhoQuery(t *testing.T) {
	cases := []struct {
		params []string
		want   whoQuery
	}{
		{[]string{"#c"}, whoQuery{mask: "#c"}},
		{[]string{"*", "o"}, whoQuery{mask: "*", opersOnly: true}},
		{[]string{"*", "%"}, whoQuery{mask: "*", whox: true, token: "0"}},
		{[]string{"*", "%rnt,7"}, whoQuery{mask: "*", whox: true, fields: []byte("tnr"), token: "7"}},
		{[]string{"*", "o%ZZaa,123"}, whoQuery{mask: "*", opersOnly: true, whox: true, fields: []byte("a"), token: "123"}},
		{[]string{"*", "%t,1234"}, whoQuery{mask: "*", whox: true, fields: []byte("t"), token: "0"}},
		{[]string{"*", "%t,-1"}, whoQuery{mask: "*", whox: true, fields: []byte("t"), token: "0"}},
		{[]string{"*", "%t,"}, whoQuery{mask: "*", whox: true, fields: []byte("t"), token: "0"}},
		{[]string{"*", "%tcuihsnfdlaor,,,"}, whoQuery{mask: "*", whox: true, fields: []byte(whoxOrder), token: "0"}},
	}
	for _, c := range cases {
		got := parseWhoQuery(c.params)
		if got.mask != c.want.mask || got.opersOnly != c.want.opersOnly || got.whox != c.want.whox ||
			!slices.Equal(got.fields, c.want.fields) || got.token != c.want.token {
			t.Errorf("parseWhoQuery(%q) = %+v, want %+v", c.params, got, c.want)
		}
	}
}
