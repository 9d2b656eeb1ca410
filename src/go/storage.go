package vcstore

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
)

// The legacy resourceStorage methods, exported. Mutations return the Ack of
// their event; fetches decode the legacy file's bytes into the value given,
// with encoding/json, as the legacy fetchFile did (pass a *json.RawMessage
// for the bytes themselves).

func resourceList(resources []Resource) []Resource {
	if resources == nil {
		return nil
	}
	return append([]Resource{}, resources...)
}

// CreateAllResources makes the sandbox's and each container's folders and the
// empty lock, as the legacy createAllResources(sandbox) did.
func (c *Client) CreateAllResources(ctx context.Context, sandboxID string, containerIDs []string) (Ack, error) {
	if containerIDs == nil {
		containerIDs = []string{}
	}
	return c.mutate(ctx, "createAllResources", map[string]interface{}{"sandboxID": sandboxID, "containerIDs": containerIDs})
}

// StoreSandboxResource stores data as the sandbox's resource. data's Go type
// picks the legacy type switch's branch (State, SandboxConfig, Process,
// []Mount, []Device, NetworkNamespace; Typed names another).
func (c *Client) StoreSandboxResource(ctx context.Context, sandboxID string, resource Resource, data interface{}) (Ack, error) {
	return c.mutate(ctx, "storeSandboxResource", map[string]interface{}{"sandboxID": sandboxID, "resource": resource, "data": typed(data)})
}

// StoreContainerResource stores data as the container's resource.
func (c *Client) StoreContainerResource(ctx context.Context, sandboxID, containerID string, resource Resource, data interface{}) (Ack, error) {
	return c.mutate(ctx, "storeContainerResource", map[string]interface{}{"sandboxID": sandboxID, "containerID": containerID, "resource": resource, "data": typed(data)})
}

// DeleteSandboxResources removes the folder of each resource; nil means config and state.
func (c *Client) DeleteSandboxResources(ctx context.Context, sandboxID string, resources []Resource) (Ack, error) {
	return c.mutate(ctx, "deleteSandboxResources", map[string]interface{}{"sandboxID": sandboxID, "resources": resourceList(resources)})
}

// DeleteContainerResources removes the container's folder of each resource.
func (c *Client) DeleteContainerResources(ctx context.Context, sandboxID, containerID string, resources []Resource) (Ack, error) {
	return c.mutate(ctx, "deleteContainerResources", map[string]interface{}{"sandboxID": sandboxID, "containerID": containerID, "resources": resourceList(resources)})
}

// StoreSandboxNetwork stores a NetworkNamespace (the runtime's: a struct with
// NetNsPath, NetNsCreated and Endpoints, each endpoint sent with its Go type).
func (c *Client) StoreSandboxNetwork(ctx context.Context, sandboxID string, networkNS interface{}) (Ack, error) {
	return c.mutate(ctx, "storeSandboxNetwork", map[string]interface{}{"sandboxID": sandboxID, "value": networkValue(networkNS)})
}

func untyped(v interface{}) interface{} {
	if t, ok := v.(Typed); ok {
		return t.Value
	}
	return v
}

// StoreHypervisorState stores any value as hypervisor.json.
func (c *Client) StoreHypervisorState(ctx context.Context, sandboxID string, state interface{}) (Ack, error) {
	return c.mutate(ctx, "storeHypervisorState", map[string]interface{}{"sandboxID": sandboxID, "value": untyped(state)})
}

// StoreAgentState stores any value as agent.json.
func (c *Client) StoreAgentState(ctx context.Context, sandboxID string, state interface{}) (Ack, error) {
	return c.mutate(ctx, "storeAgentState", map[string]interface{}{"sandboxID": sandboxID, "value": untyped(state)})
}

// StoreContainerProcess stores a Process (Token, Pid, StartTime) as process.json.
func (c *Client) StoreContainerProcess(ctx context.Context, sandboxID, containerID string, process interface{}) (Ack, error) {
	return c.mutate(ctx, "storeContainerProcess", map[string]interface{}{"sandboxID": sandboxID, "containerID": containerID, "value": process})
}

// StoreContainerMounts stores a []Mount as mounts.json.
func (c *Client) StoreContainerMounts(ctx context.Context, sandboxID, containerID string, mounts interface{}) (Ack, error) {
	return c.mutate(ctx, "storeContainerMounts", map[string]interface{}{"sandboxID": sandboxID, "containerID": containerID, "value": mounts})
}

// StoreContainerDevices stores a []Device as devices.json, each device sent with its Go type.
func (c *Client) StoreContainerDevices(ctx context.Context, sandboxID, containerID string, devices interface{}) (Ack, error) {
	return c.mutate(ctx, "storeContainerDevices", map[string]interface{}{"sandboxID": sandboxID, "containerID": containerID, "value": typedItems(devices)})
}

// URI is where a resource's file lives: the file and its folder.
type URI struct {
	Path string `json:"path"`
	Dir  string `json:"dir"`
}

