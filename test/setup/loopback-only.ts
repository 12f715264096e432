import dns from 'node:dns';
import net from 'node:net';

// Tests talk to our own Bynder emulator on loopback and nothing else (as Segment's
// setup-after-env blocks the network): any other destination fails the test loudly. A host name
// other than localhost is let through only with a stubbed resolver (never real DNS), and only to
// the loopback addresses that resolver answers.
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost|::ffff:127\.\d+\.\d+\.\d+)$/;

type Connect = typeof net.Socket.prototype.connect;
/** Where the guard keeps the connect it wraps: files sharing a worker run this setup once each. */
const UNGUARDED = Symbol.for('loopback-only: the unguarded net.Socket.prototype.connect');
type GuardedConnect = Connect & { [UNGUARDED]?: Connect };

// eslint-disable-next-line @typescript-eslint/unbound-method -- re-applied below with the socket as `this`
const current: GuardedConnect = net.Socket.prototype.connect;
const originalConnect = current[UNGUARDED] ?? current;
const realLookup = dns.lookup;

interface Target {
  host: string;
  /** The options object to hand on, when the host is a name its resolver is wrapped in. */
  options?: net.TcpSocketConnectOpts;
}

function targetOf(args: unknown[]): Target | undefined {
  // net.createConnection (used by http.request) passes one normalised [options, callback] array.
  const [first, second] = Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  if (typeof first === 'object' && first !== null && !Array.isArray(first)) {
    const options = first as net.TcpSocketConnectOpts & { path?: unknown };
    if (typeof options.path === 'string') return undefined; // unix socket (vitest's own workers)
    return { host: typeof options.host === 'string' ? options.host : 'localhost', options };
  }
  if (typeof first === 'number') return { host: typeof second === 'string' ? second : 'localhost' };
  return undefined;
}

/** The options with a resolver that lets only loopback answers through. */
function loopbackOnlyResolver(host: string, options: net.TcpSocketConnectOpts): net.TcpSocketConnectOpts {
  const resolve: net.LookupFunction = options.lookup ?? dns.lookup;
  if (resolve === realLookup) {
    throw new Error(`Test tried to resolve ${host} through DNS: stub the resolver`);
  }
  const lookup: net.LookupFunction = (hostname, lookupOptions, callback) =>
    resolve(hostname, lookupOptions, (error, address, family) => {
      const found = Array.isArray(address) ? address.map((entry) => entry.address) : [address];
      const outside = found.find((ip) => !LOOPBACK.test(ip));
      if (error === null && outside !== undefined) {
        callback(
          new Error(`Test tried to reach ${outside} (${hostname}): only loopback is allowed in tests`),
          '',
        );
        return;
      }
      callback(error, address, family);
    });
  return { ...options, lookup };
}

const guardedConnect: GuardedConnect = function connect(this: net.Socket, ...args: unknown[]) {
  const target = targetOf(args);
  if (target !== undefined && !LOOPBACK.test(target.host)) {
    if (target.options === undefined || net.isIP(target.host) !== 0) {
      throw new Error(`Test tried to reach ${target.host}: only loopback is allowed in tests`);
    }
    const options = loopbackOnlyResolver(target.host, target.options);
    if (Array.isArray(args[0])) (args[0] as unknown[])[0] = options;
    else args[0] = options;
  }
  return Reflect.apply(originalConnect, this, args) as net.Socket;
};
guardedConnect[UNGUARDED] = originalConnect;
net.Socket.prototype.connect = guardedConnect;
