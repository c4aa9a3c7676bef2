import type { Migration } from './migration';

interface SearchIndex {
  table: string;
  source: string;
  key: string;
  /** SQL expression over the source row (`R.` is replaced by `new.` / the table name). */
  text: string;
  columns: string[];
}

/**
 * Folded full-text indexes. The indexed text has been through `fold()` (the registered SQL
 * function: lowercase, no diacritics, đ → d), so "dang" finds "Đặng"; the tokenizer's
 * `remove_diacritics 2` is kept as a second line for anything the fold leaves.
 */
const INDEXES: SearchIndex[] = [
  {
    table: 'people_fts',
    source: 'people',
    key: 'id',
    text: "fold(R.full_name || ' ' || R.id_number || ' ' || coalesce(R.old_id_number, ''))",
    columns: ['full_name', 'id_number', 'old_id_number'],
  },
  {
    table: 'dossiers_fts',
    source: 'dossiers',
    key: 'id',
    text: "fold(R.code || ' ' || R.applicant_name || ' ' || R.applicant_id_number || ' ' || R.procedure_name)",
    columns: ['code', 'applicant_name', 'applicant_id_number', 'procedure_name'],
  },
  {
    table: 'procedures_fts',
    source: 'procedures',
    key: 'id',
    text: "fold(R.code || ' ' || R.name)",
    columns: ['code', 'name'],
  },
];

function indexSql(index: SearchIndex): string {
  const over = (prefix: string): string => index.text.replaceAll('R.', prefix);
  return `
CREATE VIRTUAL TABLE ${index.table} USING fts5(text, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO ${index.table} (rowid, text) SELECT ${index.key}, ${over('')} FROM ${index.source};
CREATE TRIGGER ${index.table}_insert AFTER INSERT ON ${index.source}
BEGIN
  INSERT INTO ${index.table} (rowid, text) VALUES (new.${index.key}, ${over('new.')});
END;
CREATE TRIGGER ${index.table}_update AFTER UPDATE OF ${index.columns.join(', ')} ON ${index.source}
BEGIN
  DELETE FROM ${index.table} WHERE rowid = old.${index.key};
  INSERT INTO ${index.table} (rowid, text) VALUES (new.${index.key}, ${over('new.')});
END;
CREATE TRIGGER ${index.table}_delete AFTER DELETE ON ${index.source}
BEGIN
  DELETE FROM ${index.table} WHERE rowid = old.${index.key};
END;
`;
}

export const search: Migration = {
  version: 2,
  name: 'search',
  up(db) {
    db.exec(INDEXES.map(indexSql).join('\n'));
  },
};
