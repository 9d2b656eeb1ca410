// Command go-json-errors prints, as JSON, the texts Go's encoding/json gives
// for documents the legacy fetches could meet: every cut of a few legacy
// files, a few malformed ones, and the json.InvalidUnmarshalError texts of
// targets that are not non-nil pointers. fixtures/go-json-errors.json is its
// output; test/legacy/go-json-errors.test.ts checks vcstore against it.
//
//	cd test/legacy/go-json-errors && go run . > ../../../fixtures/go-json-errors.json
package main

import (
	"encoding/json"
	"os"
	"runtime"

	"vcstore.test/gojsonerrors/virtcontainers"
)

// documents are cut after every byte; each cut that Go refuses is a case.
var documents = []string{
	`{"state":"running","blockIndex":12,"fstype":"ext4","hotpluggedDrive":false}`,
	`{"hotpluggedDrive":true,"x":null}`,
	`{"blockIndex":-1.25e+3,"n":0,"m":-0,"f":1E-7}`,
	`[{"Type":"block","Data":{"Major":8,"Minor":0}}]`,
	`{"s":"a\"b\\c\/\u00e9\ud83d\ude00\n","t":[]}`,
	`{"Token":"t","Pid":42,"StartTime":"2026-11-29T10:00:00.5+08:00"}`,
	` [ 1 , 2 ] `,
}

// malformed are whole documents Go refuses.
var malformed = []string{
	`nul`, `tru`, `fals`, `{"hotpluggedDrive":fals`, `-`, `{"blockIndex":1.`, `{"blockIndex":1e`,
	`{"blockIndex":1e+`, `nulx`, `trUe`, `-x`, `1.x`, `1ex`, `01`, `-01`, `1.e5`, `.5`, `+1`,
	`"\x"`, `"\u12"`, `"\u12x4"`, "\"a\tb\"", `{"a":1,}`, `{,}`, `[,1]`, `{"a"}`, `{"a":}`,
	`{} {}`, `[] x`, `1 2`, `"a" "b"`, `{"a":1]`, `[1}`, `'a'`, `NaN`, `Infinity`, `undefined`,
	"\ufeff{}", `{"a":nul}`, `[tru]`, `{"a":[fals`, `{"a":"\`, `{"a":"\u`, `{"a":"\ud83d`,
}

type syntaxCase struct {
	Input string `json:"input"`
	Error string `json:"error"`
}

type targetCase struct {
	// Target is how vcstore's fetch API names the target: the Go %T with the package dropped.
	Target string `json:"target"`
	Input  string `json:"input"`
	Error  string `json:"error"`
}

func main() {
	var syntax []syntaxCase
	seen := map[string]bool{}
	add := func(input string) {
		if seen[input] {
			return
		}
		seen[input] = true
		var v interface{}
		if err := json.Unmarshal([]byte(input), &v); err != nil {
			syntax = append(syntax, syntaxCase{input, err.Error()})
		}
	}
	for _, doc := range documents {
		for i := 0; i < len(doc); i++ {
			add(doc[:i])
		}
	}
	for _, doc := range malformed {
		add(doc)
	}

	var nilQemu *virtcontainers.QemuState
	targets := []struct {
		name  string
		input string
		into  interface{}
	}{
		{"<nil>", `{}`, nil},
		{"non-pointer KataAgentState", `{}`, virtcontainers.KataAgentState{}},
		{"non-pointer HyperAgentState", `{}`, virtcontainers.HyperAgentState{}},
		{"non-pointer QemuState", `{}`, virtcontainers.QemuState{}},
		{"non-pointer State", `{}`, virtcontainers.State{}},
		{"non-pointer map[string]interface {}", `{}`, map[string]interface{}{}},
		{"non-pointer string", `""`, ""},
		{"nil *QemuState", `{}`, nilQemu},
		// A syntax error is found before the target is looked at.
		{"<nil>", `nul`, nil},
		{"non-pointer KataAgentState", `{"ProxyPid":`, virtcontainers.KataAgentState{}},
	}
	var invalid []targetCase
	for _, c := range targets {
		err := json.Unmarshal([]byte(c.input), c.into)
		invalid = append(invalid, targetCase{c.name, c.input, err.Error()})
	}

	out := struct {
		Go               string       `json:"go"`
		Syntax           []syntaxCase `json:"syntax"`
		InvalidUnmarshal []targetCase `json:"invalidUnmarshal"`
	}{runtime.Version(), syntax, invalid}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		panic(err)
	}
}
