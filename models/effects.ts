/**
 * What a machine asks of the world, emitted as plain data (Stateright's `Out` commands,
 * XState's `emit`). The simulator interprets them: it owns the network, the clock and the log.
 * A machine never performs an effect itself (house-style §3.5).
 */
import type { CoordinatorObservation, MemberObservation } from './history.ts';
import type { Message } from './protocol.ts';
import type { TopicPartition } from './types.ts';
import type { JoinMemberMetadata } from './protocol.ts';

export type Effect =
  /** Put a message on the wire; delivery order is the simulator's choice. */
  | { readonly type: 'Send'; readonly to: string; readonly message: Message }
  /** (Re)arm this machine's timer: a later SetTimer of the same name replaces it. */
  | { readonly type: 'SetTimer'; readonly timer: string; readonly delayMs: number }
  | { readonly type: 'CancelTimer'; readonly timer: string }
  /** Record an observable event in the history. */
  | { readonly type: 'Observe'; readonly event: MemberObservation | CoordinatorObservation }
  /** Coordinator: write accepted offsets to the committed-offsets store (__consumer_offsets). */
  | { readonly type: 'StoreOffsets'; readonly group: string; readonly offsets: Readonly<Record<TopicPartition, number>> }
  /** Member: it was elected leader; its leader role must compute the assignment. */
  | { readonly type: 'Lead'; readonly generation: number; readonly protocol: string | null; readonly members: readonly JoinMemberMetadata[] }
  /** Member: it joined a generation as a follower; its leader role (if leading) steps down. */
  | { readonly type: 'Demote' }
  /** Leader role: the assignment it computed, for its member's SyncGroup. */
  | { readonly type: 'AssignmentComputed'; readonly generation: number; readonly assignments: Readonly<Record<string, readonly TopicPartition[]>> }
  /**
   * Member: close the connection to the coordinator or the broker (a request timed out,
   * kafka-protocol.md §2.7): every request and response still in flight on it is lost.
   */
  | { readonly type: 'Disconnect'; readonly to: string }
  /** Member: the consumer closed; the process may exit. */
  | { readonly type: 'Exit' };

/** Timers fire back into the machine that armed them as this event. */
export interface TimerEvent {
  readonly type: 'Timer';
  readonly timer: string;
}

/** Result of a pure handler: the next context and the effects to emit, in order. */
export interface Step<C> {
  readonly ctx: C;
  readonly out: readonly Effect[];
}
