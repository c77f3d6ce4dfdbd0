import { Logger, type LogItem } from '@aws-lambda-powertools/logger';

/** Where log lines go besides (or instead of) the terminal: `npm start` keeps them in a file under its data folder. */
export interface LogSink {
  /** one JSON line, without its newline */
  write(line: string): void;
  /** the line goes to the terminal too */
  readonly echo: boolean;
}

/** The Powertools logger, whose lines a sink may take: on Lambda there is none and every line goes to CloudWatch. */
class NianbaoLogger extends Logger {
  private sink: LogSink | undefined;

  /** Sends every line to `sink` from now on (undefined: back to the terminal alone). */
  sendTo(sink: LogSink | undefined): void {
    this.sink = sink;
  }

  protected override printLog(logLevel: number, log: LogItem): void {
    const sink = this.sink;
    if (sink === undefined) {
      super.printLog(logLevel, log);
      return;
    }
    log.prepareForPrint();
    sink.write(JSON.stringify(log.getAttributes(), this.getJsonReplacer()));
    if (sink.echo) super.printLog(logLevel, log);
  }
}

/**
 * One structured logger. Handlers log what happened (route, status, request id, error names), never a task token,
 * session id, sign-in code, link signature or report text.
 */
export const logger = new NianbaoLogger({ serviceName: 'nianbao' });
