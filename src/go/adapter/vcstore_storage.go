// Copyright the vcstore authors. Licensed as the vcstore repository.
//
// vcstore_storage.go is a drop-in resourceStorage for the Kata Containers
// runtime: copy this one file into the runtime's virtcontainers package and
// use newVcstoreStorage where the runtime made a &filesystem{}. Every call
// goes to the vcstore daemon (`vcstore serve`), which keeps the same files at
// the same paths with the same bytes, and a journal of every change.
//
// It uses only names the runtime's package already has (the resourceStorage
// interface, Sandbox, State, Process, Mount, Device, the device types) and
// github.com/vcstore/vcstore/src/go. It is kept compiling in the vcstore
// repository against a copy of those declarations (legacy.go, beside it).

package virtcontainers

import (
	"context"
	"encoding/json"
	"time"

	vcstore "github.com/vcstore/vcstore/src/go"
)

// vcstoreStorage implements resourceStorage by calling a vcstore daemon.
type vcstoreStorage struct {
	client *vcstore.Client
	// timeout bounds each call (the legacy methods take no context).
	timeout time.Duration
}

var _ resourceStorage = (*vcstoreStorage)(nil)

// newVcstoreStorage is a resourceStorage on the daemon listening on socket
// ("" for /run/vcstore/vcstore.sock).
func newVcstoreStorage(socket string) (*vcstoreStorage, error) {
	client, err := vcstore.Dial(socket)
	if err != nil {
		return nil, err
	}
	return &vcstoreStorage{client: client, timeout: 30 * time.Second}, nil
}

func (s *vcstoreStorage) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), s.timeout)
}

func vcstoreResources(list []sandboxResource) []vcstore.Resource {
	if list == nil {
		return nil
	}
	out := make([]vcstore.Resource, len(list))
	for i, r := range list {
		out[i] = vcstore.Resource(r)
	}
	return out
}

func (s *vcstoreStorage) createAllResources(sandbox *Sandbox) error {
	ctx, cancel := s.ctx()
	defer cancel()
	ids := []string{}
	for _, container := range sandbox.containers {
		ids = append(ids, container.id)
	}
	_, err := s.client.CreateAllResources(ctx, sandbox.id, ids)
	return err
}

func (s *vcstoreStorage) containerURI(sandboxID, containerID string, resource sandboxResource) (string, string, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	uri, err := s.client.ContainerURI(ctx, sandboxID, containerID, vcstore.Resource(resource))
	return uri.Path, uri.Dir, err
}

func (s *vcstoreStorage) sandboxURI(sandboxID string, resource sandboxResource) (string, string, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	uri, err := s.client.SandboxURI(ctx, sandboxID, vcstore.Resource(resource))
	return uri.Path, uri.Dir, err
}

func (s *vcstoreStorage) storeSandboxResource(sandboxID string, resource sandboxResource, data interface{}) error {
	ctx, cancel := s.ctx()
	defer cancel()
	_, err := s.client.StoreSandboxResource(ctx, sandboxID, vcstore.Resource(resource), data)
	return err
}

func (s *vcstoreStorage) deleteSandboxResources(sandboxID string, list []sandboxResource) error {
	ctx, cancel := s.ctx()
	defer cancel()
	_, err := s.client.DeleteSandboxResources(ctx, sandboxID, vcstoreResources(list))
	return err
}

func (s *vcstoreStorage) fetchSandboxConfig(sandboxID string) (SandboxConfig, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	var config SandboxConfig
	if err := s.client.FetchSandboxConfig(ctx, sandboxID, &config); err != nil {
		return SandboxConfig{}, err
	}
	return config, nil
}

func (s *vcstoreStorage) fetchSandboxState(sandboxID string) (State, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	var state State
	if err := s.client.FetchSandboxState(ctx, sandboxID, &state); err != nil {
		return State{}, err
	}
	return state, nil
}

func (s *vcstoreStorage) fetchSandboxNetwork(sandboxID string) (NetworkNamespace, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	var networkNS NetworkNamespace
	if err := s.client.FetchSandboxNetwork(ctx, sandboxID, &networkNS); err != nil {
		return NetworkNamespace{}, err
	}
	return networkNS, nil
}

func (s *vcstoreStorage) storeSandboxNetwork(sandboxID string, networkNS NetworkNamespace) error {
	ctx, cancel := s.ctx()
	defer cancel()
	_, err := s.client.StoreSandboxNetwork(ctx, sandboxID, networkNS)
	return err
}

