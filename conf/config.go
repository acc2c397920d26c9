// Package conf holds the server's configuration: the Config type, its
// embedded defaults, and the loader that layers the YAML file, CONFERENCE_*
// environment variables and command-line flags over them. A loaded Config is
// an immutable snapshot: nothing changes it after Load returns.
package conf

import (
	"log/slog"
	"net/netip"
	"time"
)

// Config is one complete, validated configuration snapshot. Treat it as
// read-only once loaded; a reload produces a new Config.
type Config struct {
	// Server names this server and network.
	Server Server `koanf:"server"`
	// Listen lists the plain-text TCP addresses to accept clients on.
	Listen []string `koanf:"listen"`
	// Listeners are listener blocks: TLS, WebSocket, and plain ones too.
	Listeners []Listener `koanf:"listeners"`
	// STS is the Strict Transport Security policy offered to clients.
	STS STS `koanf:"sts"`
	// MOTD is the message of the day shown after registration.
	MOTD MOTD `koanf:"motd"`
	// Limits bounds lengths and counts that clients may use.
	Limits Limits `koanf:"limits"`
	// Timeouts bounds how long a client may stay silent.
	Timeouts Timeouts `koanf:"timeouts"`
	// Flood is the per-client token bucket for incoming lines.
	Flood Flood `koanf:"flood"`
	// SendQ is the most bytes queued for one client before it is
	// disconnected with "SendQ exceeded".
	SendQ int `koanf:"sendq"`
	// Password, when set, is the bcrypt hash of the server password that
	// clients must send with PASS before registering.
	Password string `koanf:"password"`
	// Operators are the accounts that OPER accepts.
	Operators []Operator `koanf:"operators"`
	// Exempt lists CIDRs whose clients bypass flood control and per-IP
	// limits (bridges, bots, load tests).
	Exempt []string `koanf:"exempt"`
	// Admin is what the ADMIN command answers.
	Admin Admin `koanf:"admin"`
	// Control switches the operator commands that stop the process.
	Control Control `koanf:"control"`
	// Capabilities tunes which IRCv3 capabilities are offered.
	Capabilities Capabilities `koanf:"capabilities"`
	// Database is where accounts and other lasting state are kept.
	Database Database `koanf:"database"`
	// History is message history: what is stored, for how long.
	History History `koanf:"history"`
	// Log says how much the server logs and in which format.
	Log Log `koanf:"log"`
	// Cloaks hides clients' addresses from other users (edge.go).
	Cloaks Cloaks `koanf:"cloaks"`
	// WebIRC lists the web gateways allowed to send WEBIRC.
	WebIRC []WebIRC `koanf:"webirc"`
	// Proxies lists the CIDRs allowed to send a PROXY header on listeners
	// marked with proxy.
	Proxies []string `koanf:"proxies"`
	// Web is what the HTTP listeners serve.
	Web Web `koanf:"web"`
	// Accounts configures SASL, REGISTER, NickServ and nick reservation.
	Accounts Accounts `koanf:"accounts"`

	// file is the YAML file Load read ("" for none).
	file string
	// motdLines is the MOTD split into lines, read once by Load so that a
	// snapshot never touches the disk.
	motdLines []string
	// exempt is Exempt parsed by Load.
	exempt []netip.Prefix
}

// Server names this server and the network it belongs to.
type Server struct {
	// Name is the server's own name, used as the source of its replies.
	Name string `koanf:"name"`
	// Network is the network name advertised in ISUPPORT NETWORK.
	Network string `koanf:"network"`
	// Description is the server's one-line description (WHOIS, LINKS).
	Description string `koanf:"description"`
	// Casemapping is how names are compared: rfc1459, rfc1459-strict or ascii.
	Casemapping string `koanf:"casemapping"`
	// UTF8Only refuses messages that are not valid UTF-8 (advertised as
	// UTF8ONLY).
	UTF8Only bool `koanf:"utf8only"`
}

// MOTD is the message of the day: inline text, or a file read at load time.
type MOTD struct {
	// Text is the MOTD itself; ignored when File is set.
	Text string `koanf:"text"`
	// File is a path to a text file holding the MOTD.
	File string `koanf:"file"`
}

