/**
 * `gazette members …`, `gazette updates …` and `gazette ingest FILE.eml`: all through the admin API
 * (/admin/members, /admin/updates, /admin/inbound).
 */
import { readFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import type { Member, Update } from '../../../domain/index.ts';
import { type CliContext, collect, table } from '../context.ts';
import { registerUpdateEdit } from './updates-edit.ts';

export function register(program: Command, ctx: CliContext): void {
  registerMembers(program, ctx);
  registerUpdates(program, ctx);

  program
    .command('ingest')
    .description('run the real ingest path on a raw message file (store raw → SES-shaped event → ingest)')
    .argument('<file>', '.eml file')
    .addOption(
      new Option('--verdicts <preset>', 'SES verdicts to stamp on it')
        .choices(['pass', 'fail', 'spam', 'virus'])
        .default('pass'),
    )
    .action(async (file: string, o: { verdicts: string }) => {
      const raw = await readFile(file);
      const client = await ctx.client();
      const result = await client.request<{ outcome: string; updateId?: string; reason?: string }>(
        'POST',
        '/admin/inbound',
        { raw, contentType: 'message/rfc822', query: { verdicts: o.verdicts } },
      );
      ctx.print(result, (r: typeof result) =>
        [r.outcome, r.updateId ? `update ${r.updateId}` : '', r.reason ? `— ${r.reason}` : '']
          .filter(Boolean)
          .join(' '),
      );
    });
}

function registerMembers(program: Command, ctx: CliContext) {
  const members = program.command('members').description('member registry: who may send updates');
  const show = (m: Member) =>
    [
      `${m.organisation} (${m.memberId})`,
      `  type: ${m.type}   country: ${m.country}   language: ${m.language}`,
      `  trusted: ${m.trusted ? 'yes (updates are auto-approved)' : 'no'}   status: ${m.status}`,
      `  senders: ${m.senders.join(', ')}`,
    ].join('\n');

  members
    .command('add')
    .description('register a member organisation')
    .requiredOption('--org <name>', 'organisation name')
    .requiredOption('--type <type>', 'council | secretariat | advisory | network | associate')
    .requiredOption('--country <country>', 'country')
    .option('--language <tag>', 'language for acknowledgements (en, zh, ja, ko, es, fr …)', 'en')
    .requiredOption('--sender <email>', 'allowed sender address (repeatable)', collect)
    .option('--trusted', 'auto-approve this member’s updates', false)
    .action(
      async (o: {
        org: string;
        type: string;
        country: string;
        language: string;
        sender: string[];
        trusted: boolean;
      }) => {
        const client = await ctx.client();
        const m = await client.request<Member>('POST', '/admin/members', {
          body: {
            organisation: o.org,
            type: o.type,
            country: o.country,
            language: o.language,
            senders: o.sender,
            trusted: o.trusted,
          },
        });
        ctx.print(m, show);
      },
    );

  members
    .command('list')
    .description('list members')
    .action(async () => {
      const client = await ctx.client();
      const r = await client.request<{ members: Member[] }>('GET', '/admin/members');
      ctx.print(r, (d: typeof r) =>
        table(
          d.members.map((m) => ({ ...m, senders: m.senders.join(' '), trusted: m.trusted ? 'yes' : '' })),
          ['memberId', 'organisation', 'type', 'country', 'language', 'trusted', 'status', 'senders'],
        ),
      );
    });

  members
    .command('show')
    .argument('<memberId>')
    .description('show one member')
    .action(async (id: string) => {
      const client = await ctx.client();
      ctx.print(await client.request<Member>('GET', `/admin/members/${encodeURIComponent(id)}`), show);
    });

  members
    .command('update')
    .argument('<memberId>')
    .description('change a member (only the options given)')
    .option('--org <name>')
    .option('--type <type>')
    .option('--country <country>')
    .option('--language <tag>')
    .option('--sender <email>', 'replace the allowed senders (repeatable)', collect)
    .option('--add-sender <email>', 'add an allowed sender (repeatable)', collect)
    .option('--remove-sender <email>', 'remove an allowed sender (repeatable)', collect)
    .option('--trusted', 'auto-approve updates')
    .option('--no-trusted', 'review updates')
    .option('--enable', 're-enable a disabled member')
    .action(
      async (
        id: string,
        o: {
          org?: string;
          type?: string;
          country?: string;
          language?: string;
          sender?: string[];
          addSender?: string[];
          removeSender?: string[];
          trusted?: boolean;
          enable?: boolean;
        },
      ) => {
        const client = await ctx.client();
        const path = `/admin/members/${encodeURIComponent(id)}`;
        let senders = o.sender;
        if (o.addSender || o.removeSender) {
          const current = senders ?? (await client.request<Member>('GET', path)).senders;
          const remove = new Set((o.removeSender ?? []).map((s) => s.toLowerCase()));
          senders = [...current, ...(o.addSender ?? [])].filter((s) => !remove.has(s.toLowerCase()));
        }
        const body = {
          organisation: o.org,
          type: o.type,
          country: o.country,
          language: o.language,
          senders,
          trusted: o.trusted,
          status: o.enable ? 'active' : undefined,
        };
        ctx.print(await client.request<Member>('PATCH', path, { body }), show);
      },
    );

  members
    .command('disable')
    .argument('<memberId>')
    .description('disable a member: their mail is rejected from now on (no acknowledgement)')
    .action(async (id: string) => {
      const client = await ctx.client();
      ctx.print(
        await client.request<Member>('POST', `/admin/members/${encodeURIComponent(id)}/disable`),
        show,
      );
    });
}

function registerUpdates(program: Command, ctx: CliContext) {
  const updates = program.command('updates').description('moderate member updates received by email');
  const show = (u: Update) =>
    [
      `${u.title}`,
      `  ${u.updateId}   ${u.status}${u.reason ? ` (${u.reason})` : ''}   ${u.kind} → ${u.section}`,
      `  from ${u.organisation} <${u.sender}> at ${u.receivedAt}`,
      ...(u.event
        ? [
            `  event: ${u.event.start}${u.event.end ? ` → ${u.event.end}` : ''} ${u.event.timeZone ?? ''} ${u.event.location ?? ''}`,
          ]
        : []),
      ...(u.deadline ? [`  deadline: ${u.deadline}`] : []),
      '',
      `  ${u.summary}`,
      ...(u.links.length
        ? ['', ...u.links.map((l) => `  link: ${l.label ? `${l.label} ` : ''}${l.url}`)]
        : []),
      ...(u.attachments.length
        ? [
            '',
            ...u.attachments.map(
              (a) =>
                `  file: ${a.filename} (${a.contentType}, ${a.size} B)${a.publishable ? '' : ' — not published'}`,
            ),
          ]
        : []),
      '',
      ...u.audit.map((a) => `  ${a.at}  ${a.actor}  ${a.action}${a.note ? `: ${a.note}` : ''}`),
    ].join('\n');

  updates
    .command('list')
    .description('updates awaiting review (pending and quarantined), or those in one status')
    .addOption(
      new Option('--status <status>').choices([
        'pending',
        'quarantined',
        'approved',
        'rejected',
        'merged',
        'published',
      ]),
    )
    .option('--limit <n>', 'at most this many', '200')
    .action(async (o: { status?: string; limit: string }) => {
      const client = await ctx.client();
      const r = await client.request<{ updates: Update[] }>('GET', '/admin/updates', {
        query: { status: o.status, limit: o.limit },
      });
      ctx.print(r, (d: typeof r) =>
        table(
          d.updates.map((u) => ({
            ...u,
            title: u.title.slice(0, 60),
            reason: (u.reason ?? '').slice(0, 50),
          })),
          ['updateId', 'status', 'kind', 'organisation', 'receivedAt', 'title', 'reason'],
        ),
      );
    });

  updates
    .command('show')
    .argument('<updateId>')
    .description('show one update with its audit trail')
    .action(async (id: string) => {
      const client = await ctx.client();
      ctx.print(await client.request<Update>('GET', `/admin/updates/${encodeURIComponent(id)}`), show);
    });

  registerUpdateEdit(updates, ctx, show);

  updates
    .command('approve')
    .argument('<updateId>')
    .description('approve an update, optionally editing it')
    .option('--title <title>')
    .option('--summary <summary>')
    .addOption(new Option('--kind <kind>').choices(['news', 'event', 'deadline', 'publication']))
    .addOption(new Option('--section <section>').choices(['events', 'news', 'publications', 'deadlines']))
    .action(async (id: string, o: { title?: string; summary?: string; kind?: string; section?: string }) => {
      const client = await ctx.client();
      const u = await client.request<Update>('POST', `/admin/updates/${encodeURIComponent(id)}/approve`, {
        body: { title: o.title, summary: o.summary, kind: o.kind, section: o.section },
      });
      ctx.print(u, show);
    });

  updates
    .command('reject')
    .argument('<updateId>')
    .description('reject an update with a reason (kept in its audit trail)')
    .requiredOption('--reason <reason>')
    .action(async (id: string, o: { reason: string }) => {
      const client = await ctx.client();
      const u = await client.request<Update>('POST', `/admin/updates/${encodeURIComponent(id)}/reject`, {
        body: { reason: o.reason },
      });
      ctx.print(u, show);
    });

  updates
    .command('merge')
    .argument('<targetId>', 'the update to keep')
    .argument('<duplicateIds...>', 'duplicates folded into it')
    .description('merge duplicate updates into one (links and files are combined)')
    .action(async (target: string, duplicates: string[]) => {
      const client = await ctx.client();
      const u = await client.request<Update>('POST', `/admin/updates/${encodeURIComponent(target)}/merge`, {
        body: { duplicates },
      });
      ctx.print(u, show);
    });
}
