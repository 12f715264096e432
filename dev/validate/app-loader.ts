import Module, { createRequire } from 'node:module';
import path from 'node:path';

import { register } from 'tsx/cjs/api';

// Loads the built app (dist/*.js, CommonJS) with Node's own require, as OCP does, and hands out
// the @zaiusinc/app-sdk instance *that the app resolves*, so `instanceof` compares against the very
// module the classes extend, whichever SDK that is (real package or stand-in).
//
// Under `tsx dev/cli/main.ts` tsx already maps the SDK through tsconfig `paths`. Under vitest (or
// plain node) nothing does: then a resolve hook points the SDK at the project's choice (the real
// package in node_modules, else the stand-in) and tsx's CommonJS hook compiles the stand-in.

const SDK = '@zaiusinc/app-sdk';
const PROJECT_ROOT = path.resolve(__dirname, '../..');
const STAND_IN = path.join(PROJECT_ROOT, 'dev/app-sdk/index.ts');

type ResolveFilename = (request: string, parent: unknown, ...rest: unknown[]) => string;
// `_resolveFilename` is Node's documented-by-use hook point for CommonJS resolution (tsx uses it too).
const moduleInternals = Module as unknown as { _resolveFilename: ResolveFilename };
let hookInstalled = false;

function projectSdkPath(): string {
  try {
    return createRequire(path.join(PROJECT_ROOT, 'package.json')).resolve(SDK);
  } catch {
    return STAND_IN;
  }
}

function ensureSdkResolvable(appRequire: NodeJS.Require): void {
  try {
    appRequire.resolve(SDK);
    return;
  } catch {
    // Not resolvable from the app: fall through and install the hook once.
  }
  if (hookInstalled) return;
  hookInstalled = true;
  const target = projectSdkPath();
  if (target.endsWith('.ts') && !('.ts' in createRequire(__filename).extensions)) register();
  const original = moduleInternals._resolveFilename;
  moduleInternals._resolveFilename = function resolveSdk(request, parent, ...rest) {
    return original.call(this, request === SDK ? target : request, parent, ...rest);
  };
}

export interface AppLoader {
  /** The SDK module the app's classes resolve (for instanceof checks). */
  sdk: Record<string, unknown>;
  /** Requires `<distDir>/<relativePath>`; throws what require throws. */
  load(relativePath: string): Record<string, unknown>;
}

export function createAppLoader(distDir: string): AppLoader {
  const appRequire = createRequire(path.join(path.resolve(distDir), 'app.yml'));
  ensureSdkResolvable(appRequire);
  return {
    sdk: appRequire(SDK) as Record<string, unknown>,
    load: (relativePath) => appRequire(path.resolve(distDir, relativePath)) as Record<string, unknown>,
  };
}

/** A class exported under `name`, or undefined (a default export does not count, as in the SDK). */
export function namedExport(module: Record<string, unknown>, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(module, name) ? module[name] : undefined;
}

/** True when `candidate` is a class whose prototype chain includes `base`'s prototype. */
export function extendsClass(candidate: unknown, base: unknown): boolean {
  if (typeof candidate !== 'function' || typeof base !== 'function') return false;
  return (candidate as { prototype: unknown }).prototype instanceof base;
}

/** True when instances of `candidate` would have a method `name` (own or inherited). */
export function hasMethod(candidate: unknown, name: string): boolean {
  if (typeof candidate !== 'function') return false;
  const prototype = (candidate as { prototype: Record<string, unknown> }).prototype;
  return typeof prototype[name] === 'function';
}

/** `String(error)` without Node's require stack, which names absolute paths of this machine. */
export function describeLoadError(error: unknown): string {
  return String(error).split('\n')[0] ?? String(error);
}
