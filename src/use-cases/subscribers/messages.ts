/**
 * The few sentences subscribers read (opt-in mail and public pages), in English and Simplified Chinese.
 * Any other language falls back to English. `{name}` is replaced by the newsletter name.
 */
const en = {
  confirmSubject: 'Please confirm your subscription to {name}',
  confirmIntro: 'Someone (hopefully you) asked to receive {name} at this address.',
  confirmAction: 'Confirm my subscription',
  confirmIgnore: 'If this was not you, ignore this message: nothing will be sent unless you confirm.',
  confirmExpiry: 'The link is valid for 7 days.',
  alreadySubject: 'You already receive {name}',
  alreadyIntro: 'Someone asked to subscribe this address to {name}; it is already subscribed.',
  alreadyAction: 'Change my preferences',
  subscribeTitle: 'Subscribe to {name}',
  email: 'E-mail address',
  yourName: 'Your name (optional)',
  language: 'Language',
  timeZone: 'Time zone (for reminder times), e.g. Asia/Shanghai',
  lists: 'What would you like to receive?',
  'list.newsletter': 'The quarterly newsletter',
  'list.reminders': 'Deadline and event reminders',
  'list.member-announcements': 'Announcements for IGPN members',
  honeypot: 'Leave this field empty',
  subscribe: 'Subscribe',
  checkInboxTitle: 'Check your inbox',
  checkInbox:
    'If the address can receive mail, a confirmation message is on its way. Click the link in it to start your subscription.',
  confirmedTitle: 'Subscription confirmed',
  confirmed: 'Thank you. You will receive {name} at {email}.',
  managePreferences: 'Manage your preferences',
  preferencesTitle: 'Your {name} preferences',
  save: 'Save preferences',
  saved: 'Your preferences are saved.',
  unsubscribeAll: 'Unsubscribe from everything',
  eraseTitle: 'Delete my data',
  eraseExplain:
    'Deletes everything we hold about you. We keep only a one-way hash of your address so that we never mail it again.',
  eraseButton: 'Delete my data',
  erasedTitle: 'Your data is deleted',
  erased: 'We deleted your subscription and history. Only a one-way hash of your address remains.',
  unsubscribeTitle: 'Unsubscribe',
  unsubscribeQuestion: 'Stop sending {list} to {email}?',
  unsubscribeButton: 'Unsubscribe',
  unsubscribedTitle: 'You are unsubscribed',
  unsubscribed: 'You will no longer receive {list}.',
  everything: 'any mail from {name}',
  notSubscribed: 'This address is not subscribed at the moment.',
  invalidTitle: 'This link does not work',
  invalid: 'The link is incomplete or was changed. Please use the link exactly as it appears in the mail.',
  expiredTitle: 'This link has expired',
  expired: 'Please use the link in a more recent mail, or subscribe again.',
  errorTitle: 'Something went wrong',
  tooManyTitle: 'Too many requests',
  tooMany: 'Please wait a minute and try again.',
  confirmPageTitle: 'Confirm your subscription',
  confirmPageQuestion: 'Start sending {name} to {email}?',
  confirmButton: 'Yes, confirm my subscription',
  eraseMailSubject: 'Confirm the deletion of your {name} data',
  eraseMailIntro: 'Someone (hopefully you) asked to delete everything {name} holds about this address.',
  eraseMailAction: 'Delete my data',
  eraseMailIgnore:
    'If this was not you, ignore this message: nothing is deleted unless you confirm. The link is valid for 24 hours.',
  eraseSentTitle: 'Check your inbox',
  eraseSent:
    'To protect you if this page was opened from a forwarded mail, we sent a confirmation link to {email}. Open it to delete your data.',
  eraseQuestion: 'Delete everything we hold about {email}? This cannot be undone.',
  forbiddenTitle: 'This form cannot be sent from here',
  crossSite:
    'For your safety this form only works on our own pages. Please open the link from the mail again.',
} as const;

type Key = keyof typeof en;

