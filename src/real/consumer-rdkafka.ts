/**
 * One librdkafka consumer (node-rdkafka KafkaConsumer) as a process of its own, so that a crash
 * is a real SIGKILL and a pause a real SIGSTOP. Run by the harness as
 * `node --import tsx src/real/consumer-rdkafka.ts` with its ChildConfig in the environment.
 *
 * What is observed, and how (docs/real-systems.md):
 * - Joined: the `JoinGroup response: GenerationId G, ..., LeaderId L (me)` line of librdkafka's
 *   cgrp debug log (node-rdkafka exposes no generation; the log is the only window on it).
 * - Assigned / Revoked: the rebalance callback (eager protocol: range, roundrobin). Assigned
 *   carries the generation of the JoinGroup response that preceded it; the callback waits for
 *   that log line when it has not arrived yet. Revoked's reason is `lost` after librdkafka logged
 *   "current assignment ... lost", `close` while closing, else `rebalance`.
 * - Positioned: the `Partition T [P] start fetching at offset N` debug line, once per ownership
 *   episode; the source is `committed` when the OffsetFetch of that episode returned an offset,
 *   else the auto.offset.reset policy.
 * - Polled / ProcessStarted / Processed: the application loop around consume(maxPollRecords).
 * - CommitRequested / CommitResult: manual commits around commitSync(); auto-commits (timer,
 *   revoke, close) only through offset_commit_cb, so both events are printed when the result
 *   arrives, with the generation of the matching "Committing offsets ... generation-id G" line.
 *   A commit whose result never reaches JavaScript (the one close() sends) is not seen.
 */
import { createRequire } from 'node:module';
import type { TopicPartition } from '../../models/types.ts';
import { childLifecycle, emit, note, readChildConfig, sleep } from './childRuntime.ts';
import { mapCommitError, nextOffsets, pollGroups } from './protocol.ts';

interface RdMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}
interface RdTopicPartition {
  readonly topic: string;
  readonly partition: number;
  readonly offset?: number;
  readonly error?: { readonly code?: number } | null;
}
interface RdError {
  readonly code: number;
  readonly message: string;
}
interface RdConsumer {
  connect(opts: object, cb: (err: RdError | null) => void): void;
  subscribe(topics: string[]): void;
  consume(n: number, cb: (err: RdError | null, msgs: RdMessage[]) => void): void;
  setDefaultConsumeTimeout(ms: number): void;
  assign(tps: RdTopicPartition[]): void;
  unassign(): void;
  commitSync(tps: RdTopicPartition[]): void;
  offsetsStore(tps: RdTopicPartition[]): void;
  seek(tp: RdTopicPartition, timeoutMs: number, cb: (err?: RdError) => void): void;
  disconnect(cb: (err?: unknown) => void): void;
  on(event: 'event.log', cb: (l: { fac: string; message: string }) => void): void;
  on(event: 'offset.commit', cb: (err: RdError | null | undefined, tps: RdTopicPartition[]) => void): void;
  on(event: 'event.error', cb: (err: RdError) => void): void;
}

const cfg = readChildConfig();
const require = createRequire(import.meta.url);
const Kafka = require('node-rdkafka') as {
  KafkaConsumer: new (conf: Record<string, unknown>, topicConf: Record<string, unknown>) => RdConsumer;
  CODES: { ERRORS: Record<string, number> };
};
const errorNames = new Map<number, string>(Object.entries(Kafka.CODES.ERRORS).map(([name, code]) => [code, name]));
const errName = (code: number | undefined): string | null => (code === undefined || code === 0 ? null : (errorNames.get(code) ?? `ERR_${code}`));

const tpOf = (topic: string, partition: number): TopicPartition => `${topic}-${partition}`;
const parseTp = (tp: string): { topic: string; partition: number } => {
  const i = tp.lastIndexOf('-');
  return { topic: tp.slice(0, i), partition: Number(tp.slice(i + 1)) };
};

const policy = cfg.policy;
const autoCommit = policy === 'auto-commit-timer' || policy === 'auto-commit-java';

