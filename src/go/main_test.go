package vcstore_test

import (
	"flag"
	"fmt"
	"os"
	"testing"
)

// TestMain starts one daemon for the examples, whose socket they find in
// $VCSTORE_SOCKET. Without $VCSTORE_SERVE the examples are compiled but not run.
func TestMain(m *testing.M) {
	flag.Parse()
	if len(serveCommand()) == 0 {
		fmt.Println("vcstore: VCSTORE_SERVE is not set: the examples and the daemon tests do not run")
		flag.Set("test.run", "^Test")
		os.Exit(m.Run())
	}
	root, err := os.MkdirTemp("", "vcstore-examples")
	if err != nil {
		panic(err)
	}
	d, err := startDaemon(root)
	if err != nil {
		panic(err)
	}
	os.Setenv("VCSTORE_SOCKET", d.socket)
	code := m.Run()
	d.remove()
	os.RemoveAll(root)
	os.Exit(code)
}
