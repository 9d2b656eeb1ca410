// `vcstore/server`: the daemon as a library (what `vcstore serve` runs), and its HTTP API without a listener.
export { startDaemon, type Daemon, type DaemonOptions } from './daemon.ts';
export { buildServer, type Server, type ServerOptions } from './app.ts';
export { STATUS_OF, type ErrorBody } from './http-errors.ts';
