/**
 * The format-neutral result of parsing a schedule export (frab/pentabarf XML, c3voc/pretalx JSON).
 * Parsers are pure: `parse(text) -> ImportedSchedule`, throwing `ScheduleParseError` on bad input.
 */

export type ImportedSpeaker = {
  readonly name: string;
  readonly affiliation?: string | undefined;
  readonly role?: string | undefined;
};

export type ImportedRecordingLink = {
  readonly url: string;
  /** e.g. `video/webm`, or the link's title */
  readonly title?: string | undefined;
};

export type ImportedTalk = {
  /** Schedule guid when the export has one (frab, pretalx, c3voc). */
  readonly guid?: string | undefined;
  /** Numeric id as given; unique only within the event. */
  readonly scheduleId?: string | undefined;
  /** The slug the schedule gives, if any. */
  readonly slug?: string | undefined;
  readonly title: string;
  readonly subtitle?: string | undefined;
  readonly speakers: readonly ImportedSpeaker[];
  /** ISO 8601 with offset (`2013-12-05T09:30:00+01:00`). `<date>` wins over the day's date. */
  readonly start?: string | undefined;
  readonly durationMinutes?: number | undefined;
  readonly room?: string | undefined;
  readonly track?: string | undefined;
  /** `type` in frab (`lecture`, `keynote`, `workshop`, …). */
  readonly kind?: string | undefined;
  readonly language?: string | undefined;
  readonly abstract?: string | undefined;
  /** Talk page on the schedule (`<url>`). */
  readonly url?: string | undefined;
  /** True when the schedule opts the talk out of recording (`<recording><optout>true`, `do_not_record`). */
  readonly doNotRecord: boolean;
  /** Recording links already listed by the schedule (FOSDEM adds video links after the event). */
  readonly recordings: readonly ImportedRecordingLink[];
};

export type ImportedConference = {
  readonly title: string;
  readonly acronym?: string | undefined;
  readonly city?: string | undefined;
  readonly timezone?: string | undefined;
  /** `YYYY-MM-DD` */
  readonly startDate?: string | undefined;
  readonly endDate?: string | undefined;
  readonly url?: string | undefined;
};

export type ImportedSchedule = {
  readonly format: 'frab-xml' | 'schedule-json';
  /** Schedule version string, if any. */
  readonly version?: string | undefined;
  readonly conference: ImportedConference;
  readonly talks: readonly ImportedTalk[];
};

/** A schedule file that cannot be parsed. `location` names the line (XML) or the field path (JSON). */
export class ScheduleParseError extends Error {
  override readonly name = 'ScheduleParseError';
  constructor(
    message: string,
    readonly location: { readonly line?: number; readonly column?: number; readonly path?: string } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
