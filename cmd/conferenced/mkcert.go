package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/conference-irc/conference/conf"
)

// mkcert writes a self-signed certificate pair for testing TLS listeners:
// `conferenced mkcert [--host names] [--cert file] [--key file] [--days n]`.
// It never overwrites a file.
func mkcert(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("conferenced mkcert", flag.ContinueOnError)
	fs.SetOutput(stderr)
	hosts := fs.String("host", "localhost,127.0.0.1,::1", "comma-separated host `names` and addresses the certificate is for")
	certFile := fs.String("cert", "cert.pem", "certificate `file` to write")
	keyFile := fs.String("key", "key.pem", "private key `file` to write (mode 0600)")
	days := fs.Int("days", 365, "validity in `days`")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var names []string
	for h := range strings.SplitSeq(*hosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			names = append(names, h)
		}
	}
	if len(names) == 0 || *days < 1 {
		fmt.Fprintln(stderr, "mkcert: need at least one --host and --days of 1 or more")
		return 2
	}
	certPEM, keyPEM, err := conf.SelfSigned(names, time.Now(), time.Duration(*days)*24*time.Hour)
	if err != nil {
		fmt.Fprintln(stderr, "mkcert:", err)
		return 1
	}
	if err := writeNew(*keyFile, keyPEM, 0o600); err != nil {
		fmt.Fprintln(stderr, "mkcert:", err)
		return 1
	}
	if err := writeNew(*certFile, certPEM, 0o644); err != nil {
		os.Remove(*keyFile)
		fmt.Fprintln(stderr, "mkcert:", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s and %s (self-signed for %s, %d days): for testing only\n", *certFile, *keyFile, strings.Join(names, ", "), *days)
	return 0
}

// writeNew writes a file that must not exist yet.
func writeNew(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s exists; not overwriting it", path)
	}
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
