// The texts a person reads: the settings form's connection verdicts, the Activity Log notices and
// OCP's failure reasons. Kept in one module so their wording is seen, and changed, in one place;
// the modules that decide what happened pick the text here and fill in the facts.

import { OUTBOX_JOB_EVERY } from './outbox-schedule';
import { shorten } from './shorten';

/** Where in Bynder's admin a person creates the credentials this app asks for. */
export const PERMANENT_TOKENS_PAGE = 'Settings > Advanced Settings > Portal Settings > Permanent Tokens';
export const OAUTH_APPS_PAGE = 'Settings > Advanced Settings > Portal Settings > OAuth Apps';

/** The rights the app needs in Bynder, as scopes (OAuth) and roles (the token's user). */
const RIGHTS =
  'read metaproperties and assets and edit assets (scopes meta.assetbank:read, asset:read, asset:write; role MEDIAEDIT, plus MEDIAREMOVE for the delete policy "delete")';

/** What uploading needs: the right a 403 on any step of the upload flow is missing. */
const UPLOAD_RIGHTS =
  'upload assets (role MEDIAUPLOAD; with only MEDIAUPLOADFORAPPROVAL, uploads wait in the waiting room and cannot add versions; scope asset:write)';

/** What a failed request to the portal tells the person who set the app up (settings form, ready()). */
export const connectionMessages = {
  tokenRefused: (portal: string, status: number) =>
    `${portal} refused the permanent token (${status}): it is wrong, revoked, or made for another portal. Create a new token in Bynder under ${PERMANENT_TOKENS_PAGE}, paste it into "Permanent token" and test again.`,
  clientRefused: (portal: string, status: number) =>
    `${portal} refused the OAuth client credentials (${status}): the client id or client secret is wrong, or the OAuth app does not allow the Client Credentials grant. Check the OAuth app in Bynder under ${OAUTH_APPS_PAGE}, enter its client id and secret and test again.`,
  permissionDenied: (portal: string, byToken: boolean, route: string, uploading: boolean) => {
    const who = byToken ? "the permanent token's user" : "the OAuth app's assigned user";
    return `${portal} accepted the ${byToken ? 'token' : 'client credentials'} but denied access (403) to ${route}. In Bynder, let ${who} ${uploading ? UPLOAD_RIGHTS : RIGHTS}, then test again.`;
  },
  rateLimitBlocked: (portal: string, blockedUntil: number) =>
    `${portal} was not asked: Bynder's rate limit was exceeded (429) and its block lasts until ${new Date(blockedUntil).toISOString()}; every request before then would restart Bynder's five quiet minutes. Nothing says your settings are wrong: test again after that time.`,
  rateLimited: (portal: string) =>
    `${portal} is blocking requests from this IP address because Bynder's rate limit was exceeded (429). Nothing says your settings are wrong: wait about 5 minutes and test again.`,
  bynderTrouble: (portal: string, status: number) =>
    `${portal} answered ${status}: Bynder is having trouble, so the settings could not be checked. Try again in a few minutes.`,
  hostNotFound: (portal: string) =>
    `The portal's host name ${new URL(portal).hostname} was not found (DNS). Check the spelling of "Portal", for example acme.bynder.com.`,
  privateAddress: (portal: string) =>
    `${portal} resolves to a private address (this host or a private network), which the app never connects to. Enter your Bynder portal, for example acme.bynder.com.`,
  // One message for refused, reset and timed out alike: telling them apart would let the form probe
  // which ports are open on a host. The log line of the request keeps the code.
  unreachable: (portal: string) =>
    `${portal} could not be reached (no answer). Check "Portal" and that the portal is online, then test again.`,
  /** `why`: one of the notAPortalBecause texts. */
  notAPortal: (portal: string, why: string) =>
    `${portal} is not a Bynder portal: ${why}. Enter the address of your Bynder portal, for example acme.bynder.com or your portal's custom domain.`,
  unexpected: (what: string) =>
    `The connection test failed unexpectedly (${what}). Check the settings and test again; if it keeps failing, the app's logs have details.`,
} as const;

