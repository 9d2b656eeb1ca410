package vcstore

import (
	"encoding/json"
	"time"
)

// The payload types the client needs, as the legacy runtime declared them.
// The daemon re-encodes every value in the legacy field order, so the big
// configuration structs can travel as generic maps.

// sandboxResource is the legacy resource kind; its values are the daemon's resource numbers.
type sandboxResource int

const (
	configFileType sandboxResource = iota
	stateFileType
	networkFileType
	hypervisorFileType
	agentFileType
	processFileType
	lockFileType
	mountsFileType
	devicesFileType
)

// Sandbox and Container carry only what createAllResources reads.
type Sandbox struct {
	id         string
	containers []*Container
}

type Container struct {
	id string
}

type stateString string

type State struct {
	State           stateString `json:"state"`
	BlockIndex      int         `json:"blockIndex"`
	Fstype          string      `json:"fstype"`
	HotpluggedDrive bool        `json:"hotpluggedDrive"`
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
	// BlockDevice is kept as its JSON: the client never looks inside it.
	BlockDevice *json.RawMessage
}

// SandboxConfig and ContainerConfig are large structs the client only passes through.
type SandboxConfig map[string]interface{}
type ContainerConfig map[string]interface{}

// The hypervisor and agent states are opaque to the client too; their names
// tell the daemon which Go type a fetch decodes into.
type QemuState map[string]interface{}
type KataAgentState map[string]interface{}
type HyperAgentState map[string]interface{}

// Device and Endpoint are interfaces in the runtime: each item is sent with
// its concrete Go type (VFIODevice, BlockDevice, GenericDevice; VirtualEndpoint…).
type Device interface{}
type Endpoint interface{}

type NetworkNamespace struct {
	NetNsPath    string
	NetNsCreated bool
	Endpoints    []Endpoint
}

// Typed is a value with an explicit Go type name, for values whose Go type
// the client does not declare (or to send raw JSON as a given type).
type Typed struct {
	Type  string      `json:"type"`
	Value interface{} `json:"value"`
}
