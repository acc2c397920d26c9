package tests

import (
	"testing"

	"github.com/conference-irc/conference/tests/harness"
)

// TestNULAndBareCRStripped: NUL bytes and bare CRs inside a line are
// removed and the line is processed, as the README says; they are never
// relayed.
func TestNULAndBareCRStripped(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, "")
	alice := srv.Register(t, "alice")
	bob := srv.Register(t, "bob")
	alice.SendRaw("PRIVMSG bob :he\x00llo\rthere\r\n")
	bob.ExpectLine(":alice!~alice@127.0.0.1 PRIVMSG bob :hellothere")
	alice.SendRaw("PRIV\x00MSG bob :\rsecond\r\n")
	bob.ExpectLine(":alice!~alice@127.0.0.1 PRIVMSG bob :second")
}
