package accounts

import (
	"fmt"
	"io"
	"strings"

	"github.com/xdg-go/scram"
	"golang.org/x/crypto/bcrypt"

	"github.com/conference-irc/conference/store"
)

// CheckNewPassword says whether password may be set.
func CheckNewPassword(password string) error {
	switch {
	case len(password) < MinPasswordLen:
		return fmt.Errorf("%w: at least %d characters", ErrBadPassword, MinPasswordLen)
	case len(password) > MaxPasswordLen:
		return fmt.Errorf("%w: at most %d bytes", ErrBadPassword, MaxPasswordLen)
	case strings.ContainsAny(password, "\x00\r\n"):
		return fmt.Errorf("%w: control characters", ErrBadPassword)
	}
	return nil
}

// credentials derives the stored verifiers of password: a bcrypt hash and
// SCRAM-SHA-256 keys under a fresh salt. This is the slow part of
// registration (bcrypt plus 4096 rounds of PBKDF2).
func (r *Registry) credentials(name, password string) (store.Credentials, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(password), r.cost)
	if err != nil {
		return store.Credentials{}, fmt.Errorf("bcrypt: %w", err)
	}
	salt := make([]byte, saltLen)
	if _, err := io.ReadFull(r.random, salt); err != nil {
		return store.Credentials{}, fmt.Errorf("salt: %w", err)
	}
	client, err := scram.SHA256.NewClient(name, password, "")
	if err != nil {
		// A password that SASLprep refuses can still be used as it is.
		client, err = scram.SHA256.NewClientUnprepped(name, password, "")
		if err != nil {
			return store.Credentials{}, fmt.Errorf("scram: %w", err)
		}
	}
	sc, err := client.GetStoredCredentialsWithError(scram.KeyFactors{Salt: string(salt), Iters: scramIterations})
	if err != nil {
		return store.Credentials{}, fmt.Errorf("scram: %w", err)
	}
	return store.Credentials{
		PasswordHash: string(hash), SCRAMSalt: salt, SCRAMIterations: scramIterations,
		SCRAMStoredKey: sc.StoredKey, SCRAMServerKey: sc.ServerKey,
	}, nil
}

// Authenticate checks name's password. Too many recent failures for the
// account make it answer ErrThrottled without checking. It returns the
// account's name as registered.
func (r *Registry) Authenticate(name, password string) (string, error) {
	a, ok := r.account(name)
	if !ok {
		return "", ErrNoAccount
	}
	if !r.failures.Allow(a.Key) {
		return "", ErrThrottled
	}
	if bcrypt.CompareHashAndPassword([]byte(a.Credentials.PasswordHash), []byte(password)) != nil {
		r.failures.Fail(a.Key)
		r.log.Info("wrong password", "account", a.Name)
		return "", ErrWrongPassword
	}
	return a.Name, nil
}

// scramCredentials are name's SCRAM verifiers, for the SCRAM mechanism.
func (r *Registry) scramCredentials(name string) (scram.StoredCredentials, error) {
	a, ok := r.account(name)
	if !ok {
		return scram.StoredCredentials{}, ErrNoAccount
	}
	c := a.Credentials
	return scram.StoredCredentials{
		KeyFactors: scram.KeyFactors{Salt: string(c.SCRAMSalt), Iters: c.SCRAMIterations},
		StoredKey:  c.SCRAMStoredKey, ServerKey: c.SCRAMServerKey,
	}, nil
}
