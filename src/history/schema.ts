/**
 * The history format as a public contract: one zod schema per event type of models/history.ts,
 * strict (an unknown field is an error, so a misspelt field never passes silently).
 *
 * The TypeScript union in models/history.ts stays the source of the types; this file states
 * what a valid value is, and a compile-time check below fails the typecheck if the two ever
 * disagree (a field added to one and not the other, a field whose type differs). The JSON
 * Schema in docs/history.schema.json is generated from these schemas (jsonSchema.ts).
 *
 * Value rules this contract adds to the TypeScript types (the simulator always met them):
 * - `t` is a finite number ≥ 0 (milliseconds on any clock, virtual or real; need not be an integer);
 * - offsets are integers ≥ 0, generations and commit sequence numbers are integers (a generation
 *   of -1 is a manual-assign commit, as Kafka sends it);
 * - a topic-partition is spelled `topic-N` as Kafka tools print it (`accounts-2`);
 * - member and group names are non-empty.
 */
import { z } from 'zod';
import type { HistoryEvent, HistoryEventType } from '../../models/history.ts';
import { compileCheck, type Check } from './compile.ts';

const time = z.number().finite().min(0).describe('time of the event in milliseconds (virtual or real clock), ≥ 0');
const member = z.string().min(1).describe('one consumer incarnation, e.g. "c1#2" (slot c1, second start)');
const group = z.string().min(1).describe('consumer group id');
/** `topic-N`, as Kafka tools print a topic-partition. */
export const TOPIC_PARTITION_PATTERN = '^.+-(0|[1-9][0-9]*)$';
const tp = z.string().regex(new RegExp(TOPIC_PARTITION_PATTERN), 'expected "topic-N", e.g. "accounts-2"').describe('topic-partition, "topic-N"');
const offset = z.number().int().min(0).describe('record offset, ≥ 0');
const generation = z.number().int().describe('group generation id (-1: none, as manual assign() commits send it)');
const offsetMap = z.record(tp, z.number().int().min(0)).readonly().describe('topic-partition → committed offset (the offset of the next record to read)');
const tpList = z.array(tp).readonly();

