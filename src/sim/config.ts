/**
 * The simulation's configuration: the cluster (topics), the groups and their consumers'
 * settings, the network's delay bound and the quiescence budget. Plain JSON, validated with
 * zod so that a bad config file gets an error naming the field.
 */
import { z } from 'zod';
import { ZOO, zooEntry } from '../../models/zoo.ts';
import { ASSIGNOR_NAMES, PROCESSING_POLICIES, type AssignorName, type ConsumerConfig, type ProcessingPolicy } from '../../models/types.ts';

const consumerConfigSchema = z
  .object({
    policy: z.enum(PROCESSING_POLICIES as unknown as [ProcessingPolicy, ...ProcessingPolicy[]]),
    autoOffsetReset: z.enum(['earliest', 'latest']),
    assignors: z.array(z.enum(ASSIGNOR_NAMES as unknown as [AssignorName, ...AssignorName[]])).min(1).readonly(),
    sessionTimeoutMs: z.number().int().positive(),
    heartbeatIntervalMs: z.number().int().positive(),
    maxPollIntervalMs: z.number().int().positive(),
    autoCommitIntervalMs: z.number().int().positive(),
    maxPollRecords: z.number().int().min(1).max(10_000),
    fetchMinBytes: z.number().int().min(0),
    fetchMaxWaitMs: z.number().int().min(1),
    fetchMaxBytes: z.number().int().positive(),
    maxPartitionFetchBytes: z.number().int().positive(),
    processingMs: z.number().int().min(1),
    requestTimeoutMs: z.number().int().min(1).optional(),
  })
  .strict();

const groupSchema = z
  .object({
    name: z.string().min(1).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash, underscore'),
    topics: z.array(z.string().min(1)).min(1),
    /** How many consumer slots the group has; commands name slots modulo the total. */
    members: z.number().int().min(1).max(16),
    mode: z.enum(['subscribe', 'assign']),
    /**
     * Static membership (KIP-345): slot i's consumer sets group.instance.id "c<i>", so each new
     * incarnation of a slot takes over the previous one's place (kafka-protocol.md §1.9).
     */
    staticMembership: z.boolean().optional(),
    /**
     * group.protocol: 'classic' (JoinGroup/SyncGroup, the default) or 'consumer' (KIP-848: the
     * coordinator assigns and members reconcile by heartbeat, kafka-protocol.md §3.3).
     */
    protocol: z.enum(['classic', 'consumer']).optional(),
    consumer: consumerConfigSchema,
    /**
     * Per-member assignor lists for a mixed group (a rolling upgrade, KIP-429): member i of the
     * group uses entry i modulo the length instead of `consumer.assignors`.
     */
    assignorsByMember: z.array(z.array(z.enum(ASSIGNOR_NAMES as unknown as [AssignorName, ...AssignorName[]])).min(1).readonly()).min(1).optional(),
  })
  .strict();

export const simConfigSchema = z
  .object({
    topics: z.array(z.object({ name: z.string().min(1).regex(/^[A-Za-z0-9._]+$/, 'letters, digits, dot, underscore'), partitions: z.number().int().min(1).max(64) }).strict()).min(1),
    groups: z.array(groupSchema).min(1).max(8),
    /** group.initial.rebalance.delay.ms of the coordinator (kafka-protocol.md §1.6.2). */
    initialRebalanceDelayMs: z.number().int().min(0),
    /** How long a new coordinator takes to load a group after MoveCoordinator (COORDINATOR_LOAD_IN_PROGRESS meanwhile). */
    coordinatorLoadMs: z.number().int().min(0).optional(),
    /** A message may stay in flight at most this long while the clock moves on. */
    networkDelayMaxMs: z.number().int().min(0),
    recordBytes: z.number().int().positive(),
    /** Distinct record keys (account ids of the banking example). */
    keys: z.number().int().min(1),
    /** Virtual time the quiescence tail may take before the run counts as unsettled. */
    quiesceMaxMs: z.number().int().positive(),
    /** Bound on machine events of one run, asserted (TigerStyle: a limit on everything). */
    eventsMax: z.number().int().positive(),
    /**
     * How scheduling choices are made: 'random' reads the run's choices one by one (uniform);
     * 'pct' gives nodes random priorities with depth − 1 change points among the first
     * `horizon` scheduling steps (src/sim/pct.ts).
     */
    scheduler: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('random') }).strict(),
        z.object({ kind: z.literal('pct'), depth: z.number().int().min(1).max(10), horizon: z.number().int().min(1).max(100_000) }).strict(),
      ])
      .optional(),
    /** A bug-zoo variant to run instead of the reference models (models/zoo.ts). */
    variant: z.string().optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const names = new Set(c.topics.map((t) => t.name));
    c.groups.forEach((g, i) => {
      g.topics.forEach((t, j) => {
        if (!names.has(t)) ctx.addIssue({ code: 'custom', path: ['groups', i, 'topics', j], message: `unknown topic "${t}"` });
      });
      if (g.protocol === 'consumer' && g.mode === 'assign') {
        ctx.addIssue({ code: 'custom', path: ['groups', i, 'protocol'], message: "'consumer' needs mode 'subscribe' (manual assign() has no group membership)" });
      }
      if (g.consumer.heartbeatIntervalMs >= g.consumer.sessionTimeoutMs) {
        ctx.addIssue({ code: 'custom', path: ['groups', i, 'consumer', 'heartbeatIntervalMs'], message: 'must be below sessionTimeoutMs' });
      }
    });
    if (c.variant !== undefined && zooEntry(c.variant) === undefined) {
      ctx.addIssue({ code: 'custom', path: ['variant'], message: `unknown variant "${c.variant}"; known: ${ZOO.map((z) => z.id).join(', ')}` });
    }
    if (new Set(c.groups.map((g) => g.name)).size !== c.groups.length) ctx.addIssue({ code: 'custom', path: ['groups'], message: 'group names must be unique' });
  });

