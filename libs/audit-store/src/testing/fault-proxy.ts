/**
 * A loopback HTTP proxy in front of a local DynamoDB server that injects the faults real DynamoDB
 * produces under load: throttling (HTTP 400 ProvisionedThroughputExceededException), server errors
 * (HTTP 500 InternalServerError, before or after the request reached the table) and partial
 * BatchWriteItem successes (`UnprocessedItems`), and statements of a BatchExecuteStatement
 * refused one by one (a per-statement `ProvisionedThroughputExceeded` or `ThrottlingError` in an
 * HTTP 200 answer, as DynamoDB reports a hot partition inside a batch). Faults are drawn from a seeded PRNG, so a run is
 * reproducible for a given order of requests.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { Agent, createServer, request } from 'node:http';
import { crc32 } from 'node:zlib';

export interface FaultProxyOptions {
  /** The server to forward to, e.g. `http://127.0.0.1:8000`. */
  target: string;
  /** Share of requests answered 400 ProvisionedThroughputExceededException, not forwarded. */
  throttleRate: number;
  /** Share of requests answered 500 InternalServerError, not forwarded. */
  failRate: number;
  /** Share of requests forwarded, then answered 500 anyway: the change is made, its answer lost. */
  lostResponseRate?: number;
  /** Share of (forwarded) BatchWriteItem requests of 2+ items of which only some items are written; the rest come back in `UnprocessedItems`. */
  partialRate?: number;
  /**
   * Share of the statements of each (forwarded) BatchExecuteStatement answered with a per-statement
   * throttling error and not run; the others run, and the answer keeps the statements' order.
   */
  statementThrottleRate?: number;
  /** PRNG seed (default 1). */
  seed?: number;
}

export interface FaultProxyStats {
  /** Requests that reached the target (partial batches and lost responses included). */
  forwarded: number;
  throttled: number;
  /** 500s, whether the request reached the target or not. */
  failed: number;
  /** BatchWriteItem requests answered with some items unprocessed. */
  partial: number;
  /** Statements of BatchExecuteStatement requests refused with a per-statement throttling error. */
  statementsThrottled: number;
}

export interface FaultProxy {
  /** The proxy's address, for `localClient(endpoint)`. */
  endpoint: string;
  stats: FaultProxyStats;
  stop(): Promise<void>;
}

const ERROR_PREFIX = 'com.amazonaws.dynamodb.v20120810#';
const BATCH_WRITE_TARGET = 'DynamoDB_20120810.BatchWriteItem';
const BATCH_STATEMENT_TARGET = 'DynamoDB_20120810.BatchExecuteStatement';
/** The per-statement codes DynamoDB uses for throttling (BatchStatementErrorCodeEnum). */
const STATEMENT_THROTTLE_CODES = ['ProvisionedThroughputExceeded', 'ThrottlingError'] as const;

/**
 * Starts the proxy on a free port of 127.0.0.1.
 *
 * @example
 * const proxy = await startFaultProxy({ target: server.endpoint, throttleRate: 0.2, failRate: 0.05 });
 * const writer = createAuditWriter({ client: localClient(proxy.endpoint), tableName });
 * // … then `await proxy.stop()`
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const random = mulberry32(options.seed ?? 1);
  const lostResponseRate = options.lostResponseRate ?? 0;
  const partialRate = options.partialRate ?? 0;
  const statementThrottleRate = options.statementThrottleRate ?? 0;
  const stats: FaultProxyStats = {
    forwarded: 0,
    throttled: 0,
    failed: 0,
    partial: 0,
    statementsThrottled: 0,
  };
  const agent = new Agent({ keepAlive: true });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    // Every draw happens before the first await on the target, so the sequence of faults
    // depends only on the order in which requests arrive.
    const draw = random();
    if (draw < options.throttleRate) {
      stats.throttled += 1;
      return sendJson(res, 400, {
        __type: `${ERROR_PREFIX}ProvisionedThroughputExceededException`,
        message:
          'The level of configured provisioned throughput for the table was exceeded (injected by the fault proxy).',
      });
    }
    if (draw < options.throttleRate + options.failRate) {
      stats.failed += 1;
      return sendJson(res, 500, internalServerError());
    }
    const loseResponse = random() < lostResponseRate;
    const partial =
      req.headers['x-amz-target'] === BATCH_WRITE_TARGET && random() < partialRate
        ? splitBatch(body, random)
        : undefined;
    const statements =
      req.headers['x-amz-target'] === BATCH_STATEMENT_TARGET && statementThrottleRate > 0
        ? refuseStatements(body, statementThrottleRate, random)
        : undefined;
    if (statements && statements.kept.length === 0) {
      // Every statement refused: nothing reaches the table, the answer is DynamoDB's shape.
      stats.statementsThrottled += statements.refused.size;
      return sendJson(res, 200, { Responses: statements.answer([]) });
    }

    stats.forwarded += 1;
    const answer = await forward(
      req,
      partial ? partial.forwarded : statements ? statements.forwarded : body,
    );
    if (loseResponse) {
      stats.failed += 1;
      return sendJson(res, 500, internalServerError());
    }
    if (partial && answer.status === 200) {
      stats.partial += 1;
      const output = JSON.parse(answer.body.toString('utf8')) as BatchWriteBody & {
        UnprocessedItems?: Record<string, unknown[]>;
      };
      const unprocessed = output.UnprocessedItems ?? {};
      for (const [table, requests] of Object.entries(partial.withheld))
        unprocessed[table] = [...(unprocessed[table] ?? []), ...requests];
      return sendJson(res, 200, { ...output, UnprocessedItems: unprocessed }, answer.headers);
    }
    if (statements && answer.status === 200) {
      stats.statementsThrottled += statements.refused.size;
      const output = JSON.parse(answer.body.toString('utf8')) as { Responses?: unknown[] };
      return sendJson(
        res,
        200,
        { ...output, Responses: statements.answer(output.Responses ?? []) },
        answer.headers,
      );
    }
    send(res, answer.status, answer.body, answer.headers);
  }

  function forward(
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const upstream = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: target.host, 'content-length': body.length },
        },
        (response) => {
          readBody(response).then(
            (answer) =>
              resolve({
                status: response.statusCode ?? 502,
                headers: response.headers,
                body: answer,
              }),
            reject,
          );
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // The target itself failed (e.g. stopped): the client sees a 500, as from DynamoDB.
      stats.failed += 1;
      if (!res.headersSent)
        sendJson(res, 500, { ...internalServerError(), message: String(error) });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

interface BatchWriteBody {
  RequestItems?: Record<string, unknown[]>;
}

/**
 * Keeps a random non-empty share of a BatchWriteItem's requests (never all of them) and withholds
 * the rest; undefined when the batch has fewer than two requests (nothing to split).
 */