// ------------------------------------------------------------------ state seen through the log

let lastJoinGen: number | undefined;
/** A JoinGroup response whose generation no Assigned has used yet. */
let freshJoin = false;
let lastCommitGen: number | undefined;
let assignmentLost = false;
let closing = false;
let assignment: TopicPartition[] = [];
/** tp → committed offset from the OffsetFetch of the current episode (-1: none). */
const committedAtAssign = new Map<TopicPartition, number>();
const positionedThisEpisode = new Set<TopicPartition>();
const polledThisEpisode = new Set<TopicPartition>();
/** Resolves once the Assigned event of the latest assignment has been printed. */
let assignedReady: Promise<void> = Promise.resolve();
let commitSeq = 0;
/** offset.commit callbacks still to come for manual commitSync() calls (they also fire it). */
let manualCallbacksPending = 0;

const JOIN_RE = /JoinGroup response: GenerationId (-?\d+), Protocol \S*, LeaderId (\S*?)( \(me\))?, my MemberId (\S*), member metadata count \d+: \(no error\)/;
const COMMIT_GEN_RE = /Committing offsets for \d+ partition\(s\) with generation-id (-?\d+)/;
const FETCH_START_RE = /Partition (.+) \[(\d+)\] start fetching at offset (-?\d+)/;
const OFFSET_FETCH_RE = /Adding (.+) \[(\d+)\] back to pending list with offset (\S+)/;
const LOST_RE = /current assignment of \d+ partition\(s\) lost/;
const NOT_LOST_RE = /current assignment no longer considered lost/;

const onLog = (l: { fac: string; message: string }): void => {
  const m = l.message;
  let x = JOIN_RE.exec(m);
  if (x !== null) {
    lastJoinGen = Number(x[1]);
    freshJoin = true;
    emit({ type: 'Joined', group: cfg.group, generation: lastJoinGen, leader: x[3] !== undefined });
    return;
  }
  x = COMMIT_GEN_RE.exec(m);
  if (x !== null) {
    lastCommitGen = Number(x[1]);
    return;
  }
  x = OFFSET_FETCH_RE.exec(m);
  if (x !== null) {
    const off = Number(x[3]);
    committedAtAssign.set(tpOf(x[1]!, Number(x[2])), Number.isInteger(off) ? off : -1);
    return;
  }
  x = FETCH_START_RE.exec(m);
  if (x !== null) {
    const tp = tpOf(x[1]!, Number(x[2]));
    const offset = Number(x[3]);
    // A log line can reach JavaScript after the first records of the partition (seen in
    // soak-2, librdkafka-per-message-s12-7): then it is stale, and neither the position kept for
    // quiescence nor orderedWithinOwnership's expected offset may go back to it.
    if (offset < 0 || polledThisEpisode.has(tp)) return;
    emit({ type: '_pos', tp, offset });
    // Once per episode.
    if (!assignment.includes(tp) || positionedThisEpisode.has(tp)) return;
    positionedThisEpisode.add(tp);
    const committed = committedAtAssign.get(tp);
    const source = committed !== undefined && committed >= 0 ? 'committed' : cfg.autoOffsetReset === 'earliest' ? 'reset-earliest' : 'reset-latest';
    emit({ type: 'Positioned', tp, offset, source });
    return;
  }
  if (LOST_RE.test(m)) assignmentLost = true;
  else if (NOT_LOST_RE.test(m)) assignmentLost = false;
};

/** Waits (bounded) for a JoinGroup response no Assigned has used yet. */
const freshGeneration = async (): Promise<number> => {
  for (let i = 0; i < 100 && !freshJoin; i++) await sleep(10);
  if (!freshJoin) note(`Assigned without a fresh JoinGroup log line; generation ${lastJoinGen ?? -1} may be stale`);
  freshJoin = false;
  return lastJoinGen ?? -1;
};

// ------------------------------------------------------------------ the consumer

