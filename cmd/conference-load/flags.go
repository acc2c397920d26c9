package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/conference-irc/conference/loadgen"
)

// options are the command line: the run's configuration and how to print it.
type options struct {
	cfg      loadgen.Config
	jsonOnly bool
	verbose  bool
}

// seconds is a duration flag that takes plain seconds ("5", "0.5") or a Go
// duration ("90s", "2m").
type seconds struct{ d *time.Duration }

func (s seconds) String() string {
	if s.d == nil {
		return "0"
	}
	return strconv.FormatFloat(s.d.Seconds(), 'f', -1, 64)
}

func (s seconds) Set(v string) error {
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		*s.d = time.Duration(f * float64(time.Second))
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return fmt.Errorf("want seconds or a duration like 90s: %w", err)
	}
	*s.d = d
	return nil
}

// parseFlags reads the command line into options; usage and errors go to
// stderr. It returns flag.ErrHelp for -h.
func parseFlags(args []string, stderr io.Writer) (options, error) {
	o := options{cfg: loadgen.DefaultConfig()}
	c := &o.cfg
	fs := flag.NewFlagSet("conference-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { usage(fs) }

	scenario := fs.String("scenario", string(c.Scenario), "load pattern: connect, fanout, direct or churn")
	fs.StringVar(&c.Addr, "addr", c.Addr, "server address host:port")
	fs.BoolVar(&c.AllowRemote, "allow-remote", false, "allow a target that is not loopback (only a server you operate)")
	fs.BoolVar(&c.TLS, "tls", false, "connect with TLS (the certificate is not verified)")
	fs.BoolVar(&c.WebSocket, "websocket", false, "speak IRC over WebSocket (ws://addr/, or wss:// with -tls)")
	fs.IntVar(&c.Clients, "clients", c.Clients, fmt.Sprintf("connections (churn: concurrent cycles), at most %d", loadgen.MaxClients))
	fs.IntVar(&c.Channels, "channels", c.Channels, "channels; client i joins channel i mod channels (0: join none; not for fanout)")
	fs.IntVar(&c.Senders, "senders", c.Senders, "fanout: how many clients send")
	fs.Float64Var(&c.Rate, "rate", c.Rate, "target messages/s in all (fanout, direct) or cycles/s (churn)")
	fs.Var(seconds{&c.Duration}, "duration", "scenario time in seconds once set up (connect: how long to hold)")
	fs.Float64Var(&c.ConnectRate, "connect-rate", 0, "max new connections/s during setup (0: as fast as -max-pending allows)")
	fs.IntVar(&c.MaxPending, "max-pending", c.MaxPending, "max handshakes (dial to joined) in flight during setup")
	fs.Var(seconds{&c.Timeout}, "timeout", "hard cap on the whole run (default duration + 120s)")
	fs.Var(seconds{&c.Drain}, "drain", "after sending, how long to wait for straggling deliveries")
	fs.StringVar(&c.NickPrefix, "nick-prefix", c.NickPrefix, "start of nicks and channel names; distinct per generator process")
	fs.IntVar(&c.Size, "size", c.Size, fmt.Sprintf("message text bytes, at most %d", loadgen.MaxSize))
	fs.IntVar(&c.PID, "pid", 0, "server PID: report its CPU time and RSS from /proc")
	fs.BoolVar(&o.jsonOnly, "json", false, "print only the JSON line, not the table")
	fs.BoolVar(&o.verbose, "v", false, "log each dropped client")
	quiet := fs.Bool("quiet", false, "no progress lines on stderr")

	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	c.Scenario = loadgen.Scenario(*scenario)
	if *quiet {
		c.ProgressEvery = 0
	}
	*c = c.WithDefaults()
	if err := c.Validate(); err != nil {
		return o, err
	}
	return o, nil
}

// usage prints how to run the tool, then the flags.
func usage(fs *flag.FlagSet) {
	w := fs.Output()
	fmt.Fprint(w, `conference-load: load generator for IRC servers

usage: conference-load [flags]

  conference-load -scenario connect -clients 1000 -connect-rate 500 -pid $(pidof ngircd)
  conference-load -scenario fanout -clients 100 -channels 5 -senders 10 -rate 500 -duration 5
  conference-load -scenario direct -clients 100 -rate 1000 -duration 5
  conference-load -scenario churn -clients 50 -rate 100 -duration 10

Targets must be loopback unless -allow-remote is given. One process holds at most
about 19,900 clients (20,000 open files); for more, run several processes, each
with its own -nick-prefix. Exit status: 0 pass, 1 ran but did not pass, 2 error.

`)
	fs.PrintDefaults()
}

// isHelp reports whether err is the -h request.
func isHelp(err error) bool { return errors.Is(err, flag.ErrHelp) }
