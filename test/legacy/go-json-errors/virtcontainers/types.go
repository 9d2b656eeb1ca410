// Package virtcontainers declares stand-ins for the legacy types by their
// legacy package name, so that Go's error texts name them as the runtime did
// ("virtcontainers.KataAgentState").
package virtcontainers

type State struct {
	State           string `json:"state"`
	BlockIndex      int    `json:"blockIndex"`
	Fstype          string `json:"fstype"`
	HotpluggedDrive bool   `json:"hotpluggedDrive"`
}

type QemuState struct{ UUID string }

type KataAgentState struct {
	ProxyPid int
	URL      string
}

type HyperAgentState struct {
	ProxyPid int
	URL      string
}
