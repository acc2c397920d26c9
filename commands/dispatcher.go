// Package commands is the dispatcher: one table from command name to handler
// with its rules (minimum parameters, registration, oper rights), the
// handlers grouped by topic in one file each, the numerics, and the single
// reply path through which every answer to a client goes.
package commands

import (
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"gopkg.in/irc.v4"

	"github.com/conference-irc/conference/accounts"
	"github.com/conference-irc/conference/bans"
	"github.com/conference-irc/conference/channels"
	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/history"
	"github.com/conference-irc/conference/users"
)

// Hooks are what the dispatcher asks of the process around it. Nil hooks
// make the matching commands answer that the feature is unavailable. They
// run where the calling client's command runs (a poller worker, or the
// slow pool for work handed to Request.Later), which shutdown waits for,
// so Die and Restart must only signal the process and return.
type Hooks struct {
	// Rehash reloads the configuration for by (an operator's nick). A
	// non-nil error means the old one stays in force; otherwise restart
	// names the settings that changed but wait for a restart.
	Rehash func(by string) (restart []string, err error)
	// Die stops the server.
	Die func(reason string)
	// Restart re-executes the server in place.
	Restart func(reason string)
	// CheckRestart, when set, runs before Restart: the configuration a
	// restart would load must load, or RESTART is refused with why.
	CheckRestart func() error
}

// Options configure a Dispatcher.
type Options struct {
	Config  *conf.Config
	Users   *users.Registry
	Clock   func() time.Time
	Random  io.Reader
	Hooks   Hooks
	Version string
	Logger  *slog.Logger
	// CloakSecret is the cloak key used when cloaks.secret is empty (kept
	// in the database, so cloaks survive restarts); nil draws one from
	// Random at start.
	CloakSecret []byte
	// Accounts is the account registry; nil means accounts are off.
	Accounts *accounts.Registry
	// Bans are the server bans (KLINE, DLINE); nil means none can be set.
	Bans *bans.List
	// AfterFunc runs f once d has passed on the server's clock (nick
	// enforcement); nil means time.AfterFunc.
	AfterFunc func(d time.Duration, f func())
	// History is where messages are stored; nil means in memory (when
	// history is enabled at all).
	History history.Store
}

// Dispatcher routes parsed lines to handlers and holds the state they share.
type Dispatcher struct {
	cfg      atomic.Pointer[conf.Config]
	users    *users.Registry
	channels *channels.Registry
	clock    func() time.Time
	started  time.Time
	hooks    Hooks
	version  string
	log      *slog.Logger
	table    map[string]*command
	idPrefix string
	idSeq    atomic.Uint64
	ignored  atomic.Uint64
	knocks   knockLimiter // KNOCK rate limit, see invite.go
	// cloakSecret is the cloak key when cloaks.secret is empty (cloak.go).
	cloakSecret []byte
	// gatewayPasswords remembers checked WEBIRC passwords (webirc.go).
	gatewayPasswords verifiedPasswords
	slow             *slowPool // where slow steps run, see later.go
	unknown          atomic.Uint64
	// deliveries and registration are measurements for the metrics
	// endpoint (metrics.go).
	deliveries   atomic.Uint64
	registration *histogram
	acct         accountState // accounts, SASL, NickServ: see accounts.go
	bans         *bans.List   // server bans: see serverbans.go

	// history is nil when history is off (history.go); multiline holds
	// the open draft/multiline batches (multiline.go).
	history   history.Store
	multiline multilineBatches
}

// New makes a dispatcher with its command table.
func New(opts Options) (*Dispatcher, error) {
	seed := make([]byte, 6+cloakKeySize+verifiedKeySize)
	if _, err := io.ReadFull(opts.Random, seed); err != nil {
		return nil, err
	}
	seed, cloakSecret, verifiedKey := seed[:6], seed[6:6+cloakKeySize], seed[6+cloakKeySize:]
	d := &Dispatcher{
		users:    opts.Users,
		channels: channels.NewRegistry(opts.Users.Casemapping()),
		clock:    opts.Clock,
		hooks:    opts.Hooks,
		version:  opts.Version,
		log:      opts.Logger,
		idPrefix: hex.EncodeToString(seed),
		slow:     newSlowPool(),

		registration: newHistogram(registrationBounds()),
		history:      newHistory(opts),
	}
	d.cloakSecret = cloakSecret
	if len(opts.CloakSecret) > 0 {
		d.cloakSecret = opts.CloakSecret
	}
	d.gatewayPasswords.key = verifiedKey
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	d.started = d.clock()
	if err := CheckCapabilities(opts.Config); err != nil {
		return nil, err
	}
	d.cfg.Store(opts.Config)
	d.table = buildTable()
	d.acct.init(d, opts.Accounts, opts.AfterFunc)
	d.bans = opts.Bans
	if opts.Accounts != nil {
		if err := d.reserveServiceNicks(); err != nil {
			return nil, fmt.Errorf("reserve service nicks: %w", err)
		}
	}
	return d, nil
}

