/**
 * Issue 15: member notices whose send failed are retried every 15 minutes by an EventBridge schedule on the
 * dispatch function (always: notices do not depend on the digest), through the scheduler role.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { NOTICE_RETRY_SCHEDULE_INPUT } from '../../infra/stateless-stack.ts';
import { resources, synth } from './support.ts';

describe('member notice retry schedule', () => {
  const { statelessT: t } = synth();
  const dispatch = resources(t, 'AWS::Lambda::Function').find(
    ([, f]) => f.Properties.FunctionName === 'gazette-dispatch',
  )?.[0];

  it('invokes dispatch with the notice-retries job every 15 minutes, failed fires to the jobs DLQ', () => {
    expect(dispatch).toBeDefined();
    t.hasResourceProperties('AWS::Scheduler::Schedule', {
      Name: 'gazette-notice-retries',
      GroupName: 'gazette',
      ScheduleExpression: 'rate(15 minutes)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [dispatch, 'Arn'] },
        RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SchedulerRole'), 'Arn'] },
        Input: JSON.stringify(NOTICE_RETRY_SCHEDULE_INPUT),
        DeadLetterConfig: { Arn: { 'Fn::ImportValue': Match.stringLikeRegexp('JobsDlq') } },
      }),
    });
    expect(NOTICE_RETRY_SCHEDULE_INPUT).toEqual({ gazetteJob: { type: 'notice-retries' } });
  });

  it('lets the scheduler role invoke dispatch for it', () => {
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'lambda:InvokeFunction',
            Resource: { 'Fn::GetAtt': [dispatch, 'Arn'] },
          }),
        ]),
      },
      Roles: [{ Ref: Match.stringLikeRegexp('^SchedulerRole') }],
    });
  });

  it('is a job the dispatch function accepts', async () => {
    const { DispatchEvent } = await import('../../functions/dispatch.ts');
    expect(DispatchEvent.parse(NOTICE_RETRY_SCHEDULE_INPUT)).toEqual(NOTICE_RETRY_SCHEDULE_INPUT);
  });
});
