package vcstore

import (
	"errors"
	"os"
	"testing"
	"time"
)

// The client used as a runtime would use it: Go structs in, Go structs out.
func TestClientRoundTripsGoValues(t *testing.T) {
	if os.Getenv("VCSTORE_FIXTURES") == "" {
		t.Skip("VCSTORE_FIXTURES is not set: run this from test/interop/go-client.test.ts")
	}
	d := startDaemon(t, scenarioRoot(t))
	c := NewClient(d.socket)
	defer c.Close()
	sandbox := &Sandbox{id: "sb1", containers: []*Container{{id: "c1"}}}
	if err := c.createAllResources(sandbox); err != nil {
		t.Fatal(err)
	}
	if err := c.storeSandboxResource("sb1", stateFileType, State{State: "running", BlockIndex: 3}); err != nil {
		t.Fatal(err)
	}
	state, err := c.fetchSandboxState("sb1")
	if err != nil || state.State != "running" || state.BlockIndex != 3 {
		t.Fatalf("fetchSandboxState: %+v %v", state, err)
	}
	start := time.Date(2026, 11, 29, 10, 0, 0, 123000000, time.FixedZone("", 8*3600))
	if err := c.storeContainerProcess("sb1", "c1", Process{Token: "t", Pid: 42, StartTime: start}); err != nil {
		t.Fatal(err)
	}
	process, err := c.fetchContainerProcess("sb1", "c1")
	if err != nil || process.Pid != 42 || !process.StartTime.Equal(start) {
		t.Fatalf("fetchContainerProcess: %+v %v", process, err)
	}
	// A pointer is not a storable type, as in the legacy type switch.
	var apiErr *Error
	if err := c.storeSandboxResource("sb1", stateFileType, &State{}); !errors.As(err, &apiErr) || apiErr.Code != "EINVALIDDATATYPE" || err.Error() != "Invalid resource data type" {
		t.Fatalf("store of *State: %v", err)
	}
	// Optimistic concurrency: the seq of the last write, then a stale one.
	seq := c.Last.Seq
	if seq != 3 || len(c.Last.Hash) != 64 {
		t.Fatalf("last write: %+v", c.Last)
	}
	c.ExpectSeq = &seq
	if err := c.storeContainerResource("sb1", "c1", stateFileType, State{State: "ready"}); err != nil {
		t.Fatal(err)
	}
	c.ExpectSeq = &seq
	if err := c.storeContainerResource("sb1", "c1", stateFileType, State{State: "stopped"}); !errors.As(err, &apiErr) || apiErr.Code != "ECONFLICT" || apiErr.Status != 409 {
		t.Fatalf("stale If-Match: %v", err)
	}
	if state, _ := c.fetchContainerState("sb1", "c1"); state.State != "ready" {
		t.Fatalf("a refused write changed the state: %+v", state)
	}
}
