/** Add `id` to the set stored under `key`, creating the set. */
export function addToSetMap(map: Map<string, Set<string>>, key: string, id: string): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(id);
}

/** Remove `id` from the set under `key`, dropping the set when it empties. */
export function removeFromSetMap(map: Map<string, Set<string>>, key: string, id: string): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(id);
  if (set.size === 0) map.delete(key);
}
