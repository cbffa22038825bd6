/**
 * Deterministic synthetic catalogue for benchmarks and scale tests (1k / 10k / 100k talks).
 * No dependencies, no I/O: the same `(n, seed)` always yields the same catalogue.
 *
 * Shape of the data:
 * - ~50 talks per event; events are named after a topic word plus a series word and a year,
 *   in a city from a fixed list, with an acronym alias;
 * - a vocabulary of ~3,000 words (~190 real technical words plus syllable-built words), drawn with a
 *   Zipf–Mandelbrot distribution (flattened head) so some words are frequent and most are rare;
 * - person names from ~300 first names and ~400 surnames (real names padded with syllable-built
 *   ones), also Zipf-drawn so surnames repeat realistically; 1–3 speakers per talk;
 * - titles of 3–10 words (with the odd stopword), 20% with a subtitle, ~20 tracks, abstracts of
 *   25–70 words.
 */
import type { IndexedEvent, IndexedTalk } from '../src/search/talk-index.ts';

/** A generated event: {@link IndexedEvent} plus its first day. */
export type SyntheticEvent = IndexedEvent & { city: string; acronym: string; startDate: string };

/** A generated talk: {@link IndexedTalk} plus its start time. */
export type SyntheticTalk = IndexedTalk & { track: string; abstract: string; start: string };

/** Events and talks of a synthetic catalogue. */
export type SyntheticCatalogue = { events: SyntheticEvent[]; talks: SyntheticTalk[] };

/** mulberry32: small, fast, good enough for test data. Returns floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TECH_WORDS = `cloud network networking storage compute kernel container containers kubernetes openstack
neutron nova swift cinder keystone glance linux debian fedora security privacy cryptography database
databases postgres sql query queries index indexing search streaming video audio codec compiler rust
python javascript typescript golang java haskell erlang elixir scala ocaml lisp scheme functional
reactive distributed systems system consensus raft paxos replication sharding cache caching latency
throughput performance benchmark benchmarks scaling scalable observability monitoring tracing logging
metrics alerting deployment continuous integration delivery testing fuzzing verification formal proofs
types inference memory allocator garbage collector threads concurrency async parallel gpu shader
graphics rendering browser web api apis http protocol protocols tcp quic dns routing firewall vpn
wireless radio hardware firmware embedded microcontroller robotics sensor sensors machine learning
model models training inference data pipeline pipelines analytics visualization open source community
governance license licensing foundation ecosystem packaging package packages build reproducible
builds supply chain mobile android desktop wayland accessibility localization design usability
documentation migration legacy modernization architecture microservices serverless edge virtual
virtualization hypervisor segments services dive lessons learned future past present state introduction
deep practical production scale hacking hackers workshop keynote panel`
  .split(/\s+/)
  .filter((w) => w !== '');

const SYLLABLES = `ba be bi bo bu ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni no nu ra re ri ro ru
sa se si so su ta te ti to tu va ve vi vo za zo dra tri pla gro ster mon vel lin dor fen gar hal
quin rix tor ven wal yst bra cle dre fla glo kri pro sta tre vor zen mar pel sor tan`
  .split(/\s+/)
  .filter((w) => w !== '');

const REAL_FIRST = `Mark Thierry Paul Anne Maria Jean Pierre Sophie Laura Daniel David Sarah Michael Julia
Thomas Lucas Emma Olivia Noah Liam Ava Mia Ethan James John Robert Linda Barbara Susan Jessica Karen
Nancy Lisa Betty Helen Sandra Donna Carol Ruth Sharon Michelle Kevin Brian George Edward Ronald Timothy
Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin Scott Brandon Benjamin Samuel
Gregory Frank Alexander Raymond Patrick Jack Dennis Jerry Tyler Aaron Jose Adam Henry Nathan Douglas
Zachary Peter Kyle Walter Harold Jeremy Ethan Carl Keith Roger Gerald Christian Terry Sean Arthur Austin
Noor Aiko Chen Wei Yuki Hiro Priya Ravi Arjun Fatima Omar Leila Ingrid Sven Astrid Lars Katarzyna Piotr`
  .split(/\s+/)
  .filter((w) => w !== '');

const REAL_LAST = `McClain Carrez Cormier McLean Smith Johnson Williams Brown Jones Garcia Miller Davis
Rodriguez Martinez Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee
Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott
Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Dubois
Lefebvre Moreau Laurent Simon Michel Bernard Petit Durand Leroy Muller Schmidt Schneider Fischer Weber
Meyer Wagner Becker Schulz Hoffmann Rossi Russo Ferrari Esposito Bianchi Romano Colombo Tanaka Suzuki
Takahashi Watanabe Kowalski Nowak Wisniewski Andersson Johansson Karlsson Nilsson Eriksson OBrien`
  .split(/\s+/)
  .filter((w) => w !== '');

const CITIES = `Paris Berlin Brussels Amsterdam London Dublin Lisbon Madrid Barcelona Rome Milan Vienna
Prague Warsaw Stockholm Oslo Copenhagen Helsinki Zurich Geneva Munich Hamburg Lyon Toulouse Boston
Austin Seattle Portland Denver Chicago Toronto Montreal Vancouver Tokyo Osaka Seoul Singapore Sydney
Melbourne Auckland`
  .split(/\s+/)
  .filter((w) => w !== '');

const SERIES = ['Summit', 'Conf', 'Days', 'Con', 'Forum', 'Meetup', 'Symposium', 'Camp', 'Fest', 'in Action'];
const TRACK_COUNT = 20;
const TALKS_PER_EVENT = 50;
const VOCABULARY_SIZE = 3000;
const FIRST_NAMES = 300;
const LAST_NAMES = 400;
const TITLE_STOPWORDS = ['to', 'of', 'the', 'a', 'in', 'and', 'for', 'with', 'from'];

const capitalise = (w: string): string => w.charAt(0).toUpperCase() + w.slice(1);

/**
 * Samples indexes `0..n-1` with probability ∝ 1 / (rank + 1 + q)^s (Zipf–Mandelbrot; q = 0 is Zipf),
 * by binary search over the cumulative weights.
 */
