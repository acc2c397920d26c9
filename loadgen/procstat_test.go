package loadgen

import (
	"os"
	"runtime"
	"testing"
	"time"
)

func TestReadProcSelf(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc")
	}
	before, err := ReadProc(os.Getpid())
	if err != nil {
		t.Fatalf("ReadProc(self): %v", err)
	}
	if before.RSSKiB <= 0 {
		t.Errorf("RSS = %d KiB, want > 0", before.RSSKiB)
	}
	// Burn CPU until the kernel's tick accounting shows it; bounded.
	deadline := time.Now().Add(5 * time.Second)
	var after ProcSample
	for x := 0; time.Now().Before(deadline); x++ {
		for i := range 1_000_000 {
			x ^= i
		}
		if after, err = ReadProc(os.Getpid()); err != nil {
			t.Fatalf("ReadProc(self): %v", err)
		}
		if after.CPU > before.CPU {
			break
		}
	}
	if after.CPU <= before.CPU {
		t.Errorf("CPU did not grow: %v then %v", before.CPU, after.CPU)
	}
}

func TestReadProcMissing(t *testing.T) {
	if _, err := ReadProc(1 << 30); err == nil {
		t.Error("ReadProc of a PID that cannot exist succeeded")
	}
}

func TestParseStat(t *testing.T) {
	// The command name holds spaces and a ')', as names may.
	stat := "1234 (we ird) name) S 1 1234 1234 0 -1 4194560 500 0 0 0 250 70 0 0 20 0 3 0 100 1000 200\n"
	ticks, err := parseStatCPU([]byte(stat))
	if err != nil || ticks != 320 {
		t.Errorf("parseStatCPU = %d, %v; want 320", ticks, err)
	}
	if _, err := parseStatCPU([]byte("1234 (x) S 1 2")); err == nil {
		t.Error("short stat parsed")
	}
}

func TestParseStatusRSS(t *testing.T) {
	status := "Name:\tngircd\nVmPeak:\t  10000 kB\nVmRSS:\t    5120 kB\nThreads:\t1\n"
	if got, err := parseStatusRSS([]byte(status)); err != nil || got != 5120 {
		t.Errorf("parseStatusRSS = %d, %v; want 5120", got, err)
	}
	if _, err := parseStatusRSS([]byte("Name:\tkthreadd\n")); err == nil {
		t.Error("status without VmRSS parsed")
	}
}
