import { expect } from 'chai';
import { openMemoryStore } from '../../../src/store/open.ts';
import type { Store } from '../../../src/store/store.ts';
import { CatalogueIndex } from '../../../src/search/catalogue-index.ts';
import type { Event, Talk } from '../../../src/catalogue/types.ts';

const AT = '2031-01-01T00:00:00.000Z';
const ZS = 'zanzibar-summit-2031';
const event = (id: string, name: string): Event => ({ id, name, aliases: [], createdAt: AT, updatedAt: AT });
const talk = (id: string, eventId: string, title: string, speaker: string): Talk => ({
  id,
  eventId,
  title,
  aliases: [],
  speakers: [{ name: speaker }],
  externalIds: {},
  recording: { status: 'pending' },
  recordings: [],
  createdAt: AT,
  updatedAt: AT,
});

describe('CatalogueIndex follows store commits', () => {
  let store: Store;
  let index: CatalogueIndex;
  const ids = (q: string) => index.search(q, {}).map((h) => h.id);

  beforeEach(async () => {
    store = openMemoryStore();
    index = await CatalogueIndex.attach(store);
    await store.load({
      events: [event(ZS, 'Zanzibar Summit 2031'), event('other-2031', 'Other Conf 2031')],
      talks: [
        talk('zs-quokka', ZS, 'Quokka Scaling', 'Ada Lovelace'),
        talk('zs-wombat', ZS, 'Wombat Storage', 'Grace Hopper'),
        talk('other-wombat', 'other-2031', 'Wombat Networking', 'Alan Turing'),
      ],
    });
  });
  afterEach(async () => {
    index.detach();
    await store.close();
  });

  it('finds talks by their own words and by their event name', () => {
    expect(ids('quokka')).to.deep.equal(['zs-quokka']);
    expect(ids('zanzibar')).to.have.members(['zs-quokka', 'zs-wombat']);
    expect(ids('wombat')).to.have.members(['zs-wombat', 'other-wombat']);
  });

  it('forgets a deleted event and its talks (cascade delete)', async () => {
    await store.deleteEvent(ZS, true);
    expect(ids('quokka')).to.deep.equal([]);
    expect(ids('zanzibar')).to.deep.equal([]);
    expect(ids('wombat')).to.deep.equal(['other-wombat']);
    // nothing of the event is left: the index equals one built from the store as it is now
    const rebuilt = await CatalogueIndex.attach(store);
    rebuilt.detach();
    expect(index.talks.vocabularySize).to.equal(rebuilt.talks.vocabularySize);
  });

  it('an event created again under the same id starts empty', async () => {
    await store.deleteEvent(ZS, true);
    await store.createEvent(event(ZS, 'Reborn Conf'));
    expect(ids('zanzibar')).to.deep.equal([]);
    expect(ids('reborn')).to.deep.equal([]);
  });
});