const zh: Record<Key, string> = {
  confirmSubject: '请确认订阅 {name}',
  confirmIntro: '有人（希望是您本人）申请用此邮箱接收 {name}。',
  confirmAction: '确认订阅',
  confirmIgnore: '如果不是您本人操作，请忽略此邮件：未经确认，我们不会发送任何邮件。',
  confirmExpiry: '链接 7 天内有效。',
  alreadySubject: '您已订阅 {name}',
  alreadyIntro: '有人申请为此邮箱订阅 {name}；此邮箱已在订阅中。',
  alreadyAction: '修改订阅设置',
  subscribeTitle: '订阅 {name}',
  email: '电子邮箱',
  yourName: '姓名（可选）',
  language: '语言',
  timeZone: '时区（用于提醒时间），例如 Asia/Shanghai',
  lists: '您希望接收哪些内容？',
  'list.newsletter': '季度通讯',
  'list.reminders': '截止日期和活动提醒',
  'list.member-announcements': 'IGPN 会员公告',
  honeypot: '请勿填写此栏',
  subscribe: '订阅',
  checkInboxTitle: '请查收邮件',
  checkInbox: '如果该邮箱可以收信，确认邮件已经发出。请点击邮件中的链接完成订阅。',
  confirmedTitle: '订阅已确认',
  confirmed: '谢谢！我们将向 {email} 发送 {name}。',
  managePreferences: '管理订阅设置',
  preferencesTitle: '{name} 订阅设置',
  save: '保存设置',
  saved: '设置已保存。',
  unsubscribeAll: '退订全部内容',
  eraseTitle: '删除我的数据',
  eraseExplain: '删除我们保存的关于您的全部数据。我们只保留邮箱地址的单向哈希值，以确保不再向其发信。',
  eraseButton: '删除我的数据',
  erasedTitle: '您的数据已删除',
  erased: '我们已删除您的订阅和记录，仅保留邮箱地址的单向哈希值。',
  unsubscribeTitle: '退订',
  unsubscribeQuestion: '停止向 {email} 发送{list}？',
  unsubscribeButton: '退订',
  unsubscribedTitle: '您已退订',
  unsubscribed: '您将不再收到{list}。',
  everything: '来自 {name} 的任何邮件',
  notSubscribed: '此邮箱目前未订阅。',
  invalidTitle: '此链接无效',
  invalid: '链接不完整或已被修改。请使用邮件中的原始链接。',
  expiredTitle: '此链接已过期',
  expired: '请使用较新邮件中的链接，或重新订阅。',
  errorTitle: '出错了',
  tooManyTitle: '请求过多',
  tooMany: '请稍候一分钟再试。',
  confirmPageTitle: '确认订阅',
  confirmPageQuestion: '开始向 {email} 发送 {name}？',
  confirmButton: '是的，确认订阅',
  eraseMailSubject: '确认删除您在 {name} 的数据',
  eraseMailIntro: '有人（希望是您本人）申请删除 {name} 保存的关于此邮箱的全部数据。',
  eraseMailAction: '删除我的数据',
  eraseMailIgnore: '如果不是您本人操作，请忽略此邮件：未经确认，不会删除任何数据。链接 24 小时内有效。',
  eraseSentTitle: '请查收邮件',
  eraseSent: '为防止转发的邮件被他人使用，我们已向 {email} 发送确认链接。请打开该链接删除您的数据。',
  eraseQuestion: '删除我们保存的关于 {email} 的全部数据？此操作无法撤销。',
  forbiddenTitle: '无法从此处提交表单',
  crossSite: '为了您的安全，此表单只能在我们自己的页面上使用。请重新打开邮件中的链接。',
};

/** The subscription mails (not the pages) also in Japanese and Korean (issue 14); the rest falls back to English. */
type MailKey =
  | 'confirmSubject'
  | 'confirmIntro'
  | 'confirmAction'
  | 'confirmIgnore'
  | 'confirmExpiry'
  | 'alreadySubject'
  | 'alreadyIntro'
  | 'alreadyAction'
  | 'eraseMailSubject'
  | 'eraseMailIntro'
  | 'eraseMailAction'
  | 'eraseMailIgnore'
  | 'mailFooter';

