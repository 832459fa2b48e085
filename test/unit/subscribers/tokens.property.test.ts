import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExpiredTokenError, InvalidTokenError } from '../../../src/domain/errors.ts';
import { signToken, TokenPurpose, verifyToken } from '../../../src/domain/tokens.ts';

const secret = fc.string({ minLength: 32, maxLength: 64 });
const purpose = fc.constantFrom(...TokenPurpose.options);
const NOW = new Date('2026-03-01T00:00:00Z');
const nowSec = Math.floor(NOW.getTime() / 1000);
const payload = fc.record(
  {
    sub: fc.string({ minLength: 1, maxLength: 40 }),
    exp: fc.integer({ min: nowSec, max: nowSec + 400 * 86_400 }),
    scope: fc.constantFrom('all', 'newsletter', 'reminders', 'member-announcements'),
  },
  { requiredKeys: ['sub', 'exp'] },
);
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('signed tokens (property-based)', () => {
  it('round-trips: what is signed verifies to the same payload', () => {
    fc.assert(
      fc.property(secret, purpose, payload, (s, p, body) => {
        expect(verifyToken(s, p, signToken(s, p, body), NOW)).toEqual(body);
      }),
    );
  });

  it('rejects any single-character change anywhere in the token', () => {
    fc.assert(
      fc.property(
        secret,
        purpose,
        payload,
        fc.nat(),
        fc.constantFrom(...`${B64URL}.=+/ `),
        (s, p, body, pos, ch) => {
          const token = signToken(s, p, body);
          const i = pos % token.length;
          fc.pre(token[i] !== ch);
          const tampered = token.slice(0, i) + ch + token.slice(i + 1);
          expect(() => verifyToken(s, p, tampered, NOW)).toThrow(InvalidTokenError);
        },
      ),
    );
  });

  it('rejects inserted, deleted or appended characters', () => {
    fc.assert(
      fc.property(
        secret,
        purpose,
        payload,
        fc.nat(),
        fc.constantFrom(...`${B64URL}.=`),
        fc.boolean(),
        (s, p, body, pos, ch, insert) => {
          const token = signToken(s, p, body);
          const i = pos % (token.length + 1);
          const tampered = insert
            ? token.slice(0, i) + ch + token.slice(i)
            : token.slice(0, i) + token.slice(i + 1);
          fc.pre(tampered !== token);
          expect(() => verifyToken(s, p, tampered, NOW)).toThrow(InvalidTokenError);
        },
      ),
    );
  });

  it('rejects a token signed with another secret or for another purpose', () => {
    fc.assert(
      fc.property(secret, secret, purpose, purpose, payload, (s1, s2, p1, p2, body) => {
        fc.pre(s1 !== s2 || p1 !== p2);
        expect(() => verifyToken(s2, p2, signToken(s1, p1, body), NOW)).toThrow(InvalidTokenError);
      }),
    );
  });

  it('rejects a re-signed payload (changed subscriber or expiry) that keeps the old signature', () => {
    fc.assert(
      fc.property(secret, purpose, payload, payload, (s, p, a, b) => {
        fc.pre(JSON.stringify(a) !== JSON.stringify(b));
        const [, sigA] = signToken(s, p, a).split('.');
        const [bodyB] = signToken(s, p, b).split('.');
        expect(() => verifyToken(s, p, `${bodyB}.${sigA}`, NOW)).toThrow(InvalidTokenError);
      }),
    );
  });

  it('rejects an expired token with ExpiredTokenError, and only after its expiry', () => {
    fc.assert(
      fc.property(secret, purpose, payload, fc.integer({ min: 1, max: 10 ** 9 }), (s, p, body, lateMs) => {
        const token = signToken(s, p, body);
        expect(() => verifyToken(s, p, token, new Date(body.exp * 1000 + lateMs))).toThrow(ExpiredTokenError);
        expect(verifyToken(s, p, token, new Date(body.exp * 1000))).toEqual(body);
      }),
    );
  });
});
