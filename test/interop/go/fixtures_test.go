package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	vcstore "github.com/vcstore/vcstore/src/go"
)

// op is one line of a fixture's ops.json (fixtures/legacy-go/README.md).
type op struct {
	Method            string          `json:"method"`
	SandboxID         string          `json:"sandboxID"`
	ContainerID       string          `json:"containerID"`
	Resource          string          `json:"resource"`
	Resources         json.RawMessage `json:"resources"`
	GoType            string          `json:"goType"`
	Data              json.RawMessage `json:"data"`
	DataGoTypes       []string        `json:"dataGoTypes"`
	DataUnmarshalable string          `json:"dataUnmarshalable"`
	Path              string          `json:"path"`
	Content           string          `json:"content"`
	Mode              string          `json:"mode"`
	Error             *string         `json:"error"`
	ErrorSource       *string         `json:"errorSource"`
	Result            json.RawMessage `json:"result"`
}

var resourceNames = []string{"configFileType", "stateFileType", "networkFileType", "hypervisorFileType", "agentFileType", "processFileType", "lockFileType", "mountsFileType", "devicesFileType"}

var outOfRange = regexp.MustCompile(`^sandboxResource\((-?\d+)\)$`)

func resourceOf(t *testing.T, name string) vcstore.Resource {
	if m := outOfRange.FindStringSubmatch(name); m != nil {
		n, _ := strconv.Atoi(m[1])
		return vcstore.Resource(n)
	}
	for i, known := range resourceNames {
		if known == name {
			return vcstore.Resource(i)
		}
	}
	t.Fatalf("unknown resource %q", name)
	return 0
}

func resourcesOf(t *testing.T, o op) []vcstore.Resource {
	if len(o.Resources) == 0 || string(o.Resources) == "null" {
		return nil
	}
	var names []string
	if err := json.Unmarshal(o.Resources, &names); err != nil {
		t.Fatal(err)
	}
	out := []vcstore.Resource{}
	for _, name := range names {
		out = append(out, resourceOf(t, name))
	}
	return out
}

func goName(t string) string {
	if t == "" {
		return "<nil>"
	}
	return strings.ReplaceAll(t, "virtcontainers.", "")
}

func raw(data json.RawMessage) interface{} {
	if len(data) == 0 {
		return nil
	}
	return data
}

// devicesOf gives each device of a fixture's TypedDevice list its concrete Go type.
func devicesOf(t *testing.T, o op) []interface{} {
	if len(o.Data) == 0 || string(o.Data) == "null" {
		return nil
	}
	var items []struct{ Data json.RawMessage }
	if err := json.Unmarshal(o.Data, &items); err != nil {
		t.Fatal(err)
	}
	devices := []interface{}{}
	for i, item := range items {
		devices = append(devices, vcstore.Typed{Type: strings.TrimPrefix(goName(o.DataGoTypes[i]), "*"), Value: raw(item.Data)})
	}
	return devices
}

var endpointTypes = map[string]string{"virtual": "VirtualEndpoint", "physical": "PhysicalEndpoint", "vhost-user": "VhostUserEndpoint"}

// networkNamespace is the runtime's NetworkNamespace as the client sends it: each endpoint with its Go type.
type networkNamespace struct {
	NetNsPath    string
	NetNsCreated bool
	Endpoints    []interface{}
}

