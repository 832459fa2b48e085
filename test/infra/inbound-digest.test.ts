/**
 * Issue 15: the secretariat's daily digest runs on an EventBridge schedule only when lambdaEnv names
 * GAZETTE_DIGEST_EMAIL, at GAZETTE_DIGEST_HOUR in the edition time zone, invoking the dispatch function.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DIGEST_SCHEDULE_INPUT } from '../../infra/stateless-stack.ts';
import { resources, synth } from './support.ts';

const dispatchId = (t: ReturnType<typeof synth>['statelessT']) =>
  resources(t, 'AWS::Lambda::Function').find(
    ([, f]) => f.Properties.FunctionName === 'gazette-dispatch',
  )?.[0];

describe('daily inbound digest schedule', () => {
  it('is absent unless a digest address is configured', () => {
    const { statelessT } = synth();
    expect(
      resources(statelessT, 'AWS::Scheduler::Schedule').filter(([, s]) =>
        String(s.Properties.Name).endsWith('inbound-digest'),
      ),
    ).toEqual([]);
  });

  it('runs daily at the configured hour in the edition zone, through the scheduler role, on dispatch', () => {
    const { statelessT: t } = synth({
      lambdaEnv: '{"GAZETTE_DIGEST_EMAIL":"secretariat@igpn.example","GAZETTE_DIGEST_HOUR":"7"}',
      editionTimezone: 'Asia/Shanghai',
    });
    const dispatch = dispatchId(t);
    expect(dispatch).toBeDefined();
    t.hasResourceProperties('AWS::Scheduler::Schedule', {
      Name: Match.stringLikeRegexp('inbound-digest$'),
      GroupName: 'gazette',
      ScheduleExpression: 'cron(0 7 * * ? *)',
      ScheduleExpressionTimezone: 'Asia/Shanghai',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [dispatch, 'Arn'] },
        RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SchedulerRole'), 'Arn'] },
        Input: JSON.stringify(DIGEST_SCHEDULE_INPUT),
        DeadLetterConfig: { Arn: { 'Fn::ImportValue': Match.stringLikeRegexp('JobsDlq') } },
      }),
    });
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
    expect(DIGEST_SCHEDULE_INPUT).toEqual({ gazetteJob: { type: 'inbound-digest' } });
  });
});
