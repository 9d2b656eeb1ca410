package vcstore

import "fmt"

// Error is a failure the daemon reported: its HTTP status, its code and its
// message. Error() is the message, which is the legacy Go text wherever the
// legacy code had one ("Sandbox ID cannot be empty", "open …: no such file or
// directory", encoding/json's texts).
type Error struct {
	// Status is the HTTP status of the answer (0 for an error found by the client).
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Message }

// Is makes errors.Is(err, ErrConflict) true for every *Error with ErrConflict's code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

func sentinel(code, message string) *Error { return &Error{Code: code, Message: message} }

// One sentinel per code the daemon answers with (docs/api.md, "Errors").
// Compare with errors.Is; the *Error in hand has the actual message.
var (
	// The legacy errors: their messages are the legacy Go texts.
	ErrNeedSandboxID   = sentinel("ENEEDSANDBOXID", "Sandbox ID cannot be empty")
	ErrNeedContainerID = sentinel("ENEEDCONTAINERID", "Container ID cannot be empty")
	ErrInvalidResource = sentinel("EINVALIDRESOURCE", "Invalid sandbox resource")
	ErrInvalidDataType = sentinel("EINVALIDDATATYPE", "Invalid resource data type")
	ErrMarshal         = sentinel("EMARSHAL", "Could not marshall data")
	ErrUnknownDevice   = sentinel("EUNKNOWNDEVICE", "Unknown device type, could not unmarshal")
	ErrNotExist        = sentinel("ENOENT", "no such file or directory")
	ErrNotDir          = sentinel("ENOTDIR", "not a directory")
	ErrIsDir           = sentinel("EISDIR", "is a directory")
	ErrIO              = sentinel("EIO", "input/output error")
	ErrNoSpace         = sentinel("ENOSPC", "no space left on device")
	ErrDecode          = sentinel("EDECODE", "not valid JSON for its type")
	ErrInvalidTarget   = sentinel("EINVALIDTARGET", "cannot decode into this target")

	// vcstore's own refusals and failures.
	ErrUnsafeID    = sentinel("EUNSAFEID", "unsafe ID")
	ErrUnsafePath  = sentinel("EUNSAFEPATH", "refusing a path outside the legacy tree")
	ErrPayload     = sentinel("EPAYLOAD", "invalid payload")
	ErrProject     = sentinel("EPROJECT", "the event is durable but not yet in the legacy tree")
	ErrCorrupt     = sentinel("ECORRUPT", "damaged journal")
	ErrChain       = sentinel("ECHAIN", "record does not follow its predecessor")
	ErrConflict    = sentinel("ECONFLICT", "the sandbox moved past the expected event")
	ErrLocked      = sentinel("ELOCKED", "another process holds the sandbox")
	ErrCompromised = sentinel("ECOMPROMISED", "the sandbox lock was lost while writing")
	ErrStale       = sentinel("ESTALE", "the journal this writer holds is no longer the one at its path")
	ErrExist       = sentinel("EEXIST", "the sandbox already has events")
	ErrUsage       = sentinel("EUSAGE", "bad usage")
	ErrNoRoot      = sentinel("ENOROOT", "the root does not exist")

	// The daemon's API.
	ErrRequest   = sentinel("EREQUEST", "bad request")
	ErrTooLarge  = sentinel("ETOOLARGE", "request body too large")
	ErrNoRoute   = sentinel("ENOROUTE", "no such route")
	ErrMethod    = sentinel("EMETHOD", "method not allowed on this path")
	ErrMediaType = sentinel("EMEDIATYPE", "the request body must be application/json")
	ErrDaemon    = sentinel("EDAEMON", "the daemon is not available")

	// Shipping (not raised by the daemon's routes today).
	ErrStream    = sentinel("ESTREAM", "the stream and the journal disagree")
	ErrRemote    = sentinel("EREMOTE", "the NATS server cannot be reached")
	ErrUntrusted = sentinel("EUNTRUSTED", "a message not signed by the trusted key of its host")
)

// marshalError is the legacy storeFile's text for a value json.Marshal refuses.
func marshalError(err error) *Error {
	return &Error{Code: ErrMarshal.Code, Message: fmt.Sprintf("Could not marshall data: %s", err)}
}
