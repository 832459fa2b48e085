import { createEvent, type EventAttributes } from 'ics';
import type { Deadline } from '../../domain/index.ts';

/** RFC 5545 3.1: content lines SHOULD NOT be longer than 75 octets, excluding the line break. */
const MAX_OCTETS = 75;

/**
 * Folds every content line at 75 octets of UTF-8, never inside a character (RFC 5545 3.1). The `ics`
 * library folds at 75 characters: a Chinese SUMMARY of 63 characters is 189 octets on one line, which
 * strict parsers and some calendar servers refuse or cut. Its own folds are undone first, so this is the
 * only folding; a continuation line starts with one space, which counts towards its 75.
 */
export function foldOctets(ics: string): string {
  const lines = ics.replace(/\r\n[ \t]/g, '').split('\r\n');
  const out: string[] = [];
  for (const line of lines) {
    let current = '';
    let octets = 0;
    for (const ch of line) {
      const n = Buffer.byteLength(ch);
      if (octets + n > MAX_OCTETS) {
        out.push(current);
        current = ' ';
        octets = 1;
      }
      current += ch;
      octets += n;
    }
    out.push(current);
  }
  return out.join('\r\n');
}

/**
 * The calendar entry of a reminder. An event spans its start and end. A deadline is a moment, not a
 * meeting: a zero-length entry (DTSTART and no DTEND, RFC 5545 3.6.1) at the due instant, transparent (it
 * blocks no time). It used to be 15 minutes long, so "closes 23:59" spilled into the next day.
 */
export function buildIcs(d: Deadline, productName: string, stamp?: Date): string {
  const start = new Date(d.dueAt).getTime();
  const end = d.kind === 'event' && d.endAt ? new Date(d.endAt).getTime() : undefined;
  // The library's types insist on an end or a duration; at run time it writes neither when given neither,
  // which is exactly the zero-length entry RFC 5545 defines (the calendar test parses the result).
  const r = createEvent({
    start,
    startInputType: 'utc',
    startOutputType: 'utc',
    ...(end !== undefined && end > start ? { end, endInputType: 'utc', endOutputType: 'utc' } : {}),
    ...(stamp ? { timestamp: stamp.getTime() } : {}),
    title: d.title,
    description: [d.description, d.link].filter(Boolean).join('\n\n') || undefined,
    url: d.link,
    // Stable UID + SEQUENCE = version: a later reminder updates the same calendar entry instead of adding one.
    uid: `${d.deadlineId}@gazette`,
    sequence: d.version,
    productId: `-//${productName.replace(/[^\w .-]/g, '')}//reminders//EN`,
    method: 'PUBLISH',
    status: 'CONFIRMED',
    transp: d.kind === 'event' ? 'OPAQUE' : 'TRANSPARENT',
  } as EventAttributes);
  if (r.error || !r.value) throw new Error(`could not build the calendar entry: ${r.error?.message}`);
  return foldOctets(r.value);
}
