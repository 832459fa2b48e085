import { describe, expect, it } from 'vitest';
import { classifySesError } from '../../../src/adapters/ses/ses-mailer.ts';
import {
  MailerPermanentError,
  MailerThrottledError,
  MailerTransientError,
} from '../../../src/ports/mailer.ts';

const sdkError = (name: string, message: string, status?: number) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

describe('SES error classification', () => {
  it.each([
    ['TooManyRequestsException', 'Too many requests', 429],
    ['ThrottlingException', 'Rate exceeded', 400],
    ['Throttling', 'Maximum sending rate exceeded.', 400],
    ['LimitExceededException', 'Daily message quota exceeded', 400],
  ])('treats %s as throttling (retry later, keep the claim)', (name, message, status) => {
    expect(classifySesError(sdkError(name, message, status))).toBeInstanceOf(MailerThrottledError);
  });

  it('treats a rejected message as permanent', () => {
    expect(
      classifySesError(sdkError('MessageRejected', 'Email address is not verified', 400)),
    ).toBeInstanceOf(MailerPermanentError);
  });

  it('treats 5xx and network failures as transient (outcome unknown)', () => {
    expect(classifySesError(sdkError('InternalFailure', 'boom', 500))).toBeInstanceOf(MailerTransientError);
    expect(classifySesError(sdkError('TimeoutError', 'socket hang up'))).toBeInstanceOf(MailerTransientError);
  });
});
