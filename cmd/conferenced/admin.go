package main

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/conference-irc/conference/conf"
)

// adminUsage lists the admin commands.
const adminUsage = `usage: conferenced admin [--url URL] [--token TOKEN | --token-file FILE] COMMAND [ARGS]

commands:
  stats                   server counters
  clients                 every registered client
  client NICK             one client
  channels                every channel
  channel NAME            one channel, with its members
  kill NICK [REASON...]   disconnect a client, as KILL
  broadcast TEXT...       a NOTICE from the server to everyone
  rehash                  reload the configuration, as REHASH
  bans                    the server bans in force
  kline MASK [REASON...]  ban user@host, as KLINE (dline: an IP or CIDR)
  unkline MASK            lift a K-line, as UNKLINE (undline: a D-line)

URL and token also come from CONFERENCE_ADMIN_URL and CONFERENCE_ADMIN_TOKEN.`

// admin is `conferenced admin ...`: a small client of the admin API.
func admin(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("conferenced admin", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("url", envOr("CONFERENCE_ADMIN_URL", "http://127.0.0.1:8080"), "the HTTP listener's base `URL`")
	token := fs.String("token", os.Getenv("CONFERENCE_ADMIN_TOKEN"), "the bearer `token` (prefer --token-file or the environment: flags show in ps)")
	tokenFile := fs.String("token-file", "", "read the token from `file`")
	fs.Usage = func() {
		fmt.Fprintln(stderr, adminUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *tokenFile != "" {
		data, err := os.ReadFile(*tokenFile)
		if err != nil {
			fmt.Fprintln(stderr, "admin:", err)
			return 1
		}
		*token = strings.TrimSpace(string(data))
	}
	method, path, body, ok := adminRequest(fs.Args())
	if !ok {
		fs.Usage()
		return 2
	}
	if *token == "" {
		fmt.Fprintln(stderr, "admin: no token (--token-file, --token or CONFERENCE_ADMIN_TOKEN)")
		return 2
	}
	req, err := http.NewRequest(method, strings.TrimRight(*base, "/")+path, bytes.NewReader(body))
	if err != nil {
		fmt.Fprintln(stderr, "admin:", err)
		return 1
	}
	req.Header.Set("Authorization", "Bearer "+*token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		fmt.Fprintln(stderr, "admin:", err)
		return 1
	}
	defer resp.Body.Close()
	if _, err := io.Copy(stdout, io.LimitReader(resp.Body, 16<<20)); err != nil {
		fmt.Fprintln(stderr, "admin:", err)
		return 1
	}
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintln(stderr, "admin:", resp.Status)
		return 1
	}
	return 0
}

// adminRequest maps a command line to an API request.
func adminRequest(args []string) (method, path string, body []byte, ok bool) {
	if len(args) == 0 {
		return "", "", nil, false
	}
	jsonBody := func(v any) []byte {
		b, _ := json.Marshal(v)
		return b
	}
	cmd, rest := args[0], args[1:]
	switch {
	case cmd == "stats" && len(rest) == 0:
		return "GET", "/api/v1/stats", nil, true
	case cmd == "clients" && len(rest) == 0:
		return "GET", "/api/v1/clients", nil, true
	case cmd == "client" && len(rest) == 1:
		return "GET", "/api/v1/clients/" + url.PathEscape(rest[0]), nil, true
	case cmd == "channels" && len(rest) == 0:
		return "GET", "/api/v1/channels", nil, true
	case cmd == "channel" && len(rest) == 1:
		return "GET", "/api/v1/channels/" + url.PathEscape(rest[0]), nil, true
	case cmd == "kill" && len(rest) >= 1:
		return "POST", "/api/v1/clients/" + url.PathEscape(rest[0]) + "/kill", jsonBody(map[string]string{"reason": strings.Join(rest[1:], " ")}), true
	case cmd == "broadcast" && len(rest) >= 1:
		return "POST", "/api/v1/broadcast", jsonBody(map[string]string{"text": strings.Join(rest, " ")}), true
	case cmd == "rehash" && len(rest) == 0:
		return "POST", "/api/v1/rehash", nil, true
	case cmd == "bans" && len(rest) == 0:
		return "GET", "/api/v1/bans", nil, true
	case (cmd == "kline" || cmd == "dline") && len(rest) >= 1:
		kind := strings.ToUpper(cmd[:1])
		return "POST", "/api/v1/bans", jsonBody(map[string]string{"kind": kind, "mask": rest[0], "reason": strings.Join(rest[1:], " ")}), true
	case (cmd == "unkline" || cmd == "undline") && len(rest) == 1:
		kind := strings.ToUpper(cmd[2:3])
		return "DELETE", "/api/v1/bans", jsonBody(map[string]string{"kind": kind, "mask": rest[0]}), true
	}
	return "", "", nil, false
}

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}

// gentoken is `conferenced gentoken`: a new random admin API token, and
// the bcrypt hash to put in web.tokens.
func gentoken(stdout, stderr io.Writer) int {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		fmt.Fprintln(stderr, "gentoken:", err)
		return 1
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	hash, err := conf.HashPassword(token)
	if err != nil {
		fmt.Fprintln(stderr, "gentoken:", err)
		return 1
	}
	fmt.Fprintf(stdout, "token: %s\nhash:  %s\n", token, hash)
	fmt.Fprintln(stderr, "Keep the token for conferenced admin (--token-file); put the hash in web.tokens.")
	return 0
}
