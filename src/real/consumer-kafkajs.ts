/**
 * One KafkaJS consumer as a process of its own, so that a crash is a real SIGKILL and a pause a
 * real SIGSTOP. Run by the harness as `node --import tsx src/real/consumer-kafkajs.ts` with its
 * ChildConfig in the environment.
 *
 * KafkaJS exposes neither the generation nor the commit requests its runner sends on its own, so
 * this process wraps the methods of KafkaJS's Broker class (the coordinator connection every
 * group request goes through) to observe them, without changing what they send:
 * - joinGroup: before the request, Revoked of the current assignment (KafkaJS has no revoke
 *   callback; with its eager protocol the assignment ends when it rejoins; reason `lost` when it
 *   rejoins without a member id, i.e. after UNKNOWN_MEMBER_ID); after the response, Joined with
 *   the generation and whether it leads.
 * - the GROUP_JOIN instrumentation event: Assigned, with the generation of that JoinGroup.
 * - offsetFetch: the committed offsets, to name a Positioned's source.
 * - fetch: the first fetch offset of each partition in an ownership episode is its Positioned.
 * - offsetCommit: CommitRequested before, CommitResult (KafkaJS's error type) after, for manual
 *   and automatic commits alike, with the generation the request carries.
 *
 * One workaround of a mock defect, not a client change: KafkaJS picks LeaveGroup v3 (a members
 * array), which the mock parses as v0 (a single member id) and answers without the members
 * array, so the leave is lost and the answer fails to decode. LeaveGroup is pinned to v2, which
 * carries the same information for a dynamic member.
 */
import { createRequire } from 'node:module';
import type { TopicPartition } from '../../models/types.ts';
import { childLifecycle, emit, note, readChildConfig, sleep } from './childRuntime.ts';
import { mapCommitError } from './protocol.ts';

type AnyFn = (this: unknown, ...args: never[]) => Promise<unknown>;
interface KjsMessage {
  readonly offset: string;
}
interface KjsBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly KjsMessage[];
}
interface KjsConsumer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  subscribe(o: { topics: string[]; fromBeginning: boolean }): Promise<void>;
  run(o: Record<string, unknown>): Promise<void>;
  commitOffsets(o: Array<{ topic: string; partition: number; offset: string }>): Promise<void>;
  on(event: string, cb: (e: { payload: Record<string, unknown> }) => void): void;
  events: Record<string, string>;
}

const cfg = readChildConfig();
const require = createRequire(import.meta.url);
const { Kafka, logLevel } = require('kafkajs') as {
  Kafka: new (o: Record<string, unknown>) => { consumer(o: Record<string, unknown>): KjsConsumer };
  logLevel: Record<string, number>;
};
const Broker = require('kafkajs/src/broker/index.js') as { prototype: Record<string, AnyFn> };
const leaveGroupVersions = (require('kafkajs/src/protocol/requests/leaveGroup/index.js') as { versions: string[] }).versions;
const v3 = leaveGroupVersions.indexOf('3');
if (v3 >= 0) leaveGroupVersions.splice(v3, 1);

const tpOf = (topic: string, partition: number | string): TopicPartition => `${topic}-${partition}`;
const policy = cfg.policy;

let generation = -1;
let assignment: TopicPartition[] = [];
const committedAtAssign = new Map<TopicPartition, number>();
const positionedThisEpisode = new Set<TopicPartition>();
/** tp → the offset after the last record handed to the application in this episode. */
const nextPolled = new Map<TopicPartition, number>();
let commitSeq = 0;

const wrap = (name: string, around: (original: AnyFn) => AnyFn): void => {
  const original = Broker.prototype[name];
  if (original === undefined) throw new Error(`kafkajs Broker has no method ${name}`);
  Broker.prototype[name] = around(original);
};

wrap('joinGroup', (original) =>
  async function (this: unknown, ...args: never[]) {
    const req = args[0] as unknown as { groupId: string; memberId?: string };
    if (req.groupId === cfg.group && assignment.length > 0) {
      emit({ type: 'Revoked', group: cfg.group, partitions: assignment, reason: req.memberId === undefined || req.memberId === '' ? 'lost' : 'rebalance' });
      assignment = [];
    }
    const res = (await original.apply(this, args)) as { generationId: number; leaderId: string; memberId: string };
    if (req.groupId === cfg.group) {
      generation = res.generationId;
      emit({ type: 'Joined', group: cfg.group, generation, leader: res.leaderId === res.memberId });
    }
    return res;
  },
);

wrap('offsetFetch', (original) =>
  async function (this: unknown, ...args: never[]) {
    const res = (await original.apply(this, args)) as { responses?: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }> };
    for (const t of res.responses ?? []) for (const p of t.partitions) committedAtAssign.set(tpOf(t.topic, p.partition), Number(p.offset));
    return res;
  },
);

