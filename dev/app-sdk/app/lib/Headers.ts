/** Case-insensitive HTTP headers; repeated values are joined with ", ". */
export class Headers {
  private readonly values = new Map<string, string>();

  public constructor(headers: string[][] = []) {
    for (const [name, value] of headers) {
      if (name !== undefined && value !== undefined) this.add(name, value);
    }
  }

  public get(name: string): string | undefined {
    return this.values.get(name.toLowerCase());
  }

  public has(name: string): boolean {
    return this.values.has(name.toLowerCase());
  }

  /** Appends a value (comma-joined with an existing one); empty values are ignored. */
  public add(name: string, value: string): void {
    if (!value) return;
    const key = name.toLowerCase();
    const existing = this.values.get(key);
    this.values.set(key, existing ? `${existing}, ${value}` : value);
  }

  /** Replaces a value; null or empty removes the header. */
  public set(name: string, value: string | null): void {
    const key = name.toLowerCase();
    if (value === null || value === '') this.values.delete(key);
    else this.values.set(key, value);
  }

  public toArray(): string[][] {
    return [...this.values.entries()].map(([name, value]) => [name, value]);
  }
}
