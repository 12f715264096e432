import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { parse } from 'yaml';

import type { AppDestination, AppManifest } from './app-manifest';
import type { AppLoader } from './app-loader';
import { describeLoadError, extendsClass, hasMethod, namedExport } from './app-loader';
import { destinationSchemaShapeErrors, validateDestinationSchema } from './destination-schema-rules';

// Contract 5.6 (destinations) and 5.7 (static schema files under dist/destinations/schema/).

function loadClass(loader: AppLoader, entryPoint: string): { found: unknown } | { error: unknown } {
  try {
    return { found: namedExport(loader.load(`destinations/${entryPoint}`), entryPoint) };
  } catch (error) {
    return { error };
  }
}

function validateDestinationClass(loader: AppLoader, name: string, entryPoint: string): string[] {
  const loaded = loadClass(loader, entryPoint);
  if ('error' in loaded) return [`Error loading entry point ${name}. ${describeLoadError(loaded.error)}`];
  // The SDK prints `null` when the module loads without an export of that name.
  if (loaded.found === undefined) return [`Error loading entry point ${name}. null`];
  const errors: string[] = [];
  if (!extendsClass(loaded.found, loader.sdk.Destination)) {
    errors.push(`Destination entry point does not extend App.Destination: ${entryPoint}`);
  }
  // "prepare" and "perform" (sic): the SDK's wording for missing ready() and deliver().
  if (!hasMethod(loaded.found, 'ready')) {
    errors.push(`Destination entry point is missing the prepare method: ${entryPoint}`);
  }
  if (!hasMethod(loaded.found, 'deliver')) {
    errors.push(`Destination entry point is missing the perform method: ${entryPoint}`);
  }
  return errors;
}

function validateSchemaFunction(loader: AppLoader, entryPoint: string): string[] {
  const loaded = loadClass(loader, entryPoint);
  if ('error' in loaded) {
    return [
      `Error loading DestinationSchemaFunction entry point ${entryPoint}. ${describeLoadError(loaded.error)}`,
    ];
  }
  // Stricter than the SDK, which lets a missing export pass silently although the platform
  // could not construct it; reported in the wording of the destination class check.
  if (loaded.found === undefined) {
    return [`Error loading DestinationSchemaFunction entry point ${entryPoint}. null`];
  }
  const errors: string[] = [];
  if (!extendsClass(loaded.found, loader.sdk.DestinationSchemaFunction)) {
    errors.push(
      `DestinationSchemaFunction entry point does not extend App.DestinationSchemaFunction: ${entryPoint}`,
    );
  }
  if (!hasMethod(loaded.found, 'getDestinationsSchema')) {
    errors.push(
      `DestinationSchemaFunction entry point is missing the getDestinationsSchema method: ${entryPoint}`,
    );
  }
  return errors;
}

function validateSchemaProperty(
  distDir: string,
  loader: AppLoader,
  name: string,
  destination: AppDestination,
): string[] {
  const schema: unknown = destination.schema;
  if (!schema) return [`Destination is missing the schema property: ${name}`];
  if (typeof schema === 'string') {
    if (schema.trim() === '') return [`Destination schema property cannot be empty: ${name}`];
    const base = path.join(distDir, 'destinations/schema', schema);
    return existsSync(`${base}.yml`) || existsSync(`${base}.yaml`)
      ? []
      : [`File not found for Destination schema ${schema}`];
  }
  if (typeof schema !== 'object') {
    return [`Destination schema property must be a string or an object: ${name}`];
  }
  return validateSchemaFunction(loader, (schema as { entry_point: string }).entry_point);
}

export function validateDestinations(manifest: AppManifest, distDir: string, loader: AppLoader): string[] {
  return Object.entries(manifest.destinations ?? {}).flatMap(([name, destination]) => {
    const errors = [
      ...validateDestinationClass(loader, name, destination.entry_point),
      ...validateSchemaProperty(distDir, loader, name, destination),
    ];
    if (destination.supports_delete !== undefined && typeof destination.supports_delete !== 'boolean') {
      errors.push(`Destination supports_delete must be a boolean: ${name}`);
    }
    return errors;
  });
}

/** Static schema files: shape, then the 5.7 rules, then "name must match file base name". */
export function validateStaticDestinationSchemas(distDir: string): string[] {
  const folder = path.join(distDir, 'destinations/schema');
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort()
    .flatMap((file) => {
      const label = `destinations/schema/${file}`;
      const schema: unknown = parse(readFileSync(path.join(folder, file), 'utf8'));
      const shapeErrors = destinationSchemaShapeErrors(schema, label);
      if (shapeErrors.length > 0) return shapeErrors;
      const nameMatches = (schema as { name: string }).name === file.replace(/\.ya?ml$/, '');
      return [
        ...(nameMatches ? [] : [`Invalid ${label}: name must match file base name`]),
        ...validateDestinationSchema(schema, label),
      ];
    });
}
