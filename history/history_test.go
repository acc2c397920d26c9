package history

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/conference-irc/conference/store"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// at is the time of message number i (one second apart).
func at(i int) time.Time { return t0.Add(time.Duration(i) * time.Second) }

// openDB opens a fresh database in a temporary directory.
func openDB(t testing.TB) *store.SQLite {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "h.db"), t0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// stores returns a Memory and a Persistent store, both empty.
func stores(t *testing.T) map[string]Store {
	t.Helper()
	p := NewPersistent(Options{DB: openDB(t), Clock: func() time.Time { return at(1000) }})
	t.Cleanup(func() { p.Close() })
	return map[string]Store{"memory": NewMemory(1000), "persistent": p}
}

// fill adds messages m1..m20 to #c (m5 and m6 at the same second), and
// events e1..e3 between them.
func fill(s Store) {
	for i := 1; i <= 20; i++ {
		ts := at(i)
		if i == 6 {
			ts = at(5)
		}
		s.Add(Entry{Target: "#c", Item: Item{Time: ts, MsgID: fmt.Sprintf("m%d", i), Command: "PRIVMSG",
			Source: "a!a@h", Params: []string{"#c", fmt.Sprintf("text %d", i)}}})
		if i%7 == 0 {
			s.Add(Entry{Target: "#c", Item: Item{Time: ts, Event: true, MsgID: fmt.Sprintf("e%d", i/7),
				Command: "JOIN", Source: "b!b@h", Params: []string{"#c"}}})
		}
	}
	s.Add(Entry{Target: "#other", Item: Item{Time: at(30), MsgID: "o1", Command: "PRIVMSG", Params: []string{"#other", "x"}}})
	s.Add(Entry{Target: DMKey("bob", "al"), Parties: []string{"al", "bob"}, Item: Item{Time: at(40), MsgID: "d1",
		Command: "PRIVMSG", Params: []string{"bob", "hi"}}})
}

func ids(items []Item) string {
	var out []string
	for _, it := range items {
		out = append(out, it.MsgID)
	}
	return strings.Join(out, " ")
}

func TestQueries(t *testing.T) {
	cases := []struct {
		name string
		q    Query
		want string
	}{
		{"latest star", Query{Sub: Latest, Limit: 3}, "m18 m19 m20"},
		{"latest after msgid", Query{Sub: Latest, A: Selector{MsgID: "m17"}, Limit: 10}, "m18 m19 m20"},
		{"latest after time", Query{Sub: Latest, A: Selector{Time: at(18)}, Limit: 10}, "m19 m20"},
		{"latest events", Query{Sub: Latest, Limit: 8, Events: true}, "m14 e2 m15 m16 m17 m18 m19 m20"},
		{"before msgid", Query{Sub: Before, A: Selector{MsgID: "m4"}, Limit: 10}, "m1 m2 m3"},
		{"before msgid same ms", Query{Sub: Before, A: Selector{MsgID: "m6"}, Limit: 2}, "m4 m5"},
		{"before time", Query{Sub: Before, A: Selector{Time: at(5)}, Limit: 2}, "m3 m4"},
		{"after msgid", Query{Sub: After, A: Selector{MsgID: "m5"}, Limit: 2}, "m6 m7"},
		{"after time", Query{Sub: After, A: Selector{Time: at(4)}, Limit: 3}, "m5 m6 m7"},
		{"after with events", Query{Sub: After, A: Selector{MsgID: "m6"}, Limit: 2, Events: true}, "m7 e1"},
		{"between forwards", Query{Sub: Between, A: Selector{MsgID: "m2"}, B: Selector{Time: at(10)}, Limit: 3}, "m3 m4 m5"},
		{"between backwards", Query{Sub: Between, A: Selector{Time: at(10)}, B: Selector{MsgID: "m2"}, Limit: 3}, "m7 m8 m9"},
		{"between all", Query{Sub: Between, A: Selector{MsgID: "m2"}, B: Selector{MsgID: "m5"}, Limit: 100}, "m3 m4"},
		{"around msgid", Query{Sub: Around, A: Selector{MsgID: "m10"}, Limit: 4}, "m8 m9 m10 m11"},
		{"around time", Query{Sub: Around, A: Selector{Time: at(10)}, Limit: 3}, "m9 m10 m11"},
		{"around at start", Query{Sub: Around, A: Selector{MsgID: "m1"}, Limit: 4}, "m1 m2 m3 m4"},
		{"limit zero", Query{Sub: Latest, Limit: 0}, ""},
	}
	for name, s := range stores(t) {
		fill(s)
		for _, c := range cases {
			c.q.Target = "#c"
			got, err := s.Query(context.Background(), c.q)
			if err != nil {
				t.Fatalf("%s %s: %v", name, c.name, err)
			}
			if ids(got) != c.want {
				t.Errorf("%s %s: got %q, want %q", name, c.name, ids(got), c.want)
			}
		}
		if _, err := s.Query(context.Background(), Query{Target: "#c", Sub: Before, A: Selector{MsgID: "nope"}, Limit: 5}); err != ErrNoSuchMsgID {
			t.Errorf("%s unknown msgid: %v", name, err)
		}
		if got, _ := s.Query(context.Background(), Query{Target: "#none", Sub: Latest, Limit: 5}); len(got) != 0 {
			t.Errorf("%s empty target: %v", name, got)
		}
		got, _ := s.Query(context.Background(), Query{Target: "#c", Sub: Latest, Limit: 1})
		if len(got) != 1 || got[0].Source != "a!a@h" || !slices.Equal(got[0].Params, []string{"#c", "text 20"}) || !got[0].Time.Equal(at(20)) {
			t.Errorf("%s record: %+v", name, got)
		}
	}
}

