export * from './campaign.ts';
export * from './common.ts';
export * from './errors.ts';
export * from './ids.ts';
export * from './member.ts';
export * from './subscriber.ts';
export * from './tokens.ts';
export * from './update.ts';
