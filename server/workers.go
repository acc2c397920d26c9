package server

import "runtime"

// workers run the dispatcher on behalf of connection readers. A reader
// hands each parsed line to a worker and waits for it, so a client's
// commands still run one at a time and in order, but the deep call stacks
// of command handling grow on a few worker goroutines instead of on every
// connection's reader: an idle client's reader keeps the smallest stack.
type workers struct {
	jobs chan job
}

// job is one piece of dispatcher work and the channel that says it is done.
type job struct {
	run  func()
	done chan struct{}
}

// newWorkers starts a pool sized to the processors: handlers never block
// on the network, so more workers than cores would only contend.
func newWorkers() *workers {
	w := &workers{jobs: make(chan job)}
	for i := 0; i < 4*runtime.GOMAXPROCS(0); i++ {
		go w.loop()
	}
	return w
}

func (w *workers) loop() {
	for j := range w.jobs {
		j.run()
		j.done <- struct{}{}
	}
}

// do runs f on a worker and returns when it has finished. done is the
// caller's own reusable channel (capacity 1).
func (w *workers) do(done chan struct{}, f func()) {
	w.jobs <- job{run: f, done: done}
	<-done
}

// stop ends the workers once no more work will come.
func (w *workers) stop() { close(w.jobs) }
