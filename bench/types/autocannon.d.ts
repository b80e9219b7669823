/**
 * The part of autocannon 9's programmatic API the benches use (the package ships no types and
 * `@types/autocannon` is not a dependency). Shapes follow the autocannon README, "API" and "Results".
 */
declare module 'autocannon' {
  namespace autocannon {
    interface Options {
      url: string;
      method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
      headers?: Record<string, string>;
      body?: string;
      connections?: number;
      /** Seconds. */
      duration?: number;
      pipelining?: number;
      /** Seconds to wait for one response. */
      timeout?: number;
      /** A response whose body differs is counted in `mismatches`. */
      expectBody?: string;
      /** Return the raw per-run result so several runs can be merged with `aggregateResult`. */
      skipAggregateResult?: boolean;
      title?: string;
    }

    /** One run before aggregation (`skipAggregateResult: true`); histograms are encoded. */
    interface RawResult {
      latencies: string;
      requests: string;
      throughput: string;
      totalCompletedRequests: number;
      totalRequests: number;
      totalBytes: number;
      samples: number;
      errors: number;
      timeouts: number;
      mismatches: number;
      non2xx: number;
      resets: number;
      /** Seconds. */
      duration: number;
      start: Date;
      finish: Date;
    }

    /** hdr-histogram-percentiles-obj; latency values are milliseconds. */
    interface Histogram {
      average: number;
      mean: number;
      stddev: number;
      min: number;
      max: number;
      p50: number;
      p90: number;
      p97_5: number;
      p99: number;
      p99_9: number;
    }

    interface Result {
      latency: Histogram & { totalCount: number };
      requests: Histogram & { sent: number };
      errors: number;
      timeouts: number;
      mismatches: number;
      non2xx: number;
      statusCodeStats: Record<string, { count: number }>;
    }

    /** Merges raw runs; latency percentiles are computed over the union of their samples. */
    function aggregateResult(results: RawResult[], options: Pick<Options, 'url' | 'connections' | 'title'>): Result;
  }

  function autocannon(options: autocannon.Options & { skipAggregateResult: true }): Promise<autocannon.RawResult>;
  export = autocannon;
}
