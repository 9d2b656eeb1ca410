package interop

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	vcstore "github.com/vcstore/vcstore/src/go"
)

// The legacy types a fetch decodes into, with every field the files hold
// (fixtures/legacy-go/types.md), so that a fetched value re-marshals to the
// exact bytes the fixtures' harness recorded as the op's result. SandboxConfig,
// ContainerConfig and NetworkNamespace are too large to restate: their fetches
// are compared as JSON values (generic).

type State struct {
	State           string `json:"state"`
	BlockIndex      int    `json:"blockIndex"`
	Fstype          string `json:"fstype"`
	HotpluggedDrive bool   `json:"hotpluggedDrive"`
}

type Process struct {
	Token     string
	Pid       int
	StartTime time.Time
}

type Mount struct {
	Source      string
	Destination string
	Type        string
	Options     []string
	HostPath    string
	ReadOnly    bool
	BlockDevice *BlockDevice
}

type DeviceInfo struct {
	HostPath      string
	ContainerPath string
	DevType       string
	Major         int64
	Minor         int64
	FileMode      os.FileMode
	UID           uint32
	GID           uint32
	Hotplugged    bool
	ID            string
}

type VFIODevice struct {
	DeviceType string
	DeviceInfo DeviceInfo
	BDF        string
}

type BlockDevice struct {
	DeviceType string
	DeviceInfo DeviceInfo
	SCSIAddr   string
	VirtPath   string
}

type GenericDevice struct {
	DeviceType string
	DeviceInfo DeviceInfo
}

type Bridge struct {
	Address map[uint32]string
	Type    string
	ID      string
	Addr    int
}

type CPUDevice struct{ ID string }

type QemuState struct {
	Bridges         []Bridge
	HotpluggedVCPUs []CPUDevice
	UUID            string
}

type KataAgentState struct {
	ProxyPid int
	URL      string
}

type HyperAgentState struct {
	ProxyPid int
	URL      string
}

// generic holds any JSON value with its numbers as written; it marshals with map keys sorted.
type generic struct{ v interface{} }

func (g *generic) UnmarshalJSON(data []byte) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	return d.Decode(&g.v)
}

func (g *generic) MarshalJSON() ([]byte, error) { return json.Marshal(g.v) }

// uriResult is a URI op's result as the fixtures' harness marshaled it: {"dir","path"}.
func uriResult(uri vcstore.URI, err error) (interface{}, error) {
	if err != nil {
		return nil, err
	}
	return map[string]string{"path": uri.Path, "dir": uri.Dir}, nil
}

// rewrapDevices decodes each entry by its Type, as the legacy fetchDeviceFile
// did, and wraps it again with Type from its DeviceType field, as the fixtures' harness did.
func rewrapDevices(t *testing.T, typedDevices []vcstore.TypedDevice) interface{} {
	type typedDevice struct {
		Type string
		Data interface{}
	}
	var out []typedDevice
	for _, d := range typedDevices {
		var device interface{}
		var kind *string
		switch d.Type {
		case "vfio":
			v := &VFIODevice{}
			device, kind = v, &v.DeviceType
		case "block":
			v := &BlockDevice{}
			device, kind = v, &v.DeviceType
		case "generic":
			v := &GenericDevice{}
			device, kind = v, &v.DeviceType
		default:
			t.Fatalf("the daemon passed a device of type %q", d.Type)
		}
		if err := json.Unmarshal(d.Data, device); err != nil {
			t.Fatal(err)
		}
		out = append(out, typedDevice{Type: *kind, Data: device})
	}
	return out
}

// likeUnmarshal tells whether result is what json.Unmarshal of file into
// the result's struct gave: keys matched exactly or case-insensitively (the
// last duplicate wins), a key the file lacks left at its zero value, a key
// the struct lacks ignored, numbers compared as float64.
func likeUnmarshal(file, result interface{}) bool {
	switch r := result.(type) {
	case map[string]interface{}:
		f, ok := file.(map[string]interface{})
		if !ok {
			return file == nil && isZero(r)
		}
		for key, value := range r {
			got, found := f[key]
			if !found {
				for k, v := range f {
					if strings.EqualFold(k, key) {
						got, found = v, true
					}
				}
			}
			if !found && !isZero(value) || found && !likeUnmarshal(got, value) {
				return false
			}
		}
		return true
	case []interface{}:
		f, ok := file.([]interface{})
		if !ok || len(f) != len(r) {
			return false
		}
		for i := range r {
			if !likeUnmarshal(f[i], r[i]) {
				return false
			}
		}
		return true
	case float64:
		f, ok := file.(float64)
		return ok && f == r
	}
	return file == result
}

func isZero(v interface{}) bool {
	switch v := v.(type) {
	case nil:
		return true
	case map[string]interface{}:
		for _, value := range v {
			if !isZero(value) {
				return false
			}
		}
		return true
	case string:
		return v == ""
	case float64:
		return v == 0
	case bool:
		return !v
	}
	return false
}

// knownEndpoints drops the endpoints the runtime's NetworkNamespace decoder drops (an unknown Type).
func knownEndpoints(file interface{}) interface{} {
	ns, ok := file.(map[string]interface{})
	endpoints, isList := ns["Endpoints"].([]interface{})
	if !ok || !isList {
		return file
	}
	kept := []interface{}{}
	for _, e := range endpoints {
		kind, _ := e.(map[string]interface{})["Type"].(string)
		if kind == "virtual" || kind == "physical" || kind == "vhost-user" {
			kept = append(kept, e)
		}
	}
	ns["Endpoints"] = kept
	return ns
}

func plainJSON(t *testing.T, text []byte) interface{} {
	var v interface{}
	if err := json.Unmarshal(text, &v); err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	return v
}

// How many fetch and URI results were compared, and how many of them as JSON values.
var resultsCompared, genericResults int64

// checkResult compares what a fetch or URI op returned with the legacy result:
// byte for byte for the types declared above, as JSON values for the others.
func checkResult(t *testing.T, where string, o op, result interface{}, err error, root string) {
	if err != nil || result == nil || len(o.Result) == 0 {
		return
	}
	atomic.AddInt64(&resultsCompared, 1)
	got, merr := json.Marshal(result)
	if merr != nil {
		t.Errorf("%s: the fetched value does not marshal: %v", where, merr)
		return
	}
	want := []byte(strings.ReplaceAll(string(o.Result), "$ROOT", root))
	if _, loose := result.(*generic); loose {
		atomic.AddInt64(&genericResults, 1)
		file := plainJSON(t, got)
		if o.Method == "fetchSandboxNetwork" {
			file = knownEndpoints(file)
		}
		if !likeUnmarshal(file, plainJSON(t, want)) {
			t.Errorf("%s: fetched %s, want (as json.Unmarshal would fill it) %s", where, got, want)
		}
		return
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s: fetched %s, want %s", where, got, want)
	}
}
