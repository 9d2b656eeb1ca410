// Package vcstore is a client of the vcstore daemon that implements the
// legacy resourceStorage method set of the Kata Containers runtime over the
// daemon's unix socket: same method names, same arguments, same error texts.
package vcstore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
)

// resourceStorage is the legacy interface (virtcontainers/filesystem.go).
type resourceStorage interface {
	createAllResources(sandbox *Sandbox) error
	containerURI(sandboxID, containerID string, resource sandboxResource) (string, string, error)
	sandboxURI(sandboxID string, resource sandboxResource) (string, string, error)
	storeSandboxResource(sandboxID string, resource sandboxResource, data interface{}) error
	deleteSandboxResources(sandboxID string, resources []sandboxResource) error
	fetchSandboxConfig(sandboxID string) (SandboxConfig, error)
	fetchSandboxState(sandboxID string) (State, error)
	fetchSandboxNetwork(sandboxID string) (NetworkNamespace, error)
	storeSandboxNetwork(sandboxID string, networkNS NetworkNamespace) error
	fetchHypervisorState(sandboxID string, state interface{}) error
	storeHypervisorState(sandboxID string, state interface{}) error
	fetchAgentState(sandboxID string, state interface{}) error
	storeAgentState(sandboxID string, state interface{}) error
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

var _ resourceStorage = (*Client)(nil)

// Error is the daemon's `{ code, message }`; Error() is the message, which
// keeps the legacy Go text wherever the legacy code had one.
type Error struct {
	Status  int
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Message }

// Client talks to one daemon over its unix socket.
type Client struct {
	http *http.Client
	// ExpectSeq, when set, is sent as If-Match with the next mutation and cleared.
	ExpectSeq *int
	// Last is the {seq, hash} of the last mutation.
	Last struct {
		Seq  int    `json:"seq"`
		Hash string `json:"hash"`
	}
}

func NewClient(socket string) *Client {
	transport := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", socket)
		},
		MaxIdleConnsPerHost: 4,
	}
	return &Client{http: &http.Client{Transport: transport}}
}

func (c *Client) Close() { c.http.CloseIdleConnections() }

func (c *Client) do(req *http.Request) ([]byte, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 300 {
		apiErr := &Error{Status: resp.StatusCode}
		if json.Unmarshal(body, apiErr) != nil || apiErr.Code == "" {
			return nil, fmt.Errorf("vcstore: HTTP %d: %s", resp.StatusCode, body)
		}
		return nil, apiErr
	}
	return body, nil
}

// mutate posts a legacy mutation; a value Go cannot marshal fails here, as
// it failed in the legacy store, before anything is sent.
func (c *Client) mutate(method string, body map[string]interface{}) error {
	data, err := json.Marshal(body)
	if err != nil {
		return &Error{Code: "EMARSHAL", Message: fmt.Sprintf("Could not marshall data: %s", err)}
	}
	req, err := http.NewRequest(http.MethodPost, "http://vcstore/v1/"+method, bytes.NewReader(data))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.ExpectSeq != nil {
		req.Header.Set("If-Match", strconv.Itoa(*c.ExpectSeq))
		c.ExpectSeq = nil
	}
	answer, err := c.do(req)
	if err != nil {
		return err
	}
	return json.Unmarshal(answer, &c.Last)
}

func (c *Client) get(method string, query url.Values) ([]byte, error) {
	req, err := http.NewRequest(http.MethodGet, "http://vcstore/v1/"+method+"?"+query.Encode(), nil)
	if err != nil {
		return nil, err
	}
	return c.do(req)
}

// goTypeName is the name the legacy type switch saw: State, *State, []Mount, <nil>…
func goTypeName(v interface{}) string {
	if v == nil {
		return "<nil>"
	}
	return strings.ReplaceAll(reflect.TypeOf(v).String(), "vcstore.", "")
}

// typed gives an interface{} value its Go type, as the daemon's `{ type, value }`.
func typed(v interface{}) Typed {
	if t, ok := v.(Typed); ok {
		return t
	}
	return Typed{Type: goTypeName(v), Value: v}
}