// Config is the configuration in force.
func (d *Dispatcher) Config() *conf.Config { return d.cfg.Load() }

// SetConfig swaps in a new configuration snapshot (after a reload) and
// announces capability changes to clients that asked to hear of them.
func (d *Dispatcher) SetConfig(c *conf.Config) {
	old := d.cfg.Swap(c)
	d.users.Whowas().Resize(c.Limits.Whowas)
	d.announceCapChanges(old, c)
}

// Users is the registry of connected clients.
func (d *Dispatcher) Users() *users.Registry { return d.users }

// Channels is the registry of channels.
func (d *Dispatcher) Channels() *channels.Registry { return d.channels }

// newMsgID returns an identifier unique on this server: a random prefix
// chosen at start and a counter.
func (d *Dispatcher) newMsgID() string {
	var buf [32]byte
	return string(strconv.AppendUint(append(buf[:0], d.idPrefix...), d.idSeq.Add(1), 36))
}

// Connected records a new connection.
func (d *Dispatcher) Connected(c *users.Client) { d.users.Add(c) }

// Dispatch runs one parsed line from c and returns once it is done, slow
// work included (tests and tools; the server uses Handle).
func (d *Dispatcher) Dispatch(c *users.Client, msg *irc.Message) { d.Handle(c, msg, nil) }

// Handle runs one parsed line from c through the table and sends every
// reply through c's reply path. When the handler handed slow work off
// (Request.Later), Handle returns true at once and calls resume when the
// request has ended, with how long c's next lines must still wait
// (Request.Hold): until then the caller must not handle c's next line.
// With a nil resume, Handle waits for the slow work (not the hold) and
// returns false.
func (d *Dispatcher) Handle(c *users.Client, msg *irc.Message, resume func(hold time.Duration)) (inProgress bool) {
	req := d.newRequest(c, msg)
	d.route(req, msg)
	var done chan struct{}
	if resume == nil && req.next != nil {
		done = make(chan struct{})
		resume = func(time.Duration) { close(done) }
	}
	req.resume = resume
	inProgress = req.end()
	if done != nil {
		<-done
		return false
	}
	return inProgress
}

// route checks the command's rules and calls its handler.
func (d *Dispatcher) route(req *Request, msg *irc.Message) {
	c := req.Client
	if d.inMultiline(req, msg) {
		return
	}
	cmd, ok := d.table[msg.Command]
	if !ok {
		d.unknown.Add(1)
		if c.Registered() {
			req.Numeric(ERR_UNKNOWNCOMMAND, msg.Command, "Unknown command")
		} else {
			req.Numeric(ERR_NOTREGISTERED, "You have not registered")
		}
		return
	}
	cmd.count.Add(1)
	start := time.Now()
	defer func() { cmd.latency.observe(time.Since(start)) }()
	switch {
	case !cmd.preReg && !c.Registered():
		req.Numeric(ERR_NOTREGISTERED, "You have not registered")
	case len(req.Params) < cmd.minParams:
		req.Numeric(ERR_NEEDMOREPARAMS, msg.Command, "Not enough parameters")
	case cmd.oper && !c.Identity().Modes.Has(users.ModeOperator):
		req.Numeric(ERR_NOPRIVILEGES, "Permission Denied- You're not an IRC operator")
	default:
		cmd.handler(req)
	}
}

// Ignore counts a line that could not be parsed.
func (d *Dispatcher) Ignore() { d.ignored.Add(1) }

// InputTooLong answers a line that exceeded the length limits.
func (d *Dispatcher) InputTooLong(c *users.Client) {
	req := d.newRequest(c, &irc.Message{Command: "*"})
	req.Numeric(ERR_INPUTTOOLONG, "Input line was too long")
	req.flush()
}

// InvalidUTF8 refuses a line that is not UTF-8 on a UTF8ONLY server.
func (d *Dispatcher) InvalidUTF8(c *users.Client, command string) {
	req := d.newRequest(c, &irc.Message{Command: command})
	req.Fail(command, "INVALID_UTF8", "Message rejected, your message contained invalid UTF-8")
	req.flush()
}
