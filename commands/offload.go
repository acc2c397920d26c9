package commands

import (
	"context"
	"time"
)

// slowWorkTimeout bounds one piece of slow work (a database write).
const slowWorkTimeout = 30 * time.Second

// offload hands work (password hashing, database writes) to the slow pool
// with Request.Later (later.go): work runs there with a bounded context
// and returns its finish, which runs right after on the same goroutine
// with the request and replies through it. The client's next lines wait
// until then. Like Later, it must be the handler's last use of r.
func (d *Dispatcher) offload(r *Request, work func(ctx context.Context) func(*Request)) {
	r.Later(func(r *Request) {
		ctx, cancel := context.WithTimeout(context.Background(), slowWorkTimeout)
		defer cancel()
		work(ctx)(r)
	})
}
