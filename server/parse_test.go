package server

import (
	"errors"
	"strings"
	"testing"
)

func TestParseLineErrors(t *testing.T) {
	tests := []struct {
		name string
		line string
		want error
	}{
		{"empty", "", errEmptyLine},
		{"spaces", "    ", errEmptyLine},
		{"nul only", "\x00\x00", errEmptyLine},
		{"cr and spaces", " \r ", errEmptyLine},
		{"tags only", "@a=b", errBadLine},
		{"tags and space", "@a=b ", errBadLine},
		{"tags and spaces", "@a=b    ", errBadLine},
		{"lone at", "@", errBadLine},
		{"at and space", "@ ", errBadLine},
		{"two tag sections", "@a=b @c=d PING x", errBadLine},
		{"lone prefix", ":prefix", errBadLine},
		{"prefix and space", ":prefix ", errBadLine},
		{"prefix and spaces", ":prefix    ", errBadLine},
		{"lone colon", ":", errBadLine},
		{"tags and lone prefix", "@a=b :prefix", errBadLine},
		{"tags and prefix and space", "@a=b :prefix ", errBadLine},
		{"only trailing", " :x", errBadLine},
		{"body too long", "PRIVMSG #a :" + strings.Repeat("x", 510), errBodyTooLong},
		{"body too long after tags", "@a=b PRIVMSG #a :" + strings.Repeat("x", 510), errBodyTooLong},
		{"tags too long", "@a=" + strings.Repeat("x", maxTagBytes) + " PING x", errTagsTooLong},
		// A client's tag data is 4094 bytes at most, '@' and space aside.
		{"tags one over", "@a=" + strings.Repeat("x", maxClientTagBytes-1) + " PING x", errTagsTooLong},
		{"client tags too long", "@+a=" + strings.Repeat("x", maxClientTagBytes) + " PING x", errTagsTooLong},
		// Every tag counts, with or without the client-only '+'.
		{"mixed tags one over", "@foo=bar;+baz=" + strings.Repeat("a", 4082) + " TAGMSG #a", errTagsTooLong},
		{"long server tags", "@a=" + strings.Repeat("x", 8000) + " PING x", errTagsTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, err := parseLine([]byte(tt.line))
			if !errors.Is(err, tt.want) {
				t.Fatalf("parseLine(%.60q) = %v, %v; want %v", tt.line, msg, err, tt.want)
			}
			if msg != nil {
				t.Errorf("a message came back along with an error")
			}
		})
	}
}

func TestParseLineOK(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		command string
		params  []string
		tags    map[string]string
	}{
		{"simple", "PING x", "PING", []string{"x"}, nil},
		{"lower case command", "privmsg #a :hi there", "PRIVMSG", []string{"#a", "hi there"}, nil},
		{"no params", "QUIT", "QUIT", nil, nil},
		{"empty trailing", "PRIVMSG #a :", "PRIVMSG", []string{"#a", ""}, nil},
		{"prefix ignored", ":nick!u@h PING x", "PING", []string{"x"}, nil},
		{"leading spaces", "   PING x", "PING", []string{"x"}, nil},
		{"double spaces", "PRIVMSG  #a   :hi", "PRIVMSG", []string{"#a", "hi"}, nil},
		{"tags", "@label=abc;+draft/react=\\s PING x", "PING", []string{"x"}, map[string]string{"label": "abc", "+draft/react": " "}},
		{"tags then extra spaces", "@a=b    PING x", "PING", []string{"x"}, map[string]string{"a": "b"}},
		{"tags and prefix", "@a :p PING x", "PING", []string{"x"}, map[string]string{"a": ""}},
		{"invalid utf-8", "PRIVMSG #a :\xff\xfe", "PRIVMSG", []string{"#a", "\xff\xfe"}, nil},
		{"longest body", "PRIVMSG #a :" + strings.Repeat("x", 510-12), "PRIVMSG", []string{"#a", strings.Repeat("x", 510-12)}, nil},
		{"longest tags", "@a=" + strings.Repeat("x", maxClientTagBytes-2) + " PING x", "PING", []string{"x"}, map[string]string{"a": strings.Repeat("x", maxClientTagBytes-2)}},
		{"invalid UTF-8 tag dropped", "@+a=\xff\xfe;+b=ok;label=x\xc3 PING x", "PING", []string{"x"}, map[string]string{"+b": "ok"}},
		{"longest mixed tags", "@foo=bar;+baz=" + strings.Repeat("a", 4081) + " TAGMSG #a", "TAGMSG", []string{"#a"}, map[string]string{"foo": "bar", "+baz": strings.Repeat("a", 4081)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, err := parseLine([]byte(tt.line))
			if err != nil {
				t.Fatalf("parseLine(%.60q): %v", tt.line, err)
			}
			if msg.Command != tt.command {
				t.Errorf("command %q, want %q", msg.Command, tt.command)
			}
			if strings.Join(msg.Params, "|") != strings.Join(tt.params, "|") || len(msg.Params) != len(tt.params) {
				t.Errorf("params %q, want %q", msg.Params, tt.params)
			}
			for k, v := range tt.tags {
				if got, ok := msg.Tags[k]; !ok || got != v {
					t.Errorf("tag %q = %q (present %v), want %q", k, got, ok, v)
				}
			}
			if len(msg.Tags) != len(tt.tags) {
				t.Errorf("tags %q, want %q", msg.Tags, tt.tags)
			}
		})
	}
}

