package tests

import (
	"testing"

	"github.com/conference-irc/conference/tests/harness"
)

// queryNothing fails if c received anything before a sync.
func queryNothing(t *testing.T, c *harness.Client) {
	t.Helper()
	if got := c.SyncRaw(); len(got) > 0 {
		t.Fatalf("%s got %q, want nothing", c.Nick, got)
	}
}

func TestInvite(t *testing.T) {
	srv := harness.Start(t, queryConfig)
	alice := srv.Register(t, "alice")
	dan := srv.Register(t, "dan", "invite-notify")
	erin := srv.Register(t, "erin", "invite-notify")
	frank := srv.Register(t, "frank")
	bob := srv.Register(t, "bob")
	queryJoin(t, alice, "#club")
	queryJoin(t, dan, "#club")
	queryJoin(t, erin, "#club")
	queryJoin(t, frank, "#club")
	queryJoin(t, alice, "#open")
	queryJoin(t, frank, "#open")
	alice.Send("MODE #club +ih erin")
	alice.ExpectCommand("MODE")

	queryExpect(t, alice, "INVITE", qs+"337 alice :End of /INVITE list")
	queryExpect(t, alice, "INVITE bob", qs+"461 alice INVITE :Not enough parameters")
	queryExpect(t, alice, "INVITE nobody #club", qs+"401 alice nobody :No such nick/channel")
	queryExpect(t, alice, "INVITE bob #nowhere", qs+"403 alice #nowhere :No such channel")
	queryExpect(t, bob, "INVITE alice #club", qs+"442 bob #club :You're not on that channel")
	queryExpect(t, dan, "INVITE bob #club", qs+"482 dan #club :You're not channel operator")
	queryExpect(t, alice, "INVITE dan #CLUB", qs+"443 alice dan #club :is already on channel")
	bob.Send("JOIN #club")
	bob.ExpectNumeric("473")

	// Success: 341 to the inviter, INVITE to the target and to the halfops
	// and above who asked for invite-notify; plain members hear nothing.
	dan.Sync()
	erin.Sync()
	frank.Sync()
	queryExpect(t, alice, "INVITE BOB #Club", qs+"341 alice bob :#club")
	bob.ExpectLine(":alice!~alice@127.0.0.1 INVITE bob #club")
	erin.ExpectLine(":alice!~alice@127.0.0.1 INVITE bob #club")
	queryNothing(t, dan)
	queryNothing(t, frank)
	// The invitation lets bob in once.
	queryJoin(t, bob, "#club")
	bob.Send("PART #club")
	bob.ExpectCommand("PART")
	bob.Send("JOIN #club")
	bob.ExpectNumeric("473")

	// A halfop may invite to +i; an away target is reported with 301.
	bob.Send("AWAY :brb")
	bob.ExpectNumeric("306")
	queryExpect(t, erin, "INVITE bob #club",
		qs+"341 erin bob :#club",
		qs+"301 erin bob :brb")
	bob.ExpectLine(":erin!~erin@127.0.0.1 INVITE bob #club")
	// Without +i any member may invite.
	queryExpect(t, frank, "INVITE bob #open",
		qs+"341 frank bob :#open",
		qs+"301 frank bob :brb")
}

func TestInvitePassesLimitAndBan(t *testing.T) {
	srv := harness.Start(t, queryConfig)
	alice := srv.Register(t, "alice")
	bob := srv.Register(t, "bob")
	queryJoin(t, alice, "#full")
	alice.Send("MODE #full +lb 1 bob!*@*")
	alice.ExpectCommand("MODE")
	bob.Send("JOIN #full")
	bob.ExpectNumeric("474")
	queryExpect(t, alice, "INVITE bob #full", qs+"341 alice bob :#full")
	queryJoin(t, bob, "#full")
}

