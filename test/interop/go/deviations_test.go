package vcstore

import (
	"encoding/json"
	"errors"
	"os"
	"sync"
	"testing"
)

// The fixture ops where vcstore deliberately differs from the legacy code.
// The one table is test/conformance/deviations.ts, with the reasons;
// test/interop/go-client.test.ts writes it as JSON and passes the file in
// VCSTORE_DEVIATIONS: per "scenario#op", the error code the daemon gives
// ("" for success) and whether the op must leave the tree untouched.
type deviation struct {
	Code      string `json:"code"`
	Untouched bool   `json:"untouched"`
}

var (
	deviationsOnce  sync.Once
	deviationsTable map[string]deviation
	deviationsErr   error
)

func deviations(t *testing.T) map[string]deviation {
	t.Helper()
	deviationsOnce.Do(func() {
		file := os.Getenv("VCSTORE_DEVIATIONS")
		if file == "" {
			deviationsErr = errors.New("VCSTORE_DEVIATIONS is not set: run this from test/interop/go-client.test.ts")
			return
		}
		data, err := os.ReadFile(file)
		if err != nil {
			deviationsErr = err
			return
		}
		if err := json.Unmarshal(data, &deviationsTable); err != nil {
			deviationsErr = err
			return
		}
		if len(deviationsTable) == 0 {
			deviationsErr = errors.New(file + " lists no deviation")
		}
	})
	if deviationsErr != nil {
		t.Fatal(deviationsErr)
	}
	return deviationsTable
}
