import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as z from 'zod';
import type { LocalStepFunctions } from './sfn-engine.js';
import { SfnError } from './sfn-errors.js';

/**
 * The local engine behind the Step Functions wire protocol (awsJson1_0): `POST /` with
 * `X-Amz-Target: AWSStepFunctions.<Operation>` and a JSON body, answered with JSON (dates as epoch seconds) or an
 * HTTP 400 `{"__type": "com.amazonaws.swf.service.v2.model#<Error>", "message"}` that @aws-sdk/client-sfn turns into
 * its exception class of that name. The real SFNClient, pointed at `endpoint`, is the client.
 */

const CONTENT_TYPE = 'application/x-amz-json-1.0';
const TARGET_PREFIX = 'AWSStepFunctions.';
const ERROR_NAMESPACE = 'com.amazonaws.swf.service.v2.model';
const MAX_BODY_BYTES = 1024 * 1024;
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

const Arn = z.string().min(1);
const Status = z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);
const Paging = { maxResults: z.int().min(0).max(1000).optional(), nextToken: z.string().min(1).optional() };

type Operation = (body: unknown) => Promise<unknown>;

function operations(engine: LocalStepFunctions): Readonly<Record<string, Operation>> {
  return {
    StartExecution: async (body) => {
      const input = z.object({ stateMachineArn: Arn, name: z.string().optional(), input: z.string().optional() }).parse(body);
      return engine.startExecution(input.name ?? randomUUID(), input.input ?? '{}', input.stateMachineArn);
    },
    DescribeExecution: async (body) => engine.describeExecution(z.object({ executionArn: Arn }).parse(body).executionArn),
    StopExecution: async (body) => {
      const input = z.object({ executionArn: Arn, error: z.string().optional(), cause: z.string().optional() }).parse(body);
      return engine.stopExecution(input.executionArn, input.cause, input.error);
    },
    ListExecutions: async (body) => {
      const input = z.object({ stateMachineArn: Arn, statusFilter: Status.optional(), ...Paging }).parse(body);
      return engine.listExecutions(input);
    },
    GetExecutionHistory: async (body) => {
      const input = z
        .object({ executionArn: Arn, reverseOrder: z.boolean().optional(), includeExecutionData: z.boolean().optional(), ...Paging })
        .parse(body);
      const { executionArn, ...options } = input;
      return engine.getExecutionHistory(executionArn, options);
    },
    RedriveExecution: async (body) => {
      const input = z.object({ executionArn: Arn, clientToken: z.string().optional() }).parse(body);
      return engine.redriveExecution(input.executionArn);
    },
    SendTaskSuccess: async (body) => {
      const input = z.object({ taskToken: z.string(), output: z.string() }).parse(body);
      await engine.sendTaskSuccess(input.taskToken, input.output);
      return {};
    },
    SendTaskFailure: async (body) => {
      const input = z.object({ taskToken: z.string(), error: z.string().optional(), cause: z.string().optional() }).parse(body);
      await engine.sendTaskFailure(input.taskToken, input.error, input.cause);
      return {};
    },
    SendTaskHeartbeat: async (body) => {
      await engine.sendTaskHeartbeat(z.object({ taskToken: z.string() }).parse(body).taskToken);
      return {};
    },
  };
}

/** Dates become epoch seconds, as the protocol sends timestamps; undefined members are left out. */
function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWire);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, item]) => item !== undefined)
        .map(([key, item]) => [key, toWire(item)]),
    );
  }
  return value;
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(toWire(body));
  response.writeHead(status, { 'content-type': CONTENT_TYPE, 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': randomUUID() });
  response.end(text);
}

const sendError = (response: ServerResponse, status: number, type: string, message: string): void =>
  send(response, status, { __type: `${ERROR_NAMESPACE}#${type}`, message });

async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function handle(ops: Readonly<Record<string, Operation>>, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== 'POST' || (request.url ?? '/').split('?')[0] !== '/') {
    sendError(response, 404, 'UnknownOperationException', `${request.method ?? ''} ${request.url ?? ''}: the Step Functions API is POST /`);
    return;
  }
  const target = request.headers['x-amz-target'];
  const name = typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
  const operation = name === undefined ? undefined : ops[name];
  if (!operation) {
    sendError(response, 400, 'UnknownOperationException', `unknown operation: ${String(target)}`);
    return;
  }
  const text = await readBody(request);
  if (text === undefined) {
    sendError(response, 413, 'ValidationException', `the request is larger than ${MAX_BODY_BYTES} bytes`);
    return;
  }
  let body: unknown;
  try {
    body = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    sendError(response, 400, 'SerializationException', 'the request body is not JSON');
    return;
  }
  try {
    send(response, 200, await operation(body));
  } catch (error) {
    if (error instanceof SfnError) sendError(response, 400, error.code, error.message);
    else if (error instanceof z.ZodError) sendError(response, 400, 'ValidationException', z.prettifyError(error));
    else sendError(response, 500, 'InternalFailure', error instanceof Error ? error.message : String(error));
  }
}

export interface SfnEndpoint {
  /** `http://127.0.0.1:<port>`: the SFNClient's `endpoint` */
  readonly endpoint: string;
  stop(): Promise<void>;
}

export async function startSfnEndpoint(options: { engine: LocalStepFunctions; port?: number; host?: string }): Promise<SfnEndpoint> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) throw new Error(`the local Step Functions endpoint listens on loopback only, not ${host}`);
  const ops = operations(options.engine);
  const server = createServer((request, response) => {
    handle(ops, request, response).catch((error: unknown) => {
      if (!response.headersSent) sendError(response, 500, 'InternalFailure', error instanceof Error ? error.message : String(error));
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostInUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    endpoint: `http://${hostInUrl}:${address.port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
