import { describe, expect, it } from 'vitest';
import {
  cleanTitle,
  extractFields,
  guessLanguage,
  kindFromTitle,
  kindFromWord,
  memberText,
  summarise,
  textToHtml,
} from '../../../src/use-cases/inbound/text.ts';

describe('titles from subjects', () => {
  it.each([
    ['Fwd: RE: [IGPN] Fw: 回复: Call for Proposals', 'Call for Proposals'],
    ['Re: Re[2]: AW: WG: Forum 2026', 'Forum 2026'],
    ['转发：【通知】绿色采购论坛', '绿色采购论坛'],
    ['Re: グリーン購入セミナー', 'グリーン購入セミナー'],
    ['회신: 전달: 보고서 발간', '보고서 발간'],
    ['   Annual   report  ', 'Annual report'],
    ['Fwd:', ''],
  ])('%s → %s', (subject, title) => {
    expect(cleanTitle(subject)).toBe(title);
  });

  it('keeps a bracket that is part of the title, not a prefix', () => {
    expect(cleanTitle('Forum [Berlin] 2026')).toBe('Forum [Berlin] 2026');
  });
});

describe('field lines members can write', () => {
  it('reads When/Where/Deadline/Kind and every Link line, in any case', () => {
    const f = extractFields(
      'Intro\nWHEN: 12 May 2026\nwhere: Berlin\nLink: Programme https://a.example/p\n* Link: https://b.example\nDeadline: 1 June 2026\nKind: event\nWhen: ignored second',
    );
    expect(f).toEqual({
      when: '12 May 2026',
      where: 'Berlin',
      deadline: '1 June 2026',
      kind: 'event',
      links: [{ url: 'https://a.example/p', label: 'Programme' }, { url: 'https://b.example/' }],
    });
  });

  it('reads the Chinese, Japanese and Korean field names with full-width colons', () => {
    expect(extractFields('时间：2026年6月11日\n地点：北京').when).toBe('2026年6月11日');
    expect(extractFields('日時: 2026年7月8日\n場所: オンライン').where).toBe('オンライン');
    expect(extractFields('일시: 2026년 5월 1일').when).toBe('2026년 5월 1일');
  });

  it('does not take a forwarded "Date:" header for the event date', () => {
    expect(extractFields('Date: Tue, 3 Mar 2026 at 18:02').when).toBeUndefined();
  });

  it('keeps only http(s) links', () => {
    expect(extractFields('Link: javascript:alert(1) ftp://x.example').links).toEqual([]);
  });
});

describe('the member’s own words', () => {
  it('replaces a bare forward by the forwarded body without its header block', () => {
    const t = memberText(
      'FYI\n\n---------- Forwarded message ---------\nFrom: A <a@x.example>\nDate: Tue\nSubject: S\nTo: B\n\nThe call is open.\n',
    );
    expect(t).toBe('FYI\n\nThe call is open.');
  });

  it('drops quoted lines, the attribution line and the signature', () => {
    const t = memberText('News here.\n\nOn Mon, 2 Mar 2026, Sec wrote:\n> old\n-- \nsig');
    expect(t).toBe('News here.');
    expect(memberText('Body\n> quoted\nmore\n-- \nJane')).toBe('Body\nmore');
  });
});

describe('kind, summary, language', () => {
  it('maps kind words in several languages', () => {
    expect(kindFromWord('Webinar')).toBe('event');
    expect(kindFromWord('報告書')).toBe('publication');
    expect(kindFromWord('nonsense')).toBeUndefined();
  });

  it('guesses a kind from the title only on clear words', () => {
    expect(kindFromTitle('Call for proposals: green ICT')).toBe('deadline');
    expect(kindFromTitle('Webinar on eco-labels')).toBe('event');
    expect(kindFromTitle('New report on textiles')).toBe('publication');
    expect(kindFromTitle('Hello from Berlin')).toBeUndefined();
  });

  it('summarises prose without salutations or field lines, cut at a sentence', () => {
    const s = summarise(
      `Dear colleagues,\n\n${'The forum brings buyers together. '.repeat(20)}\n\nWhen: 12 May 2026`,
      200,
    );
    expect(s.startsWith('The forum')).toBe(true);
    expect(s.length).toBeLessThanOrEqual(200);
    expect(s).not.toContain('When:');
    expect(s.endsWith('.')).toBe(true);
  });

  it('guesses CJK languages from the script', () => {
    expect(guessLanguage('グリーン購入')).toBe('ja');
    expect(guessLanguage('녹색구매')).toBe('ko');
    expect(guessLanguage('绿色采购')).toBe('zh');
    expect(guessLanguage('green')).toBeUndefined();
  });

  it('turns text into escaped HTML paragraphs with linked URLs', () => {
    expect(textToHtml('a <b> & c\nnext\n\nsee https://x.example/p.')).toBe(
      '<p>a &lt;b&gt; &amp; c<br />next</p>\n<p>see <a href="https://x.example/p" rel="noopener noreferrer nofollow">https://x.example/p</a>.</p>',
    );
  });
});
