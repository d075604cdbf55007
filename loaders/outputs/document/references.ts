/**
 * Short numbered references (« [3] ») for the sources cited in tables, figures and sentences, resolved in the
 * annex « Sources et millésimes ». A source is numbered on its first citation, so numbers follow the reading order
 * when the chapters are built in order; citing the same text again gives the same number.
 */
export class References {
  private readonly numbers = new Map<string, number>();

  /** The number of a source text, assigned on first use. */
  number(text: string): number {
    let n = this.numbers.get(text);
    if (n === undefined) {
      n = this.numbers.size + 1;
      this.numbers.set(text, n);
    }
    return n;
  }

  /** `[3]`, or `[1, 4]` for several sources (each numbered once, in order). */
  cite(texts: string | string[]): string {
    const numbers = [...new Set((Array.isArray(texts) ? texts : [texts]).map((t) => this.number(t)))].sort((a, b) => a - b);
    return `[${numbers.join(", ")}]`;
  }

  /** Every source cited so far, by number. */
  list(): { number: number; text: string }[] {
    return [...this.numbers].map(([text, number]) => ({ number, text })).sort((a, b) => a.number - b.number);
  }
}