// networkOf rebuilds the NetworkNamespace behind a network.json: an untyped endpoint is known by its fields.
func networkOf(t *testing.T, data json.RawMessage) networkNamespace {
	var file struct {
		NetNsPath    string
		NetNsCreated bool
		Endpoints    []struct {
			Type string
			Data json.RawMessage
		}
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	ns := networkNamespace{NetNsPath: file.NetNsPath, NetNsCreated: file.NetNsCreated}
	if file.Endpoints != nil {
		ns.Endpoints = []interface{}{}
	}
	for _, e := range file.Endpoints {
		kind, known := endpointTypes[e.Type]
		switch {
		case known:
		case bytes.Contains(e.Data, []byte(`"NetPair"`)):
			kind = "VirtualEndpoint"
		case bytes.Contains(e.Data, []byte(`"SocketPath"`)):
			kind = "VhostUserEndpoint"
		default:
			kind = "PhysicalEndpoint"
		}
		ns.Endpoints = append(ns.Endpoints, vcstore.Typed{Type: kind, Value: raw(e.Data)})
	}
	return ns
}

// dataOf is the interface{} value a store op passed, with its Go type.
func dataOf(t *testing.T, o op) interface{} {
	kind := goName(o.GoType)
	switch {
	case o.DataUnmarshalable != "":
		return vcstore.Typed{Type: "SandboxConfig", Value: map[string]interface{}{"ID": o.SandboxID, "AgentConfig": math.Inf(1)}}
	case kind == "[]Device":
		return vcstore.Typed{Type: kind, Value: devicesOf(t, o)}
	case kind == "NetworkNamespace":
		ns := networkOf(t, o.Data)
		return vcstore.Typed{Type: kind, Value: map[string]interface{}{"NetNsPath": ns.NetNsPath, "NetNsCreated": ns.NetNsCreated, "Endpoints": ns.Endpoints}}
	}
	return vcstore.Typed{Type: kind, Value: raw(o.Data)}
}

// targetOf is the value a fetchHypervisorState/fetchAgentState op decoded into.
func targetOf(goType string) interface{} {
	switch goName(goType) {
	case "*interface {}":
		return new(interface{})
	case "*map[string]interface {}":
		return new(map[string]interface{})
	case "*string":
		return new(string)
	case "*QemuState":
		return new(QemuState)
	case "*KataAgentState":
		return new(KataAgentState)
	case "*HyperAgentState":
		return new(HyperAgentState)
	case "KataAgentState":
		return KataAgentState{}
	}
	return nil
}

// call runs one op through the client and returns what a fetch or URI op
// returned, re-marshaled as the fixtures' harness did (nil for other ops).
func call(t *testing.T, c *vcstore.Client, root string, o op) (interface{}, error) {
	ctx := context.Background()
	sid, cid := o.SandboxID, o.ContainerID
	ack := func(_ vcstore.Ack, err error) (interface{}, error) { return nil, err }
	fetched := func(into interface{}, err error) (interface{}, error) { return into, err }
	switch o.Method {
	case "_writeFile", "_mkdir":
		return nil, harness(root, o)
	case "createAllResources":
		var spec struct {
			SandboxID    string   `json:"sandboxID"`
			ContainerIDs []string `json:"containerIDs"`
		}
		json.Unmarshal(o.Data, &spec)
		return ack(c.CreateAllResources(ctx, spec.SandboxID, spec.ContainerIDs))
	case "sandboxURI":
		return uriResult(c.SandboxURI(ctx, sid, resourceOf(t, o.Resource)))
	case "containerURI":
		return uriResult(c.ContainerURI(ctx, sid, cid, resourceOf(t, o.Resource)))
	case "storeSandboxResource":
		return ack(c.StoreSandboxResource(ctx, sid, resourceOf(t, o.Resource), dataOf(t, o)))
	case "storeContainerResource":
		return ack(c.StoreContainerResource(ctx, sid, cid, resourceOf(t, o.Resource), dataOf(t, o)))
	case "storeSandboxNetwork":
		return ack(c.StoreSandboxNetwork(ctx, sid, networkOf(t, o.Data)))
	case "storeHypervisorState":
		return ack(c.StoreHypervisorState(ctx, sid, raw(o.Data)))
	case "storeAgentState":
		if o.DataUnmarshalable != "" {
			return ack(c.StoreAgentState(ctx, sid, map[string]interface{}{"ch": make(chan int)}))
		}
		return ack(c.StoreAgentState(ctx, sid, raw(o.Data)))
	case "storeContainerProcess":
		var process Process
		if o.DataUnmarshalable != "" {
			process = Process{Token: "t", Pid: 1, StartTime: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}
		} else if err := json.Unmarshal(o.Data, &process); err != nil {
			t.Fatal(err)
		}
		return ack(c.StoreContainerProcess(ctx, sid, cid, process))
	case "storeContainerMounts":
		var mounts []Mount
		if err := json.Unmarshal(o.Data, &mounts); err != nil {
			t.Fatal(err)
		}
		return ack(c.StoreContainerMounts(ctx, sid, cid, mounts))
	case "storeContainerDevices":
		return ack(c.StoreContainerDevices(ctx, sid, cid, devicesOf(t, o)))
	case "deleteSandboxResources":
		return ack(c.DeleteSandboxResources(ctx, sid, resourcesOf(t, o)))
	case "deleteContainerResources":
		return ack(c.DeleteContainerResources(ctx, sid, cid, resourcesOf(t, o)))
	case "fetchSandboxConfig":
		into := new(generic)
		return fetched(into, c.FetchSandboxConfig(ctx, sid, into))
	case "fetchSandboxState":
		into := new(State)
		return fetched(into, c.FetchSandboxState(ctx, sid, into))
	case "fetchSandboxNetwork":
		into := new(generic)
		return fetched(into, c.FetchSandboxNetwork(ctx, sid, into))
	case "fetchHypervisorState":
		into := targetOf(o.GoType)
		return fetched(into, c.FetchHypervisorState(ctx, sid, into))
	case "fetchAgentState":
		into := targetOf(o.GoType)
		return fetched(into, c.FetchAgentState(ctx, sid, into))
	case "fetchContainerConfig":
		into := new(generic)
		return fetched(into, c.FetchContainerConfig(ctx, sid, cid, into))
	case "fetchContainerState":
		into := new(State)
		return fetched(into, c.FetchContainerState(ctx, sid, cid, into))
	case "fetchContainerProcess":
		into := new(Process)
		return fetched(into, c.FetchContainerProcess(ctx, sid, cid, into))
	case "fetchContainerMounts":
		var mounts []Mount
		return fetched(&mounts, c.FetchContainerMounts(ctx, sid, cid, &mounts))
	case "fetchContainerDevices":
		typedDevices, err := c.FetchContainerDevices(ctx, sid, cid)
		if err != nil {
			return nil, err
		}
		return rewrapDevices(t, typedDevices), nil
	}
	t.Fatalf("unknown method %s", o.Method)
	return nil, nil
}

func harness(root string, o op) error {
	target := filepath.Join(root, o.Path)
	mode := int64(0o644)
	if o.Method == "_mkdir" {
		mode = 0o750
	}
	if o.Mode != "" {
		mode, _ = strconv.ParseInt(o.Mode, 8, 32)
	}
	if o.Method == "_mkdir" {
		return os.MkdirAll(target, os.FileMode(mode))
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o750); err != nil {
		return err
	}
	return os.WriteFile(target, []byte(o.Content), os.FileMode(mode))
}

// entry is a path of the tree as modes.json describes it, with a file's bytes.
type entry struct {
	Type    string `json:"type"`
	Mode    string `json:"mode"`
	Content string `json:"-"`
}

// The daemon keeps its journals under the root it serves; the legacy tree is everything else.
const journalDir = "var/lib/virtcontainers/journal"

func snapshot(t *testing.T, root string) map[string]entry {
	tree := map[string]entry{}
	filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, p)
		if rel == "." {
			return nil
		}
		if rel == journalDir {
			return filepath.SkipDir
		}
		e := entry{Type: "file", Mode: fmt.Sprintf("%04o", info.Mode().Perm())}
		if info.IsDir() {
			e.Type = "dir"
		} else {
			content, _ := os.ReadFile(p)
			e.Content = string(content)
		}
		tree[rel] = e
		return nil
	})
	return tree
}