export type SimConfig = z.infer<typeof simConfigSchema>;
export type GroupSpec = SimConfig['groups'][number];

export const defaultConsumerConfig = (policy: ProcessingPolicy): ConsumerConfig => ({
  policy,
  autoOffsetReset: 'earliest',
  assignors: ['range', 'roundrobin'],
  sessionTimeoutMs: 6000,
  heartbeatIntervalMs: 2000,
  maxPollIntervalMs: 10_000,
  autoCommitIntervalMs: 1000,
  maxPollRecords: 4,
  fetchMinBytes: 1,
  fetchMaxWaitMs: 500,
  fetchMaxBytes: 50 * 1024 * 1024,
  maxPartitionFetchBytes: 1024 * 1024,
  processingMs: 100,
  requestTimeoutMs: 5000,
});

/**
 * The built-in default: one topic of 3 partitions read by one group of 3 consumer slots.
 * Timeouts are Kafka's minimums scaled for search (session 6 s = group.min.session.timeout.ms),
 * and the initial rebalance delay is 0, as test clusters set it.
 */
export const defaultSimConfig = (policy: ProcessingPolicy = 'commit-after-batch'): SimConfig => ({
  topics: [{ name: 'accounts', partitions: 3 }],
  groups: [{ name: 'g1', topics: ['accounts'], members: 3, mode: 'subscribe', consumer: defaultConsumerConfig(policy) }],
  initialRebalanceDelayMs: 0,
  networkDelayMaxMs: 200,
  recordBytes: 100,
  keys: 6,
  quiesceMaxMs: 120_000,
  eventsMax: 200_000,
});

/** Validates a config; throws a ConfigError naming each bad field. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly issues: readonly string[],
  ) {
    super(`${source}: invalid configuration\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A user's config file may give only what differs from the built-in default: missing top-level
 * fields take the default's values, and each group's missing fields (and consumer settings)
 * take the default group's. The merged value is then validated as a whole.
 */
export const withDefaults = (value: unknown): unknown => {
  if (!isObject(value)) return value;
  const base = defaultSimConfig();
  const baseGroup = base.groups[0]!;
  const groups = Array.isArray(value.groups)
    ? value.groups.map((g) =>
        isObject(g) ? { ...baseGroup, topics: [value.topics !== undefined && Array.isArray(value.topics) && isObject(value.topics[0]) ? value.topics[0].name : baseGroup.topics[0]], ...g, consumer: { ...baseGroup.consumer, ...(isObject(g.consumer) ? g.consumer : {}) } } : g,
      )
    : value.groups;
  return { ...base, ...value, ...(groups === undefined ? {} : { groups }) };
};

