package vcstore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	vcstore "github.com/vcstore/vcstore/src/go"
)

// A sandbox's life through the daemon: create, store, fetch.
func Example() {
	ctx := context.Background()
	c, err := vcstore.Dial(os.Getenv("VCSTORE_SOCKET")) // "" is /run/vcstore/vcstore.sock
	if err != nil {
		panic(err)
	}
	defer c.Close()

	if _, err := c.CreateAllResources(ctx, "ex-sb1", []string{"c1"}); err != nil {
		panic(err)
	}
	ack, err := c.StoreSandboxResource(ctx, "ex-sb1", vcstore.StateFile, vcstore.State{State: "running"})
	if err != nil {
		panic(err)
	}
	fmt.Println("durable as event", ack.Seq)

	var state vcstore.State
	if err := c.FetchSandboxState(ctx, "ex-sb1", &state); err != nil {
		panic(err)
	}
	fmt.Printf("%+v\n", state)
	// Output:
	// durable as event 2
	// {State:running BlockIndex:0 Fstype: HotpluggedDrive:false}
}

// Errors carry the daemon's code and the legacy Go text.
func ExampleError() {
	c, _ := vcstore.Dial(os.Getenv("VCSTORE_SOCKET"))
	defer c.Close()

	err := c.FetchSandboxState(context.Background(), "", &vcstore.State{})
	fmt.Println(errors.Is(err, vcstore.ErrNeedSandboxID), err)

	err = c.FetchSandboxState(context.Background(), "ex-nosuch", &vcstore.State{})
	var apiErr *vcstore.Error
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.Status, apiErr.Code, errors.Is(err, vcstore.ErrNotExist))
	}
	// Output:
	// true Sandbox ID cannot be empty
	// 404 ENOENT true
}

// Optimistic concurrency: a write conditional on the sandbox's last event.
func ExampleWithExpectedSeq() {
	ctx := context.Background()
	c, _ := vcstore.Dial(os.Getenv("VCSTORE_SOCKET"))
	defer c.Close()

	ack, _ := c.CreateAllResources(ctx, "ex-sb2", nil)
	at := vcstore.WithExpectedSeq(ctx, ack.Seq)
	if _, err := c.StoreSandboxResource(at, "ex-sb2", vcstore.StateFile, vcstore.State{State: "ready"}); err != nil {
		panic(err)
	}
	// The sandbox has moved past ack.Seq: the same condition now fails, and nothing is written.
	_, err := c.StoreSandboxResource(at, "ex-sb2", vcstore.StateFile, vcstore.State{State: "stopped"})
	fmt.Println(errors.Is(err, vcstore.ErrConflict), err)
	// Output:
	// true sandbox ex-sb2 is at event 2, not 1
}

// A sandbox's history, then its head.
func ExampleClient_History() {
	ctx := context.Background()
	c, _ := vcstore.Dial(os.Getenv("VCSTORE_SOCKET"))
	defer c.Close()

	c.CreateAllResources(ctx, "ex-sb3", []string{"c1"})
	c.StoreContainerResource(ctx, "ex-sb3", "c1", vcstore.StateFile, vcstore.State{State: "ready"})
	events, err := c.History(ctx, "ex-sb3", 0)
	if err != nil {
		panic(err)
	}
	for _, e := range events {
		fmt.Printf("%d %s %q %q\n", e.Seq, e.Op, e.Resource, e.Container)
	}
	head, _ := c.Head(ctx, "ex-sb3")
	fmt.Println("head", head.Seq, head.Hash == events[len(events)-1].Hash)
	// Output:
	// 1 create "" ""
	// 2 store "state" "c1"
	// head 2 true
}

// Following a sandbox: the stream catches up, then waits for new events.
func ExampleClient_SandboxEvents() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, _ := vcstore.Dial(os.Getenv("VCSTORE_SOCKET"))
	defer c.Close()

	c.CreateAllResources(ctx, "ex-sb4", nil)
	stream := c.SandboxEvents(ctx, "ex-sb4", 0)
	defer stream.Close()
	go c.StoreSandboxResource(ctx, "ex-sb4", vcstore.StateFile, vcstore.State{State: "running"})
	for i := 0; i < 2 && stream.Next(); i++ {
		fmt.Println(stream.Event().Seq, stream.Event().Op, "cursor", stream.Cursor())
	}
	// Output:
	// 1 create cursor 1
	// 2 store cursor 2
}
