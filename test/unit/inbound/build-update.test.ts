import { describe, expect, it } from 'vitest';
import { createHtmlTools } from '../../../src/adapters/mime/html.ts';
import type { ParsedMail } from '../../../src/ports/inbound.ts';
import { buildUpdateContent } from '../../../src/use-cases/inbound/build-update.ts';

const parsed = (html: string): ParsedMail => ({
  subject: 'Guide',
  headers: {},
  contentType: 'text/html',
  partTypes: ['text/html'],
  html,
  attachments: [],
  problems: [],
});

describe('links from member HTML', () => {
  it('decodes a link’s label and address exactly once ("&amp;lt;" is the text "&lt;", not "<")', () => {
    const built = buildUpdateContent(
      parsed(
        '<p><a href="https://gpn.example/?a=1&amp;b=2">R&amp;D &amp;lt;guide&amp;gt; &amp;#39;26</a></p>',
      ),
      { html: createHtmlTools(), member: { language: 'en' }, defaultTimeZone: 'UTC' },
    );
    expect(built.content.links).toContainEqual({
      url: 'https://gpn.example/?a=1&b=2',
      label: 'R&D &lt;guide&gt; &#39;26',
    });
  });
});
