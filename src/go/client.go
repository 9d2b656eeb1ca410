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
	"strconv"
	"time"
)

// DefaultSocket is where `vcstore serve` listens unless told otherwise.
const DefaultSocket = "/run/vcstore/vcstore.sock"

// Client calls one vcstore daemon over its unix socket. It is safe for
// concurrent use; Close releases its idle connections.
type Client struct {
	socket  string
	http    *http.Client
	timeout time.Duration
}

// Option configures a Client.
type Option func(*Client)

// WithTimeout bounds each request whose context has no deadline of its own
// (default 30s, the daemon's own request limit). Event streams are not bounded.
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// Dial returns a client of the daemon listening on socketPath (DefaultSocket
// when empty). It does not connect: each call opens or reuses a connection,
// so a client outlives a daemon restart. Health checks that one answers.
func Dial(socketPath string, opts ...Option) (*Client, error) {
	if socketPath == "" {
		socketPath = DefaultSocket
	}
	// sun_path holds 108 bytes, the terminating NUL included.
	if len(socketPath) > 107 {
		return nil, fmt.Errorf("vcstore: socket path too long (%d bytes, at most 107): %s", len(socketPath), socketPath)
	}
	c := &Client{socket: socketPath, timeout: 30 * time.Second}
	transport := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", socketPath)
		},
		MaxIdleConnsPerHost: 8,
		// The daemon closes idle kept-alive connections after 5s.
		IdleConnTimeout: 4 * time.Second,
	}
	c.http = &http.Client{Transport: transport}
	for _, opt := range opts {
		opt(c)
	}
	return c, nil
}

// Socket is the path the client calls.
func (c *Client) Socket() string { return c.socket }

// Close releases the client's idle connections.
func (c *Client) Close() error {
	c.http.CloseIdleConnections()
	return nil
}

// Ack is a mutation's answer, once its event is durable: the event's sequence
// number in the sandbox's journal and its chain hash.
type Ack struct {
	Seq  uint64 `json:"seq"`
	Hash string `json:"hash"`
}

type expectKey struct{}

// WithExpectedSeq makes the mutations called with the returned context
// conditional: each is written only if the sandbox is still at event seq
// (sent as If-Match), and fails with ErrConflict otherwise, writing nothing.
func WithExpectedSeq(ctx context.Context, seq uint64) context.Context {
	return context.WithValue(ctx, expectKey{}, seq)
}

// Health is the daemon's /v1/health answer.
type Health struct {
	Status  string            `json:"status"`
	Version string            `json:"version"`
	Pid     int               `json:"pid"`
	Uptime  float64           `json:"uptime"`
	Roots   map[string]string `json:"roots"`
}

// Health asks the daemon whether it is up.
func (c *Client) Health(ctx context.Context) (Health, error) {
	var h Health
	body, err := c.get(ctx, "health", nil)
	if err == nil {
		err = json.Unmarshal(body, &h)
	}
	return h, err
}

func (c *Client) bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, has := ctx.Deadline(); has || c.timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, c.timeout)
}

// send runs one request and returns the answer's body, or the daemon's error.
func (c *Client) send(req *http.Request) ([]byte, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("vcstore: %s %s: %w", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("vcstore: %s %s: %w", req.Method, req.URL.Path, err)
	}
	if resp.StatusCode >= 300 {
		return nil, answerError(resp.StatusCode, body)
	}
	return body, nil
}

// answerError is the daemon's {code, message}, or the status and body when it is not one.
func answerError(status int, body []byte) error {
	apiErr := &Error{Status: status}
	if json.Unmarshal(body, apiErr) != nil || apiErr.Code == "" {
		return fmt.Errorf("vcstore: HTTP %d: %s", status, bytes.TrimSpace(body))
	}
	return apiErr
}

// mutate posts a legacy mutation. A value Go cannot marshal fails here with
// the legacy text, before anything is sent.
func (c *Client) mutate(ctx context.Context, method string, body interface{}) (Ack, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return Ack{}, marshalError(err)
	}
	ctx, cancel := c.bounded(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://vcstore/v1/"+method, bytes.NewReader(data))
	if err != nil {
		return Ack{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	if seq, ok := ctx.Value(expectKey{}).(uint64); ok {
		req.Header.Set("If-Match", strconv.FormatUint(seq, 10))
	}
	answer, err := c.send(req)
	if err != nil {
		return Ack{}, err
	}
	var ack Ack
	return ack, json.Unmarshal(answer, &ack)
}

func (c *Client) get(ctx context.Context, path string, query url.Values) ([]byte, error) {
	ctx, cancel := c.bounded(ctx)
	defer cancel()
	target := "http://vcstore/v1/" + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, err
	}
	return c.send(req)
}
