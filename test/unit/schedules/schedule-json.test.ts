import { readFileSync } from 'node:fs';

import { expect } from 'chai';

import { parseFrabXml } from '../../../src/schedules/frab-xml.ts';
import { ScheduleParseError } from '../../../src/schedules/imported.ts';
import type { ImportedSchedule, ImportedTalk } from '../../../src/schedules/imported.ts';
import { parseSchedule } from '../../../src/schedules/parse.ts';
import { jsonSyntaxErrorLocation, parseScheduleJson } from '../../../src/schedules/schedule-json.ts';

function fixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/schedules/${name}`, import.meta.url), 'utf8');
}

function parseError(fn: () => unknown): ScheduleParseError {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(ScheduleParseError);
    return error as ScheduleParseError;
  }
  return expect.fail('expected a ScheduleParseError');
}

function talk(schedule: ImportedSchedule, id: string): ImportedTalk {
  const found = schedule.talks.find((t) => t.scheduleId === id);
  if (found === undefined) return expect.fail(`no talk with id ${id}`);
  return found;
}

/** A one-day c3voc schedule.json with the given events in room "Saal 1". */
function oneDay(
  events: unknown[],
  options: {
    conference?: Record<string, unknown>;
    day?: Record<string, unknown>;
    schedule?: Record<string, unknown>;
  } = {},
): string {
  return JSON.stringify({
    schedule: {
      version: '1',
      base_url: 'https://conf.example/2019/',
      ...options.schedule,
      conference: {
        acronym: 't',
        title: 'Test',
        ...options.conference,
        days: [{ index: 1, date: '2019-12-27', rooms: { 'Saal 1': events }, ...options.day }],
      },
    },
  });
}

describe('parseScheduleJson', () => {
  describe('pretalx-style fixture (oia-paris-2013.json)', () => {
    const schedule = parseScheduleJson(fixture('oia-paris-2013.json'));

    it('reads the conference', () => {
      expect(schedule.format).to.equal('schedule-json');
      expect(schedule.version).to.equal('1.0');
      expect(schedule.conference).to.deep.equal({
        title: 'OpenStack in Action 4',
        acronym: 'oia-paris-2013',
        city: 'Paris',
        timezone: 'Europe/Paris',
        startDate: '2013-12-05',
        endDate: '2013-12-05',
        url: 'https://schedule.oia-paris.example/2013/',
      });
    });

    it('maps talks, guids, ids, speakers, times and optout', () => {
      expect(schedule.talks).to.have.length(8);
      const keynote = talk(schedule, '5102');
      expect(keynote.guid).to.equal('3f6c2a1e-8b4d-4e2f-9a51-0c7d1e2b3a02');
      expect(keynote.title).to.equal('Open Clouds: Why Open Matters');
      expect(keynote.speakers).to.deep.equal([{ name: 'Paul Cormier', affiliation: 'Red Hat', role: undefined }]);
      expect(keynote.start).to.equal('2013-12-05T09:15:00+01:00');
      expect(keynote.recordings).to.deep.equal([]);
      expect(talk(schedule, '5103').subtitle).to.equal("What's next for OpenStack");
      expect(talk(schedule, '5106').speakers.map((s) => s.name)).to.deep.equal(['Mark McClain']);
      expect(schedule.talks.filter((t) => t.doNotRecord).map((t) => t.scheduleId)).to.deep.equal(['5108']);
    });

    it('yields the same talks and conference as the equivalent schedule.xml', () => {
      const fromXml = parseFrabXml(fixture('oia-paris-2013.xml'));
      expect(schedule.talks).to.deep.equal(fromXml.talks);
      expect(schedule.conference).to.deep.equal(fromXml.conference);
    });
  });

  describe('fields', () => {
    it('accepts the person name variants and drops empty names', () => {
      const schedule = parseScheduleJson(
        oneDay([
          {
            id: 1,
            title: 'People',
            persons: [
              { id: 1, public_name: 'Frab Person' },
              { code: 'ABC123', name: 'Pretalx Person', public_name: 'Pretalx Person' },
              { id: 3, full_public_name: 'Full Public' },
              'Plain String',
              { id: 5, public_name: '   ' },
              { id: 6, name: null, public_name: 'Null Name Fallback', role: 'moderator' },
              null,
            ],
          },
        ]),
      );
      expect(schedule.talks[0]?.speakers).to.deep.equal([
        { name: 'Frab Person', affiliation: undefined, role: undefined },
        { name: 'Pretalx Person', affiliation: undefined, role: undefined },
        { name: 'Full Public', affiliation: undefined, role: undefined },
        { name: 'Plain String', affiliation: undefined, role: undefined },
        { name: 'Null Name Fallback', affiliation: undefined, role: 'moderator' },
      ]);
    });

    it('reads do_not_record as boolean or string and tolerates null', () => {
      const schedule = parseScheduleJson(
        oneDay([
          { id: 1, title: 'A', do_not_record: true },
          { id: 2, title: 'B', do_not_record: 'true' },
          { id: 3, title: 'C', do_not_record: null },
          { id: 4, title: 'D', do_not_record: false },
          { id: 5, title: 'E' },
        ]),
      );
      expect(schedule.talks.map((t) => t.doNotRecord)).to.deep.equal([true, true, false, false, false]);
    });

    it('keeps only recording links from links, attachments and video_download_url', () => {
      const schedule = parseScheduleJson(
        oneDay([
          {
            id: 1,
            title: 'Recorded',
            links: [
              { url: 'https://media.ccc.de/v/36c3-1-recorded', title: 'Recording' },
              { url: 'https://www.youtube.com/watch?v=abc123', title: '' },
              { url: 'https://example.org/slides.pdf', title: 'Slides', type: 'slides' },
              'https://vimeo.com/12345',
              'https://example.org/project',
            ],
            attachments: [
              { url: '/media/recorded.webm', title: null },
              { url: '/media/handout.pdf', title: 'Handout' },
            ],
            video_download_url: 'https://cdn.example.org/recorded.mp4',
          },
        ]),
      );
      expect(schedule.talks[0]?.recordings).to.deep.equal([
        { url: 'https://media.ccc.de/v/36c3-1-recorded', title: 'Recording' },
        { url: 'https://www.youtube.com/watch?v=abc123', title: undefined },
        { url: 'https://vimeo.com/12345', title: undefined },
        { url: 'https://conf.example/media/recorded.webm', title: 'video/webm' },
        { url: 'https://cdn.example.org/recorded.mp4', title: 'video/mp4' },
      ]);
    });

    it('is lenient on nulls, numbers and extra fields', () => {
      const schedule = parseScheduleJson(
        oneDay([
          {
            guid: null,
            id: '77',
            title: '  Spaced   Title  ',
            subtitle: null,
            track: null,
            abstract: { en: 'English abstract', de: 'Deutsche Zusammenfassung' },
            language: null,
            logo: null,
            answers: [],
            feedback_url: 'https://conf.example/feedback/77',
            persons: null,
            links: null,
          },
        ]),
      );
      expect(schedule.talks[0]).to.deep.include({
        guid: undefined,
        scheduleId: '77',
        title: 'Spaced Title',
        subtitle: undefined,
        track: undefined,
        abstract: 'English abstract',
        room: 'Saal 1',
      });
      expect(schedule.talks[0]?.speakers).to.deep.equal([]);
    });
  });

  describe('times', () => {
    it('lets "date" win over the day date + "start" and keeps its offset', () => {
      const schedule = parseScheduleJson(
        oneDay([{ id: 1, title: 'Night', date: '2019-12-28T00:30:00+01:00', start: '00:30', duration: '00:40' }], {
          conference: { time_zone_name: 'America/New_York' },
        }),
      );
      expect(schedule.talks[0]?.start).to.equal('2019-12-28T00:30:00+01:00');
      expect(schedule.talks[0]?.durationMinutes).to.equal(40);
    });

    it('combines the day date and "start" with the time_zone_name offset', () => {
      const schedule = parseScheduleJson(
        oneDay([{ id: 1, title: 'Local', start: '11:00', duration: '0:45:00' }], {
          conference: { time_zone_name: 'Europe/Berlin' },
        }),
      );
      expect(schedule.talks[0]?.start).to.equal('2019-12-27T11:00:00+01:00');
      expect(schedule.talks[0]?.durationMinutes).to.equal(45);
    });

    it('accepts a full date-time in "start" (c3voc schema) and a day_start offset without a zone', () => {
      const schedule = parseScheduleJson(
        oneDay(
          [
            { id: 1, title: 'ISO start', start: '2019-12-27T12:00:00+01:00' },
            { id: 2, title: 'Clock start', start: '12:00' },
            { id: 3, title: 'After midnight', start: '02:00' },
          ],
          { day: { day_start: '2019-12-27T04:00:00+01:00', day_end: '2019-12-28T03:59:00+01:00' } },
        ),
      );
      expect(schedule.talks.map((t) => t.start)).to.deep.equal([
        '2019-12-27T12:00:00+01:00',
        '2019-12-27T12:00:00+01:00',
        '2019-12-28T02:00:00+01:00',
      ]);
    });

    it('leaves a floating local time when no offset is known', () => {
      const schedule = parseScheduleJson(oneDay([{ id: 1, title: 'Floating', start: '09:00' }]));
      expect(schedule.talks[0]?.start).to.equal('2019-12-27T09:00:00');
      expect(schedule.conference.startDate).to.equal('2019-12-27');
    });
  });

  describe('errors', () => {
    it('reports line and column of a JSON syntax error', () => {
      const error = parseError(() => parseScheduleJson(fixture('malformed.json')));
      expect(error.location).to.deep.equal({ line: 9, column: 7 });
      expect(error.message).to.contain('line 9');
    });

    it('reports the path of an event without a title', () => {
      const error = parseError(() => parseScheduleJson(fixture('missing-title.json')));
      expect(error.location.path).to.equal('schedule.conference.days[0].rooms["Saal 1"][2].title');
      expect(error.message)
        .to.contain('schedule.conference.days[0].rooms["Saal 1"][2].title')
        .and.to.contain('non-empty string');
    });

    it('rejects empty and non-string titles', () => {
      expect(parseError(() => parseScheduleJson(oneDay([{ id: 1, title: '   ' }]))).location.path).to.equal(
        'schedule.conference.days[0].rooms["Saal 1"][0].title',
      );
      expect(parseError(() => parseScheduleJson(oneDay([{ id: 1, title: 42 }]))).location.path).to.equal(
        'schedule.conference.days[0].rooms["Saal 1"][0].title',
      );
    });

    it('reports structural problems with their path', () => {
      const noDays = parseError(() => parseScheduleJson('{"schedule": {"conference": {"title": "T", "days": {}}}}'));
      expect(noDays.location.path).to.equal('schedule.conference.days');
      const roomNotList = parseError(() =>
        parseScheduleJson('{"schedule": {"conference": {"title": "T", "days": [{"rooms": {"Janson": {}}}]}}}'),
      );
      expect(roomNotList.location.path).to.equal('schedule.conference.days[0].rooms["Janson"]');
    });

    it('rejects JSON that is not a schedule', () => {
      expect(parseError(() => parseScheduleJson('{"events": []}')).location.path).to.equal('schedule');
      expect(parseError(() => parseScheduleJson('[1, 2]')).location.path).to.equal('schedule');
    });
  });

  describe('jsonSyntaxErrorLocation', () => {
    const text = '{\n  "a": 1,\n  "b": tru\n}';

    it('reads "at position N"', () => {
      expect(jsonSyntaxErrorLocation(text, new SyntaxError('Unexpected token in JSON at position 19'))).to.deep.equal({
        line: 3,
        column: 8,
      });
    });

    it('reads "(line X column Y)"', () => {
      const message = `Unexpected token 'u', "…" is not valid JSON at position 19 (line 3 column 8)`;
      expect(jsonSyntaxErrorLocation(text, new SyntaxError(message))).to.deep.equal({ line: 3, column: 8 });
    });

    it('scans the text when the message has no position', () => {
      const message = `Unexpected token '}', "{\\n  "a": 1,"... is not valid JSON`;
      expect(jsonSyntaxErrorLocation(text, new SyntaxError(message))).to.deep.equal({ line: 3, column: 8 });
      expect(jsonSyntaxErrorLocation('{"a": [1, 2,]}', new SyntaxError('x'))).to.deep.equal({ line: 1, column: 13 });
      expect(jsonSyntaxErrorLocation('{"a": "\u0001"}', new SyntaxError('x'))).to.deep.equal({ line: 1, column: 8 });
    });

    it('points at the end for truncated input', () => {
      expect(jsonSyntaxErrorLocation('{\n  "a": [1,', new SyntaxError('Unexpected end of JSON input'))).to.deep.equal({
        line: 2,
        column: 11,
      });
    });

    it('locates real parse failures of this runtime', () => {
      expect(parseError(() => parseScheduleJson(text)).location.line).to.equal(3);
      expect(parseError(() => parseScheduleJson('{\n "a": 1\n "b": 2\n}')).location).to.deep.equal({
        line: 3,
        column: 2,
      });
      expect(parseError(() => parseScheduleJson('{\n  "a": [1,\n')).location).to.deep.equal({ line: 3, column: 1 });
    });
  });
});

describe('parseSchedule', () => {
  it('sniffs XML and JSON, after an optional BOM and whitespace', () => {
    expect(parseSchedule(`\uFEFF  \n${fixture('fosdem-like.xml')}`).format).to.equal('frab-xml');
    expect(parseSchedule(`\uFEFF\n${fixture('oia-paris-2013.json')}`).format).to.equal('schedule-json');
  });

  it('uses the hint when given', () => {
    expect(parseSchedule(fixture('oia-paris-2013.xml'), 'xml').talks).to.have.length(8);
    expect(parseError(() => parseSchedule(fixture('oia-paris-2013.xml'), 'json')).location.line).to.equal(1);
  });

  it('rejects anything else', () => {
    const error = parseError(() => parseSchedule('BEGIN:VCALENDAR\nEND:VCALENDAR'));
    expect(error.message).to.contain('not a schedule.xml or schedule.json');
    expect(parseError(() => parseSchedule('   ')).message).to.contain('not a schedule.xml or schedule.json');
  });
});
