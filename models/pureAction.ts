/**
 * Lifts a pure handler `(context, event, params) => { ctx, out }` into an XState action that
 * assigns the next context and emits the effects in order, and attaches the handler itself for
 * src/sim/compiled.ts (which runs the same machine without XState's runtime). Every machine's
 * named actions are made with it (consumerAction, coordinatorAction, consumerGroupAction, ...).
 */
import { enqueueActions, type EventObject } from 'xstate';
import type { Effect, Step } from './effects.ts';

export const pureAction = <C extends object, E extends EventObject, P = undefined>(f: (ctx: C, ev: E, params: P | undefined) => Step<C>) =>
  Object.assign(
    enqueueActions<C, E, P | undefined, E, never, never, never, never, Effect>(({ context, event, enqueue }, params) => {
      const r = f(context, event, params);
      if (r.ctx !== context) enqueue.assign(r.ctx as never);
      for (const e of r.out) enqueue.emit(e);
    }),
    { handler: (ctx: C, ev: E, params: P | undefined) => f(ctx, ev, params) },
  );

/** A handler for one event type; other events leave the context as it is. */
export const onEvent = <C, E extends { readonly type: string }, T extends E['type']>(type: T, f: (ctx: C, ev: Extract<E, { type: T }>) => Step<C>) =>
  (ctx: C, ev: E): Step<C> => (ev.type === type ? f(ctx, ev as Extract<E, { type: T }>) : { ctx, out: [] });
