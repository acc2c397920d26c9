package web

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/conference-irc/conference/conf"
)

func TestAuthenticatorForgetsTokensOfAnOldConfig(t *testing.T) {
	hash, err := conf.HashPassword("tok")
	if err != nil {
		t.Fatal(err)
	}
	withToken := &conf.Config{Web: conf.Web{Tokens: []conf.APIToken{{Name: "ops", Hash: hash}}}}
	without := &conf.Config{}
	a := newAuthenticator()
	req := httptest.NewRequest("GET", "/api/v1/stats", nil)
	req.Header.Set("Authorization", "Bearer tok")
	for range 2 { // the second answer comes from the cache
		if name, ok := a.check(context.Background(), withToken, req); !ok || name != "ops" {
			t.Fatalf("check = %q %v, want ops", name, ok)
		}
	}
	if _, ok := a.check(context.Background(), without, req); ok {
		t.Error("a token removed by a reload still passes")
	}
	req.Header.Set("Authorization", "Basic tok")
	if _, ok := a.check(context.Background(), withToken, req); ok {
		t.Error("a token that is not a bearer token passes")
	}
}
