/**
 * librdkafka's mock cluster (kafka-protocol.md §7), owned by a node-rdkafka producer in the
 * harness process: `test.mock.num.brokers` makes that client create the brokers and use them
 * as its bootstrap. The brokers listen on 127.0.0.1 only (INADDR_LOOPBACK in
 * rdkafka_mock.c); the address is read back from the client's metadata and checked.
 *
 * The same producer appends the scenario's records (its delivery reports give the real offsets)
 * and creates topics: a metadata request for a topic auto-creates it. The mock gives every
 * auto-created topic 4 partitions (`defaults.partition_cnt = 4` in rdkafka_mock.c; no config
 * property sets it, and the mock implements no CreateTopics), so a configuration may use at most
 * 4 partitions per topic; the partitions above its count stay empty.
 *
 * Stopping is bounded: disconnect, and give up waiting after a few seconds (the process exit
 * takes the brokers down anyway: they are threads of this process).
 */
import { createRequire } from 'node:module';

export const MOCK_PARTITIONS = 4;

interface RdMetadata {
  readonly brokers: ReadonlyArray<{ readonly id: number; readonly host: string; readonly port: number }>;
  readonly topics: ReadonlyArray<{ readonly name: string; readonly partitions: ReadonlyArray<{ readonly id: number }> }>;
}
interface RdProducer {
  connect(o: object, cb: (err: { message: string } | null, md: RdMetadata) => void): void;
  getMetadata(o: object, cb: (err: { message: string } | null, md: RdMetadata) => void): void;
  produce(topic: string, partition: number, value: Buffer, key: string, ts: number | null, opaque: unknown): void;
  setPollInterval(ms: number): void;
  on(ev: 'delivery-report', cb: (err: { message: string } | null, r: { offset: number; opaque: unknown; partition: number; topic: string }) => void): void;
  disconnect(cb: () => void): void;
}

const require = createRequire(import.meta.url);

const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    timer.unref();
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });

export interface MockClusterOptions {
  readonly brokers?: number;
  /** test.mock.broker.rtt: latency the mock adds to every response, in ms. */
  readonly rttMs?: number;
}

export class MockCluster {
  private constructor(
    private readonly producer: RdProducer,
    readonly bootstrap: string,
    private readonly pending: Map<number, { resolve: (offset: number) => void; reject: (e: Error) => void }>,
  ) {}

  private seq = 0;
  private stopped = false;

  /** Starts the brokers and waits until they answer a metadata request. */
  static async start(opts: MockClusterOptions = {}): Promise<MockCluster> {
    const Kafka = require('node-rdkafka') as { Producer: new (c: Record<string, unknown>) => RdProducer };
    const producer = new Kafka.Producer({
      'test.mock.num.brokers': opts.brokers ?? 1,
      ...(opts.rttMs !== undefined && opts.rttMs > 0 ? { 'test.mock.broker.rtt': opts.rttMs } : {}),
      'client.id': 'groupcheck-harness',
      dr_cb: true,
      'linger.ms': 0,
      'allow.auto.create.topics': true,
    });
    const pending = new Map<number, { resolve: (offset: number) => void; reject: (e: Error) => void }>();
    producer.on('delivery-report', (err, r) => {
      const id = r.opaque as number;
      const p = pending.get(id);
      if (p === undefined) return;
      pending.delete(id);
      if (err !== null && err !== undefined) p.reject(new Error(`produce failed: ${err.message}`));
      else p.resolve(r.offset);
    });
    producer.setPollInterval(10);
    let md: RdMetadata;
    try {
      md = await withTimeout(
        new Promise<RdMetadata>((resolve, reject) => producer.connect({ timeout: 10_000 }, (err, m) => (err !== null && err !== undefined ? reject(new Error(err.message)) : resolve(m)))),
        15_000,
        'mock cluster connect',
      );
    } catch (e) {
      await withTimeout(new Promise<void>((r) => producer.disconnect(() => r())), 3000, 'mock cluster disconnect').catch(() => undefined);
      throw e;
    }
    const b = md.brokers[0];
    const cluster = new MockCluster(producer, b === undefined ? '' : `${b.host}:${b.port}`, pending);
    if (b === undefined || md.brokers.some((x) => x.host !== '127.0.0.1')) {
      await cluster.stop();
      throw new Error(`mock brokers are not all on 127.0.0.1: ${JSON.stringify(md.brokers)}`);
    }
    return cluster;
  }

  /** Auto-creates a topic (4 partitions) and returns its partition count once the mock reports it. */
  async ensureTopic(topic: string): Promise<number> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const md = await withTimeout(
        new Promise<RdMetadata>((resolve, reject) =>
          this.producer.getMetadata({ topic, timeout: 5000 }, (err, m) => (err !== null && err !== undefined ? reject(new Error(err.message)) : resolve(m))),
        ),
        7000,
        `metadata of ${topic}`,
      );
      const t = md.topics.find((x) => x.name === topic);
      if (t !== undefined && t.partitions.length > 0) return t.partitions.length;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`topic ${topic} was not created by the mock`);
  }

  /** Appends one record to a partition; resolves with its offset from the delivery report. */
  produce(topic: string, partition: number, key: string, value: string, timeoutMs = 10_000): Promise<number> {
    if (this.stopped) return Promise.reject(new Error('mock cluster stopped'));
    const id = ++this.seq;
    const p = new Promise<number>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.producer.produce(topic, partition, Buffer.from(value), key, null, id);
    return withTimeout(p, timeoutMs, `delivery of ${topic}-${partition}`).finally(() => this.pending.delete(id));
  }

  /** Disconnects the owning client (taking the brokers down), bounded. */
  async stop(boundMs = 5000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const p of this.pending.values()) p.reject(new Error('mock cluster stopped'));
    this.pending.clear();
    await withTimeout(new Promise<void>((r) => this.producer.disconnect(() => r())), boundMs, 'mock cluster disconnect').catch(() => undefined);
  }
}
