import { describe, expect, it } from 'vitest';
import { mailboxOf, maskEmail } from '../../../src/use-cases/subscribers/mailbox.ts';

describe('mailboxOf (throttling key: one mailbox, however the address is spelled)', () => {
  it('folds case and drops a +tag for every provider', () => {
    expect(mailboxOf('Jane+news@Example.ORG')).toBe('jane@example.org');
    expect(mailboxOf('jane+a+b@example.org')).toBe('jane@example.org');
  });

  it('drops dots for Gmail, whose mailboxes ignore them, and treats googlemail.com as gmail.com', () => {
    expect(mailboxOf('J.a.n.e+x@googlemail.com')).toBe('jane@gmail.com');
    expect(mailboxOf('jane.doe@gmail.com')).toBe('janedoe@gmail.com');
  });

  it('keeps dots where they make different mailboxes', () => {
    expect(mailboxOf('jane.doe@example.org')).toBe('jane.doe@example.org');
  });

  it('keeps a leading + (a real local part, not a tag)', () => {
    expect(mailboxOf('+x@example.org')).toBe('+x@example.org');
  });
});

describe('maskEmail (addresses on pages opened from links)', () => {
  it('shows the first character and the domain only', () => {
    expect(maskEmail('jane.doe@example.org')).toBe('j•••@example.org');
  });

  it('keeps a non-Latin first character whole', () => {
    expect(maskEmail('𠀀abc@example.org')).toBe('𠀀•••@example.org');
  });
});
