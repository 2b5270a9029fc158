/**
 * What a failed command printed, for its error message: its last lines, and when the first line that reads
 * as an error is earlier than those, that line and the ones after it too. Tools put the cause there and
 * then go on (npm prints its usage text after it, a log path last); all of it is in the drill's events.
 */

/** Lines kept from the end. */
const LAST_LINES = 20;
/** With an earlier error line: the lines from it, and the last lines then shown. */
const FROM_ERROR_LINES = 8;
const LAST_AFTER_ERROR = 10;
const ERROR_LINE = /\b(error|fatal|failed|exception|traceback)\b|ERR!/i;

export class OutputExcerpt {
  private count = 0;
  private firstError: { at: number; lines: string[] } | undefined;
  private readonly last: string[] = [];

  add(line: string): void {
    const at = this.count++;
    if (!this.firstError) {
      if (ERROR_LINE.test(line)) this.firstError = { at, lines: [line] };
    } else if (at - this.firstError.at < FROM_ERROR_LINES) this.firstError.lines.push(line);
    this.last.push(line);
    if (this.last.length > LAST_LINES) this.last.shift();
  }

  /** For an error message: '' without output, else what it printed, indented. */
  describe(): string {
    if (this.count === 0) return '';
    const indent = (lines: string[]): string => lines.map((l) => `    ${l}`).join('\n');
    const e = this.firstError;
    const lastFrom = this.count - LAST_AFTER_ERROR;
    if (!e || e.at >= this.count - this.last.length) return `; its last ${this.last.length} line(s) of output:\n${indent(this.last)}`;
    const fromError = e.lines.slice(0, Math.max(0, lastFrom - e.at));
    const skipped = lastFrom - (e.at + fromError.length);
    return `; its output from the first error line (line ${e.at + 1} of ${this.count}) and its last ${LAST_AFTER_ERROR} lines:\n${indent(fromError)}\n${skipped > 0 ? `    … ${skipped} line(s) in the drill's events …\n` : ''}${indent(this.last.slice(-LAST_AFTER_ERROR))}`;
  }
}
