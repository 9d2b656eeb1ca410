package vcstore

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// HeadInfo is a sandbox's last event: its sequence number, chain hash and time.
type HeadInfo struct {
	Sandbox string `json:"sandbox"`
	Seq     uint64 `json:"seq"`
	Hash    string `json:"hash"`
	Time    string `json:"time"`
}

// Head is the sandbox's journal head, as `vcstore head` prints it.
func (c *Client) Head(ctx context.Context, sandboxID string) (HeadInfo, error) {
	var head HeadInfo
	body, err := c.get(ctx, "sandboxes/"+url.PathEscape(sandboxID)+"/head", nil)
	if err == nil {
		err = json.Unmarshal(body, &head)
	}
	return head, err
}

// Event is one journal event of a stream.
type Event struct {
	// Cursor resumes the stream right after this event.
	Cursor string
	// Hash is the event's chain hash; the next event's record repeats it as "prev".
	Hash      string
	Sandbox   string
	Seq       uint64
	Op        string
	Resource  string
	Container string
	Time      string
	// Record is the journal record as `vcstore export` writes it.
	Record json.RawMessage
}

type streamLine struct {
	Cursor string          `json:"cursor"`
	Hash   string          `json:"hash"`
	Event  json.RawMessage `json:"event"`
	Error  *Error          `json:"error"`
}

type recordFields struct {
	Sandbox   string `json:"sandbox"`
	Seq       uint64 `json:"seq"`
	Op        string `json:"op"`
	Resource  string `json:"resource"`
	Container string `json:"container"`
	Time      string `json:"time"`
}

// History is the sandbox's events after sequence number after (0: all), oldest first.
func (c *Client) History(ctx context.Context, sandboxID string, after uint64) ([]Event, error) {
	s := c.stream(ctx, "sandboxes/"+url.PathEscape(sandboxID)+"/events", strconv.FormatUint(after, 10), false)
	defer s.Close()
	var events []Event
	for s.Next() {
		events = append(events, s.Event())
	}
	return events, s.Err()
}

// Events streams every sandbox's events after cursor ("" for all of them):
// it catches up, then follows new events as they are appended. When the
// connection ends (the daemon restarted, or was killed) it reconnects with
// the last cursor it delivered, so no event is lost or repeated; it stops
// when ctx is done or the daemon reports an error.
func (c *Client) Events(ctx context.Context, cursor string) *Stream {
	return c.stream(ctx, "events", cursor, true)
}

// SandboxEvents is Events for one sandbox, after its sequence number after.
func (c *Client) SandboxEvents(ctx context.Context, sandboxID string, after uint64) *Stream {
	return c.stream(ctx, "sandboxes/"+url.PathEscape(sandboxID)+"/events", strconv.FormatUint(after, 10), true)
}

func (c *Client) stream(ctx context.Context, path, cursor string, follow bool) *Stream {
	ctx, cancel := context.WithCancel(ctx)
	return &Stream{client: c, ctx: ctx, cancel: cancel, path: path, cursor: cursor, follow: follow}
}

// Stream is an event stream: call Next until it returns false, then Err.
type Stream struct {
	client *Client
	ctx    context.Context
	cancel context.CancelFunc
	path   string
	cursor string
	follow bool
	body   io.ReadCloser
	reader *bufio.Reader
	event  Event
	err    error
	// connected is set once a connection was made.
	connected bool
	// Reconnects counts the connections made after the first one.
	Reconnects int
}

// Next waits for the next event; false once the stream ended (see Err).
func (s *Stream) Next() bool {
	for s.err == nil {
		if s.body == nil {
			if !s.connect() {
				continue
			}
		}
		line, err := s.reader.ReadBytes('\n')
		if len(line) > 0 && err == nil {
			return s.take(line)
		}
		s.drop()
		if !s.follow && errors.Is(err, io.EOF) {
			return false
		}
		if s.ctx.Err() != nil {
			s.err = s.ctx.Err()
		}
	}
	return false
}

func (s *Stream) take(line []byte) bool {
	var l streamLine
	if err := json.Unmarshal(line, &l); err != nil {
		s.err = fmt.Errorf("vcstore: a stream line that is not JSON: %w", err)
		return false
	}
	if l.Error != nil {
		s.err = l.Error
		return false
	}
	var fields recordFields
	if err := json.Unmarshal(l.Event, &fields); err != nil {
		s.err = fmt.Errorf("vcstore: a stream event that is not a record: %w", err)
		return false
	}
	s.cursor = l.Cursor
	s.event = Event{Cursor: l.Cursor, Hash: l.Hash, Sandbox: fields.Sandbox, Seq: fields.Seq, Op: fields.Op,
		Resource: fields.Resource, Container: fields.Container, Time: fields.Time, Record: l.Event}
	return true
}

// connect opens the stream at the cursor; while the daemon cannot be reached
// (or is shutting down) it waits and tries again, up to once a second.
func (s *Stream) connect() bool {
	query := url.Values{"after": {s.cursor}}
	if s.follow {
		query.Set("follow", "true")
	}
	req, err := http.NewRequestWithContext(s.ctx, http.MethodGet, "http://vcstore/v1/"+s.path+"?"+query.Encode(), nil)
	if err != nil {
		s.err = err
		return false
	}
	for attempt := 0; ; attempt++ {
		resp, err := s.client.http.Do(req)
		if err == nil && resp.StatusCode == http.StatusOK {
			if s.connected {
				s.Reconnects++
			}
			s.connected = true
			s.body, s.reader = resp.Body, bufio.NewReader(resp.Body)
			return true
		}
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			err = answerError(resp.StatusCode, body)
			if !errors.Is(err, ErrDaemon) || !s.follow {
				s.err = err
				return false
			}
		}
		if !s.follow {
			s.err = err
			return false
		}
		wait := time.Duration(50<<minInt(attempt, 5)) * time.Millisecond
		select {
		case <-s.ctx.Done():
			s.err = s.ctx.Err()
			return false
		case <-time.After(wait):
		}
	}
}

func minInt(a, b int) int {
	if a < b {
		return a
	}
	return b
}

func (s *Stream) drop() {
	if s.body != nil {
		s.body.Close()
		s.body = nil
	}
}

// Event is the event Next stepped to.
func (s *Stream) Event() Event { return s.event }

// Cursor resumes a later stream right after the last event delivered.
func (s *Stream) Cursor() string { return s.cursor }

// Err is why the stream ended: nil after a History-style catch-up, ctx's
// error once it was cancelled, or the daemon's error.
func (s *Stream) Err() error { return s.err }

// Close ends the stream and its connection.
func (s *Stream) Close() error {
	s.cancel()
	s.drop()
	return nil
}
