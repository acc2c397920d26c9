package accounts

import (
	"context"
	"errors"
	"testing"

	"github.com/xdg-go/scram"
)

func TestSASLPlain(t *testing.T) {
	f := newFixture(t)
	f.register(t, "ivy", "ivy's password")
	cases := []struct {
		msg     string
		account string
		err     error
	}{
		{"\x00ivy\x00ivy's password", "ivy", nil},
		{"IVY\x00ivy\x00ivy's password", "ivy", nil},
		{"\x00ivy\x00wrong password", "", ErrWrongPassword},
		{"jack\x00ivy\x00ivy's password", "", ErrAuthzid},
		{"\x00nobody\x00ivy's password", "", ErrNoAccount},
		{"no separators", "", ErrBadMessage},
		{"\x00\x00ivy's password", "", ErrBadMessage},
	}
	for _, c := range cases {
		e, err := f.reg.StartSASL(MechPlain, "")
		if err != nil {
			t.Fatal(err)
		}
		_, done, err := e.Step([]byte(c.msg))
		if !done || !errors.Is(err, c.err) || e.Account() != c.account {
			t.Errorf("PLAIN %q: done=%v err=%v account=%q; want err %v account %q", c.msg, done, err, e.Account(), c.err, c.account)
		}
	}
}

// scramLogin runs a whole SCRAM-SHA-256 exchange with xdg-go/scram's client.
func scramLogin(t *testing.T, reg *Registry, user, password string) (string, error) {
	t.Helper()
	client, err := scram.SHA256.NewClient(user, password, "")
	if err != nil {
		t.Fatal(err)
	}
	conv := client.NewConversation()
	e, err := reg.StartSASL(MechSCRAM256, "")
	if err != nil {
		t.Fatal(err)
	}
	msg, err := conv.Step("")
	if err != nil {
		t.Fatal(err)
	}
	for {
		challenge, done, err := e.Step([]byte(msg))
		if err != nil || done {
			return e.Account(), err
		}
		msg, err = conv.Step(string(challenge))
		if err != nil {
			t.Fatalf("client refused the server's message %q: %v", challenge, err)
		}
		if conv.Done() {
			msg = ""
		}
	}
}

func TestSASLSCRAM(t *testing.T) {
	f := newFixture(t)
	f.register(t, "June", "june's password")
	if account, err := scramLogin(t, f.reg, "june", "june's password"); err != nil || account != "June" {
		t.Fatalf("SCRAM login: %q, %v", account, err)
	}
	if _, err := scramLogin(t, f.reg, "june", "not june's password"); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("SCRAM wrong password: %v", err)
	}
	if _, err := scramLogin(t, f.reg, "nobody", "whatever!"); !errors.Is(err, ErrNoAccount) {
		t.Fatalf("SCRAM unknown account: %v", err)
	}
	// After a password change the old SCRAM verifiers are gone.
	if err := f.reg.SetPassword(context.Background(), "june", "june's new password"); err != nil {
		t.Fatal(err)
	}
	if account, err := scramLogin(t, f.reg, "june", "june's new password"); err != nil || account != "June" {
		t.Fatalf("SCRAM with the new password: %q, %v", account, err)
	}
	e, _ := f.reg.StartSASL(MechSCRAM256, "")
	if _, done, err := e.Step([]byte("garbage")); !done || !errors.Is(err, ErrBadMessage) {
		t.Fatalf("garbage client-first: done=%v err=%v", done, err)
	}
}

func TestSASLExternal(t *testing.T) {
	f := newFixture(t)
	f.register(t, "kim", "kim's password")
	if err := f.reg.AddCertFP(context.Background(), "kim", fp1); err != nil {
		t.Fatal(err)
	}
	if _, err := f.reg.StartSASL(MechExternal, ""); !errors.Is(err, ErrNoCert) {
		t.Fatalf("EXTERNAL without a certificate: %v", err)
	}
	e, _ := f.reg.StartSASL(MechExternal, fp1)
	if _, done, err := e.Step(nil); !done || err != nil || e.Account() != "kim" {
		t.Fatalf("EXTERNAL: done=%v err=%v account=%q", done, err, e.Account())
	}
	e, _ = f.reg.StartSASL(MechExternal, fp1)
	if _, _, err := e.Step([]byte("someone")); !errors.Is(err, ErrAuthzid) {
		t.Fatalf("EXTERNAL as someone else: %v", err)
	}
	other := "f" + fp1[1:]
	e, _ = f.reg.StartSASL(MechExternal, other)
	if _, _, err := e.Step(nil); !errors.Is(err, ErrNoCert) {
		t.Fatalf("EXTERNAL with an unlinked certificate: %v", err)
	}
	if _, err := f.reg.StartSASL("DIGEST-MD5", ""); !errors.Is(err, ErrUnknownMechanism) {
		t.Fatalf("unknown mechanism: %v", err)
	}
}
