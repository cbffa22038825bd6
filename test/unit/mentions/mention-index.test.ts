import { expect } from 'chai';
import { openMemoryStore } from '../../../src/store/open.ts';
import type { Store } from '../../../src/store/store.ts';
import { CatalogueIndex } from '../../../src/search/catalogue-index.ts';
import { MentionIndex } from '../../../src/mentions/mention-index.ts';
import { eventRecord as event, talkRecord as talk } from '../../helpers/catalogue-records.ts';

const ZS = 'zanzibar-summit-2031';

describe('MentionIndex follows store commits', () => {
  let store: Store;
  let catalogue: CatalogueIndex;
  let index: MentionIndex;

  beforeEach(async () => {
    store = openMemoryStore();
    catalogue = await CatalogueIndex.attach(store);
    index = await MentionIndex.attach(store, 'http://talkreel.test');
    await store.load({
      events: [
        event(ZS, 'Zanzibar Summit 2031', { city: 'Stone Town', startDate: '2031-03-01', acronym: 'ZS31' }),
        event('other-2031', 'Other Conf 2031'),
      ],
      talks: [
        talk('zs-quokka', ZS, 'Quokka Scaling', 'Ada Lovelace'),
        talk('other-wombat', 'other-2031', 'Wombat Networking', 'Alan Turing'),
      ],
    });
  });
  afterEach(async () => {
    index.detach();
    catalogue.detach();
    await store.close();
  });

  const knows = () => ({
    phrase: index.eventPhrases.has('zanzibar summit 2031'),
    city: index.eventCities.has('stone town'),
    day: index.eventDays.has('2031-03-01'),
    page: index.eventUrls.size,
    talk: index.talks.has('zs-quokka'),
    speaker: index.fullNames.has('ada lovelace'),
    title: index.titleTerms.has('quokka'),
    ref: index.refs.has('guid-zs-quokka'),
    byEvent: index.talksByEvent.has(ZS),
  });

  it('indexes the event and its talks', () => {
    expect(knows()).to.deep.equal({
      phrase: true,
      city: true,
      day: true,
      page: 2,
      talk: true,
      speaker: true,
      title: true,
      ref: true,
      byEvent: true,
    });
  });

  for (const name of ['cascade delete'])
    it(`forgets a deleted event and its talks (${name})`, async () => {
      await store.deleteEvent(ZS, true);
      expect(knows()).to.deep.equal({
        phrase: false,
        city: false,
        day: false,
        page: 1,
        talk: false,
        speaker: false,
        title: false,
        ref: false,
        byEvent: false,
      });
      expect(index.talks.has('other-wombat')).to.equal(true);
    });
});
