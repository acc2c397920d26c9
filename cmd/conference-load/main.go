// Command conference-load is a load generator for IRC servers. It opens many
// plain IRC connections to one server, drives one of four scenarios, and
// prints what the server did: registration rate and latency, delivery rate,
// latency percentiles and losses and, given the server's PID, its CPU time
// and memory. The figures come as an aligned table and as one JSON line.
//
// Scenarios:
//
//   - connect: all -clients connect (at most -connect-rate per second and
//     -max-pending handshakes at once), register, join channel i mod
//     -channels, and stay connected for -duration.
//   - fanout: as connect, then -senders clients (spread over the channels)
//     PRIVMSG their channel at -rate messages/s in all; every other member
//     should receive each message.
//   - direct: clients are paired; each PRIVMSGs its partner, -rate in all.
//   - churn: for -duration, -rate cycles/s of connect, register, join, one
//     PRIVMSG and QUIT, at most -clients at once.
//
// It refuses non-loopback targets unless -allow-remote is set, caps every
// count and duration, and always stops by itself: after -timeout at the
// latest, and on the first SIGINT or SIGTERM, reporting what it measured so
// far (a second signal kills it). One process holds at most about 19,900
// connections (20,000 open files); for more, run several processes, each
// with its own -nick-prefix. README.md beside this file has the details.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/conference-irc/conference/loadgen"
)

// Exit statuses.
const (
	exitPass  = 0
	exitFail  = 1
	exitError = 2
)

// watchdogGrace is how long past -timeout the process may take to report
// before it exits regardless.
const watchdogGrace = 30 * time.Second

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: arguments in, exit status out.
func run(args []string, stdout, stderr io.Writer) int {
	opts, err := parseFlags(args, stderr)
	if isHelp(err) {
		return exitPass
	}
	if err != nil {
		fmt.Fprintf(stderr, "conference-load: %v\n", err)
		return exitError
	}
	level := slog.LevelInfo
	if opts.verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	opts.cfg.Logger = logger

	ctx, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stopSignals()
	go func() {
		<-ctx.Done()
		// Restore the default action: a second signal kills at once.
		stopSignals()
	}()
	watchdog := time.AfterFunc(opts.cfg.Timeout+watchdogGrace, func() {
		logger.Error("run did not stop within its timeout; exiting", "timeout", opts.cfg.Timeout)
		os.Exit(exitError)
	})
	defer watchdog.Stop()

	res, err := loadgen.Run(ctx, opts.cfg)
	if err != nil {
		fmt.Fprintf(stderr, "conference-load: %v\n", err)
		return exitError
	}
	if !opts.jsonOnly {
		if err := res.WriteTable(stdout); err != nil {
			fmt.Fprintf(stderr, "conference-load: %v\n", err)
			return exitError
		}
	}
	if err := res.WriteJSON(stdout); err != nil {
		fmt.Fprintf(stderr, "conference-load: %v\n", err)
		return exitError
	}
	if !res.Pass {
		return exitFail
	}
	return exitPass
}
