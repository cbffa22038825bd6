/** Minimal types for the parts of autocannon's programmatic API the benchmarks use (no @types package exists). */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  export type AutocannonRequest = {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
  };

  export type Client = EventEmitter & {
    setRequests(requests: AutocannonRequest[]): void;
  };

  export type Options = {
    url: string;
    connections?: number;
    pipelining?: number;
    duration?: number;
    workers?: number;
    timeout?: number;
    headers?: Record<string, string>;
    requests?: AutocannonRequest[];
    setupClient?: (client: Client) => void;
    warmup?: { connections?: number; duration?: number };
  };

  /** hdr-histogram-percentiles-obj */
  export type Histogram = {
    min: number;
    max: number;
    average: number;
    mean: number;
    stddev: number;
    total: number;
    sent?: number;
    p2_5: number;
    p50: number;
    p75: number;
    p90: number;
    p97_5: number;
    p99: number;
    p99_9: number;
  };

  export type Result = {
    url: string;
    requests: Histogram;
    latency: Histogram;
    throughput: Histogram;
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    '2xx': number;
    connections: number;
    statusCodeStats?: Record<string, { count: number }>;
  };

  function autocannon(opts: Options): EventEmitter & PromiseLike<Result>;
  export default autocannon;
}
