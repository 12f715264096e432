import net from 'node:net';

// Tests talk to our own Bynder emulator on loopback and nothing else (as Segment's
// setup-after-env blocks the network): any other destination fails the test loudly.
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost|::ffff:127\.\d+\.\d+\.\d+)$/;

// eslint-disable-next-line @typescript-eslint/unbound-method -- re-applied below with the socket as `this`
const originalConnect = net.Socket.prototype.connect;

function hostOf(args: unknown[]): string | undefined {
  // net.createConnection (used by http.request) passes one normalised [options, callback] array.
  const [first, second] = Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  if (typeof first === 'object' && first !== null && !Array.isArray(first)) {
    const options = first as { host?: unknown; path?: unknown };
    if (typeof options.path === 'string') return undefined; // unix socket (vitest's own workers)
    return typeof options.host === 'string' ? options.host : 'localhost';
  }
  if (typeof first === 'number') return typeof second === 'string' ? second : 'localhost';
  return undefined;
}

net.Socket.prototype.connect = function connect(this: net.Socket, ...args: unknown[]) {
  const host = hostOf(args);
  if (host !== undefined && !LOOPBACK.test(host)) {
    throw new Error(`Test tried to reach ${host}: only loopback is allowed in tests`);
  }
  return Reflect.apply(originalConnect, this, args) as net.Socket;
};
