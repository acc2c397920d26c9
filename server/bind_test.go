package server

import (
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
)

// TestBindErrorPrivilegedPort checks the advice given when port 531 cannot
// be bound without privileges; as root the real EACCES cannot be provoked,
// so the error is built the way net.Listen wraps it.
func TestBindErrorPrivilegedPort(t *testing.T) {
	err := error(&BindError{Addr: ":531", Err: os.NewSyscallError("bind", syscall.EACCES)})
	msg := err.Error()
	for _, want := range []string{
		"cannot listen on :531",
		"permission denied",
		"port 531 is privileged",
		"setcap cap_net_bind_service=+ep",
		"AmbientCapabilities=CAP_NET_BIND_SERVICE",
		"--listen :6667",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	if !errors.Is(err, syscall.EACCES) {
		t.Error("BindError does not unwrap to EACCES")
	}
}

func TestBindErrorOther(t *testing.T) {
	err := &BindError{Addr: "127.0.0.1:6667", Err: os.NewSyscallError("bind", syscall.EADDRINUSE)}
	msg := err.Error()
	if !strings.Contains(msg, "cannot listen on 127.0.0.1:6667") || !strings.Contains(msg, "address already in use") {
		t.Errorf("message = %q", msg)
	}
	if strings.Contains(msg, "privileged") || strings.Contains(msg, "\n") {
		t.Errorf("advice about privileged ports for another error:\n%s", msg)
	}
}

// TestBindErrorNamesExecutable: the setcap fix names the running binary,
// and a binary that `go run` built (gone at exit) is told to build one.
func TestBindErrorNamesExecutable(t *testing.T) {
	eacces := os.NewSyscallError("bind", syscall.EACCES)
	tests := []struct {
		exe, want, notWant string
	}{
		{"/usr/local/bin/conferenced", "sudo setcap cap_net_bind_service=+ep /usr/local/bin/conferenced", "go build"},
		{"/tmp/go-build123/b001/exe/conferenced", "go build -o conferenced ./cmd/conferenced && sudo setcap cap_net_bind_service=+ep ./conferenced", "/tmp/go-build123"},
		{"", "go build -o conferenced", "$(command -v"},
	}
	for _, tt := range tests {
		msg := (&BindError{Addr: ":531", Err: eacces, Exe: tt.exe}).Error()
		if !strings.Contains(msg, tt.want) || strings.Contains(msg, tt.notWant) {
			t.Errorf("exe %q: message should have %q and not %q:\n%s", tt.exe, tt.want, tt.notWant, msg)
		}
	}
}