func untyped(v interface{}) interface{} {
	if t, ok := v.(Typed); ok {
		return t.Value
	}
	return v
}

func typedList[T any](items []T) interface{} {
	if items == nil {
		return nil
	}
	out := make([]Typed, len(items))
	for i, item := range items {
		out[i] = typed(item)
		out[i].Type = strings.TrimPrefix(out[i].Type, "*")
	}
	return out
}

func resourceList(resources []sandboxResource) interface{} {
	if resources == nil {
		return nil
	}
	out := make([]int, len(resources))
	for i, r := range resources {
		out[i] = int(r)
	}
	return out
}

func (c *Client) createAllResources(sandbox *Sandbox) error {
	ids := []string{}
	for _, container := range sandbox.containers {
		ids = append(ids, container.id)
	}
	return c.mutate("createAllResources", map[string]interface{}{"sandboxID": sandbox.id, "containerIDs": ids})
}

func (c *Client) uri(method string, query url.Values) (string, string, error) {
	body, err := c.get(method, query)
	if err != nil {
		return "", "", err
	}
	var where struct{ Path, Dir string }
	err = json.Unmarshal(body, &where)
	return where.Path, where.Dir, err
}

func (c *Client) containerURI(sandboxID, containerID string, resource sandboxResource) (string, string, error) {
	return c.uri("containerURI", url.Values{"sandboxID": {sandboxID}, "containerID": {containerID}, "resource": {strconv.Itoa(int(resource))}})
}

func (c *Client) sandboxURI(sandboxID string, resource sandboxResource) (string, string, error) {
	return c.uri("sandboxURI", url.Values{"sandboxID": {sandboxID}, "resource": {strconv.Itoa(int(resource))}})
}

func (c *Client) storeSandboxResource(sandboxID string, resource sandboxResource, data interface{}) error {
	return c.mutate("storeSandboxResource", map[string]interface{}{"sandboxID": sandboxID, "resource": int(resource), "data": typed(data)})
}

func (c *Client) storeContainerResource(sandboxID, containerID string, resource sandboxResource, data interface{}) error {
	return c.mutate("storeContainerResource", map[string]interface{}{"sandboxID": sandboxID, "containerID": containerID, "resource": int(resource), "data": typed(data)})
}

func (c *Client) deleteSandboxResources(sandboxID string, resources []sandboxResource) error {
	return c.mutate("deleteSandboxResources", map[string]interface{}{"sandboxID": sandboxID, "resources": resourceList(resources)})
}

func (c *Client) deleteContainerResources(sandboxID, containerID string, resources []sandboxResource) error {
	return c.mutate("deleteContainerResources", map[string]interface{}{"sandboxID": sandboxID, "containerID": containerID, "resources": resourceList(resources)})
}

func (c *Client) storeSandboxNetwork(sandboxID string, networkNS NetworkNamespace) error {
	value := map[string]interface{}{"NetNsPath": networkNS.NetNsPath, "NetNsCreated": networkNS.NetNsCreated, "Endpoints": typedList(networkNS.Endpoints)}
	return c.mutate("storeSandboxNetwork", map[string]interface{}{"sandboxID": sandboxID, "value": value})
}

func (c *Client) storeHypervisorState(sandboxID string, state interface{}) error {
	return c.mutate("storeHypervisorState", map[string]interface{}{"sandboxID": sandboxID, "value": untyped(state)})
}

func (c *Client) storeAgentState(sandboxID string, state interface{}) error {
	return c.mutate("storeAgentState", map[string]interface{}{"sandboxID": sandboxID, "value": untyped(state)})
}

func (c *Client) storeContainerProcess(sandboxID, containerID string, process Process) error {
	return c.mutate("storeContainerProcess", map[string]interface{}{"sandboxID": sandboxID, "containerID": containerID, "value": process})
}

func (c *Client) storeContainerMounts(sandboxID, containerID string, mounts []Mount) error {
	return c.mutate("storeContainerMounts", map[string]interface{}{"sandboxID": sandboxID, "containerID": containerID, "value": mounts})
}

