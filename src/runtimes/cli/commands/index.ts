import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import * as consoleCmd from './console.ts';
import * as demo from './demo.ts';
import * as editions from './editions.ts';
import * as inbound from './inbound.ts';
import * as reminders from './reminders.ts';
import * as sending from './sending.ts';
import * as subscribers from './subscribers.ts';
import * as templates from './templates.ts';

/** Each area registers its own commands (members, updates, subscribers, editions, reminders …). */
export function registerAll(program: Command, ctx: CliContext) {
  for (const area of [inbound, subscribers, editions, templates, sending, reminders, demo, consoleCmd])
    area.register(program, ctx);
}
