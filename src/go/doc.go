// Package vcstore is the Go client of the vcstore daemon (`vcstore serve`),
// for container runtimes that keep their sandbox state in vcstore instead of
// writing the legacy virtcontainers files themselves.
//
// The daemon answers HTTP/1.1 + JSON on a unix socket (docs/api.md in the
// vcstore repository). A Client calls it:
//
//   - every method of the legacy resourceStorage interface, exported, with a
//     context.Context first and the same arguments otherwise;
//   - each mutation returns an Ack (the event's sequence number and chain
//     hash) once the event is durable; WithExpectedSeq makes it conditional
//     (If-Match), and a sandbox that moved on fails with ErrConflict;
//   - fetches decode the legacy file's exact bytes with encoding/json into
//     the caller's value, as the legacy fetchFile did;
//   - Head, History and Events read a sandbox's journal; Events catches up,
//     then follows, and resumes from its cursor when the daemon restarts.
//
// Every failure the daemon reports is an *Error carrying its code; errors.Is
// matches it against the sentinels (ErrConflict, ErrNeedSandboxID, …), and
// Error() is the legacy Go text wherever the legacy code had one.
//
// The package uses the standard library only. The file adapter/vcstore_storage.go
// is a drop-in implementation of the runtime's unexported resourceStorage
// interface on top of a Client, to be copied into the runtime's virtcontainers
// package.
package vcstore