/** `where` names the line of a field in the source text, when there is one. */
export const parseSimConfig = (value: unknown, source = 'config', where: (path: readonly PropertyKey[]) => string = () => ''): SimConfig => {
  const r = simConfigSchema.safeParse(withDefaults(value));
  if (r.success) return r.data;
  throw new ConfigError(
    source,
    r.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}${where(i.path)}: ${i.message}`),
  );
};

/** T with every key required (its optional ones may hold undefined): a literal of it must list every field, so a field added later cannot be dropped. */
type AllKeys<T> = { [K in keyof Required<T>]: T[K] };

/** Every ConsumerConfig field, optional ones too (undefined when absent), in one key order. */
const consumerShape = (c: ConsumerConfig, assignors: ConsumerConfig['assignors'] = c.assignors): AllKeys<ConsumerConfig> => ({
  policy: c.policy,
  autoOffsetReset: c.autoOffsetReset,
  assignors,
  sessionTimeoutMs: c.sessionTimeoutMs,
  heartbeatIntervalMs: c.heartbeatIntervalMs,
  maxPollIntervalMs: c.maxPollIntervalMs,
  autoCommitIntervalMs: c.autoCommitIntervalMs,
  maxPollRecords: c.maxPollRecords,
  fetchMinBytes: c.fetchMinBytes,
  fetchMaxWaitMs: c.fetchMaxWaitMs,
  fetchMaxBytes: c.fetchMaxBytes,
  maxPartitionFetchBytes: c.maxPartitionFetchBytes,
  processingMs: c.processingMs,
  requestTimeoutMs: c.requestTimeoutMs,
});

const SHAPED = new WeakMap<SimConfig, SimConfig>();

/**
 * The same config rebuilt from literals that spell out every field, optional ones as undefined,
 * in one key order: the simulator and the models read it on every step, and V8 compiles each
 * property read for the hidden classes it has seen. Configs built by spreads, by zod, or with
 * different optional fields have different hidden classes, so each new one met in a search (the
 * matrix's rows) deoptimised every compiled function that had inlined such a read (issue 7,
 * stop 13: TurboFan's recompiles are what keeps a second search thread from scaling). Equal
 * to the input as JSON (undefined fields are not written). Memoised: one copy per input object,
 * and a shaped config shapes to itself.
 */
export const fixedShape = (c: SimConfig): SimConfig => {
  const known = SHAPED.get(c);
  if (known !== undefined) return known;
  const shaped: AllKeys<SimConfig> = {
    topics: c.topics.map((t): AllKeys<SimConfig['topics'][number]> => ({ name: t.name, partitions: t.partitions })),
    groups: c.groups.map((g): AllKeys<GroupSpec> => ({
      name: g.name,
      topics: g.topics,
      members: g.members,
      mode: g.mode,
      staticMembership: g.staticMembership,
      protocol: g.protocol,
      consumer: consumerShape(g.consumer),
      assignorsByMember: g.assignorsByMember,
    })),
    initialRebalanceDelayMs: c.initialRebalanceDelayMs,
    coordinatorLoadMs: c.coordinatorLoadMs,
    networkDelayMaxMs: c.networkDelayMaxMs,
    recordBytes: c.recordBytes,
    keys: c.keys,
    quiesceMaxMs: c.quiesceMaxMs,
    eventsMax: c.eventsMax,
    scheduler: c.scheduler,
    variant: c.variant,
  };
  SHAPED.set(c, shaped);
  SHAPED.set(shaped, shaped);
  return shaped;
};

/** The consumer settings of the group's `index`-th member (its own assignors in a mixed group). */
export const memberConsumerConfig = (g: GroupSpec, index: number): ConsumerConfig => {
  const own = g.assignorsByMember?.[index % g.assignorsByMember.length];
  // The same literal as fixedShape's, so a mixed group's members share the hidden class.
  return own === undefined ? g.consumer : consumerShape(g.consumer, own);
};

/** Slot i's group and name; slots are numbered across groups in config order. */
export const slotTable = (config: SimConfig): ReadonlyArray<{ readonly slot: number; readonly group: GroupSpec }> => {
  const rows: { slot: number; group: GroupSpec }[] = [];
  for (const g of config.groups) for (let i = 0; i < g.members; i++) rows.push({ slot: rows.length, group: g });
  return rows;
};

/**
 * The liveness bound of a subscribing group (stableWithinBound, kafka-protocol.md Appendix L1):
 * the virtual time within which, once the faults stop, its coordinator must be Stable again.
 * S expires a member that died before the tail (§1.7); H + one batch + fetch wait lets a live
 * member see the rebalance and re-join at its next poll (§2.2); D + R bounds the join phase
 * (§1.6.1, §1.6.2) and R the sync phase (§1.6.3), R being the rebalance timeout
 * (max.poll.interval.ms, §2.3).
 */
export const stableBoundMs = (config: SimConfig, group: GroupSpec): number => {
  const c = group.consumer;
  const batch = c.maxPollRecords * c.processingMs + c.fetchMaxWaitMs;
  return c.sessionTimeoutMs + c.heartbeatIntervalMs + batch + config.initialRebalanceDelayMs + 2 * c.maxPollIntervalMs;
};