/** Why a host is not a Bynder portal, as connectionMessages.notAPortal words it. */
export const notAPortalBecause = {
  redirects: (status: number) => `it redirects (${status})`,
  noTokenEndpoint: 'it has no OAuth token endpoint (404)',
  noApi: 'it has no Bynder API (404)',
  notApiData: 'its answer is not Bynder API data',
} as const;

// ── Held deletes (the mass-delete threshold, "Deletes and archives per hour" in Records) ─────────

/** Where an administrator releases or discards held deletes. */
export const HELD_FIX =
  'release them (they are then sent) or discard them in the app\'s settings, section "Sync status"; to let more through from now on, raise "Deletes and archives per hour" in section "Records"';

const MASS_DELETE_LIMIT = (perHour: number) =>
  `"Deletes and archives per hour" (${perHour.toLocaleString('en-US')} per sync an hour)`;

// ── OCP's failureReason for a batch (delivery/outcome.ts counts, these word it) ─────────────────

export const failureReasonTexts = {
  pending: (pending: number, total: number, causes: string) =>
    `${pending} of ${total} records pending (${causes})`,
  parked: (held: number) =>
    `${held} parked in the outbox: the app delivers them itself once Bynder accepts them (the scheduled job tries ${OUTBOX_JOB_EVERY})`,
  kept: (kept: number) =>
    `${kept} rejected record${kept === 1 ? '' : 's'} kept for a retry once Bynder has the missing option or asset`,
  keptDropped: (dropped: number) =>
    `${dropped} rejected record${dropped === 1 ? '' : 's'} not kept for a retry, past the outbox's bound for them: run the sync again for them once their cause is fixed`,
  outboxDropped: (dropped: number, keys: readonly string[]) =>
    `${dropped} parked records dropped, the outbox is full (lost: ${shorten(keys.join(', '), 300)})`,
  held: (held: number, total: number, perHour: number) =>
    `${held} of ${total} records held: deletes and archives past ${MASS_DELETE_LIMIT(perHour)}; ${HELD_FIX}`,
  heldOverflow: (perHour: number) =>
    `not sent: a delete or archive past ${MASS_DELETE_LIMIT(perHour)}, and the list of held deletes is full; ${HELD_FIX}, then sync this record again`,
  applied: (applied: number) => `${applied} applied`,
  rejectedIntro: (rejected: number, total: number) => `${rejected} of ${total} records rejected: `,
  andMore: (more: number) => `; and ${more} more`,
} as const;

// ── Activity Log notices (notices/notices.ts decides when and sends them) ──────────────────────

/** A notice's three texts, as OCP's Activity Log shows them. */
export interface NoticeText {
  title: string;
  summary: string;
  details: string;
}

/** Where an administrator sees every batch's outcome and reasons. */
const WHERE_TO_LOOK =
  "Each failed batch and its reasons are listed under the sync's Executions in Data Setup > Sync Manager; the app's Troubleshooting tab has one log line per batch.";
const ONCE_AN_HOUR = 'This notice is sent at most once an hour per sync and cause.';
/** When parked records are tried again; the interval is the outbox job's schedule. */
const PARKED_RETRIES = `The app tries them again at the start of every delivery and ${OUTBOX_JOB_EVERY} from its scheduled job.`;

function syncTitle(syncName: string): string {
  return `Sync "${shorten(syncName, 80)}"`;
}

