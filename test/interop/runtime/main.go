// Command runtime stands for a Go container runtime that adopts vcstore: it is
// built outside the vcstore repository (test/interop/go-runtime.slow.ts copies
// it to a temp folder with its own go.mod, which points at src/go with a
// replace directive), its virtcontainers package holds the drop-in adapter
// copied from src/go/adapter, and it drives a live daemon.
//
//	runtime SOCKET
package main

import (
	"fmt"
	"os"

	"example.com/runtime/virtcontainers"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: runtime SOCKET")
		os.Exit(2)
	}
	if err := virtcontainers.Drive(os.Args[1], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "runtime:", err)
		os.Exit(1)
	}
}