function splitBatch(
  body: Buffer,
  random: () => number,
): { forwarded: Buffer; withheld: Record<string, unknown[]> } | undefined {
  const input = JSON.parse(body.toString('utf8')) as BatchWriteBody;
  const entries = Object.entries(input.RequestItems ?? {}).flatMap(([table, requests]) =>
    requests.map((writeRequest) => ({ table, writeRequest })),
  );
  if (entries.length < 2) return undefined;
  // Fisher–Yates with the proxy's PRNG, then keep the first 1 … n−1.
  for (let i = entries.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [entries[i], entries[j]] = [
      entries[j] as (typeof entries)[0],
      entries[i] as (typeof entries)[0],
    ];
  }
  const keep = 1 + Math.floor(random() * (entries.length - 1));
  const group = (part: typeof entries) => {
    const byTable: Record<string, unknown[]> = {};
    for (const { table, writeRequest } of part) (byTable[table] ??= []).push(writeRequest);
    return byTable;
  };
  return {
    forwarded: Buffer.from(
      JSON.stringify({ ...input, RequestItems: group(entries.slice(0, keep)) }),
    ),
    withheld: group(entries.slice(keep)),
  };
}

/**
 * Draws, for each statement of a BatchExecuteStatement, whether it is refused (`rate`); the others
 * are forwarded in order. `answer` merges the target's responses to the kept statements with a
 * throttling error for each refused one, in the request's order.
 */
function refuseStatements(
  body: Buffer,
  rate: number,
  random: () => number,
): {
  forwarded: Buffer;
  kept: unknown[];
  refused: Set<number>;
  answer(responses: unknown[]): unknown[];
} {
  const input = JSON.parse(body.toString('utf8')) as { Statements?: unknown[] };
  const all = input.Statements ?? [];
  const refused = new Set<number>();
  all.forEach((_, index) => {
    if (random() < rate) refused.add(index);
  });
  const kept = all.filter((_, index) => !refused.has(index));
  return {
    forwarded: Buffer.from(JSON.stringify({ ...input, Statements: kept })),
    kept,
    refused,
    answer(responses) {
      let next = 0;
      return all.map((_, index) => {
        if (!refused.has(index)) return responses[next++];
        const code = STATEMENT_THROTTLE_CODES[index % STATEMENT_THROTTLE_CODES.length];
        return {
          Error: {
            Code: code,
            Message: 'Throughput exceeds the current capacity (injected by the fault proxy).',
          },
        };
      });
    },
  };
}

function internalServerError() {
  return {
    __type: `${ERROR_PREFIX}InternalServerError`,
    message: 'Internal server error (injected by the fault proxy).',
  };
}

function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: IncomingHttpHeaders = {},
): void {
  send(res, status, Buffer.from(JSON.stringify(value)), headers);
}

/** Answers like DynamoDB: JSON 1.0, a request id, and the CRC32 of the body it actually sends. */
function send(
  res: ServerResponse,
  status: number,
  body: Buffer,
  headers: IncomingHttpHeaders,
): void {
  res.writeHead(status, {
    'content-type': headers['content-type'] ?? 'application/x-amz-json-1.0',
    'x-amzn-requestid': headers['x-amzn-requestid'] ?? `fault-proxy-${Date.now()}`,
    'x-amz-crc32': String(crc32(body)),
    'content-length': body.length,
  });
  res.end(body);
}

/** A small, fast, seedable PRNG (Mulberry32): uniform in [0, 1). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
