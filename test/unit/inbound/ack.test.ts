import { describe, expect, it } from 'vitest';
import { buildAck } from '../../../src/use-cases/inbound/ack.ts';

const base = {
  to: 'li@gpn.example',
  from: 'IGPN Gazette <updates@igpn.example>',
  organisation: 'China Environmental United Certification Center',
  title: 'Webinar on green public procurement',
  status: 'pending' as const,
  attachments: 0,
  withheld: [],
  updateId: 'u_1',
};

describe('acknowledgement (issue 15)', () => {
  it('repeats what was read (title, date in the zone the member wrote, place) so the member can correct it', () => {
    const m = buildAck({
      ...base,
      event: {
        start: '2027-05-25T07:00:00.000Z',
        end: '2027-05-25T09:00:00.000Z',
        timeZone: 'Asia/Shanghai',
        location: 'Beijing, CEC building',
      },
      timeZone: 'UTC',
    });
    expect(m.text).toMatch(/^ {2}Title: Webinar on green public procurement$/m);
    expect(m.text).toMatch(/^ {2}When: Tuesday, May 25, 2027.*3:00\s?PM.*(\n {4}.*)?\(Asia\/Shanghai\)/m);
    expect(m.text).toMatch(/^ {2}Where: Beijing, CEC building$/m);
    expect(m.text).toContain('reply to this message with the correction');
    expect(m.html).toContain('<th scope="row">Where</th><td>Beijing, CEC building</td>');
    expect(m.html).toContain('<title>Received: Webinar on green public procurement</title>');
    for (const l of m.text.split('\n')) expect(l.length).toBeLessThanOrEqual(78);
  });

  it('shows a deadline, in the member’s language, in the newsletter layout', () => {
    const m = buildAck({
      ...base,
      language: 'ja',
      deadline: '2027-03-30T15:59:00.000Z',
      timeZone: 'Asia/Tokyo',
    });
    expect(m.text).toMatch(/締切: 2027年3月31日水曜日 0:59 \(Asia\/Tokyo\)/);
    expect(m.html).toContain('<html lang="ja"');
    expect(m.html).toContain('IGPN Gazette');
    expect(m.html).toContain('xmlns:v="urn:schemas-microsoft-com:vml"');
  });
});
