import net from 'node:net';

// Tests talk to our own Bynder emulator on loopback and nothing else (as Segment's
// setup-after-env blocks the network): any other destination fails the test loudly.
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost|::ffff:127\.\d+\.\d+\.\d+)$/;

const originalConnect = net.Socket.prototype.connect;

function hostOf(args: unknown[]): string | undefined {
  const [first] = args;
  if (typeof first === 'object' && first !== null && !Array.isArray(first)) {
    const options = first as { host?: unknown; path?: unknown };
    if (typeof options.path === 'string') return undefined; // unix socket (vitest's own workers)
    return typeof options.host === 'string' ? options.host : 'localhost';
  }
  if (typeof first === 'number') return typeof args[1] === 'string' ? args[1] : 'localhost';
  return undefined;
}

net.Socket.prototype.connect = function connect(this: net.Socket, ...args: unknown[]) {
  const host = hostOf(args);
  if (host !== undefined && !LOOPBACK.test(host)) {
    throw new Error(`Test tried to reach ${host}: only loopback is allowed in tests`);
  }
  // eslint-disable-next-line @typescript-eslint/no-unsafe-argument -- pass-through of Node's overloaded arguments
  return originalConnect.apply(this, args as any);
} as typeof net.Socket.prototype.connect;