const consumer = new Kafka.KafkaConsumer(
  {
    'bootstrap.servers': cfg.bootstrap,
    'group.id': cfg.group,
    'client.id': cfg.member,
    'session.timeout.ms': cfg.sessionTimeoutMs,
    'heartbeat.interval.ms': cfg.heartbeatIntervalMs,
    'max.poll.interval.ms': cfg.maxPollIntervalMs,
    'enable.auto.commit': autoCommit,
    'enable.auto.offset.store': policy !== 'auto-commit-java',
    'auto.commit.interval.ms': cfg.autoCommitIntervalMs,
    'partition.assignment.strategy': cfg.assignors.join(','),
    'fetch.wait.max.ms': cfg.fetchMaxWaitMs,
    'reconnect.backoff.ms': 50,
    'reconnect.backoff.max.ms': 500,
    debug: 'cgrp,consumer',
    event_cb: true,
    offset_commit_cb: true,
    rebalance_cb: (err: RdError, tps: RdTopicPartition[]): void => {
      if (err.code === -175 /* ERR__ASSIGN_PARTITIONS */) {
        consumer.assign(tps);
        assignment = tps.map((t) => tpOf(t.topic, t.partition));
        positionedThisEpisode.clear();
        polledThisEpisode.clear();
        const partitions = [...assignment];
        assignedReady = (async () => {
          const generation = await freshGeneration();
          emit({ type: 'Assigned', group: cfg.group, generation, partitions });
        })();
      } else if (err.code === -174 /* ERR__REVOKE_PARTITIONS */) {
        const reason = closing ? 'close' : assignmentLost ? 'lost' : 'rebalance';
        emit({ type: 'Revoked', group: cfg.group, partitions: tps.map((t) => tpOf(t.topic, t.partition)), reason });
        assignment = [];
        committedAtAssign.clear();
        consumer.unassign();
      } else {
        note(`rebalance error ${errName(err.code)}: ${err.message}`);
        consumer.unassign();
      }
    },
  },
  { 'auto.offset.reset': cfg.autoOffsetReset },
);
consumer.setDefaultConsumeTimeout(Math.max(20, cfg.fetchMaxWaitMs));
consumer.on('event.log', onLog);
consumer.on('event.error', (err) => process.stderr.write(`${cfg.member}: client error ${errName(err.code)}: ${err.message}\n`));
consumer.on('offset.commit', (err, tps) => {
  if (manualCallbacksPending > 0) {
    manualCallbacksPending--;
    return; // already printed around commitSync()
  }
  const offsets: Record<string, number> = {};
  let partErr: string | null = null;
  for (const t of tps ?? []) {
    if (typeof t.offset === 'number' && t.offset >= 0) offsets[tpOf(t.topic, t.partition)] = t.offset;
    if (t.error !== undefined && t.error !== null && typeof t.error.code === 'number' && t.error.code !== 0) partErr ??= errName(t.error.code);
  }
  const name = errName(err?.code) ?? partErr;
  if (name === 'ERR__NO_OFFSET' || Object.keys(offsets).length === 0) return; // nothing was sent
  const { error, raw } = mapCommitError(name);
  if (raw !== null) note(`auto-commit error ${raw}`);
  const generation = lastCommitGen ?? lastJoinGen ?? -1;
  const seq = ++commitSeq;
  emit({ type: 'CommitRequested', group: cfg.group, generation, offsets, seq });
  emit({ type: 'CommitResult', group: cfg.group, generation, offsets, seq, error });
});

/** commitSync() with its two events; true when the commit was accepted. */
const commitSync = (offsets: Record<string, number>): boolean => {
  const tps = Object.entries(offsets).map(([tp, offset]) => ({ ...parseTp(tp), offset }));
  if (tps.length === 0) return true;
  const seq = ++commitSeq;
  const generation = lastJoinGen ?? -1;
  emit({ type: 'CommitRequested', group: cfg.group, generation, offsets, seq });
  let name: string | null = null;
  manualCallbacksPending++;
  try {
    consumer.commitSync(tps);
  } catch (e) {
    name = errName((e as RdError).code) ?? 'ERR_UNKNOWN';
  }
  const { error, raw } = mapCommitError(name);
  if (raw !== null) note(`commit error ${raw}`);
  emit({ type: 'CommitResult', group: cfg.group, generation, offsets, seq, error });
  return error === 'NONE';
};