func TestParseLineFoldsExcessParams(t *testing.T) {
	fields := make([]string, 200)
	for i := range fields {
		fields[i] = "p"
	}
	msg, err := parseLine([]byte("CMD " + strings.Join(fields, " ")))
	if err != nil {
		t.Fatal(err)
	}
	if len(msg.Params) != maxParams {
		t.Fatalf("%d params, want %d", len(msg.Params), maxParams)
	}
	last := msg.Params[maxParams-1]
	if want := strings.Join(fields[maxParams-1:], " "); last != want {
		t.Errorf("last param %q, want the rest joined", last)
	}
	// Exactly 15 stay as they are.
	msg, err = parseLine([]byte("CMD " + strings.Join(fields[:maxParams], " ")))
	if err != nil || len(msg.Params) != maxParams || msg.Params[maxParams-1] != "p" {
		t.Errorf("15 params: %q, %v", msg.Params, err)
	}
}

// TestParseLineNeverPanics throws the classic parser-crashers at it.
func TestParseLineNeverPanics(t *testing.T) {
	lines := []string{
		"@", "@ ", "@;", "@=", "@a", "@a=", "@a=b", "@a=b ", "@a=b :", "@a=b : ",
		":", ": ", ":a", ":a ", ":a :", ":a : ", " ", " :", "::", ":: x", "@a :b :c",
		"\x00", "\r", "@\r \n", "CMD :", "CMD  :", "CMD \x80",
		"@" + strings.Repeat(";", 9000) + " X",
		strings.Repeat(" ", 600),
		strings.Repeat("a ", 300),
	}
	for _, l := range lines {
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("parseLine(%.40q) panicked: %v", l, p)
				}
			}()
			msg, err := parseLine([]byte(l))
			if err == nil && msg.Command == "" {
				t.Errorf("parseLine(%.40q) returned a message without a command", l)
			}
		}()
	}
}

// TestParseLineStripsNULAndCR: NUL bytes and bare CRs are taken out of a
// line, which is then processed as if they had never been sent.
func TestParseLineStripsNULAndCR(t *testing.T) {
	tests := []struct{ line, command, last string }{
		{"PRIVMSG #a :x\x00y", "PRIVMSG", "xy"},
		{"PRIVMSG #a :x\ry", "PRIVMSG", "xy"},
		{"PRI\x00VMSG #a :\r\x00hi\r", "PRIVMSG", "hi"},
		{"@+a=b\x00c PING :t\rok", "PING", "tok"},
	}
	for _, tt := range tests {
		msg, err := parseLine([]byte(tt.line))
		if err != nil || msg.Command != tt.command || msg.Trailing() != tt.last {
			t.Errorf("parseLine(%q) = %v, %v; want %s ... :%s", tt.line, msg, err, tt.command, tt.last)
		}
	}
}
