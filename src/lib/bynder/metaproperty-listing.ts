import type { Metaproperty } from './api-types';
import { OPTION_METAPROPERTY_TYPES, PAGE_SIZE } from './constants';

// How the field model's metaproperties are listed at a cost proportionate to the portal. Bynder's
// listing embeds each metaproperty's options by default (`options=1`), so one request usually
// answers everything; only lists that may be incomplete are paged from the options endpoint.
//
// When an embedded list is complete is not documented. The rule: an embedded list of fewer than
// PAGE_SIZE (1,000) top-level options is taken as complete; at or over it, the list is paged, as is
// an option metaproperty the listing shows without an options array. So a truncated embedded list
// goes unnoticed only if Bynder cut it below 1,000, the largest page it serves anywhere; a
// megaproperty (10,000 options or more, which Bynder advises against) is always paged.

/** An embedded option list this long or longer is paged to be sure it is complete. */
export const EMBEDDED_OPTIONS_TRUSTED_BELOW = PAGE_SIZE;

/** Option lists paged at the same time; every request still waits for the request budget. */
export const OPTION_PAGING_CONCURRENCY = 4;

/** Whether a listed metaproperty's options must be fetched from the options endpoint. */
export function needsOptionPaging(metaproperty: Metaproperty): boolean {
  const embedded = metaproperty.options;
  if (embedded === undefined) return OPTION_METAPROPERTY_TYPES.has(metaproperty.type);
  return embedded.length >= EMBEDDED_OPTIONS_TRUSTED_BELOW;
}
