package vcstore

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
)

// Resource is the legacy sandboxResource: which file of a sandbox or
// container a call is about. The values are the legacy constants'.
type Resource int

const (
	ConfigFile Resource = iota
	StateFile
	NetworkFile
	HypervisorFile
	AgentFile
	ProcessFile
	LockFile
	MountsFile
	DevicesFile
)

// Typed is a value sent with an explicit Go type name, for a value whose Go
// type the client cannot see (raw JSON, a map standing in for a struct).
// Any other value is sent with its own type's name (see TypeName).
type Typed struct {
	Type  string      `json:"type"`
	Value interface{} `json:"value"`
}

var qualifier = regexp.MustCompile(`\b[A-Za-z_][A-Za-z0-9_]*\.`)

// TypeName is the name of v's Go type as the legacy store's type switch saw
// it, without package names: State, *State, []Device, map[string]interface {},
// <nil>. The daemon applies the legacy type switch to it.
func TypeName(v interface{}) string {
	if v == nil {
		return "<nil>"
	}
	if t, ok := v.(Typed); ok {
		return t.Type
	}
	return qualifier.ReplaceAllString(reflect.TypeOf(v).String(), "")
}

// typed gives an interface{} value its Go type, in the daemon's {type, value}
// form; device lists and network namespaces have their items typed too.
func typed(v interface{}) Typed {
	if t, ok := v.(Typed); ok {
		return t
	}
	name := TypeName(v)
	switch name {
	case "[]Device":
		return Typed{Type: name, Value: typedItems(v)}
	case "NetworkNamespace":
		return Typed{Type: name, Value: networkValue(v)}
	}
	return Typed{Type: name, Value: v}
}

// typedItems types each item of a slice of interface values (devices,
// endpoints) with its concrete type, pointer or not: VFIODevice, VirtualEndpoint.
func typedItems(list interface{}) interface{} {
	v := reflect.ValueOf(list)
	if v.Kind() != reflect.Slice || v.IsNil() {
		return nil
	}
	out := make([]Typed, v.Len())
	for i := range out {
		item := v.Index(i).Interface()
		out[i] = typed(item)
		out[i].Type = strings.TrimPrefix(out[i].Type, "*")
	}
	return out
}

// networkValue is a NetworkNamespace (the runtime's, or any struct with its
// fields) with each endpoint typed.
func networkValue(ns interface{}) interface{} {
	v := reflect.Indirect(reflect.ValueOf(ns))
	if v.Kind() != reflect.Struct {
		return ns
	}
	field := func(name string) interface{} {
		if f := v.FieldByName(name); f.IsValid() && f.CanInterface() {
			return f.Interface()
		}
		return nil
	}
	return map[string]interface{}{
		"NetNsPath":    field("NetNsPath"),
		"NetNsCreated": field("NetNsCreated"),
		"Endpoints":    typedItems(field("Endpoints")),
	}
}

// The Go types the daemon can check a hypervisor or agent state against.
var knownTargets = map[string]bool{
	"interface{}": true, "map[string]interface{}": true, "string": true,
	"QemuState": true, "KataAgentState": true, "HyperAgentState": true,
}

// targetName names the value a hypervisor or agent state is decoded into, as
// the daemon checks it: <nil>, non-pointer T, nil *T, or T for a pointer to T.
// A type the daemon does not know is checked as interface{} (well-formed
// JSON), and encoding/json decides the rest here.
func targetName(into interface{}) string {
	v := reflect.ValueOf(into)
	name := strings.ReplaceAll(TypeName(into), " ", "")
	switch {
	case into == nil:
		return "<nil>"
	case v.Kind() != reflect.Ptr:
		return "non-pointer " + name
	case v.IsNil():
		return "nil " + name
	case knownTargets[name[1:]]:
		return name[1:]
	}
	return "interface{}"
}

// TypedDevice is one entry of devices.json: the device's DeviceType field and
// the device's own JSON. Decode Data by Type, as the legacy fetchDeviceFile did.
type TypedDevice struct {
	Type string
	Data json.RawMessage
}

// State is the legacy State (state.json), for callers without the runtime's own type.
type State struct {
	State           string `json:"state"`
	BlockIndex      int    `json:"blockIndex"`
	Fstype          string `json:"fstype"`
	HotpluggedDrive bool   `json:"hotpluggedDrive"`
}
