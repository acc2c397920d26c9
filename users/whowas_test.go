package users

import (
	"fmt"
	"testing"
	"time"
)

func entry(nick string, n int) WhowasEntry {
	return WhowasEntry{
		Identity: Identity{Nick: nick, User: fmt.Sprintf("~u%d", n), Host: "192.0.2.1"},
		Server:   "irc.test",
		Left:     epoch.Add(time.Duration(n) * time.Second),
	}
}

func TestWhowasNewestFirstAndCaseless(t *testing.T) {
	w := NewWhowas(RFC1459, 10)
	w.Record(entry("Foo[", 1))
	w.Record(entry("foo{", 2))
	w.Record(entry("FOO[", 3))
	got := w.Lookup("fOO{", 0)
	if len(got) != 3 {
		t.Fatalf("Lookup = %d entries, want 3", len(got))
	}
	for i, want := range []string{"~u3", "~u2", "~u1"} {
		if got[i].User != want {
			t.Errorf("entry %d = %s, want %s (newest first)", i, got[i].User, want)
		}
	}
	if got := w.Lookup("foo[", 2); len(got) != 2 || got[0].User != "~u3" {
		t.Errorf("Lookup with count 2 = %+v", got)
	}
	if got := w.Lookup("nobody", 0); len(got) != 0 {
		t.Errorf("Lookup(nobody) = %+v", got)
	}
}

func TestWhowasPerNickBound(t *testing.T) {
	w := NewWhowas(RFC1459, 10)
	for i := 0; i < 3*perNickHistory; i++ {
		w.Record(entry("busy", i))
	}
	got := w.Lookup("busy", 0)
	if len(got) != perNickHistory {
		t.Fatalf("kept %d entries for one nick, want %d", len(got), perNickHistory)
	}
	if last := 3*perNickHistory - 1; got[0].User != fmt.Sprintf("~u%d", last) {
		t.Errorf("newest entry = %s, want ~u%d", got[0].User, last)
	}
}

func TestWhowasNickBound(t *testing.T) {
	const size = 5
	w := NewWhowas(RFC1459, size)
	for i := 0; i < 4*size; i++ {
		w.Record(entry(fmt.Sprintf("n%d", i), i))
	}
	kept := 0
	for i := 0; i < 4*size; i++ {
		if len(w.Lookup(fmt.Sprintf("n%d", i), 0)) > 0 {
			kept++
		}
	}
	if kept != size {
		t.Errorf("remembered %d nicks, want %d", kept, size)
	}
	// The most recent nicks are the ones kept.
	if len(w.Lookup(fmt.Sprintf("n%d", 4*size-1), 0)) != 1 {
		t.Error("the newest nick was evicted")
	}
	if len(w.Lookup("n0", 0)) != 0 {
		t.Error("the oldest nick was kept")
	}
}

func TestWhowasDisabled(t *testing.T) {
	w := NewWhowas(RFC1459, 0)
	w.Record(entry("a", 1))
	if got := w.Lookup("a", 0); got != nil {
		t.Errorf("disabled history remembered %+v", got)
	}
}

func TestWhowasLookupReturnsCopy(t *testing.T) {
	w := NewWhowas(RFC1459, 4)
	w.Record(entry("a", 1))
	got := w.Lookup("a", 0)
	got[0].User = "changed"
	if w.Lookup("a", 0)[0].User != "~u1" {
		t.Error("Lookup result aliases the history")
	}
}

// TestWhowasResize: a reload of limits.whowas takes effect at once,
// keeping the most recent nicks.
func TestWhowasResize(t *testing.T) {
	w := NewWhowas(RFC1459, 4)
	for i, nick := range []string{"a", "b", "c", "d"} {
		w.Record(entry(nick, i))
	}
	w.Resize(2)
	for nick, want := range map[string]int{"a": 0, "b": 0, "c": 1, "d": 1} {
		if got := len(w.Lookup(nick, 0)); got != want {
			t.Errorf("after shrinking to 2, %s has %d entries, want %d", nick, got, want)
		}
	}
	w.Resize(0)
	w.Record(entry("e", 5))
	if len(w.Lookup("d", 0))+len(w.Lookup("e", 0)) != 0 {
		t.Error("with 0, WHOWAS still remembers")
	}
	w.Resize(3)
	for i, nick := range []string{"f", "g", "h", "i"} {
		w.Record(entry(nick, i))
	}
	if len(w.Lookup("f", 0)) != 0 || len(w.Lookup("i", 0)) != 1 {
		t.Error("grown from 0 to 3, WHOWAS does not hold the 3 newest")
	}
}
