/**
 * The values earlier responses offered, indexed so that a request's text is read once: the characters at each
 * position pick the few values that can start there, instead of every value being looked for in every request
 * (which made a recording of 1,000 API calls take minutes).
 */
export class ValueIndex {
  /** The first `keyLength` characters of a form → the lengths of the forms that start so. */
  private readonly lengthsByKey = new Map<string, number[]>();
  /** A form (the value as sent: raw, percent-encoded) → the values sent so. */
  private readonly valuesByForm = new Map<string, string[]>();

  /** Every form is at least `keyLength` characters long. */
  constructor(private readonly keyLength: number) {}

  add(value: string, forms: readonly string[]): void {
    for (const form of forms) {
      if (form.length < this.keyLength) throw new Error(`Internal error: a value form shorter than ${this.keyLength} characters`);
      const values = this.valuesByForm.get(form);
      if (values) {
        if (!values.includes(value)) values.push(value);
        continue;
      }
      this.valuesByForm.set(form, [value]);
      const key = form.slice(0, this.keyLength);
      const lengths = this.lengthsByKey.get(key);
      if (!lengths) this.lengthsByKey.set(key, [form.length]);
      else if (!lengths.includes(form.length)) lengths.push(form.length);
    }
  }

  /** Adds to `found` each value one of whose forms is in `text`; returns the lookups it made. */
  findIn(text: string, found: Set<string>): number {
    let lookups = 0;
    for (let at = 0; at + this.keyLength <= text.length; at++) {
      lookups++;
      const lengths = this.lengthsByKey.get(text.slice(at, at + this.keyLength));
      if (!lengths) continue;
      for (const length of lengths) {
        if (at + length > text.length) continue;
        lookups++;
        const values = this.valuesByForm.get(text.slice(at, at + length));
        if (values) for (const v of values) found.add(v);
      }
    }
    return lookups;
  }
}
