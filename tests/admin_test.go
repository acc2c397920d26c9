package tests

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/tests/harness"
	"github.com/conference-irc/conference/web"
)

const adminToken = "k3y-for-the-admin-api-tests"

// adminHash is adminToken's bcrypt hash, made once.
var adminHash = sync.OnceValue(func() string {
	hash, err := conf.HashPassword(adminToken)
	if err != nil {
		panic(err)
	}
	return hash
})

// adminYAML is a configuration with the admin API's token "ops", and
// extra YAML after it.
func adminYAML(extra string) string {
	return "web:\n  tokens:\n    - {name: ops, hash: \"" + adminHash() + "\"}\n" + extra
}

// adminCall sends an API request with the test token and decodes the JSON
// answer into out (when not nil), failing unless the status is want.
func adminCall(t *testing.T, method, url, body string, want int, out any) {
	t.Helper()
	code, got := harness.HTTPDo(t, method, url, adminToken, body)
	if code != want {
		t.Fatalf("%s %s = %d %s, want %d", method, url, code, got, want)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(got), out); err != nil {
			t.Fatalf("%s %s: decode %q: %v", method, url, got, err)
		}
	}
}

func TestAdminAPIRefusesWithoutToken(t *testing.T) {
	_, base := startHTTP(t, adminYAML(""))
	endpoints := []struct{ method, path string }{
		{"GET", "/api/v1/stats"}, {"GET", "/api/v1/clients"}, {"GET", "/api/v1/clients/alice"},
		{"POST", "/api/v1/clients/alice/kill"}, {"GET", "/api/v1/channels"},
		{"GET", "/api/v1/channels/%23lobby"}, {"POST", "/api/v1/broadcast"}, {"POST", "/api/v1/rehash"},
		{"GET", "/api/v1/nothing"},
	}
	for _, e := range endpoints {
		for _, token := range []string{"", "wrong", adminToken + "x", strings.Repeat("a", 100)} {
			if code, body := harness.HTTPDo(t, e.method, base+e.path, token, ""); code != http.StatusUnauthorized {
				t.Errorf("%s %s with token %q = %d %s, want 401", e.method, e.path, token, code, body)
			}
		}
	}
}

func TestAdminAPIOffWithoutTokens(t *testing.T) {
	_, base := startHTTP(t, "")
	if code, _ := harness.HTTPDo(t, "GET", base+"/api/v1/stats", adminToken, ""); code != http.StatusNotFound {
		t.Errorf("GET /api/v1/stats with no tokens configured = %d, want 404", code)
	}
}

func TestAdminAPIInspects(t *testing.T) {
	srv, base := startHTTP(t, adminYAML(""))
	alice := srv.Register(t, "alice")
	bob := srv.Register(t, "bob")
	alice.Send("JOIN #ops")
	alice.ExpectNumeric("366")
	alice.Send("TOPIC #ops :watch the logs")
	alice.ExpectCommand("TOPIC")
	bob.Send("JOIN #ops")
	bob.ExpectNumeric("366")

	var stats web.Stats
	adminCall(t, "GET", base+"/api/v1/stats", "", http.StatusOK, &stats)
	if stats.Users != 2 || stats.Channels != 1 || stats.Connections["plain"] != 2 {
		t.Errorf("stats = %+v", stats)
	}
	var clients []web.Client
	adminCall(t, "GET", base+"/api/v1/clients", "", http.StatusOK, &clients)
	if len(clients) != 2 || clients[0].Nick != "alice" || clients[1].Nick != "bob" {
		t.Errorf("clients = %+v", clients)
	}
	var c web.Client
	adminCall(t, "GET", base+"/api/v1/clients/ALICE", "", http.StatusOK, &c)
	if c.Nick != "alice" || c.User != "~alice" || len(c.Channels) != 1 || c.Channels[0] != "#ops" || c.IP != "127.0.0.1" {
		t.Errorf("client alice = %+v", c)
	}
	adminCall(t, "GET", base+"/api/v1/clients/nobody", "", http.StatusNotFound, nil)
	var chans []web.Channel
	adminCall(t, "GET", base+"/api/v1/channels", "", http.StatusOK, &chans)
	if len(chans) != 1 || chans[0].Name != "#ops" || chans[0].Members != 2 || chans[0].Topic != "watch the logs" {
		t.Errorf("channels = %+v", chans)
	}
	for _, path := range []string{"%23ops", "ops"} {
		var ch web.Channel
		adminCall(t, "GET", base+"/api/v1/channels/"+path, "", http.StatusOK, &ch)
		if ch.Name != "#ops" || strings.Join(ch.Nicks, " ") != "@alice bob" {
			t.Errorf("channel %s = %+v", path, ch)
		}
	}
	adminCall(t, "GET", base+"/api/v1/channels/%23none", "", http.StatusNotFound, nil)
}