export const noticeTexts = {
  heldDeletes: (held: number, heldInAll: number, perHour: number, syncName: string): NoticeText => ({
    title: `${syncTitle(syncName)}: ${held} delete${held === 1 ? '' : 's'} held back, not sent to Bynder`,
    summary: `The sync asked to delete or archive more assets than ${MASS_DELETE_LIMIT(perHour)} allows, so ${held} ${held === 1 ? 'was' : 'were'} held back by the app instead of being sent (${heldInAll} held in all, every sync). A filter or mapping that went wrong can look like this.`,
    details: `Check the sync's source. Then ${HELD_FIX}. The "Sync status" section lists the held deletes; the app's Troubleshooting tab has one log line per batch. ${ONCE_AN_HOUR}`,
  }),

  /** What "the app tries them again" means for parked records, after the batch's stop (if any). */
  parkedFix: (stopMessage: string | undefined): string =>
    stopMessage === undefined ? PARKED_RETRIES : `${shorten(stopMessage, 200)}. ${PARKED_RETRIES}`,

  createdOptions: (
    created: ReadonlyArray<{ metaproperty: string; label: string; name: string }>,
    syncName: string,
  ): NoticeText => {
    const listed = created
      .slice(0, 20)
      .map(
        (c) => `"${shorten(c.label, 100)}" (${shorten(c.name, 100)}) in "${shorten(c.metaproperty, 100)}"`,
      );
    const more = created.length > 20 ? `, and ${created.length - 20} more` : '';
    const one = created.length === 1;
    return {
      title: one
        ? `${syncTitle(syncName)}: created the option "${shorten(created[0]?.label ?? '', 100)}" in Bynder`
        : `${syncTitle(syncName)}: created ${created.length} options in Bynder`,
      summary: `Records held values that were not options, and "Values that are not an option" is set to create them: ${listed.join(', ')}${more}.`,
      details: `The records were written with the new ${one ? 'option' : 'options'}. To stop creating options, choose "Reject the record" or "Drop the unknown value" in the app's Records settings; rename or merge options in Bynder's taxonomy. ${ONCE_AN_HOUR}`,
    };
  },
  droppedFields: (dropped: ReadonlyArray<[string, number]>, syncName: string): NoticeText => {
    const names = dropped.map(([field]) => `"${shorten(field, 62)}"`);
    const counted = dropped
      .map(([field, n]) => `"${shorten(field, 62)}" (${n} record${n === 1 ? '' : 's'})`)
      .join(', ');
    const one = dropped.length === 1;
    return {
      title: one
        ? `${syncTitle(syncName)}: mapped field ${names[0] ?? ''} is no longer in Bynder`
        : `${syncTitle(syncName)}: ${dropped.length} mapped fields are no longer in Bynder`,
      summary: `Bynder no longer has ${one ? 'the field' : 'the fields'} ${counted} (deleted in Bynder, or no longer editable), so ${one ? 'its' : 'their'} values were left out of those records; the rest of each record was applied.`,
      details: `Remove ${names.join(', ')} from the sync's field mapping in Data Setup > Sync Manager, or restore ${one ? 'the metaproperty' : 'the metaproperties'} in Bynder. Until then ${one ? 'its' : 'their'} values are dropped from every record. ${ONCE_AN_HOUR}`,
    };
  },

  outboxDropped: (records: number, droppedKeys: readonly string[], syncName: string): NoticeText => {
    const keys = shorten(droppedKeys.map((k) => JSON.stringify(shorten(k, 60))).join(', '), 600);
    return {
      title: `${syncTitle(syncName)}: ${records} parked record${records === 1 ? '' : 's'} dropped, the outbox is full`,
      summary: `The outbox holds records OCP will not send again; it was full, so ${records} of the oldest ${records === 1 ? 'was' : 'were'} dropped and will not reach Bynder (keys: ${keys}).`,
      details: `Fix what keeps records from being delivered (the other notices say what), then run the sync again for these records so OCP sends them once more. ${ONCE_AN_HOUR}`,
    };
  },

  rateLimit: (blockedUntil: number, syncName: string): NoticeText => {
    const until = new Date(blockedUntil).toISOString();
    return {
      title: `${syncTitle(syncName)}: Bynder's rate limit blocked delivery`,
      summary: `Bynder answered "too many requests" (429) and blocks this app's requests until about ${until}; nothing is sent until then, and OCP delivers the batches handed back again later.`,
      details: `Lower "Requests per second" (or "Requests in flight") in the app's Throughput settings, especially when several syncs or other tools use the same Bynder portal. Bynder lifts its block after five minutes without requests. ${WHERE_TO_LOOK} ${ONCE_AN_HOUR}`,
    };
  },

  /** `shown`: "n × reason" for the reasons named; `keys`: the first rejected subjects. */
  rejections: (
    rejected: { count: number; total: number; shown: readonly string[]; otherReasons: number },
    first: { keys: readonly string[]; moreKeys: number },
    syncName: string,
  ): NoticeText => {
    const { count, total, shown, otherReasons } = rejected;
    return {
      title: `${syncTitle(syncName)}: ${count} record${count === 1 ? '' : 's'} rejected`,
      summary: `${count} of ${total} records in a batch were not written to Bynder because of their data (retrying cannot fix them): ${shown.join('; ')}${otherReasons > 0 ? `; and ${otherReasons} other reasons` : ''}.`,
      details: `First rejected: ${first.keys.join(', ')}${first.moreKeys > 0 ? ` and ${first.moreKeys} more` : ''}. Correct the values in the source (or the field mapping) and sync again. ${WHERE_TO_LOOK} ${ONCE_AN_HOUR}`,
    };
  },

  credentials: (kind: 'credentials' | 'permissions', message: string): NoticeText => ({
    title: kind === 'credentials' ? "Bynder refused the app's credentials" : 'Bynder denied the app access',
    summary: message,
    details: `Data syncs to Bynder Assets deliver nothing until this is fixed; OCP does not retry the batches refused meanwhile. Fix it in the app's Connection settings (or in Bynder), then use "Test connection". Another notice says when the credentials work again. ${WHERE_TO_LOOK}`,
  }),

  credentialsWorkAgain: (portalUrl: string): NoticeText => ({
    title: "Bynder accepts the app's credentials again",
    summary: `${portalUrl} accepted the app's credentials in a connection test: data syncs to Bynder Assets deliver again.`,
    details: `Batches refused while the credentials did not work are not retried by OCP; run those syncs again if records are missing. ${WHERE_TO_LOOK}`,
  }),

  /** `redelivery`: whether OCP delivers the batch again (delivery-attempt.ts, redeliveryAfter). */
  parked: (
    parked: { records: number; cause: string; fix: string; redelivery: 'expected' | 'possible' | 'none' },
    syncName: string,
  ): NoticeText => {
    const { records } = parked;
    const them = records === 1 ? 'it' : 'them';
    const ocp =
      parked.redelivery === 'none'
        ? `OCP will not send ${them} again`
        : `OCP may not send ${them} again (this was its third or a later attempt)`;
    return {
      title: `${syncTitle(syncName)}: ${records} record${records === 1 ? '' : 's'} parked for a later delivery`,
      summary: `${records} record${records === 1 ? ' was' : 's were'} not delivered (${shorten(parked.cause, 200)}) and ${ocp}, so the app keeps ${them} and delivers ${them} itself once Bynder accepts them.`,
      details: `${shorten(parked.fix, 600)} Another notice says when parked records are delivered. ${ONCE_AN_HOUR}`,
    };
  },

  parkedDelivered: (records: number, stillParked: number, syncName: string): NoticeText => {
    const left =
      stillParked > 0
        ? `; ${stillParked} are still parked and will be tried again`
        : '; none are left parked';
    return {
      title: `${syncTitle(syncName)}: ${records} parked record${records === 1 ? '' : 's'} delivered`,
      summary: `${records} record${records === 1 ? '' : 's'} parked earlier ${records === 1 ? 'was' : 'were'} delivered to Bynder${left}.`,
      details: `Nothing to do. ${ONCE_AN_HOUR}`,
    };
  },
} as const;