func TestTargetsAndDelete(t *testing.T) {
	for name, s := range stores(t) {
		fill(s)
		ts, err := s.Targets(context.Background(), TargetsQuery{Channels: []string{"#c", "#other"}, Account: "al",
			From: at(0), To: at(100), Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, x := range ts {
			keys = append(keys, x.Key)
		}
		if want := []string{DMKey("al", "bob"), "#other", "#c"}; !slices.Equal(keys, want) {
			t.Errorf("%s targets: %q, want %q", name, keys, want)
		}
		ts, _ = s.Targets(context.Background(), TargetsQuery{Channels: []string{"#c"}, Account: "carol", From: at(100), To: at(0), Limit: 10})
		if len(ts) != 1 || ts[0].Key != "#c" || !ts[0].Latest.Equal(at(20)) {
			t.Errorf("%s a third party's targets: %+v", name, ts)
		}
		if err := s.Delete(context.Background(), "#c", "m20"); err != nil {
			t.Fatal(err)
		}
		if err := s.Delete(context.Background(), "#c", "m20"); err != ErrNoSuchMsgID {
			t.Errorf("%s delete twice: %v", name, err)
		}
		got, _ := s.Query(context.Background(), Query{Target: "#c", Sub: Latest, Limit: 1})
		if ids(got) != "m19" {
			t.Errorf("%s after delete: %s", name, ids(got))
		}
	}
}

func TestRetention(t *testing.T) {
	db := openDB(t)
	now := at(100)
	p := NewPersistent(Options{DB: db, Clock: func() time.Time { return now },
		Retention: Retention{ChannelCount: 5, DMAge: 70 * time.Second}})
	defer p.Close()
	fill(p)
	// A DM message 30 s old stays; d1 (60 s old) is older than 70 s once
	// the clock moves on.
	got, _ := p.Query(context.Background(), Query{Target: DMKey("al", "bob"), Sub: Latest, Limit: 5})
	if ids(got) != "d1" {
		t.Fatalf("DM before expiry: %q", ids(got))
	}
	now = at(111)
	if got, _ := p.Query(context.Background(), Query{Target: DMKey("al", "bob"), Sub: Latest, Limit: 5}); len(got) != 0 {
		t.Errorf("an expired DM is still served: %q", ids(got))
	}
	n, err := p.Prune(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// #c: 22 records (20 messages, events e1 and e2) keep 5; the DM goes.
	if n != 22-5+1 {
		t.Errorf("pruned %d records", n)
	}
	got, _ = p.Query(context.Background(), Query{Target: "#c", Sub: Latest, Limit: 50, Events: true})
	if ids(got) != "m16 m17 m18 m19 m20" {
		t.Errorf("after count retention: %q", ids(got))
	}
	if got, _ := p.Query(context.Background(), Query{Target: "#other", Sub: Latest, Limit: 50}); ids(got) != "o1" {
		t.Errorf("#other: %q", ids(got))
	}
}

func TestPersistentSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	db, err := store.Open(context.Background(), path, t0)
	if err != nil {
		t.Fatal(err)
	}
	p := NewPersistent(Options{DB: db})
	fill(p)
	p.Close()
	db.Close()
	db, err = store.Open(context.Background(), path, t0)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p = NewPersistent(Options{DB: db})
	defer p.Close()
	got, _ := p.Query(context.Background(), Query{Target: "#c", Sub: Latest, Limit: 2})
	if ids(got) != "m19 m20" {
		t.Errorf("after reopening: %q", ids(got))
	}
	if s := p.Stats(); s.Stored != 0 {
		t.Errorf("stats of a new store: %+v", s)
	}
}

func TestQueueFullDrops(t *testing.T) {
	db := openDB(t)
	p := &Persistent{db: db, in: make(chan store.HistoryRecord, 2), stop: make(chan struct{}),
		stopped: make(chan struct{}), advance: make(chan struct{}), maxBatch: 10, clock: time.Now}
	p.log = NewPersistent(Options{DB: db}).log
	for i := range 5 {
		p.Add(Entry{Target: "#c", Item: Item{Time: at(i), MsgID: fmt.Sprint(i), Command: "PRIVMSG"}})
	}
	if s := p.Stats(); s.Queued != 2 || s.Dropped != 3 {
		t.Fatalf("stats with a full queue and no writer: %+v", s)
	}
	go p.write()
	if err := p.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s := p.Stats(); s.Stored != 2 || s.Batches != 1 {
		t.Errorf("after the writer ran: %+v", s)
	}
	p.Close()
}

func TestRename(t *testing.T) {
	for name, s := range stores(t) {
		fill(s)
		if err := s.Rename(context.Background(), "#c", "#other", at(25)); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Query(context.Background(), Query{Target: "#other", Sub: Latest, Limit: 2})
		if ids(got) != "m20 o1" {
			t.Errorf("%s: the new name's history: %q", name, ids(got))
		}
		if got, _ := s.Query(context.Background(), Query{Target: "#c", Sub: Latest, Limit: 2}); len(got) != 0 {
			t.Errorf("%s: the old name keeps %q", name, ids(got))
		}
		// New messages go on under the new name.
		s.Add(Entry{Target: "#other", Item: Item{Time: at(50), MsgID: "n1", Command: "PRIVMSG"}})
		if got, _ := s.Query(context.Background(), Query{Target: "#other", Sub: Latest, Limit: 2}); ids(got) != "o1 n1" {
			t.Errorf("%s: after the rename: %q", name, ids(got))
		}
	}
}

func TestMemoryKeepsTheNewest(t *testing.T) {
	m := NewMemory(3)
	for _, i := range []int{1, 2, 3, 5, 4, 6} { // 4 after 5: a clock step back
		m.Add(Entry{Target: "#c", Item: Item{Time: at(i), MsgID: fmt.Sprintf("m%d", i), Command: "PRIVMSG"}})
	}
	got, _ := m.Query(context.Background(), Query{Target: "#c", Sub: Latest, Limit: 10})
	if ids(got) != "m4 m5 m6" {
		t.Errorf("a ring of 3: %q", ids(got))
	}
}

// A channel renamed to its own key (only the case of its name changes)
// keeps its history.
func TestRenameToTheSameKey(t *testing.T) {
	for name, s := range stores(t) {
		fill(s)
		if err := s.Rename(context.Background(), "#c", "#c", at(25)); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Query(context.Background(), Query{Target: "#c", Sub: Latest, Limit: 2}); ids(got) != "m19 m20" {
			t.Errorf("%s: after renaming to the same key: %q", name, ids(got))
		}
	}
}
