package vcstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	vcstore "github.com/vcstore/vcstore/src/go"
)

func TestErrorsAreTypedWithLegacyTexts(t *testing.T) {
	d := ownDaemon(t)
	c, _ := vcstore.Dial(d.socket)
	defer c.Close()
	ctx := context.Background()
	cases := []struct {
		err      error
		sentinel error
		text     string
	}{
		{func() error { _, err := c.CreateAllResources(ctx, "", nil); return err }(), vcstore.ErrNeedSandboxID, "Sandbox ID cannot be empty"},
		{func() error {
			_, err := c.StoreContainerResource(ctx, "sb", "", vcstore.StateFile, vcstore.State{})
			return err
		}(), vcstore.ErrNeedContainerID, "Container ID cannot be empty"},
		{func() error {
			_, err := c.StoreSandboxResource(ctx, "sb", vcstore.StateFile, &vcstore.State{})
			return err
		}(), vcstore.ErrInvalidDataType, "Invalid resource data type"},
		{func() error {
			_, err := c.StoreSandboxResource(ctx, "sb", vcstore.LockFile, vcstore.State{})
			return err
		}(), vcstore.ErrInvalidResource, "Invalid sandbox resource"},
		{func() error {
			_, err := c.StoreAgentState(ctx, "sb", map[string]interface{}{"ch": make(chan int)})
			return err
		}(), vcstore.ErrMarshal, "Could not marshall data: json: unsupported type: chan int"},
		{func() error { _, err := c.CreateAllResources(ctx, "../x", nil); return err }(), vcstore.ErrUnsafeID, `unsafe sandbox ID "../x": contains "/"`},
		{c.FetchAgentState(ctx, "nosuch", new(interface{})), vcstore.ErrNotExist, "open " + d.root + "/run/virtcontainers/sandboxes/nosuch/agent.json: no such file or directory"},
	}
	for i, tc := range cases {
		if !errors.Is(tc.err, tc.sentinel) || tc.err.Error() != tc.text {
			t.Errorf("case %d: %v, want %v with text %q", i, tc.err, tc.sentinel, tc.text)
		}
		if errors.Is(tc.err, vcstore.ErrConflict) {
			t.Errorf("case %d: %v matches ErrConflict", i, tc.err)
		}
	}
}

func TestInvalidFetchTargetsGetGoTexts(t *testing.T) {
	d := ownDaemon(t)
	c, _ := vcstore.Dial(d.socket)
	defer c.Close()
	ctx := context.Background()
	if _, err := c.CreateAllResources(ctx, "sb", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.StoreAgentState(ctx, "sb", map[string]int{"ProxyPid": 1}); err != nil {
		t.Fatal(err)
	}
	type KataAgentState struct{ ProxyPid int }
	var nilState *KataAgentState
	for target, want := range map[interface{}]string{
		nil:              "json: Unmarshal(nil)",
		KataAgentState{}: "json: Unmarshal(non-pointer virtcontainers.KataAgentState)",
		nilState:         "json: Unmarshal(nil *virtcontainers.KataAgentState)",
	} {
		err := c.FetchAgentState(ctx, "sb", target)
		if !errors.Is(err, vcstore.ErrInvalidTarget) || err.Error() != want {
			t.Errorf("%T: %v, want %q", target, err, want)
		}
	}
	var into KataAgentState
	if err := c.FetchAgentState(ctx, "sb", &into); err != nil || into.ProxyPid != 1 {
		t.Errorf("fetch into a pointer: %+v %v", into, err)
	}
}

// The stream catches up, follows, and after the daemon is killed and started
// again resumes from its cursor: every event once, in order.
func TestEventsResumeAfterTheDaemonIsKilled(t *testing.T) {
	d := ownDaemon(t)
	c, _ := vcstore.Dial(d.socket)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	store := func(state string) {
		t.Helper()
		if _, err := c.StoreSandboxResource(ctx, "sb", vcstore.StateFile, vcstore.State{State: state}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.CreateAllResources(ctx, "sb", nil); err != nil {
		t.Fatal(err)
	}
	store("ready")
	stream := c.Events(ctx, "")
	defer stream.Close()
	var seqs []uint64
	next := func() {
		t.Helper()
		if !stream.Next() {
			t.Fatalf("stream ended after %v: %v", seqs, stream.Err())
		}
		seqs = append(seqs, stream.Event().Seq)
	}
	next()
	next()
	store("running")
	next()
	d.kill()
	if err := d.start(); err != nil {
		t.Fatal(err)
	}
	store("paused")
	store("stopped")
	next()
	next()
	if want := []uint64{1, 2, 3, 4, 5}; len(seqs) != 5 || seqs[4] != 5 || seqs[3] != 4 || seqs[0] != 1 {
		t.Fatalf("events %v, want %v", seqs, want)
	}
	if stream.Reconnects < 1 || stream.Cursor() != "sb:5" {
		t.Fatalf("reconnects %d, cursor %q", stream.Reconnects, stream.Cursor())
	}
}
