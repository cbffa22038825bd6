/** Source of the current time; tests inject a fixed one. */
export type Clock = { now(): Date };
export const systemClock: Clock = { now: () => new Date() };
