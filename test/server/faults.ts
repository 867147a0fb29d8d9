import { STATUS_CODES, type ServerResponse } from 'node:http';

export type Fault =
  /** Any canned answer: a 500 JSON, a 429 with Retry-After, a 200 whose body has the wrong shape... */
  | { kind: 'status'; status: number; body?: string; contentType?: string; headers?: Record<string, string> }
  /** A proxy-style HTML error page. */
  | { kind: 'html'; status: number }
  /** Accepts the request and never answers (until the server closes). */
  | { kind: 'hang' }
  /** Answers normally after `ms`. */
  | { kind: 'delay'; ms: number }
  /** Destroys the socket without answering. */
  | { kind: 'reset' }
  /**
   * Handles the request as usual (a POST creates its job, recorded in `jobs()`), then destroys
   * the socket instead of sending the answer: the client cannot know the job exists.
   */
  | { kind: 'createThenReset' }
  /** Sends 200 headers and half a JSON body, then destroys the socket. */
  | { kind: 'resetMidBody' };

export interface FaultRule {
  method?: 'GET' | 'POST' | 'PUT' | 'HEAD';
  /** Tested against the request's path and query, e.g. `/pictoryapis/v1/jobs/<id>`. */
  path?: RegExp;
  /** How many matching requests get the fault; default 1, `Infinity` allowed. */
  times?: number;
  fault: Fault;
}

interface ArmedRule {
  readonly rule: FaultRule;
  remaining: number;
}

export class FaultList {
  private readonly rules: ArmedRule[] = [];

  add(rule: FaultRule): void {
    this.rules.push({ rule, remaining: rule.times ?? 1 });
  }

  clear(): void {
    this.rules.length = 0;
  }

  /** The fault for this request, if any, consuming one use of the first rule that matches. */
  take(method: string, path: string): Fault | undefined {
    const index = this.rules.findIndex(({ rule }) => matches(rule, method, path));
    if (index < 0) return undefined;
    const armed = this.rules[index];
    armed.remaining -= 1;
    if (armed.remaining <= 0) this.rules.splice(index, 1);
    return armed.rule.fault;
  }
}

function matches(rule: FaultRule, method: string, path: string): boolean {
  return (rule.method === undefined || rule.method === method) && (rule.path === undefined || path.search(rule.path) >= 0);
}

export interface FaultContext {
  readonly answerNormally: () => void;
  /** Does everything answering does, except sending the answer; then drops the connection. */
  readonly handleThenReset: () => void;
  readonly after: (ms: number, action: () => void) => void;
}

export function answerWithFault(fault: Fault, res: ServerResponse, context: FaultContext): void {
  switch (fault.kind) {
    case 'status':
      return sendCanned(res, fault);
    case 'html':
      return sendHtmlPage(res, fault.status);
    case 'hang':
      return;
    case 'delay':
      return context.after(fault.ms, context.answerNormally);
    case 'reset':
      res.socket?.destroy();
      return;
    case 'createThenReset':
      return context.handleThenReset();
    case 'resetMidBody':
      return sendHalfABody(res);
  }
}

function sendCanned(res: ServerResponse, fault: Extract<Fault, { kind: 'status' }>): void {
  const body = fault.body ?? JSON.stringify({ message: STATUS_CODES[fault.status] ?? 'Error' });
  res.writeHead(fault.status, {
    'Content-Type': fault.contentType ?? 'application/json',
    'Content-Length': Buffer.byteLength(body),
    ...fault.headers,
  });
  res.end(body);
}

function sendHtmlPage(res: ServerResponse, status: number): void {
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  const body = `<html>\n<head><title>${title}</title></head>\n<body>\n<center><h1>${title}</h1></center>\n<hr><center>cloudflare</center>\n</body>\n</html>\n`;
  res.writeHead(status, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function sendHalfABody(res: ServerResponse): void {
  const body = JSON.stringify({ job_id: 'truncated', success: true, data: { status: 'in-progress' } });
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.write(body.slice(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
}
