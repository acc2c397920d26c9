package accounts

// Login counts one more connection logged in to name, refusing with
// ErrTooManySessions when it already has limit (zero means no limit).
func (r *Registry) Login(name string, limit int) error {
	key := r.fold(name)
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.byKey[key]; !ok {
		return ErrNoAccount
	}
	if limit > 0 && r.sessions[key] >= limit {
		return ErrTooManySessions
	}
	r.sessions[key]++
	return nil
}

// Logout counts one connection fewer logged in to name.
func (r *Registry) Logout(name string) {
	key := r.fold(name)
	r.mu.Lock()
	defer r.mu.Unlock()
	if n := r.sessions[key]; n > 1 {
		r.sessions[key] = n - 1
	} else {
		delete(r.sessions, key)
	}
}

// Sessions is how many connections are logged in to name.
func (r *Registry) Sessions(name string) int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.sessions[r.fold(name)]
}
