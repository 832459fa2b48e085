import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LocalConfigSchema } from '../../../src/config/config.ts';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('documents every configuration variable the code reads', () => {
    const missing = Object.keys(LocalConfigSchema.shape).filter((name) => !readme.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });

  it('gives exactly the two set-up commands on its first screen', () => {
    const firstScreen = readme.split('\n---\n')[0] ?? '';
    const commands = [...firstScreen.matchAll(/```sh\n([^`]+)```/g)].map((m) => m[1]?.trim());
    expect(commands).toEqual(['npm ci && npm start', 'npm ci && npm test']);
  });
});
