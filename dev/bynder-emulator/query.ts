import type { Request } from 'express';

const DEFAULT_LIMIT = 50;
/** Bynder's documented maximum page size for media and options (https://api.bynder.com/reference/get_api-v4-media). */
const MAX_LIMIT = 1000;

/** One query parameter as a string (the last one when repeated). */
export function queryValue(req: Request, name: string): string | undefined {
  const value: unknown = req.query[name];
  const last: unknown = Array.isArray(value) ? value.at(-1) : value;
  return typeof last === 'string' ? last : undefined;
}

/** Bynder's loose flags: 1/true switch on, 0/false switch off, anything else keeps the default. */
export function queryFlag(req: Request, name: string, fallback: boolean): boolean {
  const value = queryValue(req, name)?.toLowerCase();
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  return fallback;
}

export function queryList(req: Request, name: string): string[] | undefined {
  const value = queryValue(req, name);
  return value === undefined
    ? undefined
    : value
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== '');
}

/**
 * `limit` (default 50, or the endpoint's own default) and `page` (1-based). Bynder does not
 * document what a limit over 1,000 does (https://api.bynder.com/reference/get_api-v4-media); the emulator clamps it to 1,000, an
 * assumption clients must not rely on.
 */
export function queryPaging(req: Request, defaultLimit = DEFAULT_LIMIT): { limit: number; page: number } {
  const limit = Number.parseInt(queryValue(req, 'limit') ?? '', 10);
  const page = Number.parseInt(queryValue(req, 'page') ?? '', 10);
  return {
    limit: Number.isFinite(limit) && limit > 0 ? Math.min(limit, MAX_LIMIT) : defaultLimit,
    page: Number.isFinite(page) && page > 0 ? page : 1,
  };
}

export function pageOf<T>(items: T[], paging: { limit: number; page: number }): T[] {
  const start = (paging.page - 1) * paging.limit;
  return items.slice(start, start + paging.limit);
}