func (c *Client) uri(ctx context.Context, method string, query url.Values) (URI, error) {
	var where URI
	body, err := c.get(ctx, method, query)
	if err == nil {
		err = json.Unmarshal(body, &where)
	}
	return where, err
}

// SandboxURI is where the sandbox's resource lives.
func (c *Client) SandboxURI(ctx context.Context, sandboxID string, resource Resource) (URI, error) {
	return c.uri(ctx, "sandboxURI", url.Values{"sandboxID": {sandboxID}, "resource": {strconv.Itoa(int(resource))}})
}

// ContainerURI is where the container's resource lives.
func (c *Client) ContainerURI(ctx context.Context, sandboxID, containerID string, resource Resource) (URI, error) {
	return c.uri(ctx, "containerURI", url.Values{"sandboxID": {sandboxID}, "containerID": {containerID}, "resource": {strconv.Itoa(int(resource))}})
}

// fetch gets a legacy file's bytes (checked by the daemon against the legacy
// type) and decodes them into the caller's value.
func (c *Client) fetch(ctx context.Context, method string, query url.Values, into interface{}) error {
	body, err := c.get(ctx, method, query)
	if err != nil {
		return err
	}
	if raw, ok := into.(*json.RawMessage); ok && raw != nil {
		*raw = body
		return nil
	}
	return json.Unmarshal(body, into)
}

func sandboxQuery(sandboxID string) url.Values { return url.Values{"sandboxID": {sandboxID}} }

func containerQuery(sandboxID, containerID string) url.Values {
	return url.Values{"sandboxID": {sandboxID}, "containerID": {containerID}}
}

// FetchSandboxConfig decodes the sandbox's config.json (a SandboxConfig) into into.
func (c *Client) FetchSandboxConfig(ctx context.Context, sandboxID string, into interface{}) error {
	return c.fetch(ctx, "fetchSandboxConfig", sandboxQuery(sandboxID), into)
}

// FetchSandboxState decodes the sandbox's state.json (a State) into into.
func (c *Client) FetchSandboxState(ctx context.Context, sandboxID string, into interface{}) error {
	return c.fetch(ctx, "fetchSandboxState", sandboxQuery(sandboxID), into)
}

// FetchSandboxNetwork decodes the sandbox's network.json (a NetworkNamespace) into into.
func (c *Client) FetchSandboxNetwork(ctx context.Context, sandboxID string, into interface{}) error {
	return c.fetch(ctx, "fetchSandboxNetwork", sandboxQuery(sandboxID), into)
}

// FetchHypervisorState decodes hypervisor.json into state, which must be a
// non-nil pointer as json.Unmarshal wants (the legacy error texts otherwise).
func (c *Client) FetchHypervisorState(ctx context.Context, sandboxID string, state interface{}) error {
	return c.fetch(ctx, "fetchHypervisorState", url.Values{"sandboxID": {sandboxID}, "target": {targetName(state)}}, state)
}

// FetchAgentState decodes agent.json into state, as FetchHypervisorState.
func (c *Client) FetchAgentState(ctx context.Context, sandboxID string, state interface{}) error {
	return c.fetch(ctx, "fetchAgentState", url.Values{"sandboxID": {sandboxID}, "target": {targetName(state)}}, state)
}

// FetchContainerConfig decodes the container's config.json (a ContainerConfig) into into.
func (c *Client) FetchContainerConfig(ctx context.Context, sandboxID, containerID string, into interface{}) error {
	return c.fetch(ctx, "fetchContainerConfig", containerQuery(sandboxID, containerID), into)
}

// FetchContainerState decodes the container's state.json (a State) into into.
func (c *Client) FetchContainerState(ctx context.Context, sandboxID, containerID string, into interface{}) error {
	return c.fetch(ctx, "fetchContainerState", containerQuery(sandboxID, containerID), into)
}

// FetchContainerProcess decodes the container's process.json (a Process) into into.
func (c *Client) FetchContainerProcess(ctx context.Context, sandboxID, containerID string, into interface{}) error {
	return c.fetch(ctx, "fetchContainerProcess", containerQuery(sandboxID, containerID), into)
}

// FetchContainerMounts decodes the container's mounts.json (a []Mount) into into.
func (c *Client) FetchContainerMounts(ctx context.Context, sandboxID, containerID string, into interface{}) error {
	return c.fetch(ctx, "fetchContainerMounts", containerQuery(sandboxID, containerID), into)
}

// FetchContainerDevices returns the container's devices.json entries. The
// daemon has checked that each decodes as its Type (vfio, block, generic).
func (c *Client) FetchContainerDevices(ctx context.Context, sandboxID, containerID string) ([]TypedDevice, error) {
	var devices []TypedDevice
	err := c.fetch(ctx, "fetchContainerDevices", containerQuery(sandboxID, containerID), &devices)
	return devices, err
}
