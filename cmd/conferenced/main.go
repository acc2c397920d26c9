// Command conferenced is the conference IRC server: it reads its
// configuration, listens (port 531 by default), and serves clients until
// SIGTERM or SIGINT; SIGHUP reloads the configuration.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/conference-irc/conference/conf"
	"github.com/conference-irc/conference/server"
)

// shutdownGrace is how long clients get to receive their ERROR line.
const shutdownGrace = 5 * time.Second

// listFlag collects a flag that may repeat.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// options are the parsed command line.
type options struct {
	configFile  string
	configGiven bool // --config was on the command line, even empty
	listen      listFlag
	logLevel    string
	http        listFlag
	checkConfig bool
	printConfig bool
	version     bool
	pprofAddr   string
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "genpasswd" {
		return genpasswd(args[1:], stdin, stdout, stderr)
	}
	if len(args) > 0 && args[0] == "backup" {
		return backup(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "mkcert" {
		return mkcert(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "admin" {
		return admin(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "gentoken" {
		return gentoken(stdout, stderr)
	}
	opts, err := parseFlags(args, stderr)
	if err != nil {
		return 2
	}
	if opts.version {
		fmt.Fprintln(stdout, server.Version)
		return 0
	}
	opts.locateConfig()
	load := func() (*conf.Config, error) { return conf.Load(opts.loadOptions()) }
	cfg, err := load()
	if opts.checkConfig {
		return checkConfig(opts, err, stdout, stderr)
	}
	if err != nil {
		printProblems(stderr, err)
		return 1
	}
	if opts.printConfig {
		out, err := cfg.YAML()
		if err != nil {
			fmt.Fprintln(stderr, "print config:", err)
			return 1
		}
		stdout.Write(out)
		return 0
	}
	return serve(cfg, load, opts, stderr)
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("conferenced", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := &options{}
	fs.StringVar(&o.configFile, "config", "", "YAML configuration `file`; without it, the first of "+
		strings.Join(conf.SearchPaths(), " and ")+" that exists; --config '' for the defaults alone")
	fs.Var(&o.listen, "listen", "listen on `addr` (may repeat; replaces the configured listeners)")
	fs.StringVar(&o.logLevel, "log-level", "", "log `level`: debug, info, warn or error (overrides log.level)")
	fs.Var(&o.http, "http", "serve the web endpoints (chat page, health, metrics, admin API) and IRC over WebSocket on `addr` (may repeat; adds to the configured listeners)")
	fs.BoolVar(&o.checkConfig, "check-config", false, "validate the configuration, print problems, exit non-zero on any")
	fs.BoolVar(&o.printConfig, "print-config", false, "print the effective configuration as YAML and exit")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	fs.StringVar(&o.pprofAddr, "pprof", "", "serve Go profiling (net/http/pprof) on `addr`, e.g. 127.0.0.1:6060; never expose it publicly")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: conferenced [flags]\n       conferenced genpasswd   (reads a password, prints its bcrypt hash; --help for more)\n       conferenced backup [--config FILE] OUT   (online copy of the database)\n       conferenced mkcert      (writes a self-signed TLS pair for testing; -h for its flags)\n       conferenced gentoken    (prints a new admin API token and its hash)\n       conferenced admin ...   (the admin API's command line; -h for its commands)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return nil, errors.New("unexpected argument")
	}
	fs.Visit(func(f *flag.Flag) { o.configGiven = o.configGiven || f.Name == "config" })
	return o, nil
}

// locateConfig finds the configuration file when --config was not given.
func (o *options) locateConfig() {
	if !o.configGiven {
		o.configFile = conf.Locate(conf.SearchPaths())
	}
}

// configDescription says which file the configuration came from, for the
// start-up log and --check-config.
func (o *options) configDescription() string {
	switch {
	case o.configFile != "" && o.configGiven:
		return o.configFile
	case o.configFile != "":
		return o.configFile + " (found; no --config given)"
	case o.configGiven:
		return "none (--config ''): the defaults, CONFERENCE_* variables and flags"
	default:
		return "none given or found (looked for " + strings.Join(conf.SearchPaths(), ", ") +
			"): the defaults, CONFERENCE_* variables and flags"
	}
}

func (o *options) loadOptions() conf.Options {
	opts := conf.Options{File: o.configFile, HTTP: o.http}
	flags := map[string]any{}
	if len(o.listen) > 0 {
		flags["listen"] = []string(o.listen)
	}
	if o.logLevel != "" {
		flags["log.level"] = o.logLevel
	}
	if len(flags) > 0 {
		opts.Flags = flags
	}
	return opts
}

func printProblems(w io.Writer, err error) {
	for _, p := range conf.Problems(err) {
		fmt.Fprintln(w, p)
	}
}

// checkConfig reports the outcome of --check-config, naming what was
// checked so that a file left out by mistake does not pass unnoticed.
func checkConfig(o *options, err error, stdout, stderr io.Writer) int {
	if err != nil {
		printProblems(stderr, err)
		fmt.Fprintln(stderr, "configuration refused; checked:", o.configDescription())
		return 1
	}
	fmt.Fprintln(stdout, "configuration OK; checked:", o.configDescription())
	return 0
}

// serve runs the server until a stop signal, DIE or RESTART.
func serve(cfg *conf.Config, load func() (*conf.Config, error), opts *options, stderr io.Writer) int {
	level := new(slog.LevelVar)
	log := newLogger(stderr, cfg.Log, level)
	log.Info("starting", "version", server.Version, "pid", os.Getpid(), "config", opts.configDescription())
	raiseFileLimit(log)
	db, err := openStore(cfg, opts.configFile)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer db.Close()
	log.Info("database open", "path", db.Path())
	registry, err := loadAccounts(cfg, db, log)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	serverBans, err := loadBans(db)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	cloakSecret, err := db.Secret(context.Background(), "cloak", cloakSecretSize, rand.Reader)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	hist := openHistory(cfg, db, log)
	if hist != nil {
		defer hist.Close() // before the database closes: it writes what is queued
	}
	if opts.pprofAddr != "" {
		if err := servePprof(opts.pprofAddr, log); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
	}
	stop := make(chan string, 1)
	var restart atomic.Bool
	srv, err := server.New(server.Options{
		Config: cfg, Reload: load, Logger: log, LogLevel: level, CloakSecret: cloakSecret,
		Accounts: registry, Bans: serverBans,
		History: hist,
		Die:     func(reason string) { trySend(stop, reason) },
		Restart: func(reason string) {
			restart.Store(true)
			trySend(stop, reason)
		},
	})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	mountWeb(srv, db, log)
	// Catch the signals before announcing "listening": a SIGHUP sent as soon
	// as the server is up must reload, not kill the process.
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	if err := srv.Listen(); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	go srv.Serve()
	reason := waitForStop(srv, signals, stop, log)
	srv.Shutdown(reason, shutdownGrace)
	if restart.Load() {
		return reexec(srv, log)
	}
	return 0
}

func trySend(ch chan string, v string) {
	select {
	case ch <- v:
	default:
	}
}

// waitForStop serves signals until one stops the server, and returns the
// reason every client is given.
func waitForStop(srv *server.Server, signals chan os.Signal, stop chan string, log *slog.Logger) string {
	for {
		select {
		case sig := <-signals:
			if sig == syscall.SIGHUP {
				log.Info("SIGHUP: reloading configuration")
				// Off this loop: a reload that waits on its file (a FIFO,
				// a hung mount) must never keep SIGTERM from stopping us.
				go srv.RehashBySignal()
				continue
			}
			log.Info("stopping", "signal", sig.String())
			return "Server shutting down"
		case reason := <-stop:
			return reason
		}
	}
}