func (c *Client) storeContainerDevices(sandboxID, containerID string, devices []Device) error {
	return c.mutate("storeContainerDevices", map[string]interface{}{"sandboxID": sandboxID, "containerID": containerID, "value": typedList(devices)})
}

// fetch returns the legacy file's bytes and decodes them, as fetchFile did.
func (c *Client) fetch(method string, query url.Values, into interface{}) error {
	body, err := c.get(method, query)
	if err != nil {
		return err
	}
	return json.Unmarshal(body, into)
}

func sandboxQuery(sandboxID string) url.Values { return url.Values{"sandboxID": {sandboxID}} }
func containerQuery(sandboxID, containerID string) url.Values {
	return url.Values{"sandboxID": {sandboxID}, "containerID": {containerID}}
}

func (c *Client) fetchSandboxConfig(sandboxID string) (SandboxConfig, error) {
	var config SandboxConfig
	return config, c.fetch("fetchSandboxConfig", sandboxQuery(sandboxID), &config)
}

func (c *Client) fetchSandboxState(sandboxID string) (State, error) {
	var state State
	return state, c.fetch("fetchSandboxState", sandboxQuery(sandboxID), &state)
}

// networkFile is network.json as stored: each endpoint's value still raw, beside its type when it has one.
type networkFile struct {
	NetNsPath    string
	NetNsCreated bool
	Endpoints    []struct {
		Type string
		Data json.RawMessage
	}
}

func (c *Client) fetchSandboxNetwork(sandboxID string) (NetworkNamespace, error) {
	var file networkFile
	if err := c.fetch("fetchSandboxNetwork", sandboxQuery(sandboxID), &file); err != nil {
		return NetworkNamespace{}, err
	}
	ns := NetworkNamespace{NetNsPath: file.NetNsPath, NetNsCreated: file.NetNsCreated}
	for _, e := range file.Endpoints {
		ns.Endpoints = append(ns.Endpoints, Typed{Type: e.Type, Value: e.Data})
	}
	return ns, nil
}

// stateTarget names the Go type a hypervisor or agent state decodes into, as the daemon checks it.
func stateTarget(state interface{}) string {
	t := reflect.TypeOf(state)
	if t == nil || t.Kind() != reflect.Ptr {
		return "non-pointer " + goTypeName(state)
	}
	return strings.ReplaceAll(strings.TrimPrefix(goTypeName(state), "*"), " ", "")
}

func (c *Client) fetchHypervisorState(sandboxID string, state interface{}) error {
	return c.fetch("fetchHypervisorState", url.Values{"sandboxID": {sandboxID}, "target": {stateTarget(state)}}, state)
}

func (c *Client) fetchAgentState(sandboxID string, state interface{}) error {
	return c.fetch("fetchAgentState", url.Values{"sandboxID": {sandboxID}, "target": {stateTarget(state)}}, state)
}

func (c *Client) fetchContainerConfig(sandboxID, containerID string) (ContainerConfig, error) {
	var config ContainerConfig
	return config, c.fetch("fetchContainerConfig", containerQuery(sandboxID, containerID), &config)
}

func (c *Client) fetchContainerState(sandboxID, containerID string) (State, error) {
	var state State
	return state, c.fetch("fetchContainerState", containerQuery(sandboxID, containerID), &state)
}

func (c *Client) fetchContainerProcess(sandboxID, containerID string) (Process, error) {
	var process Process
	return process, c.fetch("fetchContainerProcess", containerQuery(sandboxID, containerID), &process)
}

func (c *Client) fetchContainerMounts(sandboxID, containerID string) ([]Mount, error) {
	mounts := []Mount{}
	return mounts, c.fetch("fetchContainerMounts", containerQuery(sandboxID, containerID), &mounts)
}

func (c *Client) fetchContainerDevices(sandboxID, containerID string) ([]Device, error) {
	var file []struct {
		Type string
		Data json.RawMessage
	}
	if err := c.fetch("fetchContainerDevices", containerQuery(sandboxID, containerID), &file); err != nil {
		return []Device{}, err
	}
	devices := []Device{}
	for _, d := range file {
		devices = append(devices, Typed{Type: d.Type, Value: d.Data})
	}
	return devices, nil
}