function zipf(n: number, s: number, q: number, random: () => number): () => number {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += 1 / Math.pow(i + 1 + q, s);
    cumulative[i] = total;
  }
  return () => {
    const x = random() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cumulative[mid] ?? total) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** Distinct syllable-built words until `into` holds `size` entries. */
function fillWithSyllableWords(
  into: Set<string>,
  size: number,
  minSyl: number,
  maxSyl: number,
  random: () => number,
): void {
  while (into.size < size) {
    const count = minSyl + Math.floor(random() * (maxSyl - minSyl + 1));
    let w = '';
    for (let i = 0; i < count; i++) w += SYLLABLES[Math.floor(random() * SYLLABLES.length)] ?? '';
    into.add(w);
  }
}

/**
 * Generates `n` talks (and ⌈n / 50⌉ events) deterministically from `seed`.
 * Talk ids are `t000001`…, event ids `e0001`…; talks are grouped by event in id order.
 */
export function syntheticCatalogue(n: number, seed = 1): SyntheticCatalogue {
  const random = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const between = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));

  const vocabularySet = new Set(TECH_WORDS);
  fillWithSyllableWords(vocabularySet, VOCABULARY_SIZE, 2, 4, random);
  const vocabulary = [...vocabularySet];
  const firstSet = new Set(REAL_FIRST);
  fillWithSyllableWords(firstSet, FIRST_NAMES, 2, 2, random);
  const firstNames = [...firstSet].map(capitalise);
  const lastSet = new Set(REAL_LAST);
  fillWithSyllableWords(lastSet, LAST_NAMES, 2, 3, random);
  const lastNames = [...lastSet].map(capitalise);
  const tracks = Array.from({ length: TRACK_COUNT }, (_, i) => capitalise(vocabulary[i * 7] ?? `track${i}`));

  const word = zipf(vocabulary.length, 1.05, 20, random);
  const firstName = zipf(firstNames.length, 0.9, 0, random);
  const lastName = zipf(lastNames.length, 0.8, 0, random);
  const vocab = (): string => vocabulary[word()] ?? '';
  const words = (count: number, stopwordRate: number): string[] =>
    Array.from({ length: count }, (_, i) => (i > 0 && random() < stopwordRate ? pick(TITLE_STOPWORDS) : vocab()));

  const events: SyntheticEvent[] = [];
  const talks: SyntheticTalk[] = [];
  const eventCount = Math.ceil(n / TALKS_PER_EVENT);
  for (let e = 0; e < eventCount; e++) {
    const year = 2005 + Math.floor(random() * 20);
    const city = pick(CITIES);
    const topic = capitalise(vocabulary[Math.floor(random() * 400)] ?? 'tech');
    const series = pick(SERIES);
    const name = `${topic} ${series} ${city} ${year}`;
    const acronym = `${topic.charAt(0)}${series.charAt(0)}${city.charAt(0)}`.toUpperCase();
    const month = between(1, 12);
    const day = between(1, 26);
    const startDate = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    const event: SyntheticEvent = {
      id: `e${String(e + 1).padStart(4, '0')}`,
      name,
      aliases: [`${acronym} ${year}`, `${topic} ${series} ${year}`],
      city,
      acronym,
      startDate,
    };
    events.push(event);
    const inThisEvent = Math.min(TALKS_PER_EVENT, n - talks.length);
    for (let k = 0; k < inThisEvent; k++) {
      const title = words(between(3, 10), 0.15).map(capitalise).join(' ');
      const speakerCount = random() < 0.75 ? 1 : random() < 0.8 ? 2 : 3;
      const speakers = Array.from({ length: speakerCount }, () => ({
        name: `${firstNames[firstName()] ?? 'Alex'} ${lastNames[lastName()] ?? 'Doe'}`,
      }));
      const hour = between(9, 17);
      const minute = random() < 0.5 ? '00' : '30';
      const talk: SyntheticTalk = {
        id: `t${String(talks.length + 1).padStart(6, '0')}`,
        eventId: event.id,
        title,
        subtitle: random() < 0.2 ? capitalise(words(between(2, 6), 0.2).join(' ')) : undefined,
        aliases: [],
        speakers,
        track: pick(tracks),
        abstract: `${capitalise(words(between(25, 70), 0.3).join(' '))}.`,
        start: `${startDate}T${String(hour).padStart(2, '0')}:${minute}:00+01:00`,
      };
      talks.push(talk);
    }
  }
  return { events, talks };
}