const ja: Partial<Record<Key | 'mailFooter', string>> & Record<MailKey, string> = {
  confirmSubject: '{name} の購読を確認してください',
  confirmIntro: 'このアドレスで {name} を受け取る申し込みがありました（ご本人であることを願っています）。',
  confirmAction: '購読を確認する',
  confirmIgnore:
    'お心当たりがない場合は、このメールを無視してください。確認されない限り、何も送信されません。',
  confirmExpiry: 'このリンクの有効期限は 7 日間です。',
  alreadySubject: '{name} はすでに購読されています',
  alreadyIntro: 'このアドレスで {name} の購読申し込みがありましたが、すでに購読中です。',
  alreadyAction: '購読設定を変更する',
  eraseMailSubject: '{name} のデータ削除を確認してください',
  eraseMailIntro: 'このアドレスについて {name} が保存しているすべてのデータの削除依頼がありました。',
  eraseMailAction: 'データを削除する',
  eraseMailIgnore:
    'お心当たりがない場合は、このメールを無視してください。確認されない限り、何も削除されません。リンクの有効期限は 24 時間です。',
  mailFooter: 'このメールは {email} 宛てに {name} から自動送信されました。',
};

const ko: Partial<Record<Key | 'mailFooter', string>> & Record<MailKey, string> = {
  confirmSubject: '{name} 구독을 확인해 주세요',
  confirmIntro: '이 주소로 {name}을(를) 받겠다는 신청이 있었습니다(본인이시길 바랍니다).',
  confirmAction: '구독 확인',
  confirmIgnore: '본인이 아니라면 이 메일을 무시하세요. 확인하지 않으면 아무것도 발송되지 않습니다.',
  confirmExpiry: '링크는 7일 동안 유효합니다.',
  alreadySubject: '이미 {name}을(를) 구독 중입니다',
  alreadyIntro: '이 주소로 {name} 구독 신청이 있었지만, 이미 구독 중입니다.',
  alreadyAction: '구독 설정 변경',
  eraseMailSubject: '{name} 데이터 삭제를 확인해 주세요',
  eraseMailIntro: '이 주소에 대해 {name}이(가) 보관한 모든 데이터의 삭제 요청이 있었습니다.',
  eraseMailAction: '내 데이터 삭제',
  eraseMailIgnore:
    '본인이 아니라면 이 메일을 무시하세요. 확인하지 않으면 아무것도 삭제되지 않습니다. 링크는 24시간 동안 유효합니다.',
  mailFooter: '{name}이(가) {email}(으)로 자동 발송한 메일입니다.',
};

const mailFooter = {
  en: 'This automatic message was sent to {email} by {name}.',
  zh: '此邮件由 {name} 自动发送至 {email}。',
} as const;

export type Lang = 'en' | 'zh';
export const langOf = (language: string | undefined): Lang => (language?.startsWith('zh') ? 'zh' : 'en');

/** Plain-text message with {placeholders} filled in (callers escape for HTML). */
export function t(lang: Lang, key: Key, vars: Record<string, string> = {}): string {
  const template = (lang === 'zh' ? zh : en)[key];
  return fill(template, vars);
}

const fill = (template: string, vars: Record<string, string>) =>
  template.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);

export const MAIL_LANGUAGES = ['en', 'zh', 'ja', 'ko'] as const;
export type MailLang = (typeof MAIL_LANGUAGES)[number];

/** A subscription mail's sentence in the reader's language (en, zh, ja, ko; see pickLanguage). */
export function tm(lang: MailLang, key: MailKey, vars: Record<string, string> = {}): string {
  const table: Partial<Record<string, string>> =
    lang === 'ja' ? ja : lang === 'ko' ? ko : { ...(lang === 'zh' ? zh : en), mailFooter: mailFooter[lang] };
  return fill(table[key] ?? (key === 'mailFooter' ? mailFooter.en : en[key as Key]), vars);
}
