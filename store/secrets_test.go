package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"testing"
)

func TestSecretIsMadeOnceAndKept(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	first, err := s.Secret(ctx, "cloak", 32, rand.Reader)
	if err != nil || len(first) != 32 {
		t.Fatalf("Secret = %x, %v", first, err)
	}
	again, err := s.Secret(ctx, "cloak", 32, rand.Reader)
	if err != nil || !bytes.Equal(again, first) {
		t.Fatalf("asked again: %x, %v; want %x", again, err, first)
	}
	other, err := s.Secret(ctx, "other", 32, rand.Reader)
	if err != nil || bytes.Equal(other, first) {
		t.Fatalf("another name: %x, %v", other, err)
	}
	s.Close()
	reopened, err := Open(ctx, path, t0)
	if err != nil {
		t.Fatal(err)
	}
	defer reopened.Close()
	kept, err := reopened.Secret(ctx, "cloak", 32, rand.Reader)
	if err != nil || !bytes.Equal(kept, first) {
		t.Fatalf("after a restart: %x, %v; want %x", kept, err, first)
	}
}
