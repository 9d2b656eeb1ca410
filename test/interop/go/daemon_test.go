package interop

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// daemon is a `vcstore serve` started for one test, on a root of its own.
type daemon struct {
	cmd    *exec.Cmd
	socket string
}

// startDaemon runs $VCSTORE_SERVE (e.g. "node dist/bin/vcstore.js serve") with --root and --socket.
func startDaemon(t *testing.T, root string) *daemon {
	t.Helper()
	command := os.Getenv("VCSTORE_SERVE")
	if command == "" {
		t.Skip("VCSTORE_SERVE is not set: run this from test/interop/go-client.slow.ts")
	}
	// A socket path must fit in 108 bytes: t.TempDir's names are too long for it.
	sockets, err := os.MkdirTemp("", "vcs")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockets) })
	socket := filepath.Join(sockets, "vcstore.sock")
	args := append(strings.Fields(command), "--root", root, "--socket", socket)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "VCSTORE_LOG=warn")
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan error, 1)
	go func() {
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err == nil && !strings.Contains(line, "listening") {
			err = errors.New("unexpected first line: " + line)
		}
		ready <- err
	}()
	select {
	case err := <-ready:
		if err != nil {
			cmd.Process.Kill()
			t.Fatalf("vcstore serve did not start: %v", err)
		}
	case <-time.After(180 * time.Second):
		cmd.Process.Kill()
		t.Fatal("vcstore serve did not start within 180s")
	}
	d := &daemon{cmd: cmd, socket: socket}
	t.Cleanup(d.stop)
	return d
}

func (d *daemon) stop() {
	if d.cmd.ProcessState != nil {
		return
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { d.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		d.cmd.Process.Kill()
		<-done
	}
}
