// legacy.go is NOT part of the drop-in. It declares what vcstore_storage.go
// uses from the runtime's virtcontainers package, so that the adapter compiles
// here exactly as it will there: the resourceStorage interface, copied
// verbatim from virtcontainers/filesystem.go (kata-containers/runtime
// 5fb4768f), and stand-ins for the types it names, with the fields the legacy
// files hold (fixtures/legacy-go/types.md). The large configuration structs
// are cut down to a few fields.

package virtcontainers

import (
	"encoding/json"
	"time"
)

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

// resourceStorage is the copy of the runtime's interface.
type resourceStorage interface {
	// Create all resources for a sandbox
	createAllResources(sandbox *Sandbox) error
	// Resources URIs functions return both the URI
	// for the actual resource and the URI base.
	containerURI(sandboxID, containerID string, resource sandboxResource) (string, string, error)
	sandboxURI(sandboxID string, resource sandboxResource) (string, string, error)
	// Sandbox resources
	storeSandboxResource(sandboxID string, resource sandboxResource, data interface{}) error
	deleteSandboxResources(sandboxID string, resources []sandboxResource) error
	fetchSandboxConfig(sandboxID string) (SandboxConfig, error)
	fetchSandboxState(sandboxID string) (State, error)
	fetchSandboxNetwork(sandboxID string) (NetworkNamespace, error)
	storeSandboxNetwork(sandboxID string, networkNS NetworkNamespace) error
	// Hypervisor resources
	fetchHypervisorState(sandboxID string, state interface{}) error
	storeHypervisorState(sandboxID string, state interface{}) error
	// Agent resources
	fetchAgentState(sandboxID string, state interface{}) error
	storeAgentState(sandboxID string, state interface{}) error
	// Container resources
	storeContainerResource(sandboxID, containerID string, resource sandboxResource, data interface{}) error
	deleteContainerResources(sandboxID, containerID string, resources []sandboxResource) error
	fetchContainerConfig(sandboxID, containerID string) (ContainerConfig, error)
	fetchContainerState(sandboxID, containerID string) (State, error)
	fetchContainerProcess(sandboxID, containerID string) (Process, error)
	storeContainerProcess(sandboxID, containerID string, process Process) error
	fetchContainerMounts(sandboxID, containerID string) ([]Mount, error)
	storeContainerMounts(sandboxID, containerID string, mounts []Mount) error
	fetchContainerDevices(sandboxID, containerID string) ([]Device, error)
	storeContainerDevices(sandboxID, containerID string, devices []Device) error
}

// Sandbox and Container carry what createAllResources reads.
type Sandbox struct {
	id         string
	containers []*Container
}

type Container struct {
	id string
}

type SandboxConfig struct {
	ID       string
	Hostname string
}

type ContainerConfig struct {
	ID     string
	RootFs string
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
	BlockDevice *BlockDevice
}

const (
	DeviceVFIO    = "vfio"
	DeviceBlock   = "block"
	DeviceGeneric = "generic"
)

type Device interface {
	deviceType() string
}

type DeviceInfo struct {
	HostPath      string
	ContainerPath string
	DevType       string
	Major         int64
	Minor         int64
	FileMode      uint32
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

func (d *VFIODevice) deviceType() string    { return d.DeviceType }
func (d *BlockDevice) deviceType() string   { return d.DeviceType }
func (d *GenericDevice) deviceType() string { return d.DeviceType }

type Endpoint interface {
	Name() string
}

type NetworkNamespace struct {
	NetNsPath    string
	NetNsCreated bool
	Endpoints    []Endpoint
}

// PhysicalEndpoint stands for every endpoint type (the runtime has three).
type PhysicalEndpoint struct {
	IfaceName    string
	EndpointType string
}

func (e *PhysicalEndpoint) Name() string { return e.IfaceName }

// UnmarshalJSON stands in for the runtime's (network.go): endpoints are
// decoded by their Type, and an unknown Type is dropped.
func (n *NetworkNamespace) UnmarshalJSON(data []byte) error {
	var file struct {
		NetNsPath    string
		NetNsCreated bool
		Endpoints    []struct {
			Type string
			Data json.RawMessage
		}
	}
	if err := json.Unmarshal(data, &file); err != nil {
		return err
	}
	n.NetNsPath, n.NetNsCreated, n.Endpoints = file.NetNsPath, file.NetNsCreated, nil
	for _, e := range file.Endpoints {
		if e.Type != "physical" {
			continue
		}
		var endpoint PhysicalEndpoint
		if err := json.Unmarshal(e.Data, &endpoint); err != nil {
			return err
		}
		n.Endpoints = append(n.Endpoints, &endpoint)
	}
	return nil
}
