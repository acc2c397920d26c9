package loadgen

import "testing"

func TestParseLoadPrivmsg(t *testing.T) {
	tests := []struct {
		line string
		want loadMsg
		ok   bool
	}{
		{":load3!~load3@127.0.0.1 PRIVMSG #load3 :3 17 123456789 xxxxxxxx", loadMsg{3, 17, 123456789}, true},
		{":a!b@c PRIVMSG load4 :12 1 99", loadMsg{12, 1, 99}, true},
		{"@time=2024-01-01T00:00:00Z :a!b@c PRIVMSG #x :5 6 7 pad", loadMsg{5, 6, 7}, true},
		{":a!b@c PRIVMSG #x :hello there", loadMsg{}, false},
		{":a!b@c PRIVMSG #x :5 6", loadMsg{}, false},
		{":a!b@c PRIVMSG #x :5 6 7x", loadMsg{}, false},
		{":a!b@c PRIVMSG #x :5 6 99999999999999999999", loadMsg{}, false},
		{":a!b@c NOTICE #x :5 6 7", loadMsg{}, false},
		{":srv 001 load1 :Welcome", loadMsg{}, false},
		{"PRIVMSG", loadMsg{}, false},
		{"", loadMsg{}, false},
	}
	for _, tt := range tests {
		got, ok := parseLoadPrivmsg([]byte(tt.line))
		if ok != tt.ok || got != tt.want {
			t.Errorf("parseLoadPrivmsg(%q) = %+v, %v; want %+v, %v", tt.line, got, ok, tt.want, tt.ok)
		}
	}
}

func TestSplitCommandAndParams(t *testing.T) {
	cmd, params := splitCommand([]byte(":irc.example 366 load1 #load0 :End of /NAMES list."))
	if string(cmd) != "366" {
		t.Fatalf("cmd = %q", cmd)
	}
	if got := string(nthParam(params, 1)); got != "#load0" {
		t.Errorf("nthParam(1) = %q, want #load0", got)
	}
	if got := string(trailing(params)); got != "End of /NAMES list." {
		t.Errorf("trailing = %q", got)
	}
	cmd, params = splitCommand([]byte("PING :irc.example"))
	if string(cmd) != "PING" || string(params) != ":irc.example" {
		t.Errorf("PING split = %q %q", cmd, params)
	}
	if got := string(trailing([]byte("a b c"))); got != "c" {
		t.Errorf("trailing without colon = %q, want c", got)
	}
}

func TestAppendLoadLineRoundTrips(t *testing.T) {
	for _, size := range []int{0, 10, 64, MaxSize} {
		line := appendLoadLine(nil, []byte("PRIVMSG #load1 :"), 42, 7, 1234567, size)
		if line[len(line)-2] != '\r' || line[len(line)-1] != '\n' {
			t.Fatalf("size %d: no CR LF", size)
		}
		text := trailing(line[len("PRIVMSG #load1 ") : len(line)-2])
		if size > 20 && len(text) != size {
			t.Errorf("size %d: text is %d bytes", size, len(text))
		}
		m, ok := parseLoadPrivmsg(append([]byte(":n!u@h "), line[:len(line)-2]...))
		if !ok || m != (loadMsg{42, 7, 1234567}) {
			t.Errorf("size %d: parsed %+v, %v", size, m, ok)
		}
	}
}

func TestReceivePathDoesNotAllocate(t *testing.T) {
	c := &client{id: 1, lat: NewHistogram()}
	params := []byte("#load1 :2 3 4 xxxxxxxxxxxxxxxx")
	if n := testing.AllocsPerRun(1000, func() { c.onPrivmsg(params) }); n != 0 {
		t.Errorf("onPrivmsg allocates %v times per message", n)
	}
}

func BenchmarkParseLoadPrivmsg(b *testing.B) {
	line := []byte(":load3!~load3@127.0.0.1 PRIVMSG #load3 :3 17 123456789 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
	for b.Loop() {
		if _, ok := parseLoadPrivmsg(line); !ok {
			b.Fatal("not parsed")
		}
	}
}
