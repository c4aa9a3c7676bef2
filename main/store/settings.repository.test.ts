import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from './store';
import { tempDir } from './testing/store-fixtures';

describe('SettingsRepository', () => {
  let temp: ReturnType<typeof tempDir>;
  let store: Store;

  beforeEach(() => {
    temp = tempDir();
    store = openStore({ dataDir: temp.dir });
  });
  afterEach(() => {
    store.close();
    temp.cleanup();
  });

  it('gets, sets, overwrites and deletes, surviving reopen', () => {
    expect(store.settings.get('sync.cursor')).toBeNull();
    store.settings.set('sync.cursor', '1');
    store.settings.set('sync.cursor', '2');
    store.settings.setJson('office.hours', { morning: ['07:00', '11:30'] });
    store.close();
    store = openStore({ dataDir: temp.dir });
    expect(store.settings.get('sync.cursor')).toBe('2');
    expect(store.settings.getJson('office.hours')).toEqual({ morning: ['07:00', '11:30'] });
    expect(store.settings.all()).toEqual({ 'office.hours': '{"morning":["07:00","11:30"]}', 'sync.cursor': '2' });
    store.settings.delete('sync.cursor');
    expect(store.settings.get('sync.cursor')).toBeNull();
  });
});