wrap('fetch', (original) =>
  function (this: unknown, ...args: never[]) {
    const req = args[0] as unknown as { topics: Array<{ topic: string; partitions: Array<{ partition: number; fetchOffset: string }> }> };
    for (const t of req.topics) {
      for (const p of t.partitions) {
        const tp = tpOf(t.topic, p.partition);
        const offset = Number(p.fetchOffset);
        if (!Number.isInteger(offset) || offset < 0) continue;
        emit({ type: '_pos', tp, offset });
        if (!assignment.includes(tp)) continue;
        const expected = nextPolled.get(tp);
        if (expected !== undefined && offset < expected) {
          // KafkaJS went back to its last resolved offset (a handler threw): a re-position.
          nextPolled.set(tp, offset);
          emit({ type: 'Positioned', tp, offset, source: 'seek' });
          continue;
        }
        if (positionedThisEpisode.has(tp)) continue;
        positionedThisEpisode.add(tp);
        const committed = committedAtAssign.get(tp);
        const source = committed !== undefined && committed >= 0 && committed === offset ? 'committed' : cfg.autoOffsetReset === 'earliest' ? 'reset-earliest' : 'reset-latest';
        emit({ type: 'Positioned', tp, offset, source });
      }
    }
    return original.apply(this, args);
  },
);

wrap('offsetCommit', (original) =>
  async function (this: unknown, ...args: never[]) {
    const req = args[0] as unknown as { groupId: string; groupGenerationId: number; topics: Array<{ topic: string; partitions: Array<{ partition: number | string; offset: string }> }> };
    if (req.groupId !== cfg.group) return original.apply(this, args);
    const offsets: Record<string, number> = {};
    for (const t of req.topics) for (const p of t.partitions) offsets[tpOf(t.topic, p.partition)] = Number(p.offset);
    const seq = ++commitSeq;
    const gen = req.groupGenerationId;
    emit({ type: 'CommitRequested', group: cfg.group, generation: gen, offsets, seq });
    try {
      const res = await original.apply(this, args);
      emit({ type: 'CommitResult', group: cfg.group, generation: gen, offsets, seq, error: 'NONE' });
      return res;
    } catch (e) {
      const type = (e as { type?: string }).type ?? (e as Error).name;
      const { error, raw } = mapCommitError(type);
      if (raw !== null) note(`commit error ${raw}: ${(e as Error).message}`);
      emit({ type: 'CommitResult', group: cfg.group, generation: gen, offsets, seq, error });
      throw e;
    }
  },
);

const kafka = new Kafka({
  clientId: cfg.member,
  brokers: [cfg.bootstrap],
  logLevel: logLevel.WARN,
  logCreator:
    () =>
    ({ namespace, label, log }: { namespace: string; label: string; log: { message: string; error?: string } }) => {
      process.stderr.write(`${cfg.member}: [${label}] ${namespace}: ${log.message}${log.error === undefined ? '' : ` (${log.error})`}\n`);
    },
  retry: { initialRetryTime: 50, maxRetryTime: 1000, retries: 30 },
});
/** The consumer of this process; replaced when KafkaJS gives up after a non-retriable error. */
let consumer: KjsConsumer;
let restarts = 0;

const newConsumer = (): KjsConsumer => {
  const c = kafka.consumer({
    groupId: cfg.group,
    sessionTimeout: cfg.sessionTimeoutMs,
    rebalanceTimeout: cfg.maxPollIntervalMs,
    heartbeatInterval: cfg.heartbeatIntervalMs,
    maxWaitTimeInMs: cfg.fetchMaxWaitMs,
    retry: { initialRetryTime: 50, maxRetryTime: 1000, retries: 30 },
  });
  c.on(c.events.GROUP_JOIN!, (e) => {
    if (c !== consumer) return;
    const byTopic = (e.payload.memberAssignment ?? {}) as Record<string, number[]>;
    assignment = cfg.topics.flatMap((t) => (byTopic[t] ?? []).map((p) => tpOf(t, p)));
    positionedThisEpisode.clear();
    nextPolled.clear();
    emit({ type: 'Assigned', group: cfg.group, generation, partitions: assignment });
  });
  c.on(c.events.CRASH!, (e) => {
    const err = e.payload.error as (Error & { type?: string }) | undefined;
    note(`KafkaJS consumer crashed: ${err?.name ?? ''} ${err?.type ?? ''} ${err?.message ?? ''} (KafkaJS restarts it itself: ${String(e.payload.restart)})`);
    if (e.payload.restart === true || closing || c !== consumer) return;
    // KafkaJS gave up (a non-retriable error: on the mock, INVALID_REQUEST for a SyncGroup that
    // arrived after the leader's, §7.3). The application does what KafkaJS's docs say to do on
    // CRASH: it starts a new consumer. The old one's assignment is gone.
    if (assignment.length > 0) emit({ type: 'Revoked', group: cfg.group, partitions: assignment, reason: 'lost' });
    assignment = [];
    restarts++;
    note(`the application starts a new consumer (restart ${restarts})`);
    setTimeout(() => {
      if (!closing) run().catch((err: unknown) => note(`restart failed: ${String(err)}`));
    }, 100);
  });
  return c;
};
let inFlight = 0;
let closing = false;

