package users

import (
	"fmt"
	"net/netip"
	"testing"
	"time"
)

// benchRegistry holds n clients named User0..User<n-1>.
func benchRegistry(b *testing.B, n int) *Registry {
	b.Helper()
	r, err := NewRegistry(RFC1459, 8192, 0)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < n; i++ {
		c := NewClient(uint64(i), nopConn{}, netip.MustParseAddr("127.0.0.1"), "h", time.Now(), false)
		r.Add(c)
		if _, err := r.ClaimNick(c, fmt.Sprintf("User%d", i)); err != nil {
			b.Fatal(err)
		}
	}
	return r
}

// BenchmarkFindNick compares routing a nick target through the registry
// with its LRU of lookups against folding and reading the map under the
// registry's lock on every lookup, from as many goroutines as -cpu says
// (go test -bench FindNick -cpu 1,2,8 ./users/). Targets are typed as users
// type them (mixed case), so the fold has work to do.
func BenchmarkFindNick(b *testing.B) {
	r := benchRegistry(b, 10000)
	targets := make([]string, 256)
	for i := range targets {
		targets[i] = fmt.Sprintf("User%d", i*37%10000)
	}
	b.Run("lru", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for i := 0; pb.Next(); i++ {
				if r.Find(targets[i%len(targets)]) == nil {
					b.Fatal("not found")
				}
			}
		})
	})
	b.Run("fold-each-time", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for i := 0; pb.Next(); i++ {
				folded := r.casemap.Fold(targets[i%len(targets)])
				r.mu.RLock()
				c := r.byNick[folded]
				r.mu.RUnlock()
				if c == nil {
					b.Fatal("not found")
				}
			}
		})
	})
}

// BenchmarkFold measures the casefold alone, on a name with and without
// upper-case letters.
func BenchmarkFold(b *testing.B) {
	for _, name := range []string{"already_lower", "MixedCase[Nick]"} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				_ = RFC1459.Fold(name)
			}
		})
	}
}
