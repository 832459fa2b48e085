import { describe, expect, it } from 'vitest';
import { Email } from '../../../src/domain/common.ts';
import { Member } from '../../../src/domain/member.ts';

const parse = (a: string) => {
  const r = Email.safeParse(a);
  return r.success ? r.data : `invalid: ${r.error.issues[0]?.message}`;
};

describe('e-mail addresses', () => {
  it('trims and lower-cases', () => {
    expect(parse('  Wang.Li+News@Example.CN ')).toBe('wang.li+news@example.cn');
  });

  it('accepts internationalised domains, keyed by their ASCII form (as DNS, SES and DKIM name them)', () => {
    expect(parse('info@Bücher.de')).toBe('info@xn--bcher-kva.de');
    expect(parse('press@绿色采购.中国')).toBe('press@xn--ip0aq4eq5mvwe.xn--fiqs8s');
    // The ideographic full stop a Chinese keyboard types is a dot in a domain.
    expect(parse('press@绿色采购。中国')).toBe(parse('press@绿色采购.中国'));
    // Already in ASCII form, including a top-level A-label: unchanged.
    expect(parse('press@example.xn--fiqs8s')).toBe('press@example.xn--fiqs8s');
  });

  it('still refuses what is not an address, or what SES cannot send to', () => {
    for (const bad of [
      'a@b',
      'a..b@example.org',
      'a@-x.org',
      'a@example.c0m',
      'a@example.org.',
      'ü@example.org',
    ])
      expect(parse(bad)).toBe('invalid: must be a valid e-mail address');
    expect(parse(`${'a'.repeat(250)}@example.org`)).toMatch(/^invalid/);
  });

  it('one mailbox, one key: a member registered with a Unicode domain is the same sender as its ASCII form', () => {
    const m = Member.shape.senders.parse(['Press@绿色采购.中国']);
    expect(m).toEqual([parse('press@绿色采购.中国')]);
  });
});
