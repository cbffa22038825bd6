/**
 * Rendered pages kept until the next store commit: pages change only when the catalogue, a
 * recording or a post does, so a commit empties the cache and nothing is ever stale.
 */
export class PageCache {
  private readonly entries = new Map<string, string>();
  /** Bumped by every commit: a page rendered from reads made before a commit is not kept. */
  private generation = 0;

  /**
   * @param onCommit the store's commit stream.
   * @param maxEntries pages kept before the cache starts over. @default 2000
   */
  constructor(
    onCommit: (listener: () => void) => () => void,
    private readonly maxEntries = 2000,
  ) {
    onCommit(() => {
      this.generation++;
      this.entries.clear();
    });
  }

  /** The page under `key`, rendered by `build` when missing. Errors are thrown, never cached. */
  async get(key: string, build: () => Promise<string>): Promise<string> {
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    const generation = this.generation;
    const html = await build();
    if (generation === this.generation) {
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(key, html);
    }
    return html;
  }
}
