/**
 * Bug-zoo variants of the consumer member: each is one small, named change of one action,
 * switched on by the simulation config's `variant` (models/zoo.ts).
 */
import { consumerAction, consumerMachine } from './consumer.machine.ts';
import { commitSync } from './consumer.logic.ts';

/** The per-message loop commits the record's offset instead of offset + 1 (the next to read). */
export const commitOffsetNotNext = consumerMachine.provide({
  actions: {
    commitRecord: consumerAction((c) => (c.lastProcessed === null ? { ctx: c, out: [] } : commitSync(c, { [c.lastProcessed.tp]: c.lastProcessed.offset }, 'next-record'))),
  },
});
