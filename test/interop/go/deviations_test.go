package interop

import (
	"encoding/json"
	"errors"
	"os"
	"sync"
	"testing"
)

// The fixture ops where vcstore deliberately differs from the legacy code:
// test/conformance/deviations.json, the table the TypeScript conformance test
// reads too. Per "scenario#op": the reason, the error code the daemon gives
// (null for success), the message ("go": exactly the legacy text) and the
// effects ("none": the op must leave the tree untouched).
type deviation struct {
	Reason  string  `json:"reason"`
	Code    *string `json:"code"`
	Message string  `json:"message"`
	Effects string  `json:"effects"`
}

func (d deviation) untouched() bool { return d.Effects == "none" }

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
			file = "../../conformance/deviations.json"
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