func (s *vcstoreStorage) fetchHypervisorState(sandboxID string, state interface{}) error {
	ctx, cancel := s.ctx()
	defer cancel()
	return s.client.FetchHypervisorState(ctx, sandboxID, state)
}

func (s *vcstoreStorage) storeHypervisorState(sandboxID string, state interface{}) error {
	ctx, cancel := s.ctx()
	defer cancel()
	_, err := s.client.StoreHypervisorState(ctx, sandboxID, state)
	return err
}

func (s *vcstoreStorage) fetchAgentState(sandboxID string, state interface{}) error {
	ctx, cancel := s.ctx()
	defer cancel()
	return s.client.FetchAgentState(ctx, sandboxID, state)
}

func (s *vcstoreStorage) storeAgentState(sandboxID string, state interface{}) error {
	ctx, cancel := s.ctx()
	defer cancel()
	_, err := s.client.StoreAgentState(ctx, sandboxID, state)
	return err
}

func (s *vcstoreStorage) storeContainerResource(sandboxID, containerID string, resource sandboxResource, data interface{}) error {
	ctx, cancel := s.ctx()
	defer cancel()
	_, err := s.client.StoreContainerResource(ctx, sandboxID, containerID, vcstore.Resource(resource), data)
	return err
}

func (s *vcstoreStorage) deleteContainerResources(sandboxID, containerID string, list []sandboxResource) error {
	ctx, cancel := s.ctx()
	defer cancel()
	_, err := s.client.DeleteContainerResources(ctx, sandboxID, containerID, vcstoreResources(list))
	return err
}

func (s *vcstoreStorage) fetchContainerConfig(sandboxID, containerID string) (ContainerConfig, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	var config ContainerConfig
	if err := s.client.FetchContainerConfig(ctx, sandboxID, containerID, &config); err != nil {
		return ContainerConfig{}, err
	}
	return config, nil
}

func (s *vcstoreStorage) fetchContainerState(sandboxID, containerID string) (State, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	var state State
	if err := s.client.FetchContainerState(ctx, sandboxID, containerID, &state); err != nil {
		return State{}, err
	}
	return state, nil
}

func (s *vcstoreStorage) fetchContainerProcess(sandboxID, containerID string) (Process, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	var process Process
	if err := s.client.FetchContainerProcess(ctx, sandboxID, containerID, &process); err != nil {
		return Process{}, err
	}
	return process, nil
}

func (s *vcstoreStorage) storeContainerProcess(sandboxID, containerID string, process Process) error {
	ctx, cancel := s.ctx()
	defer cancel()
	_, err := s.client.StoreContainerProcess(ctx, sandboxID, containerID, process)
	return err
}

func (s *vcstoreStorage) fetchContainerMounts(sandboxID, containerID string) ([]Mount, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	var mounts []Mount
	if err := s.client.FetchContainerMounts(ctx, sandboxID, containerID, &mounts); err != nil {
		return []Mount{}, err
	}
	return mounts, nil
}

func (s *vcstoreStorage) storeContainerMounts(sandboxID, containerID string, mounts []Mount) error {
	ctx, cancel := s.ctx()
	defer cancel()
	_, err := s.client.StoreContainerMounts(ctx, sandboxID, containerID, mounts)
	return err
}

// fetchContainerDevices decodes each entry by its Type, as the legacy fetchDeviceFile did.
func (s *vcstoreStorage) fetchContainerDevices(sandboxID, containerID string) ([]Device, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	typedDevices, err := s.client.FetchContainerDevices(ctx, sandboxID, containerID)
	if err != nil {
		return []Device{}, err
	}
	var devices []Device
	for _, d := range typedDevices {
		var device Device
		switch d.Type {
		case DeviceVFIO:
			device = &VFIODevice{}
		case DeviceBlock:
			device = &BlockDevice{}
		case DeviceGeneric:
			device = &GenericDevice{}
		default:
			return []Device{}, &vcstore.Error{Code: vcstore.ErrUnknownDevice.Code, Message: vcstore.ErrUnknownDevice.Message}
		}
		if err := json.Unmarshal(d.Data, device); err != nil {
			return []Device{}, err
		}
		devices = append(devices, device)
	}
	return devices, nil
}

func (s *vcstoreStorage) storeContainerDevices(sandboxID, containerID string, devices []Device) error {
	ctx, cancel := s.ctx()
	defer cancel()
	_, err := s.client.StoreContainerDevices(ctx, sandboxID, containerID, devices)
	return err
}