// modeHere is a mode of the fixtures (made under umask 022) as Go makes it under this
// process's umask: files are os.Create's 0666 and folders MkdirAll's 0750, minus the
// umask; the folders the harness made beforehand (0755, set with chmod) stay as they are.
func modeHere(mode string) string {
	umask := syscall.Umask(0)
	syscall.Umask(umask)
	switch mode {
	case "0644":
		return fmt.Sprintf("%04o", 0o666&^umask)
	case "0750":
		return fmt.Sprintf("%04o", 0o750&^umask)
	}
	return mode
}

func fixtureTree(t *testing.T, dir string) map[string]entry {
	var modes struct {
		Entries []struct {
			Path, Type, Mode string
		}
	}
	text, err := os.ReadFile(filepath.Join(dir, "modes.json"))
	if err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(text, &modes)
	tree := map[string]entry{}
	for _, e := range modes.Entries {
		got := entry{Type: e.Type, Mode: modeHere(e.Mode)}
		if e.Type == "file" {
			content, err := os.ReadFile(filepath.Join(dir, "tree", e.Path))
			if err != nil {
				t.Fatal(err)
			}
			got.Content = string(content)
		}
		tree[e.Path] = got
	}
	return tree
}

func diffTrees(want, got map[string]entry) []string {
	var problems []string
	for p, w := range want {
		g, ok := got[p]
		switch {
		case !ok:
			problems = append(problems, "missing "+p)
		case g != w:
			problems = append(problems, fmt.Sprintf("%s: want %s %s %q, got %s %s %q", p, w.Type, w.Mode, w.Content, g.Type, g.Mode, g.Content))
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			problems = append(problems, "unexpected "+p)
		}
	}
	sort.Strings(problems)
	return problems
}