/**
 * A failed sync commit drops the rest of the batch, as the model's policy does (Java's
 * CommitFailedException ends the loop over the batch). librdkafka's position is already past the
 * dropped records, so the application seeks each partition back to its first dropped record
 * (while it still owns it) and the next consume() returns them again.
 */
const dropRest = async (rest: readonly { tp: TopicPartition; offset: number }[]): Promise<void> => {
  const first = new Map<TopicPartition, number>();
  for (const r of rest) if (!first.has(r.tp)) first.set(r.tp, r.offset);
  for (const [tp, offset] of first) {
    if (!assignment.includes(tp)) continue;
    const ok = await new Promise<boolean>((resolve) => consumer.seek({ ...parseTp(tp), offset }, 2000, (err) => resolve(err === undefined || err === null)));
    if (ok) {
      emit({ type: 'Positioned', tp, offset, source: 'seek' });
      emit({ type: '_pos', tp, offset });
    } else note(`seek ${tp} → ${offset} after a failed commit did not succeed`);
  }
};

const consumeBatch = (): Promise<RdMessage[]> =>
  new Promise((resolve) => {
    consumer.consume(cfg.maxPollRecords, (err, msgs) => {
      if (err !== null && err !== undefined) note(`consume error ${errName(err.code)}: ${err.message}`);
      resolve(msgs ?? []);
    });
  });

const processRecord = async (tp: TopicPartition, offset: number): Promise<void> => {
  emit({ type: 'ProcessStarted', tp, offset });
  await sleep(cfg.processingMs);
  emit({ type: 'Processed', tp, offset });
};

let loopDone: Promise<void> = Promise.resolve();

const loop = async (): Promise<void> => {
  while (!closing) {
    const msgs = await consumeBatch();
    if (msgs.length === 0) continue;
    await assignedReady;
    const records = msgs.map((m) => ({ tp: tpOf(m.topic, m.partition), offset: m.offset }));
    for (const g of pollGroups(records)) {
      polledThisEpisode.add(g.tp);
      emit({ type: 'Polled', tp: g.tp, offsets: g.offsets });
      emit({ type: '_pos', tp: g.tp, offset: (g.offsets[g.offsets.length - 1] ?? 0) + 1 });
    }
    if (policy === 'commit-before-process' && !commitSync(nextOffsets(records))) {
      await dropRest(records);
      continue;
    }
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      await processRecord(r.tp, r.offset);
      if (policy === 'commit-per-message') {
        if (!commitSync({ [r.tp]: r.offset + 1 })) {
          await dropRest(records.slice(i + 1));
          break;
        }
      } else if (policy === 'auto-commit-java') {
        try {
          consumer.offsetsStore([{ ...parseTp(r.tp), offset: r.offset + 1 }]);
        } catch (e) {
          note(`offsetsStore ${r.tp}@${r.offset + 1} failed: ${errName((e as RdError).code)}`);
        }
      }
    }
    if (policy === 'commit-after-batch') commitSync(nextOffsets(records));
  }
};

childLifecycle(cfg, async () => {
  closing = true;
  await loopDone; // the current batch is finished and what the policy owes is committed
  await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
  emit({ type: 'Left', group: cfg.group });
});

consumer.connect({ timeout: 10_000 }, (err) => {
  if (err !== null && err !== undefined) {
    process.stderr.write(`${cfg.member}: connect failed: ${err.message}\n`);
    process.exit(8);
  }
  consumer.subscribe([...cfg.topics]);
  emit({ type: '_ready' });
  loopDone = loop().catch((e: unknown) => {
    process.stderr.write(`${cfg.member}: loop failed: ${String(e)}\n`);
    process.exit(9);
  });
});
