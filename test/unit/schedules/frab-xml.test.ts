import { readFileSync } from 'node:fs';

import { expect } from 'chai';

import { parseFrabXml } from '../../../src/schedules/frab-xml.ts';
import { ScheduleParseError } from '../../../src/schedules/imported.ts';
import type { ImportedSchedule, ImportedTalk } from '../../../src/schedules/imported.ts';

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

/** A one-event frab document; `conference` and `event` are spliced in as raw XML. */
function oneEvent(options: { conference?: string; day?: string; event: string }): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<schedule>
  <conference><acronym>t</acronym><title>Test</title>${options.conference ?? ''}</conference>
  <day ${options.day ?? 'index="1" date="2013-12-05"'}>
    <room name="Main">
      <event id="1">${options.event}</event>
    </room>
  </day>
</schedule>`;
}

describe('parseFrabXml', () => {
  describe('frab fixture (oia-paris-2013.xml)', () => {
    const schedule = parseFrabXml(fixture('oia-paris-2013.xml'));

    it('reads the conference', () => {
      expect(schedule.format).to.equal('frab-xml');
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

    it('returns every event across rooms with guid and numeric id as strings', () => {
      expect(schedule.talks).to.have.length(8);
      const guids = schedule.talks.map((t) => t.guid);
      expect(new Set(guids).size).to.equal(8);
      for (const t of schedule.talks) {
        expect(t.guid).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        expect(t.scheduleId).to.match(/^\d+$/);
      }
      expect([...new Set(schedule.talks.map((t) => t.room))]).to.deep.equal([
        'Amphi Bleu',
        'Salle Seine',
        'Salle Louvre',
      ]);
    });

    it('maps the keynote with speaker affiliation, start offset and duration', () => {
      const keynote = talk(schedule, '5102');
      expect(keynote).to.deep.include({
        guid: '3f6c2a1e-8b4d-4e2f-9a51-0c7d1e2b3a02',
        slug: 'oia-paris-2013-5102-open-clouds-why-open-matters',
        title: 'Open Clouds: Why Open Matters',
        subtitle: undefined,
        start: '2013-12-05T09:15:00+01:00',
        durationMinutes: 45,
        room: 'Amphi Bleu',
        track: 'Keynotes',
        kind: 'keynote',
        language: 'en',
        url: 'https://schedule.oia-paris.example/2013/talk/5102/',
        doNotRecord: false,
      });
      expect(keynote.speakers).to.deep.equal([{ name: 'Paul Cormier', affiliation: 'Red Hat', role: undefined }]);
      expect(keynote.abstract).to.match(/^<p>Paul Cormier \(Red Hat\)/);
    });

    it('keeps non-recording links out of recordings', () => {
      expect(talk(schedule, '5102').recordings).to.deep.equal([]);
    });

    it('maps subtitles and single speakers', () => {
      const havana = talk(schedule, '5103');
      expect(havana.title).to.equal('Havana to Icehouse');
      expect(havana.subtitle).to.equal("What's next for OpenStack");
      expect(havana.speakers.map((s) => s.name)).to.deep.equal(['Thierry Carrez']);

      const networking = talk(schedule, '5106');
      expect(networking.title).to.equal('From Segments to Services, a Dive into OpenStack Networking');
      expect(networking.speakers.map((s) => s.name)).to.deep.equal(['Mark McClain']);
      expect(networking.start).to.equal('2013-12-05T14:00:00+01:00');
    });

    it('lists several speakers in order and decodes character references', () => {
      expect(talk(schedule, '5104').speakers.map((s) => s.name)).to.deep.equal([
        'Claire Dubois',
        'Olivier Marchand',
        'Sofia Lindqvist',
      ]);
      expect(talk(schedule, '5105').speakers.map((s) => s.name)).to.deep.equal(['Hugo Martin', 'Amélie Fournier']);
    });

    it('sets doNotRecord only for the talk with <recording><optout>true', () => {
      expect(schedule.talks.filter((t) => t.doNotRecord).map((t) => t.scheduleId)).to.deep.equal(['5108']);
      expect(talk(schedule, '5108').durationMinutes).to.equal(90);
    });
  });

  describe('edited fixture (oia-paris-2013-v2.xml)', () => {
    const v1 = parseFrabXml(fixture('oia-paris-2013.xml'));
    const v2 = parseFrabXml(fixture('oia-paris-2013-v2.xml'));
    const byGuid = (s: ImportedSchedule): Map<string | undefined, ImportedTalk> =>
      new Map(s.talks.map((t) => [t.guid, t]));

    it('shows one removed, one added, one retitled and one moved talk under stable guids', () => {
      const before = byGuid(v1);
      const after = byGuid(v2);
      expect(v2.version).to.equal('1.1');
      expect([...before.keys()].filter((g) => !after.has(g))).to.deep.equal(['3f6c2a1e-8b4d-4e2f-9a51-0c7d1e2b3a05']);
      expect([...after.keys()].filter((g) => !before.has(g))).to.deep.equal(['3f6c2a1e-8b4d-4e2f-9a51-0c7d1e2b3a09']);

      const retitled = after.get('3f6c2a1e-8b4d-4e2f-9a51-0c7d1e2b3a07');
      expect(retitled?.title).to.equal('Heat Templates in Practice: Autoscaling Your Stack');
      expect(retitled?.slug).to.not.equal(before.get('3f6c2a1e-8b4d-4e2f-9a51-0c7d1e2b3a07')?.slug);

      expect(before.get('3f6c2a1e-8b4d-4e2f-9a51-0c7d1e2b3a04')?.start).to.equal('2013-12-05T16:30:00+01:00');
      expect(after.get('3f6c2a1e-8b4d-4e2f-9a51-0c7d1e2b3a04')?.start).to.equal('2013-12-05T17:00:00+01:00');

      const unchanged = [...after.keys()].filter(
        (g) =>
          before.has(g) && g !== '3f6c2a1e-8b4d-4e2f-9a51-0c7d1e2b3a07' && g !== '3f6c2a1e-8b4d-4e2f-9a51-0c7d1e2b3a04',
      );
      expect(unchanged).to.have.length(5);
      for (const guid of unchanged) expect(after.get(guid)).to.deep.equal(before.get(guid));
    });
  });

  describe('pentabarf fixture (fosdem-like.xml)', () => {
    const schedule = parseFrabXml(fixture('fosdem-like.xml'));

    it('reads the conference including city and the dates', () => {
      expect(schedule.version).to.equal(undefined);
      expect(schedule.conference).to.deep.equal({
        title: 'FOSDEM 2014',
        acronym: undefined,
        city: 'Brussels',
        timezone: 'Europe/Brussels',
        startDate: '2014-02-01',
        endDate: '2014-02-02',
        url: undefined,
      });
    });

    it('has no guids but numeric schedule ids', () => {
      expect(schedule.talks.map((t) => t.scheduleId)).to.deep.equal(['1401', '1402', '1403', '2401', '2402']);
      for (const t of schedule.talks) expect(t.guid).to.equal(undefined);
    });

    it('derives starts from day date + start + time_zone_name', () => {
      expect(talk(schedule, '1401').start).to.equal('2014-02-01T09:30:00+01:00');
      expect(talk(schedule, '2401').start).to.equal('2014-02-02T13:00:00+01:00');
      expect(talk(schedule, '2401').room).to.equal('H.2215');
    });

    it('keeps only video links as recordings (links and attachments)', () => {
      expect(talk(schedule, '1402').recordings).to.deep.equal([
        {
          url: 'https://video.fosdem.org/2014/Janson/Saturday/The_Free_Software_Desktop_Ten_Years_On.webm',
          title: 'Video recording (WebM/VP8)',
        },
        {
          url: 'https://video.fosdem.org/2014/Janson/Saturday/The_Free_Software_Desktop_Ten_Years_On.mp4',
          title: 'video/mp4',
        },
      ]);
      expect(talk(schedule, '1401').recordings).to.deep.equal([]);
    });

    it('decodes, trims and collapses speaker names and drops empty ones', () => {
      expect(talk(schedule, '1402').speakers.map((s) => s.name)).to.deep.equal(['François Lefèvre', 'Greta Holm']);
      expect(talk(schedule, '1402').subtitle).to.equal('What we won, what we lost & what is next');
    });

    it('falls back to <description> when <abstract> is empty, and leaves empty fields undefined', () => {
      expect(talk(schedule, '1403').abstract).to.equal(
        '<p>Vendoring, lock files and what distributions need from upstream.</p>',
      );
      expect(talk(schedule, '2402')).to.deep.include({
        abstract: undefined,
        language: undefined,
        subtitle: undefined,
        url: undefined,
      });
    });
  });

  describe('times', () => {
    it('lets <date> win over the day date + <start> and keeps its offset as given', () => {
      const schedule = parseFrabXml(
        oneEvent({
          conference: '<time_zone_name>Europe/Berlin</time_zone_name>',
          day: 'index="1" date="2013-12-27"',
          event:
            '<date>2013-12-28T00:30:00-05:00</date><start>00:30</start><duration>00:30</duration><title>Night talk</title>',
        }),
      );
      expect(schedule.talks[0]?.start).to.equal('2013-12-28T00:30:00-05:00');
    });

    it('applies the time zone to a <date> without offset (voctosched)', () => {
      const schedule = parseFrabXml(
        oneEvent({
          conference: '<time_zone_name>Europe/Berlin</time_zone_name>',
          event: '<date>2013-12-05T09:30:00</date><start>09:30</start><title>Local</title>',
        }),
      );
      expect(schedule.talks[0]?.start).to.equal('2013-12-05T09:30:00+01:00');
    });

    it('derives summer and winter offsets from time_zone_name', () => {
      const at = (date: string, zone: string): string | undefined =>
        parseFrabXml(
          oneEvent({
            conference: `<time_zone_name>${zone}</time_zone_name>`,
            day: `index="1" date="${date}"`,
            event: '<start>10:00</start><title>T</title>',
          }),
        ).talks[0]?.start;
      expect(at('2014-07-10', 'Europe/Paris')).to.equal('2014-07-10T10:00:00+02:00');
      expect(at('2014-01-10', 'Europe/Paris')).to.equal('2014-01-10T10:00:00+01:00');
      expect(at('2014-03-30', 'Europe/Paris')).to.equal('2014-03-30T10:00:00+02:00'); // DST starts at 02:00 that day
      expect(at('2014-07-10', 'America/New_York')).to.equal('2014-07-10T10:00:00-04:00');
      expect(at('2014-07-10', 'Asia/Kolkata')).to.equal('2014-07-10T10:00:00+05:30');
      expect(at('2014-07-10', 'UTC')).to.equal('2014-07-10T10:00:00+00:00');
    });

    it('falls back to the offset of <day start>, then to a floating local time', () => {
      const withDayStart = parseFrabXml(
        oneEvent({
          day: 'index="1" date="2013-12-05" start="2013-12-05T04:00:00+09:00"',
          event: '<start>10:00</start><title>T</title>',
        }),
      );
      expect(withDayStart.talks[0]?.start).to.equal('2013-12-05T10:00:00+09:00');

      const unknownZone = parseFrabXml(
        oneEvent({
          conference: '<time_zone_name>Mars/Olympus_Mons</time_zone_name>',
          event: '<start>10:00</start><title>T</title>',
        }),
      );
      expect(unknownZone.talks[0]?.start).to.equal('2013-12-05T10:00:00');
      expect(unknownZone.conference.timezone).to.equal('Mars/Olympus_Mons');
    });

    it('moves a <start> before the day start to the following date', () => {
      const schedule = parseFrabXml(
        oneEvent({
          conference: '<time_zone_name>Europe/Berlin</time_zone_name>',
          day: 'index="1" date="2013-12-27" start="2013-12-27T10:00:00+01:00" end="2013-12-28T04:00:00+01:00"',
          event: '<start>01:30</start><duration>1:00:00</duration><title>After midnight</title>',
        }),
      );
      expect(schedule.talks[0]?.start).to.equal('2013-12-28T01:30:00+01:00');
      expect(schedule.talks[0]?.durationMinutes).to.equal(60);
    });
  });

  describe('element variants', () => {
    it('parses a single day/room/event/person/link as lists', () => {
      const schedule = parseFrabXml(
        oneEvent({
          event:
            '<start>10:00</start><title>Only talk</title><persons><person id="9">Solo Speaker</person></persons>' +
            '<links><link href="https://media.ccc.de/v/30c3-5000-only-talk">Recording on media.ccc.de</link></links>',
        }),
      );
      expect(schedule.talks).to.have.length(1);
      expect(schedule.talks[0]?.speakers).to.deep.equal([
        { name: 'Solo Speaker', affiliation: undefined, role: undefined },
      ]);
      expect(schedule.talks[0]?.recordings).to.deep.equal([
        { url: 'https://media.ccc.de/v/30c3-5000-only-talk', title: 'Recording on media.ccc.de' },
      ]);
    });

    it('returns escaped markup in titles as plain text', () => {
      const schedule = parseFrabXml(
        oneEvent({
          event:
            '<title>Why &lt;script&gt; tags &amp; feeds don&apos;t mix</title><persons><person>A &amp;amp; B</person></persons>',
        }),
      );
      expect(schedule.talks[0]?.title).to.equal("Why <script> tags & feeds don't mix");
      expect(schedule.talks[0]?.speakers[0]?.name).to.equal('A & B');
    });

    it('decodes every HTML named reference left in text, not only Latin-1 ones', () => {
      const schedule = parseFrabXml(
        oneEvent({
          event:
            '<title>Rust &amp;rarr; WASM: &amp;alpha;-tests &amp;check;</title>' +
            '<persons><person>Tom&amp;aacute;&amp;scaron; &amp;Ccaron;ech</person><person>AT&amp;amp;T &amp;bogus;</person></persons>',
        }),
      );
      expect(schedule.talks[0]?.title).to.equal('Rust \u2192 WASM: \u03b1-tests \u2713');
      expect(schedule.talks[0]?.speakers.map((s) => s.name)).to.deep.equal(['Tomá\u0161 \u010cech', 'AT&T &bogus;']);
    });

    it('reads do_not_record variants and extended download URLs', () => {
      const schedule = parseFrabXml(`<schedule><conference><title>T</title></conference>
        <day date="2019-08-21"><room name="R">
          <event id="1"><title>A</title><recording><license/><optout>True</optout></recording></event>
          <event id="2"><title>B</title><do_not_record>true</do_not_record></event>
          <event id="3"><title>C</title><recording><optout>false</optout></recording>
            <video_download_url>https://cdn.example.org/c.mp4</video_download_url></event>
        </room></day></schedule>`);
      expect(schedule.talks.map((t) => t.doNotRecord)).to.deep.equal([true, true, false]);
      expect(schedule.talks[2]?.recordings).to.deep.equal([
        { url: 'https://cdn.example.org/c.mp4', title: 'video/mp4' },
      ]);
    });

    it('tolerates a BOM and blank lines before the XML declaration', () => {
      const schedule = parseFrabXml(`\uFEFF\n\n${oneEvent({ event: '<title>T</title>' })}`);
      expect(schedule.talks).to.have.length(1);
    });
  });

  describe('errors', () => {
    it('names the line of malformed XML', () => {
      const error = parseError(() => parseFrabXml(fixture('malformed.xml')));
      expect(error.location).to.deep.equal({ line: 16, column: 7 });
      expect(error.message).to.contain('line 16').and.to.contain("'persons'").and.to.contain('opened in line 14');
    });

    it('keeps line numbers true when blank lines precede the document', () => {
      const error = parseError(() => parseFrabXml(`\n\n${fixture('malformed.xml')}`));
      expect(error.location.line).to.equal(18);
    });

    it('rejects a document whose root is not <schedule>', () => {
      const error = parseError(() => parseFrabXml('<?xml version="1.0"?><rss version="2.0"><channel/></rss>'));
      expect(error.message).to.contain('<rss>').and.to.contain('<schedule>');
    });

    it('names the path, id and line of an event without a title', () => {
      const xml = `<schedule>
  <conference><title>T</title></conference>
  <day index="1" date="2013-12-05"><room name="A"><event id="1"><title>One</title></event></room></day>
  <day index="2" date="2013-12-06">
    <room name="A">
      <event id="2"><title>Two</title></event>
      <event id="3"><title>Three</title></event>
      <event id="4"><title>   </title></event>
    </room>
  </day>
</schedule>`;
      const error = parseError(() => parseFrabXml(xml));
      expect(error.location).to.deep.equal({ path: 'schedule/day[2]/room[1]/event[3]/title', line: 8 });
      expect(error.message).to.contain('id 4').and.to.contain('schedule/day[2]/room[1]/event[3]');
    });

    it('requires a conference title or acronym', () => {
      const error = parseError(() =>
        parseFrabXml('<schedule><conference><start>2013-12-05</start></conference></schedule>'),
      );
      expect(error.location.path).to.equal('schedule/conference/title');
    });
  });
});
