package virtcontainers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"time"

	vcstore "github.com/vcstore/vcstore/src/go"
)

// Drive runs a sandbox's life through the adapter, as the runtime's code
// calls its resourceStorage, then reads its history through the exported API.
func Drive(socket string, out io.Writer) error {
	adapter, err := newVcstoreStorage(socket)
	if err != nil {
		return err
	}
	var storage resourceStorage = adapter
	sandbox := &Sandbox{id: "rt-sb", containers: []*Container{{id: "rt-c1"}}}
	step := func(what string, err error) error {
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		fmt.Fprintln(out, "ok", what)
		return nil
	}
	same := func(what string, got, want interface{}, err error) error {
		if err == nil && !reflect.DeepEqual(got, want) {
			err = fmt.Errorf("got %+v, want %+v", got, want)
		}
		return step(what, err)
	}

	start := time.Date(2026, 11, 29, 10, 0, 0, 500000000, time.FixedZone("", 8*3600))
	config := SandboxConfig{ID: "rt-sb", Hostname: "rt-sb"}
	state := State{State: "running", BlockIndex: 2}
	process := Process{Token: "t0", Pid: 4242, StartTime: start}
	mounts := []Mount{{Source: "proc", Destination: "/proc", Type: "proc", Options: []string{"nosuid"}}}
	devices := []Device{&GenericDevice{DeviceType: DeviceGeneric, DeviceInfo: DeviceInfo{HostPath: "/dev/fuse", ContainerPath: "/dev/fuse", DevType: "c", Major: 10, Minor: 229}}}
	network := NetworkNamespace{NetNsPath: "/var/run/netns/cni-1", NetNsCreated: true, Endpoints: []Endpoint{&PhysicalEndpoint{IfaceName: "eth0", EndpointType: "physical"}}}

	for _, run := range []func() error{
		func() error { return step("createAllResources", storage.createAllResources(sandbox)) },
		func() error {
			return step("storeSandboxResource config", storage.storeSandboxResource("rt-sb", configFileType, config))
		},
		func() error {
			return step("storeSandboxResource state", storage.storeSandboxResource("rt-sb", stateFileType, state))
		},
		func() error {
			return step("storeContainerResource state", storage.storeContainerResource("rt-sb", "rt-c1", stateFileType, State{State: "ready"}))
		},
		func() error {
			return step("storeContainerProcess", storage.storeContainerProcess("rt-sb", "rt-c1", process))
		},
		func() error {
			return step("storeContainerMounts", storage.storeContainerMounts("rt-sb", "rt-c1", mounts))
		},
		func() error {
			return step("storeContainerDevices", storage.storeContainerDevices("rt-sb", "rt-c1", devices))
		},
		func() error { return step("storeSandboxNetwork", storage.storeSandboxNetwork("rt-sb", network)) },
		func() error {
			return step("storeAgentState", storage.storeAgentState("rt-sb", map[string]interface{}{"ProxyPid": 7, "URL": "unix:///p"}))
		},
		func() error {
			got, err := storage.fetchSandboxConfig("rt-sb")
			return same("fetchSandboxConfig", got, config, err)
		},
		func() error {
			got, err := storage.fetchSandboxState("rt-sb")
			return same("fetchSandboxState", got, state, err)
		},
		func() error {
			got, err := storage.fetchContainerProcess("rt-sb", "rt-c1")
			if err == nil && !got.StartTime.Equal(start) {
				err = fmt.Errorf("start time %v, want %v", got.StartTime, start)
			}
			got.StartTime = start
			return same("fetchContainerProcess", got, process, err)
		},
		func() error {
			got, err := storage.fetchContainerMounts("rt-sb", "rt-c1")
			return same("fetchContainerMounts", got, mounts, err)
		},
		func() error {
			got, err := storage.fetchContainerDevices("rt-sb", "rt-c1")
			return same("fetchContainerDevices", got, devices, err)
		},
		func() error {
			got, err := storage.fetchSandboxNetwork("rt-sb")
			return same("fetchSandboxNetwork", got, network, err)
		},
		func() error {
			var agent struct {
				ProxyPid int
				URL      string
			}
			err := storage.fetchAgentState("rt-sb", &agent)
			return same("fetchAgentState", agent.ProxyPid, 7, err)
		},
		func() error {
			path, _, err := storage.containerURI("rt-sb", "rt-c1", processFileType)
			fmt.Fprintln(out, "process file", path)
			return step("containerURI", err)
		},
		func() error {
			err := storage.storeSandboxResource("", stateFileType, state)
			if err == nil || err.Error() != "Sandbox ID cannot be empty" || !errors.Is(err, vcstore.ErrNeedSandboxID) {
				return fmt.Errorf("store with an empty ID: %v", err)
			}
			return step("legacy error text", nil)
		},
		func() error { return exported(socket, out) },
		func() error {
			return step("deleteContainerResources", storage.deleteContainerResources("rt-sb", "rt-c1", nil))
		},
	} {
		if err := run(); err != nil {
			return err
		}
	}
	return nil
}

// exported uses the module's own API: conditional writes, head and history.
func exported(socket string, out io.Writer) error {
	ctx := context.Background()
	c, err := vcstore.Dial(socket)
	if err != nil {
		return err
	}
	defer c.Close()
	head, err := c.Head(ctx, "rt-sb")
	if err != nil {
		return err
	}
	at := vcstore.WithExpectedSeq(ctx, head.Seq)
	ack, err := c.StoreSandboxResource(at, "rt-sb", vcstore.StateFile, State{State: "paused"})
	if err != nil {
		return fmt.Errorf("conditional store: %w", err)
	}
	if _, err := c.StoreSandboxResource(at, "rt-sb", vcstore.StateFile, State{State: "stopped"}); !errors.Is(err, vcstore.ErrConflict) {
		return fmt.Errorf("stale conditional store: %v", err)
	}
	events, err := c.History(ctx, "rt-sb", 0)
	if err != nil {
		return err
	}
	if uint64(len(events)) != ack.Seq || events[len(events)-1].Hash != ack.Hash {
		return fmt.Errorf("history has %d events, the last store was %d", len(events), ack.Seq)
	}
	fmt.Fprintln(out, "ok exported API: head", head.Seq, "then", ack.Seq, "events, a stale If-Match refused")
	return nil
}
