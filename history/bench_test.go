package history

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/conference-irc/conference/store"
)

// benchRows is how many messages the query benchmarks store: 200,000 by
// default, CONFERENCE_HISTORY_BENCH_ROWS for the 10-million figure in
// BENCHMARKS.md. CONFERENCE_HISTORY_BENCH_DB keeps the database in that
// file and reuses it on the next run.
func benchRows() int {
	if n, err := strconv.Atoi(os.Getenv("CONFERENCE_HISTORY_BENCH_ROWS")); err == nil && n > 0 {
		return n
	}
	return 200_000
}

// benchTargets is how many channels the messages are spread over.
const benchTargets = 100

// benchDB opens (filling it on first use) a database of rows messages,
// spread round-robin over #c0..#c99, one millisecond apart.
func benchDB(b *testing.B, rows int) *store.SQLite {
	b.Helper()
	path := os.Getenv("CONFERENCE_HISTORY_BENCH_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "bench.db")
	}
	_, statErr := os.Stat(path)
	db, err := store.Open(context.Background(), path, t0)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if statErr == nil {
		return db
	}
	start := time.Now()
	const batch = 20000
	recs := make([]store.HistoryRecord, 0, batch)
	for i := 0; i < rows; i++ {
		ch := "#c" + strconv.Itoa(i%benchTargets)
		recs = append(recs, store.HistoryRecord{Target: ch, Time: t0.Add(time.Duration(i) * time.Millisecond),
			MsgID: fmt.Sprintf("8f3a1c%08x", i), Command: "PRIVMSG", Source: "user" + strconv.Itoa(i%500) + "!~u@192.0.2.1",
			Account: "user" + strconv.Itoa(i%500), Params: []string{ch, "a typical line of chat, about sixty characters long, give or take"}})
		if len(recs) == batch || i == rows-1 {
			if err := db.AppendHistory(context.Background(), recs); err != nil {
				b.Fatal(err)
			}
			recs = recs[:0]
		}
	}
	b.Logf("filled %d messages in %v (%.0f/s)", rows, time.Since(start), float64(rows)/time.Since(start).Seconds())
	return db
}

// reportSize adds the database's bytes per stored message.
func reportSize(b *testing.B, db *store.SQLite, rows int) {
	var size int64
	for _, suffix := range []string{"", "-wal"} {
		if st, err := os.Stat(db.Path() + suffix); err == nil {
			size += st.Size()
		}
	}
	b.ReportMetric(float64(size)/float64(rows), "dbbytes/msg")
}

// reportP99 adds the 99th percentile of the measured durations.
func reportP99(b *testing.B, d []time.Duration) {
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)*99/100].Microseconds())/1000, "p99-ms")
}

// benchQuery measures query(i) on a database of benchRows messages: the
// mean (ns/op), the 99th percentile and the bytes per message.
func benchQuery(b *testing.B, query func(i, rows int) Query) {
	rows := benchRows()
	db := benchDB(b, rows)
	p := NewPersistent(Options{DB: db})
	defer p.Close()
	ctx := context.Background()
	var d []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		items, err := p.Query(ctx, query(i, rows))
		d = append(d, time.Since(start))
		if err != nil || len(items) != 100 {
			b.Fatalf("%d items, %v", len(items), err)
		}
	}
	reportP99(b, d)
	reportSize(b, db, rows)
}

func BenchmarkQueryLatest(b *testing.B) {
	benchQuery(b, func(i, _ int) Query {
		return Query{Target: "#c" + strconv.Itoa(i%benchTargets), Sub: Latest, Limit: 100}
	})
}

func BenchmarkQueryBefore(b *testing.B) {
	benchQuery(b, func(i, rows int) Query {
		// A msgid somewhere in the first half: a client scrolling back.
		n := (i * 7919) % (rows / 2)
		n = n - n%benchTargets + i%benchTargets + benchTargets*100
		return Query{Target: "#c" + strconv.Itoa(n%benchTargets), Sub: Before,
			A: Selector{MsgID: fmt.Sprintf("8f3a1c%08x", n)}, Limit: 100}
	})
}

func BenchmarkWriter(b *testing.B) {
	db := benchDB(b, 1)
	p := NewPersistent(Options{DB: db})
	defer p.Close()
	b.ResetTimer()
	start := time.Now()
	for i := 0; b.Loop(); i++ {
		ch := "#w" + strconv.Itoa(i%10)
		for p.Stats().Queued-p.Stats().Stored > 60000 {
			time.Sleep(time.Millisecond) // stay under the queue bound: measure the writer, not drops
		}
		p.Add(Entry{Target: ch, Item: Item{Time: time.Now(), MsgID: "w" + strconv.Itoa(i), Command: "PRIVMSG",
			Source: "u!~u@192.0.2.1", Params: []string{ch, "a typical line of chat, about sixty characters long, give or take"}}})
	}
	if err := p.Sync(context.Background()); err != nil {
		b.Fatal(err)
	}
	s := p.Stats()
	b.ReportMetric(float64(s.Stored)/time.Since(start).Seconds(), "stored/s")
	b.ReportMetric(float64(s.Stored)/float64(max(s.Batches, 1)), "msgs/batch")
	if s.Dropped > 0 {
		b.Errorf("%d dropped", s.Dropped)
	}
}
