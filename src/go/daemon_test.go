package vcstore_test

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

// daemon is a `vcstore serve` started by the tests, on a root of its own.
type daemon struct {
	cmd    *exec.Cmd
	root   string
	socket string
}

// serveCommand is $VCSTORE_SERVE, the command that runs `vcstore serve`
// (e.g. "node dist/bin/vcstore.js serve"); test/interop/go-client.slow.ts sets it.
func serveCommand() []string { return strings.Fields(os.Getenv("VCSTORE_SERVE")) }

// startDaemon runs the daemon on root, its socket in a short temp folder
// (a socket path must fit in 108 bytes).
func startDaemon(root string) (*daemon, error) {
	sockets, err := os.MkdirTemp("", "vcs")
	if err != nil {
		return nil, err
	}
	d := &daemon{root: root, socket: filepath.Join(sockets, "vcstore.sock")}
	return d, d.start()
}

func (d *daemon) start() error {
	command := serveCommand()
	if len(command) == 0 {
		return errors.New("VCSTORE_SERVE is not set")
	}
	args := append(command[1:], "--root", d.root, "--socket", d.socket)
	d.cmd = exec.Command(command[0], args...)
	d.cmd.Env = append(os.Environ(), "VCSTORE_LOCK_STALE_MS=1000", "VCSTORE_LOG=warn")
	d.cmd.Stderr = os.Stderr
	stdout, err := d.cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := d.cmd.Start(); err != nil {
		return err
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
			d.cmd.Process.Kill()
			d.cmd.Wait()
		}
		return err
	case <-time.After(60 * time.Second):
		d.cmd.Process.Kill()
		d.cmd.Wait()
		return errors.New("vcstore serve did not start within 60s")
	}
}

// stop sends SIGTERM and waits; kill sends SIGKILL and waits.
func (d *daemon) stop() { d.signal(syscall.SIGTERM) }
func (d *daemon) kill() { d.signal(syscall.SIGKILL) }

func (d *daemon) signal(sig syscall.Signal) {
	if d.cmd == nil || d.cmd.ProcessState != nil {
		return
	}
	d.cmd.Process.Signal(sig)
	done := make(chan struct{})
	go func() { d.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		d.cmd.Process.Kill()
		<-done
	}
}

func (d *daemon) remove() {
	d.stop()
	os.RemoveAll(filepath.Dir(d.socket))
}

// needDaemon skips a test when no daemon can be started.
func needDaemon(t *testing.T) {
	t.Helper()
	if len(serveCommand()) == 0 {
		t.Skip("VCSTORE_SERVE is not set: run this from test/interop/go-client.slow.ts")
	}
}

// ownDaemon starts a daemon for one test, stopped when it ends.
func ownDaemon(t *testing.T) *daemon {
	t.Helper()
	needDaemon(t)
	d, err := startDaemon(filepath.Join(t.TempDir(), "root"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.remove)
	return d
}
