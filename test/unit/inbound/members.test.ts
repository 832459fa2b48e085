import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/domain/index.ts';
import { systemClock } from '../../../src/ports/clock.ts';
import { makeMembers } from '../../../src/use-cases/inbound/members.ts';
import { MemoryMembers } from './fakes.ts';

describe('member registry', () => {
  const trustedMember = async () => {
    const members = makeMembers({ members: new MemoryMembers(), clock: systemClock });
    const m = await members.add({
      organisation: 'GreenBuy e.V.',
      type: 'network',
      country: 'Germany',
      language: 'de',
      senders: ['news@greenbuy.example'],
      trusted: true,
    });
    return { members, m };
  };

  it('an update changes only the fields given: a trusted member stays trusted, its language stays', async () => {
    const { members, m } = await trustedMember();
    const renamed = await members.update(m.memberId, { organisation: 'GreenBuy Deutschland e.V.' });
    expect(renamed).toMatchObject({
      organisation: 'GreenBuy Deutschland e.V.',
      trusted: true,
      language: 'de',
    });
    const disabled = await members.disable(m.memberId);
    expect(disabled).toMatchObject({ status: 'disabled', trusted: true, language: 'de' });
    const enabled = await members.update(m.memberId, { status: 'active' });
    expect(enabled).toMatchObject({ status: 'active', trusted: true, language: 'de' });
  });

  it('an empty update is refused as nothing to change', async () => {
    const { members, m } = await trustedMember();
    await expect(members.update(m.memberId, {})).rejects.toBeInstanceOf(ValidationError);
  });
});