const processRecord = async (tp: TopicPartition, offset: number): Promise<void> => {
  emit({ type: 'ProcessStarted', tp, offset });
  await sleep(cfg.processingMs);
  emit({ type: 'Processed', tp, offset });
};

/**
 * A failed commit is thrown out of the handler, as the model's policy does (Java's
 * CommitFailedException ends the loop over the batch): KafkaJS then stops the batch, re-joins on
 * a rebalancing error, and fetches again from the last resolved offset.
 *
 * consumer.commitOffsets() wraps a non-retriable protocol error (REBALANCE_IN_PROGRESS,
 * ILLEGAL_GENERATION) in a KafkaJSNonRetriableError whose `type` is gone; thrown as it is, the
 * runner does not see a rebalance and the consumer crashes for good (restart: false). The
 * application therefore throws the original protocol error (its `cause`), which KafkaJS's runner
 * answers by re-joining (reports/real/findings.md, K2).
 */
const commit = async (topic: string, partition: number, next: number): Promise<void> => {
  try {
    await consumer.commitOffsets([{ topic, partition, offset: String(next) }]);
  } catch (e) {
    const cause = (e as { cause?: { type?: string } }).cause;
    throw cause !== undefined && typeof cause.type === 'string' ? cause : e;
  }
};

const eachMessage = async ({ topic, partition, message }: { topic: string; partition: number; message: KjsMessage }): Promise<void> => {
  inFlight++;
  try {
    const tp = tpOf(topic, partition);
    const offset = Number(message.offset);
    emit({ type: 'Polled', tp, offsets: [offset] });
    nextPolled.set(tp, offset + 1);
    await processRecord(tp, offset);
    if (policy === 'commit-per-message') await commit(topic, partition, offset + 1);
  } finally {
    inFlight--;
  }
};

const eachBatch = async ({ batch, resolveOffset, heartbeat, isRunning, isStale }: { batch: KjsBatch; resolveOffset: (o: string) => void; heartbeat: () => Promise<void>; isRunning: () => boolean; isStale: () => boolean }): Promise<void> => {
  inFlight++;
  try {
    const tp = tpOf(batch.topic, batch.partition);
    for (let i = 0; i < batch.messages.length; i += cfg.maxPollRecords) {
      if (!isRunning() || isStale()) break;
      const chunk = batch.messages.slice(i, i + cfg.maxPollRecords).map((m) => Number(m.offset));
      const last = chunk[chunk.length - 1]!;
      emit({ type: 'Polled', tp, offsets: chunk });
      nextPolled.set(tp, last + 1);
      if (policy === 'commit-before-process') await commit(batch.topic, batch.partition, last + 1);
      for (const offset of chunk) {
        await processRecord(tp, offset);
        resolveOffset(String(offset));
        await heartbeat();
      }
      if (policy === 'commit-after-batch') await commit(batch.topic, batch.partition, last + 1);
    }
  } finally {
    inFlight--;
  }
};

childLifecycle(cfg, async () => {
  closing = true;
  // consumer.disconnect() stops the runner after the batch in hand (and, with autoCommit,
  // commits what was resolved), then sends LeaveGroup.
  await consumer.disconnect();
  if (inFlight > 0) note(`closed with ${inFlight} handler(s) still running`);
  emit({ type: 'Left', group: cfg.group });
});

const run = async (): Promise<void> => {
  consumer = newConsumer();
  await consumer.connect();
  await consumer.subscribe({ topics: [...cfg.topics], fromBeginning: cfg.autoOffsetReset === 'earliest' });
  const perMessage = policy === 'auto-commit-java' || policy === 'commit-per-message';
  await consumer.run({
    autoCommit: policy === 'auto-commit-java',
    autoCommitInterval: cfg.autoCommitIntervalMs,
    partitionsConsumedConcurrently: 1,
    eachBatchAutoResolve: false,
    ...(perMessage ? { eachMessage } : { eachBatch }),
  });
  if (!closing) emit({ type: '_ready' });
};

run().catch((e: unknown) => {
  process.stderr.write(`${cfg.member}: start failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(8);
});
