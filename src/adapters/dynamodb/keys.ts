/**
 * The single-table key design. One place, so docs/ARCHITECTURE.md and the code cannot drift apart.
 *
 *   entity         pk                                   sk                       gsi1pk                 gsi1sk
 *   member         MEMBER#<memberId>                    MEMBER                   MEMBERS                <organisation lower-cased>#<memberId>
 *   sender         SENDER#<email>                       SENDER                   —                      —
 *   inbound msg    INBOUND#<messageId>                  INBOUND                  INBOUND#<outcome>      <receivedAt>
 *   update         UPDATE#<updateId>                    UPDATE                   UPDATES#<status>       <receivedAt>#<updateId>
 *   subscriber     SUB#<subscriberId>                   SUB                      SUBS#<status>          <email>
 *   sub. event     SUB#<subscriberId>                   EVENT#<at>#<rand>        —                      —
 *   suppression    SUPP#<sha256(email)>                 SUPP                     SUPPS                  <at>
 *   edition        EDITION#<number, 6 digits>           EDITION                  EDITIONS               <number, 6 digits>
 *   counter        COUNTER#<name>                       COUNTER                  —                      —
 *   delivery       DELIVERY#<campaign>                  <subscriberId>           —                      —
 *   delivery log   DELIVERY#<campaign>                  #LOG#<run>#<seq>         —                      —
 *   stats          STATS#<campaign>                     STATS                    —                      —
 *   link clicks    STATS#<campaign>                     LINK#<normalised url>    —                      —
 *   send job       SENDJOB#<campaign>                   SENDJOB                  SENDJOBS#<status>      <startedAt>
 *   deadline       DEADLINE#<deadlineId>                DEADLINE                 DEADLINES#<status>     <dueAt>
 *   reminder       DEADLINE#<deadlineId>                REMINDER#<offset>        REMINDERS#<status>     <fireAt>#<deadlineId>
 *   local schedule SCHEDULE#<name>                      SCHEDULE                 SCHEDULES              <at>
 *   rate limit     RATE#<bucket>                        <window>                 —                      —
 *   event ledger   LEDGER#<source>:<id>                 LEDGER                   —                      —
 *   segment        SEGMENT#<segmentId>                  SEGMENT                  SEGMENTS               <segmentId>
 *   member notice  NOTICE#notice:<updateId>:<event>:<n> NOTICE                   NOTICES#<status>       <nextAttemptAt | givenUpAt>#<key>
 *
 * Items carry `type` (the entity name) and, where they expire, `ttl` (epoch seconds; TTL is enabled on AWS).
 */
export const pad = (n: number, width = 6) => String(n).padStart(width, '0');

export const keys = {
  member: (memberId: string) => ({ pk: `MEMBER#${memberId}`, sk: 'MEMBER' }),
  sender: (email: string) => ({ pk: `SENDER#${email.toLowerCase()}`, sk: 'SENDER' }),
  inbound: (messageId: string) => ({ pk: `INBOUND#${messageId}`, sk: 'INBOUND' }),
  update: (updateId: string) => ({ pk: `UPDATE#${updateId}`, sk: 'UPDATE' }),
  subscriber: (subscriberId: string) => ({ pk: `SUB#${subscriberId}`, sk: 'SUB' }),
  subscriberEvent: (subscriberId: string, at: string, rand: string) => ({
    pk: `SUB#${subscriberId}`,
    sk: `EVENT#${at}#${rand}`,
  }),
  subscriberItems: (subscriberId: string) => ({ pk: `SUB#${subscriberId}` }),
  ledger: (key: string) => ({ pk: `LEDGER#${key}`, sk: 'LEDGER' }),
  suppression: (emailHash: string) => ({ pk: `SUPP#${emailHash}`, sk: 'SUPP' }),
  edition: (num: number) => ({ pk: `EDITION#${pad(num)}`, sk: 'EDITION' }),
  counter: (name: string) => ({ pk: `COUNTER#${name}`, sk: 'COUNTER' }),
  delivery: (campaign: string, subscriberId: string) => ({ pk: `DELIVERY#${campaign}`, sk: subscriberId }),
  deliveries: (campaign: string) => ({ pk: `DELIVERY#${campaign}` }),
  stats: (campaign: string) => ({ pk: `STATS#${campaign}`, sk: 'STATS' }),
  /** One counter per (campaign, link): the campaign's links are one Query on pk + begins_with(sk, "LINK#"). */
  statsLink: (campaign: string, link: string) => ({ pk: `STATS#${campaign}`, sk: `LINK#${link}` }),
  statsLinks: (campaign: string) => ({ pk: `STATS#${campaign}`, skPrefix: 'LINK#' }),
  sendJob: (campaign: string) => ({ pk: `SENDJOB#${campaign}`, sk: 'SENDJOB' }),
  deadline: (deadlineId: string) => ({ pk: `DEADLINE#${deadlineId}`, sk: 'DEADLINE' }),
  reminder: (deadlineId: string, offset: string) => ({
    pk: `DEADLINE#${deadlineId}`,
    sk: `REMINDER#${offset}`,
  }),
  schedule: (name: string) => ({ pk: `SCHEDULE#${name}`, sk: 'SCHEDULE' }),
  segment: (segmentId: string) => ({ pk: `SEGMENT#${segmentId}`, sk: 'SEGMENT' }),
  rateWindow: (bucket: string, window: string) => ({ pk: `RATE#${bucket}`, sk: window }),
  /** A member notice still owed (retried) or given up (issue 15). */
  notice: (key: string) => ({ pk: `NOTICE#${key}`, sk: 'NOTICE' }),
} as const;

/** Names shared by the table definition (local bootstrap and CDK). */
export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  gsi1: { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  ttlAttribute: 'ttl',
} as const;