// Limits bounds what one client may send or hold.
type Limits struct {
	// NickLen is the longest nickname (NICKLEN).
	NickLen int `koanf:"nicklen"`
	// ChannelLen is the longest channel name (CHANNELLEN).
	ChannelLen int `koanf:"channellen"`
	// TopicLen is the longest topic (TOPICLEN).
	TopicLen int `koanf:"topiclen"`
	// AwayLen is the longest away message (AWAYLEN).
	AwayLen int `koanf:"awaylen"`
	// KickLen is the longest kick reason (KICKLEN).
	KickLen int `koanf:"kicklen"`
	// NameLen is the longest realname (NAMELEN).
	NameLen int `koanf:"namelen"`
	// UserLen is the longest username (USERLEN).
	UserLen int `koanf:"userlen"`
	// Channels is how many channels one client may be in (CHANLIMIT).
	Channels int `koanf:"channels"`
	// Targets is how many targets one PRIVMSG/NOTICE may name (TARGMAX).
	Targets int `koanf:"targets"`
	// ListSize is the longest ban/exception/invite list (MAXLIST).
	ListSize int `koanf:"listsize"`
	// Modes is how many parameterised mode changes one MODE may carry (MODES).
	Modes int `koanf:"modes"`
	// Monitor is how many nicks one client may MONITOR.
	Monitor int `koanf:"monitor"`
	// Whowas is how many departed nicks WHOWAS remembers.
	Whowas int `koanf:"whowas"`
	// PerIP is how many connections one IP address (one /64 for IPv6) may
	// hold at once; exempt addresses have no limit.
	PerIP int `koanf:"perip"`
}

// Timeouts bounds silence.
type Timeouts struct {
	// Registration is how long a connection may take to register.
	Registration time.Duration `koanf:"registration"`
	// Ping is how long a registered client may stay silent before the
	// server sends PING; after another Ping without an answer it is dropped.
	Ping time.Duration `koanf:"ping"`
	// Handshake bounds a TLS handshake and the HTTP request that opens a
	// WebSocket; a connection that has not finished by then is dropped.
	Handshake time.Duration `koanf:"handshake"`
}

// Flood is the per-client token bucket applied to incoming lines.
type Flood struct {
	// Burst is how many lines a client may send at once.
	Burst int `koanf:"burst"`
	// Rate is how many lines per second refill the bucket.
	Rate float64 `koanf:"rate"`
	// RecvQ is the most unprocessed bytes a throttled client may have
	// waiting; past it the client is disconnected for excess flood.
	RecvQ int `koanf:"recvq"`
}

// Operator is one account accepted by OPER.
type Operator struct {
	// Name is the first OPER parameter.
	Name string `koanf:"name"`
	// Password is the bcrypt hash of the second OPER parameter.
	Password string `koanf:"password"`
	// Hosts are the user@host masks (with * and ?) the operator may
	// connect from; empty means anywhere.
	Hosts []string `koanf:"hosts"`
	// CertFP, when set, is the SHA-256 fingerprint (hex) of the TLS client
	// certificate the operator must connect with.
	CertFP string `koanf:"certfp"`
}

// Admin is what the ADMIN command tells about who runs the server.
type Admin struct {
	// Location is the first line: where the server is.
	Location string `koanf:"location"`
	// Organisation is the second line: who runs it.
	Organisation string `koanf:"organisation"`
	// Email is how to reach the administrator.
	Email string `koanf:"email"`
}

// Control switches the operator commands that end or restart the process.
type Control struct {
	// Die allows operators to stop the server with DIE.
	Die bool `koanf:"die"`
	// Restart allows operators to restart the server in place with RESTART.
	Restart bool `koanf:"restart"`
}

// Capabilities tunes the IRCv3 capabilities offered in CAP LS.
type Capabilities struct {
	// Disabled names capabilities not to offer. Changing it on a reload
	// sends CAP DEL / CAP NEW to clients that negotiated cap-notify.
	Disabled []string `koanf:"disabled"`
}

// Log configures the server's log, which always goes to stderr (journald
// adds the time and the unit under systemd).
type Log struct {
	// Level is the least severe level logged: debug, info, warn or error.
	// A reload applies it at once.
	Level string `koanf:"level"`
	// Format is text (key=value pairs) or json (one object a line). It is
	// fixed at start.
	Format string `koanf:"format"`
}

// SlogLevel is Level as a log/slog level; anything unknown (Load refuses
// it) counts as info.
func (l Log) SlogLevel() slog.Level {
	switch l.Level {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}
