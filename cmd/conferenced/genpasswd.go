package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/conference-irc/conference/conf"
)

const genpasswdUsage = `usage: conferenced genpasswd

Reads a password and prints its bcrypt hash on stdout, for the password and
operators[].password keys of the configuration. On a terminal the password
is read twice, without echo; from a pipe, one line is read:

  printf '%s\n' "$PASSWORD" | conferenced genpasswd
`

// genpasswd reads a password and prints its bcrypt hash. On a terminal it
// turns echo off and asks twice; from a pipe it reads one line, for scripts.
func genpasswd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		if args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
			io.WriteString(stdout, genpasswdUsage)
			return 0
		}
		fmt.Fprintf(stderr, "genpasswd: unexpected argument %q\n%s", args[0], genpasswdUsage)
		return 2
	}
	pw, err := readPassword(stdin, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "genpasswd:", err)
		return 1
	}
	hash, err := conf.HashPassword(pw)
	if err != nil {
		fmt.Fprintln(stderr, "genpasswd:", err)
		return 1
	}
	fmt.Fprintln(stdout, hash)
	return 0
}

// readPassword reads the password: twice without echo from a terminal,
// once from anything else.
func readPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	lines := bufio.NewReader(stdin)
	f, isFile := stdin.(*os.File)
	if !isFile || !isTerminal(f) {
		return readLine(lines)
	}
	restore, err := echoOff(f)
	if err != nil {
		return "", err
	}
	defer restore()
	fmt.Fprint(stderr, "password: ")
	pw, err := readLine(lines)
	fmt.Fprintln(stderr)
	if err != nil {
		return "", err
	}
	fmt.Fprint(stderr, "password again: ")
	again, err := readLine(lines)
	fmt.Fprintln(stderr)
	if err != nil {
		return "", err
	}
	if again != pw {
		return "", errors.New("the two passwords differ")
	}
	return pw, nil
}

// readLine reads one line without its end; the last line of a pipe may
// have no newline.
func readLine(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil && line == "" {
		return "", errors.New("no password read")
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", errors.New("empty password")
	}
	return pw, nil
}

// isTerminal reports whether f is a terminal.
func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// echoOff stops the terminal from echoing what is typed and returns how to switch it back, which also happens if the user
// gives up with Ctrl-C.
func echoOff(f *os.File) (restore func(), err error) {
	fd := int(f.Fd())
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return nil, fmt.Errorf("read terminal settings: %w", err)
	}
	quiet := *old
	quiet.Lflag &^= unix.ECHO
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &quiet); err != nil {
		return nil, fmt.Errorf("switch terminal echo off: %w", err)
	}
	interrupted := make(chan os.Signal, 1)
	done := make(chan struct{})
	signal.Notify(interrupted, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		select {
		case <-interrupted:
			_ = unix.IoctlSetTermios(fd, unix.TCSETS, old)
			os.Exit(130)
		case <-done:
		}
	}()
	return func() {
		signal.Stop(interrupted)
		close(done)
		_ = unix.IoctlSetTermios(fd, unix.TCSETS, old)
	}, nil
}