func TestAdminAPIKill(t *testing.T) {
	srv, base := startHTTP(t, adminYAML(""))
	alice := srv.Register(t, "alice")
	bob := srv.Register(t, "bob")
	for _, c := range []*harness.Client{alice, bob} {
		c.Send("JOIN #ops")
		c.ExpectNumeric("366")
	}
	adminCall(t, "POST", base+"/api/v1/clients/bob/kill", `{"reason": "spamming"}`, http.StatusOK, nil)
	kill := bob.ExpectCommand("KILL")
	if kill.Param(0) != "bob" || kill.Param(1) != "spamming" {
		t.Errorf("bob saw %v", kill)
	}
	if reason := bob.ExpectClosed(); !strings.Contains(reason, "Killed (admin:ops (spamming))") {
		t.Errorf("bob's ERROR: %q", reason)
	}
	quit := alice.ExpectCommand("QUIT")
	if quit.Param(0) != "Killed (admin:ops (spamming))" {
		t.Errorf("alice saw %v", quit)
	}
	adminCall(t, "POST", base+"/api/v1/clients/bob/kill", "", http.StatusNotFound, nil)
	adminCall(t, "POST", base+"/api/v1/clients/alice/kill", `{"why": 1}`, http.StatusBadRequest, nil)
	adminCall(t, "POST", base+"/api/v1/clients/alice/kill", `{"reason": "`+strings.Repeat("x", 70<<10)+`"}`, http.StatusRequestEntityTooLarge, nil)
}

func TestAdminAPIBroadcast(t *testing.T) {
	srv, base := startHTTP(t, adminYAML(""))
	alice := srv.Register(t, "alice")
	bob := srv.Register(t, "bob")
	var got map[string]int
	adminCall(t, "POST", base+"/api/v1/broadcast", `{"text": "restart at noon"}`, http.StatusOK, &got)
	if got["clients"] != 2 {
		t.Errorf("broadcast reached %v", got)
	}
	for _, c := range []*harness.Client{alice, bob} {
		n := c.ExpectCommand("NOTICE")
		if n.Prefix.Name != "irc.conference.local" || n.Param(1) != "restart at noon" {
			t.Errorf("notice = %v", n)
		}
	}
	adminCall(t, "POST", base+"/api/v1/broadcast", `{"text": "two\r\nlines"}`, http.StatusBadRequest, nil)
	adminCall(t, "POST", base+"/api/v1/broadcast", `{"text": ""}`, http.StatusBadRequest, nil)
}

func TestAdminAPIRehash(t *testing.T) {
	srv, base := startHTTP(t, adminYAML(""))
	alice := srv.Register(t, "alice")
	srv.WriteConfig(t, "listeners:\n  - {address: \"127.0.0.1:0\", http: true, websocket: {enabled: true}}\n"+
		adminYAML("motd: {text: \"reloaded by the API\"}\n"))
	var res web.RehashResult
	adminCall(t, "POST", base+"/api/v1/rehash", "", http.StatusOK, &res)
	if !res.Reloaded {
		t.Errorf("rehash = %+v", res)
	}
	alice.Send("MOTD")
	alice.Expect(func(m *irc.Message) bool {
		return m.Command == "372" && strings.Contains(m.Trailing(), "reloaded by the API")
	})
	srv.WriteConfig(t, adminYAML("limits: {nicklen: 0}\n"))
	adminCall(t, "POST", base+"/api/v1/rehash", "", http.StatusUnprocessableEntity, &res)
	if res.Reloaded || !strings.Contains(res.Error, "limits.nicklen") {
		t.Errorf("refused rehash = %+v", res)
	}
}

func TestAdminAPIServerBans(t *testing.T) {
	srv, base := startHTTP(t, adminYAML(""))
	spammer := srv.Register(t, "spammer")
	nice := srv.Register(t, "nice")
	var ban web.Ban
	adminCall(t, "POST", base+"/api/v1/bans", `{"kind": "K", "mask": "~spam*@*", "reason": "no spam", "duration": "2h"}`, http.StatusOK, &ban)
	if ban.Mask != "~spam*@*" || ban.SetBy != "admin:ops" || ban.Expires == "" {
		t.Errorf("ban = %+v", ban)
	}
	if reason := spammer.ExpectClosed(); !strings.Contains(reason, "K-Lined: no spam") {
		t.Errorf("spammer closed with %q", reason)
	}
	nice.Sync() // still connected
	c := srv.Connect(t)
	c.Send("NICK spam2")
	c.Send("USER spam2 0 * :Spam")
	c.ExpectNumeric("465")
	var list []web.Ban
	adminCall(t, "GET", base+"/api/v1/bans", "", http.StatusOK, &list)
	if len(list) != 1 || list[0].Kind != "K" || list[0].Reason != "no spam" {
		t.Errorf("bans = %+v", list)
	}
	adminCall(t, "DELETE", base+"/api/v1/bans", `{"kind": "K", "mask": "~spam*@*"}`, http.StatusOK, nil)
	adminCall(t, "DELETE", base+"/api/v1/bans", `{"kind": "K", "mask": "~spam*@*"}`, http.StatusNotFound, nil)
	adminCall(t, "GET", base+"/api/v1/bans", "", http.StatusOK, &list)
	if len(list) != 0 {
		t.Errorf("bans after removal = %+v", list)
	}
	srv.Register(t, "spam3") // welcome again
	adminCall(t, "POST", base+"/api/v1/bans", `{"kind": "D", "mask": "not an address"}`, http.StatusBadRequest, nil)
	adminCall(t, "POST", base+"/api/v1/bans", `{"kind": "K", "mask": "*@*", "duration": "soon"}`, http.StatusBadRequest, nil)
}
