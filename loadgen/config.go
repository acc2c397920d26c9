package loadgen

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Scenario names one load pattern.
type Scenario string

// The scenarios Run knows.
const (
	// ScenarioConnect opens all clients at once and holds them open.
	ScenarioConnect Scenario = "connect"
	// ScenarioFanout has some clients send to channels that all clients joined.
	ScenarioFanout Scenario = "fanout"
	// ScenarioDirect pairs clients and has each send to its partner's nick.
	ScenarioDirect Scenario = "direct"
	// ScenarioChurn repeatedly connects, registers, joins, speaks and quits.
	ScenarioChurn Scenario = "churn"
)

// Bounds that keep every run finite and the generator inside one process's
// 20,000 open files. Run refuses configurations outside them.
const (
	MaxClients     = 50_000
	MaxChannels    = 10_000
	MaxDuration    = time.Hour
	MaxTimeout     = 2 * time.Hour
	MaxRate        = 1_000_000
	MaxConnectRate = 100_000
	MaxPending     = 20_000
	MaxSize        = 400
	MaxNickPrefix  = 8
	MaxDrain       = time.Minute
)

// Config describes one run. Zero fields take the defaults of DefaultConfig
// when passed through WithDefaults.
type Config struct {
	// Addr is the server's "host:port".
	Addr string
	// AllowRemote permits a target that does not resolve to loopback.
	AllowRemote bool
	// Scenario selects the load pattern.
	Scenario Scenario
	// Clients is the number of connections (the concurrency, for churn).
	Clients int
	// Channels is the number of channels; 0 joins none (connect only).
	Channels int
	// Senders is how many clients send in fanout.
	Senders int
	// Rate is the combined target in messages/s (fanout, direct) or
	// connect cycles/s (churn).
	Rate float64
	// Duration is how long the scenario runs once every client is set up.
	Duration time.Duration
	// ConnectRate caps new connections per second during setup; 0 = no cap.
	ConnectRate float64
	// MaxPending caps handshakes (dial to end of join) in flight at once.
	MaxPending int
	// Timeout is the hard cap on the whole run, setup and drain included.
	Timeout time.Duration
	// Drain is how long to wait for straggling deliveries after sending.
	Drain time.Duration
	// TLS makes every client connect with TLS (certificates not verified:
	// the target is your own server, often with a self-signed one).
	TLS bool
	// WebSocket makes every client speak IRC over WebSocket (ws://, or
	// wss:// with TLS), one line per message.
	WebSocket bool
	// HandshakeTimeout bounds one client's dial, registration and join.
	HandshakeTimeout time.Duration
	// NickPrefix starts every nick and channel name, so that two generator
	// processes loading one server do not collide.
	NickPrefix string
	// Size is the payload size of a load message's text, in bytes.
	Size int
	// PID is the server's process ID, to measure its CPU and memory; 0 = none.
	PID int
	// ProgressEvery is the interval of progress log lines; 0 = none.
	ProgressEvery time.Duration
	// Logger receives progress and diagnostics; nil discards them.
	Logger *slog.Logger
}

// DefaultConfig returns the defaults the command line starts from.
func DefaultConfig() Config {
	return Config{
		Addr:             "127.0.0.1:6667",
		Scenario:         ScenarioFanout,
		Clients:          100,
		Channels:         10,
		Senders:          10,
		Rate:             1000,
		Duration:         10 * time.Second,
		MaxPending:       1000,
		Drain:            5 * time.Second,
		HandshakeTimeout: 30 * time.Second,
		NickPrefix:       "load",
		Size:             64,
		ProgressEvery:    time.Second,
	}
}