func TestKnock(t *testing.T) {
	srv := harness.Start(t, queryConfig)
	alice := srv.Register(t, "alice")
	half := srv.Register(t, "half")
	plain := srv.Register(t, "plain")
	bob := srv.Register(t, "bob")
	queryJoin(t, alice, "#club")
	queryJoin(t, half, "#club")
	queryJoin(t, plain, "#club")
	queryJoin(t, alice, "#open")
	alice.Send("MODE #club +ih half")
	alice.ExpectCommand("MODE")

	queryExpect(t, bob, "KNOCK", qs+"461 bob KNOCK :Not enough parameters")
	queryExpect(t, bob, "KNOCK #nowhere", qs+"403 bob #nowhere :No such channel")
	queryExpect(t, bob, "KNOCK #open", qs+"713 bob #open :Channel is open")
	queryExpect(t, alice, "KNOCK #club", qs+"714 alice #club :You're already on that channel")

	half.Sync()
	plain.Sync()
	queryExpect(t, bob, "KNOCK #CLUB :let me in please", qs+"711 bob #club :Your KNOCK has been delivered")
	alice.ExpectLine(qs + "710 alice #club bob!~bob@127.0.0.1 :has asked for an invite: let me in please")
	half.ExpectLine(qs + "710 half #club bob!~bob@127.0.0.1 :has asked for an invite: let me in please")
	queryNothing(t, plain)
	// One knock per channel a minute.
	queryExpect(t, bob, "KNOCK #club", qs+"712 bob #club :Too many KNOCKs (channel)")
	queryNothing(t, alice)
}

// TestInviteFromPlainMemberPassesNothing: on a -i channel any member may
// invite, but only an invitation from a halfop or above (who could have
// lifted them) lets the invitee past the ban and the limit.
func TestInviteFromPlainMemberPassesNothing(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, queryConfig)
	alice := srv.Register(t, "alice")
	frank := srv.Register(t, "frank")
	bob := srv.Register(t, "bob")
	queryJoin(t, alice, "#room")
	queryJoin(t, frank, "#room")
	alice.Send("MODE #room +b bob!*@*")
	alice.ExpectCommand("MODE")

	queryExpect(t, frank, "INVITE bob #room", qs+"341 frank bob :#room")
	bob.ExpectCommand("INVITE")
	queryExpect(t, bob, "JOIN #room", qs+"474 bob #room :Cannot join channel (+b)")

	alice.Send("MODE #room -b+l bob!*@* 2")
	alice.ExpectCommand("MODE")
	queryExpect(t, frank, "INVITE bob #room", qs+"341 frank bob :#room")
	bob.ExpectCommand("INVITE")
	queryExpect(t, bob, "JOIN #room", qs+"471 bob #room :Cannot join channel (+l)")

	queryExpect(t, alice, "INVITE bob #room", qs+"341 alice bob :#room")
	queryJoin(t, bob, "#room")
}

// invitedToClub starts a server where alice is the op of the +i #club and
// has invited bob.
func invitedToClub(t *testing.T) (srv *harness.Server, alice, bob *harness.Client) {
	t.Helper()
	t.Parallel()
	srv = harness.Start(t, queryConfig)
	alice = srv.Register(t, "alice")
	bob = srv.Register(t, "bob")
	queryJoin(t, alice, "#club")
	alice.Send("MODE #club +i")
	alice.ExpectCommand("MODE")
	queryExpect(t, alice, "INVITE bob #club", qs+"341 alice bob :#club")
	return srv, alice, bob
}

// TestBanAfterInviteWins: an invitation lets its holder past the bans set
// before it, not one set after it.
func TestBanAfterInviteWins(t *testing.T) {
	_, alice, bob := invitedToClub(t)
	alice.Send("MODE #club +b *!*bob@*")
	alice.ExpectCommand("MODE")
	queryExpect(t, bob, "JOIN #club", qs+"474 bob #club :Cannot join channel (+b)")
	// Invited again after the ban, bob may come in.
	queryExpect(t, alice, "INVITE bob #club", qs+"341 alice bob :#club")
	queryJoin(t, bob, "#club")
}

// TestInviteDiesWithInvitee: an invitation is the invitee's, not its
// nick's: whoever takes the nick after the invitee quits is not invited.
// (That the channel keeps nothing of the invitee, so that it is collected,
// is TestInvitesPinNoClient in channels.)
func TestInviteDiesWithInvitee(t *testing.T) {
	srv, alice, bob := invitedToClub(t)
	bob.Quit()
	waitGone(t, alice, "bob")
	bob = srv.Register(t, "bob")
	queryExpect(t, bob, "JOIN #club", qs+"473 bob #club :Cannot join channel (+i)")
}
