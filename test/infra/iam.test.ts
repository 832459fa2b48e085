import { describe, expect, it } from 'vitest';
import { HANDLERS } from '../../infra/functions.ts';
import {
  actionsOf,
  allActions,
  policyStatementsOf,
  resources,
  resourcesOf,
  type Statement,
  synth,
} from './support.ts';

/** Actions AWS only accepts with Resource "*" (no resource-level permissions). */
const STAR_ONLY_ACTIONS = new Set(['ses:GetAccount', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords']);

describe('IAM least privilege', () => {
  const { statelessT: t, statefulT } = synth();
  const traced = synth({ tracing: 'true' }).statelessT;
  const byFn = Object.fromEntries(HANDLERS.map((h) => [h, policyStatementsOf(t, h)])) as Record<
    (typeof HANDLERS)[number],
    Statement[]
  >;
  const resourceJson = (s: Statement) => JSON.stringify(s.Resource);

  it('gives each function its own role without AWS managed policies', () => {
    for (const [id, role] of resources(t, 'AWS::IAM::Role')) {
      expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
    }
  });

  it('never grants wildcard actions, and "*" resources only for actions that have no resource type', () => {
    for (const template of [t, traced, statefulT]) {
      for (const [id, p] of resources(template, 'AWS::IAM::Policy')) {
        for (const s of (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement) {
          for (const a of actionsOf(s)) expect(a, id).not.toMatch(/\*/);
          if (resourcesOf(s).includes('*'))
            for (const a of actionsOf(s)) expect(STAR_ONLY_ACTIONS.has(a), `${id}: ${a} on *`).toBe(true);
        }
      }
    }
  });

  it('lets no function administer, scan or delete the table', () => {
    for (const h of HANDLERS) {
      const dynamo = allActions(byFn[h]).filter((a) => a.startsWith('dynamodb:'));
      for (const forbidden of [
        'dynamodb:DeleteTable',
        'dynamodb:UpdateTable',
        'dynamodb:CreateTable',
        'dynamodb:Scan',
        'dynamodb:RestoreTableToPointInTime',
        'dynamodb:UpdateTimeToLive',
      ])
        expect(dynamo, h).not.toContain(forbidden);
    }
  });

  it('scopes table access to the table and its gsi1 index', () => {
    const s = byFn.api.find((x) => actionsOf(x).includes('dynamodb:Query'))!;
    expect(s.Resource).toEqual([
      { 'Fn::ImportValue': expect.stringContaining('Table') },
      { 'Fn::Join': ['', [{ 'Fn::ImportValue': expect.stringContaining('Table') }, '/index/gsi1']] },
    ]);
  });

  it('lets ingest send mail only as our identity with our configuration set, never in bulk', () => {
    const ses = byFn.ingest.filter((s) => actionsOf(s).some((a) => a.startsWith('ses:')));
    expect(ses.flatMap(actionsOf)).toEqual(['ses:SendEmail']);
    const res = resourceJson(ses[0]!);
    expect(res).toContain(':identity/gazette.example.org');
    expect(res).toContain(':configuration-set/gazette');
    expect(resourcesOf(ses[0]!)).toHaveLength(2);
    expect(allActions(byFn.ingest)).not.toContain('ses:SendBulkEmail');
    expect(allActions(byFn.ingest)).not.toContain('ses:SendRawEmail');
    // Its only queue is the jobs DLQ (on-failure destination), not the bulk send queue.
    for (const s of byFn.ingest.filter((x) => actionsOf(x).some((a) => a.startsWith('sqs:'))))
      expect(resourceJson(s)).toMatch(/JobsDlq/);
  });

  it('touches raw mail only under its prefixes: ingest writes withheld/, the api writes inbound/ (admin uploads)', () => {
    const writes: Record<string, string[]> = {};
    for (const h of HANDLERS) {
      for (const st of byFn[h].filter((x) => resourceJson(x).includes('RawInboundBucket'))) {
        const acts = actionsOf(st);
        for (const r of resourcesOf(st)) expect(JSON.stringify(r), h).toMatch(/\/(inbound|withheld)\/\*"/);
        if (acts.includes('s3:PutObject')) {
          expect(acts, h).toEqual(['s3:PutObject']);
          const prefixes = resourcesOf(st).map((r) => JSON.stringify(r).match(/\/(\w+)\/\*"/)![1]!);
          writes[h] = [...(writes[h] ?? []), ...prefixes];
        } else expect(acts, h).toEqual(['s3:GetObject']);
      }
    }
    expect(writes).toEqual({ api: ['inbound'], ingest: ['withheld'] });
  });

  it('lets only functions that plan reminders manage schedules, in the gazette group, passing only the scheduler role', () => {
    const planners = ['api', 'dispatch', 'reminder'];
    for (const h of HANDLERS) {
      const acts = allActions(byFn[h]);
      expect(
        acts.some((a) => a.startsWith('scheduler:')),
        h,
      ).toBe(planners.includes(h));
      expect(acts.includes('iam:PassRole'), h).toBe(planners.includes(h));
    }
    for (const h of planners) {
      const sched = byFn[h as 'api'].find((x) => actionsOf(x).includes('scheduler:CreateSchedule'))!;
      expect(actionsOf(sched).sort(), h).toEqual(
        ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:UpdateSchedule'].sort(),
      );
      expect(resourceJson(sched), h).toContain(':schedule/gazette/*');
      const pass = byFn[h as 'api'].find((x) => actionsOf(x).includes('iam:PassRole'))!;
      expect(pass.Resource, h).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^SchedulerRole/), 'Arn'] });
      expect(pass.Condition, h).toEqual({
        StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
      });
    }
  });

  it('lets functions start background jobs only in the functions that run them', () => {
    const targetsOf = (h: (typeof HANDLERS)[number]) =>
      byFn[h]
        .filter((x) => actionsOf(x).includes('lambda:InvokeFunction'))
        .flatMap(resourcesOf)
        .map((r) => JSON.stringify(r).match(/:function:([a-z-]+)"/)?.[1])
        .sort();
    expect(targetsOf('api')).toEqual(['gazette-compile-edition', 'gazette-dispatch', 'gazette-ingest']);
    expect(targetsOf('dispatch')).toEqual(['gazette-dispatch']);
    expect(targetsOf('reminder')).toEqual(['gazette-dispatch']);
    for (const h of ['ingest', 'ses-events', 'compile-edition', 'send-worker'] as const)
      expect(targetsOf(h), h).toEqual([]);
  });

  it('lets only the planner, the send worker and the exact status check put messages on the send queue', () => {
    // dispatch plans (fan-out); the worker's finish check re-queues recipients it finds missed and queues the
    // daily-quota checks; the api's `sends status --exact` (GET /admin/sends/:campaign?exact=1, also the end of
    // `--watch`) re-queues anyone missed once the queue drained. Without the grant, each fails with AccessDenied
    // on AWS only (no local server checks IAM).
    for (const h of HANDLERS) {
      const puts = byFn[h].filter(
        (x) => actionsOf(x).includes('sqs:SendMessage') && resourceJson(x).includes('SendQueue'),
      );
      const expected = ['api', 'dispatch', 'send-worker'].includes(h);
      expect(puts.length > 0, h).toBe(expected);
      for (const st of puts) {
        expect(resourceJson(st), h).not.toMatch(/SendDlq/);
        expect(actionsOf(st), h).toEqual(['sqs:SendMessage']);
      }
    }
  });

  it('lets the scheduler role invoke only compile-edition, reminder and dispatch (the notice retries)', () => {
    const [[, policy] = []] = resources(t, 'AWS::IAM::Policy').filter(([id]) =>
      id.startsWith('SchedulerRoleDefaultPolicy'),
    );
    const stmts = (policy!.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
    const invokes = stmts.filter((s) => actionsOf(s).includes('lambda:InvokeFunction'));
    expect(invokes.flatMap(resourcesOf)).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/^compileedition/), 'Arn'] },
      { 'Fn::GetAtt': [expect.stringMatching(/^reminder/), 'Arn'] },
      { 'Fn::GetAtt': [expect.stringMatching(/^dispatch/), 'Arn'] },
    ]);
  });

  it('keeps ses-events away from mail, buckets and secrets', () => {
    const acts = allActions(byFn['ses-events']);
    expect(
      acts.filter((a) => !a.startsWith('dynamodb:') && !a.startsWith('logs:') && !a.startsWith('sqs:')),
    ).toEqual([]);
  });

  it('reads the token secret only where links are signed or checked', () => {
    // ingest checks the signed unsubscribe token in the subject of mail to the List-Unsubscribe mailto: without
    // the grant, every such mail fails with AccessDenied on AWS (retried, then the jobs DLQ), nobody unsubscribed.
    for (const h of HANDLERS) {
      const reads = allActions(byFn[h]).includes('secretsmanager:GetSecretValue');
      expect(reads, h).toBe(['public-api', 'api', 'ingest', 'dispatch', 'send-worker'].includes(h));
    }
  });

  it('lets each function write logs only to its own log group', () => {
    for (const h of HANDLERS) {
      const logs = byFn[h].filter((s) => actionsOf(s).some((a) => a.startsWith('logs:')));
      expect(logs, h).toHaveLength(1);
      expect(logs[0]!.Resource, h).toEqual({
        'Fn::GetAtt': [expect.stringMatching(new RegExp(`^${h.replaceAll('-', '')}logs`)), 'Arn'],
      });
    }
  });

  it('offers operators a policy for exactly the admin routes of this API', () => {
    const [[, policy] = []] = resources(t, 'AWS::IAM::ManagedPolicy');
    const stmts = (policy!.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
    expect(stmts).toHaveLength(1);
    expect(actionsOf(stmts[0]!)).toEqual(['execute-api:Invoke']);
    expect(resourceJson(stmts[0]!)).toMatch(/HttpApi.*\/\$default\/\*\/admin\/\*"/);
  });
});