func readOps(t *testing.T, dir string) []op {
	text, err := os.ReadFile(filepath.Join(dir, "ops.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ops []op
	if err := json.Unmarshal(text, &ops); err != nil {
		t.Fatal(err)
	}
	return ops
}

// scenarioRoot is a fresh root with the folders a host already has, as the fixtures' harness made them.
func scenarioRoot(t *testing.T) string {
	root := filepath.Join(t.TempDir(), "root")
	for _, dir := range []string{"var", "var/lib", "run"} {
		if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
			t.Fatal(err)
		}
		os.Chmod(filepath.Join(root, dir), 0o755)
	}
	return root
}

// Every error text is compared: the legacy sentinels, the fmt.Errorf texts, os and encoding/json (Go 1.19).
var exactSources = map[string]bool{"errors.go": true, "filesystem.go": true, "os": true, "encoding/json": true, "time (via encoding/json)": true}

func TestLegacyFixturesOverTheSocket(t *testing.T) {
	fixtures := os.Getenv("VCSTORE_FIXTURES")
	if fixtures == "" {
		t.Skip("VCSTORE_FIXTURES is not set: run this from test/interop/go-client.slow.ts")
	}
	names, _ := filepath.Glob(filepath.Join(fixtures, "[0-9][0-9]-*"))
	if len(names) != 18 {
		t.Fatalf("expected 18 scenarios, found %d", len(names))
	}
	t.Cleanup(func() {
		fmt.Printf("fetch results compared: %d (%d of them as JSON values)\n", atomic.LoadInt64(&resultsCompared), atomic.LoadInt64(&genericResults))
	})
	for _, dir := range names {
		dir := dir
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			replay(t, dir)
		})
	}
}

func replay(t *testing.T, dir string) {
	scenario := filepath.Base(dir)
	root := scenarioRoot(t)
	d := startDaemon(t, root)
	c, err := vcstore.Dial(d.socket)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	deviated := false
	for i, o := range readOps(t, dir) {
		where := fmt.Sprintf("op %d %s(%q, %q)", i, o.Method, o.SandboxID, o.ContainerID)
		dev, isDeviation := deviations(t)[fmt.Sprintf("%s#%d", scenario, i)]
		before := snapshot(t, root)
		result, err := call(t, c, root, o)
		if isDeviation {
			deviated = true
			checkDeviation(t, where, o, dev, err, root)
			if dev.untouched() {
				if problems := diffTrees(before, snapshot(t, root)); len(problems) > 0 {
					t.Errorf("%s: a refused op changed the tree: %v", where, problems)
				}
			}
			continue
		}
		checkLikeGo(t, where, o, err, root)
		checkResult(t, where, o, result, err, root)
	}
	if deviated {
		return
	}
	got := snapshot(t, root)
	// The journal folder's parent exists even where the legacy code never made it.
	if _, ok := fixtureTree(t, dir)["var/lib/virtcontainers"]; !ok {
		delete(got, "var/lib/virtcontainers")
	}
	if problems := diffTrees(fixtureTree(t, dir), got); len(problems) > 0 {
		t.Errorf("final tree differs from %s/tree:\n%s", scenario, strings.Join(problems, "\n"))
	}
}

func checkDeviation(t *testing.T, where string, o op, dev deviation, err error, root string) {
	var apiErr *vcstore.Error
	switch {
	case dev.Code == nil && err != nil:
		t.Errorf("%s (deviation: %s): expected success, got %v", where, dev.Reason, err)
	case dev.Code != nil && !errors.As(err, &apiErr):
		t.Errorf("%s (deviation: %s): expected %s, got %v", where, dev.Reason, *dev.Code, err)
	case dev.Code != nil && apiErr.Code != *dev.Code:
		t.Errorf("%s (deviation: %s): expected %s, got %s %s", where, dev.Reason, *dev.Code, apiErr.Code, apiErr.Message)
	case dev.Message == "go" && err.Error() != strings.ReplaceAll(*o.Error, "$ROOT", root):
		t.Errorf("%s (deviation: %s): error %q, want the legacy %q", where, dev.Reason, err.Error(), *o.Error)
	}
}

func checkLikeGo(t *testing.T, where string, o op, err error, root string) {
	if o.Error == nil {
		if err != nil {
			t.Errorf("%s: unexpected error %v", where, err)
		}
		return
	}
	want := strings.ReplaceAll(*o.Error, "$ROOT", root)
	if err == nil {
		t.Errorf("%s: expected error %q, got none", where, want)
		return
	}
	if o.ErrorSource != nil && exactSources[*o.ErrorSource] && err.Error() != want {
		t.Errorf("%s: error %q, want %q", where, err.Error(), want)
	}
}