const commitError = z
  .enum(['NONE', 'REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'COORDINATOR_NOT_AVAILABLE', 'NOT_COORDINATOR', 'COORDINATOR_LOAD_IN_PROGRESS', 'REQUEST_TIMED_OUT', 'FENCED_INSTANCE_ID', 'STALE_MEMBER_EPOCH'])
  .describe('NONE: accepted; REQUEST_TIMED_OUT: no answer, outcome unknown (may have been applied); any other: rejected');

const event = <T extends string, S extends z.ZodRawShape>(type: T, description: string, shape: S) =>
  z
    .object({ type: z.literal(type), t: time, ...shape })
    .strict()
    .readonly()
    .describe(description);

/** One schema per event type, keyed by type, in the order of models/history.ts. */
export const historyEventSchemas = {
  // --- environment ---
  Produced: event('Produced', 'a record was appended to the log (by any producer)', { tp, offset, key: z.string(), value: z.number().finite() }),
  Started: event('Started', 'a consumer process started; names the member\'s group, topics, mode and processing policy', {
    member,
    group,
    topics: z.array(z.string().min(1)).readonly(),
    mode: z.enum(['subscribe', 'assign']),
    policy: z.string(),
  }),
  Crashed: event('Crashed', 'the process was killed (kill -9): no LeaveGroup, nothing more sent', { member }),
  Paused: event('Paused', 'a stop-the-world pause began (GC, SIGSTOP)', { member, ms: z.number().finite().min(0) }),
  Resumed: event('Resumed', 'the pause ended', { member }),
  LeaveRequested: event('LeaveRequested', 'the application asked the consumer to close', { member }),
  SeekRequested: event('SeekRequested', 'the application seeks a partition to an offset', { member, tp, offset }),
  Stalled: event('Stalled', 'the application thread was slowed down by ms on its current or next record (the heartbeat thread still runs)', { member, ms: z.number().finite().min(0) }),
  PartitionsAdded: event('PartitionsAdded', 'partitions were added to a topic; partitions: its new partition count', { topic: z.string().min(1), partitions: z.number().int().min(1) }),
  Quiesce: event('Quiesce', 'no more faults from here on; the run waits for the groups to settle; stableWithinMs: per group, the bound (ms) within which it must be Stable again', {
    stableWithinMs: z.record(z.string(), z.number().int().min(0)).readonly().optional(),
  }),
  Quiesced: event('Quiesced', 'the end of the run; settled: whether the groups settled (eventually-claims need true)', { settled: z.boolean() }),
  CoordinatorMoved: event('CoordinatorMoved', 'the group coordinator moved: the old one unloaded the group, the numbered new one loads it', {
    group,
    coordinator: z.number().int().min(0),
  }),
  MessageDropped: event('MessageDropped', 'the network lost one message (a request or a response)', { from: z.string().min(1), to: z.string().min(1), message: z.string().min(1) }),
  // --- client side ---
  Joined: event('Joined', 'JoinGroup completed for the member', { member, group, generation, leader: z.boolean() }),
  Assigned: event('Assigned', 'the member received its assignment (partitions it owns from now on)', { member, group, generation, partitions: tpList }),
  Revoked: event('Revoked', 'partitions were taken from the member', { member, group, partitions: tpList, reason: z.enum(['rebalance', 'lost', 'close']) }),
  Positioned: event('Positioned', 'the member\'s fetch position on a partition was set; offset: the next record it will read', {
    member,
    tp,
    offset,
    source: z.enum(['committed', 'reset-earliest', 'reset-latest', 'seek']),
  }),
  Polled: event('Polled', 'poll() returned these offsets of one partition to the application, in order', { member, tp, offsets: z.array(offset).readonly() }),
  ProcessStarted: event('ProcessStarted', 'the application began processing one record', { member, tp, offset }),
  Processed: event('Processed', 'the application finished processing one record (its side effect happened)', { member, tp, offset }),
  CommitRequested: event('CommitRequested', 'the member sent an offset commit; seq pairs it with its CommitResult', { member, group, generation, offsets: offsetMap, seq: z.number().int() }),
  CommitResult: event('CommitResult', 'the answer to the commit with the same member and seq; error NONE means accepted; with local, the client failed the commit itself and sent nothing (no CommitRequested)', {
    member,
    group,
    generation,
    offsets: offsetMap,
    seq: z.number().int(),
    error: commitError,
    local: z
      .enum(['RebalanceInProgressException'])
      .optional()
      .describe('a classic member that is not STABLE fails the commit before sending it (kafka-protocol.md §2.7); error is then REBALANCE_IN_PROGRESS'),
  }),
  Left: event('Left', 'the member left its group (LeaveGroup sent, process closed)', { member, group }),
  PollTimeoutExpired: event('PollTimeoutExpired', 'max.poll.interval.ms passed without a poll(): the member gave up its generation (LeaveGroup unless static)', { member, group }),
  Fenced: event('Fenced', 'the member was answered FENCED_INSTANCE_ID (another incarnation holds its group.instance.id); fatal', { member, group }),
  AssignorRan: event('AssignorRan', "the member's leader role ran the assignor: members' subscriptions and claimed partitions, the balanced target, the assignment sent (cooperative-sticky holds moving partitions back)", {
    member,
    generation,
    assignor: z.string().min(1),
    members: z
      .array(z.object({ memberId: z.string().min(1), topics: z.array(z.string().min(1)).readonly(), owned: tpList, ownedGeneration: generation }).strict().readonly())
      .readonly(),
    target: z.record(z.string().min(1), tpList).readonly(),
    assignment: z.record(z.string().min(1), tpList).readonly(),
  }),
  // --- coordinator side ---
  RebalanceStarted: event('RebalanceStarted', 'the coordinator entered PreparingRebalance; generation is the current (outgoing) one', { group, generation }),
  GenerationStarted: event('GenerationStarted', 'the coordinator completed a join phase: a new generation with these members', {
    group,
    generation,
    members: z.array(member).readonly(),
    leader: member.nullable(),
    protocol: z.string().nullable(),
  }),
  GroupStable: event('GroupStable', 'the coordinator distributed the leader\'s assignment (member → partitions)', {
    group,
    generation,
    assignment: z.record(member, tpList).readonly(),
  }),
  MemberRemoved: event('MemberRemoved', 'the coordinator removed a member', { group, member, reason: z.enum(['session-timeout', 'leave', 'rejoin-timeout', 'sync-timeout', 'revocation-timeout']) }),
  MemberEpochAssigned: event('MemberEpochAssigned', 'KIP-848 coordinator: it set a member\'s epoch and partitions (assigned, and still to be revoked)', {
    group,
    member,
    epoch: generation,
    assigned: tpList,
    pendingRevocation: tpList,
  }),
  OffsetsStored: event('OffsetsStored', 'the coordinator accepted and stored a member\'s offset commit', { group, member, generation, offsets: offsetMap }),
  GroupLoaded: event('GroupLoaded', 'a new coordinator loaded the group from its persisted metadata: the last Stable or Empty generation and its members', {
    group,
    coordinator: z.number().int().min(0),
    generation,
    members: z.array(member).readonly(),
  }),
  StaticMemberReplaced: event('StaticMemberReplaced', 'a new incarnation with the same group.instance.id took over a static member\'s place; previous is fenced from now on', {
    group,
    generation,
    instance: z.string().min(1),
    previous: member,
    member,
  }),
} as const;

/** Every event type, in the order of models/history.ts. */
export const HISTORY_EVENT_TYPES = Object.freeze(Object.keys(historyEventSchemas)) as readonly HistoryEventType[];

type Schemas = typeof historyEventSchemas;
type SchemaList = Schemas[keyof Schemas];

/** The schema of one history event (any type), a discriminated union on `type`. */
export const historyEventSchema = z.discriminatedUnion(
  'type',
  // A ZodReadonly wrapper hides the object from discriminatedUnion; it gets the inner objects,
  // and the readonly-ness is restored by the type below.
  Object.values(historyEventSchemas).map((s) => s.unwrap()) as unknown as [z.ZodDiscriminatedUnionOption<'type'>, ...z.ZodDiscriminatedUnionOption<'type'>[]],
) as unknown as z.ZodType<z.infer<SchemaList>, z.ZodTypeDef, unknown>;

/** What the schema accepts, as a type. It is HistoryEvent exactly (checked below). */
export type HistoryEventInput = z.infer<SchemaList>;

// Compile-time contract check: the schema's type and models/history.ts's union are the same type.
type Equals<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
type Normalize<T> = T extends unknown ? { [K in keyof T]: T[K] } : never;
type PerType<U extends { type: string }> = { [K in U['type']]: Normalize<Extract<U, { type: K }>> };
/** Fails to compile when an event type or a field differs between the schema and the union. */
export const SCHEMA_MATCHES_HISTORY_TYPES: Equals<PerType<HistoryEventInput>, PerType<HistoryEvent>> = true;

/** One problem with one event: the dotted path of the field ('' for the event itself) and what is wrong. */
export interface EventIssue {
  readonly field: string;
  readonly message: string;
}

/** Per type, the fast acceptance test compiled from its schema (compile.ts). */
const FAST: ReadonlyMap<string, { readonly schema: z.ZodTypeAny; readonly accepts: Check }> = new Map(
  Object.entries(historyEventSchemas).map(([type, schema]) => [type, { schema, accepts: compileCheck(schema) }]),
);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Validates one parsed JSON value as a history event. Returns the event (the same object,
 * untouched: the schemas transform nothing) or the issues found, with messages a person can act on.
 */
export const validateHistoryEvent = (value: unknown): { ok: true; event: HistoryEvent } | { ok: false; issues: EventIssue[] } => {
  if (!isObject(value)) return { ok: false, issues: [{ field: '', message: `expected a JSON object (one event per line), got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}` }] };
  const type = value.type;
  if (type === undefined) return { ok: false, issues: [{ field: 'type', message: 'Required (every event names its type)' }] };
  const entry = typeof type === 'string' ? FAST.get(type) : undefined;
  if (entry === undefined) {
    return { ok: false, issues: [{ field: 'type', message: `unknown event type ${JSON.stringify(type)} (known: ${HISTORY_EVENT_TYPES.join(', ')})` }] };
  }
  if (entry.accepts(value)) return { ok: true, event: value as unknown as HistoryEvent };
  // Rejected: zod says why. (Should zod accept what the compiled test refused, trust zod.)
  const r = entry.schema.safeParse(value);
  if (r.success) return { ok: true, event: value as unknown as HistoryEvent };
  const issues: EventIssue[] = [];
  for (const i of r.error.issues) {
    if (i.code === 'unrecognized_keys') {
      const base = i.path.join('.');
      for (const k of i.keys) issues.push({ field: base === '' ? k : `${base}.${k}`, message: `unknown field for a ${type} event` });
    } else {
      issues.push({ field: i.path.join('.'), message: i.message });
    }
  }
  return { ok: false, issues };
};

/**
 * Parses one value as a history event.
 * @throws Error listing every bad field.
 */
export const parseHistoryEvent = (value: unknown): HistoryEvent => {
  const r = validateHistoryEvent(value);
  if (r.ok) return r.event;
  throw new Error(`invalid history event: ${r.issues.map(formatIssue).join('; ')}`);
};

/** `field "offset": Expected number, received string`, or the bare message for the event itself. */
export const formatIssue = (i: EventIssue): string => (i.field === '' ? i.message : `field "${i.field}": ${i.message}`);