// WithDefaults returns c with the zero fields that have a default filled in.
// Timeout defaults to Duration plus two minutes.
func (c Config) WithDefaults() Config {
	d := DefaultConfig()
	if c.Addr == "" {
		c.Addr = d.Addr
	}
	if c.Scenario == "" {
		c.Scenario = d.Scenario
	}
	if c.MaxPending == 0 {
		c.MaxPending = d.MaxPending
	}
	if c.Drain == 0 {
		c.Drain = d.Drain
	}
	if c.HandshakeTimeout == 0 {
		c.HandshakeTimeout = d.HandshakeTimeout
	}
	if c.NickPrefix == "" {
		c.NickPrefix = d.NickPrefix
	}
	if c.Timeout == 0 {
		c.Timeout = c.Duration + 2*time.Minute
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate reports the first field outside its bounds, naming its flag.
func (c Config) Validate() error {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	switch c.Scenario {
	case ScenarioConnect, ScenarioFanout, ScenarioDirect, ScenarioChurn:
	default:
		check(false, "-scenario %q: want connect, fanout, direct or churn", c.Scenario)
	}
	check(c.Addr != "", "-addr is empty")
	check(c.Clients >= 1 && c.Clients <= MaxClients, "-clients %d: want 1..%d", c.Clients, MaxClients)
	check(c.Channels >= 0 && c.Channels <= MaxChannels, "-channels %d: want 0..%d", c.Channels, MaxChannels)
	check(c.Channels <= c.Clients, "-channels %d: more channels than clients (%d)", c.Channels, c.Clients)
	check(c.Duration > 0 && c.Duration <= MaxDuration, "-duration %s: want >0 and <= %s", c.Duration, MaxDuration)
	check(c.Timeout > 0 && c.Timeout <= MaxTimeout, "-timeout %s: want >0 and <= %s", c.Timeout, MaxTimeout)
	check(c.ConnectRate >= 0 && c.ConnectRate <= MaxConnectRate, "-connect-rate %g: want 0..%d", c.ConnectRate, MaxConnectRate)
	check(c.MaxPending >= 1 && c.MaxPending <= MaxPending, "-max-pending %d: want 1..%d", c.MaxPending, MaxPending)
	check(c.Size >= 0 && c.Size <= MaxSize, "-size %d: want 0..%d", c.Size, MaxSize)
	check(c.Drain >= 0 && c.Drain <= MaxDrain, "drain %s: want 0..%s", c.Drain, MaxDrain)
	check(c.HandshakeTimeout > 0, "handshake timeout must be positive")
	check(c.PID >= 0, "-pid %d: want a process ID or 0", c.PID)
	check(validNickPrefix(c.NickPrefix), "-nick-prefix %q: want 1..%d letters and digits starting with a letter", c.NickPrefix, MaxNickPrefix)
	switch c.Scenario {
	case ScenarioFanout:
		check(c.Clients >= 2, "-clients %d: fanout needs at least 2", c.Clients)
		check(c.Channels >= 1, "-channels must be at least 1 for fanout")
		check(c.Senders >= 1 && c.Senders <= c.Clients, "-senders %d: want 1..clients (%d)", c.Senders, c.Clients)
		check(c.Rate > 0 && c.Rate <= MaxRate, "-rate %g: want >0 and <= %d", c.Rate, MaxRate)
	case ScenarioDirect:
		check(c.Clients >= 2, "-clients %d: direct needs at least 2", c.Clients)
		check(c.Rate > 0 && c.Rate <= MaxRate, "-rate %g: want >0 and <= %d", c.Rate, MaxRate)
	case ScenarioChurn:
		check(c.Rate > 0 && c.Rate <= MaxConnectRate, "-rate %g: churn wants >0 and <= %d cycles/s", c.Rate, MaxConnectRate)
	}
	return errors.Join(errs...)
}

// validNickPrefix accepts short ASCII prefixes that every server takes as
// the start of a nick and of a channel name.
func validNickPrefix(p string) bool {
	if len(p) < 1 || len(p) > MaxNickPrefix {
		return false
	}
	for i := 0; i < len(p); i++ {
		b := p[i]
		letter := b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
		digit := b >= '0' && b <= '9'
		if !letter && !(digit && i > 0) {
			return false
		}
	}
	return true
}
