// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { setApiForTests } from '../api';
import { useIntakeStore } from '../stores/intake';
import { lookupResult, procedure, quote } from '../testing/fixtures';
import { mountWith, settle, setupHarness } from '../testing/mount';
import ComponentsTable from './ComponentsTable.vue';
import ProcedureSection from './ProcedureSection.vue';

afterEach(() => {
  setApiForTests(null);
  document.body.innerHTML = '';
});

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

const summaries = [
  { code: '1.001193', name: 'Đăng ký khai sinh', sectorCode: 'HT', sectorName: 'Hộ tịch' },
  { code: '1.000894', name: 'Đăng ký khai sinh có yếu tố nước ngoài', sectorCode: 'HT', sectorName: 'Hộ tịch' },
];

function harness() {
  return setupHarness({
    'catalogue.search': () => summaries,
    'catalogue.get': ({ code }) => ({ ...procedure, code }),
    'intake.quote': () => quote,
  });
}

describe('procedure search', () => {
  it('searches as the officer types (debounced), then arrow keys and Enter choose', async () => {
    const h = harness();
    const wrapper = mountWith(ProcedureSection, h);
    const search = wrapper.get('[data-testid="procedure-search"]');
    await search.setValue('k');
    await search.setValue('kh');
    await search.setValue('khai sinh');
    await wait(200);
    await settle();
    expect(h.fake.callsOf('catalogue.search')).toHaveLength(1);
    expect(h.fake.callsOf('catalogue.search')[0]!.params).toEqual({ query: 'khai sinh', limit: 20 });
    expect(wrapper.get('[data-testid="procedure-results"]').text()).toContain('Đăng ký khai sinh');

    await search.trigger('keydown', { key: 'ArrowDown' });
    expect(wrapper.get('[data-testid="procedure-option-1.000894"]').attributes('aria-selected')).toBe('true');
    await search.trigger('keydown', { key: 'Enter' });
    await settle();
    expect(h.fake.callsOf('catalogue.get')[0]!.params).toEqual({ code: '1.000894' });
    expect(wrapper.get('[data-testid="procedure-code"]').text()).toBe('1.000894');
    expect(wrapper.get('[data-testid="procedure-duration"]').text()).toBe('10 ngày làm việc');
    expect(wrapper.get('[data-testid="procedure-fees"]').text()).toContain('200.000 đ');
    expect((wrapper.get('[data-testid="procedure-channel"]').element as HTMLSelectElement).value).toBe('walk-in');
    expect(h.fake.callsOf('intake.quote')[0]!.params).toEqual({ procedureCode: '1.000894', channel: 'walk-in' });
  });

  it('re-quotes when the channel changes', async () => {
    const h = harness();
    await useIntakeStore().chooseProcedure('2.000488');
    const wrapper = mountWith(ProcedureSection, h);
    await wrapper.get('[data-testid="procedure-channel"]').setValue('online');
    await settle();
    expect(h.fake.callsOf('intake.quote').at(-1)!.params).toEqual({ procedureCode: '2.000488', channel: 'online' });
    expect(wrapper.get('[data-testid="procedure-fees"]').text()).toContain('100.000 đ');
  });
});

describe('components table', () => {
  it('pre-selects reuse for a stored document but needs the explicit consent tick', async () => {
    const h = harness();
    const intake = useIntakeStore();
    intake.draft.lookup = lookupResult;
    await intake.chooseProcedure('2.000488');
    const wrapper = mountWith(ComponentsTable, h);
    expect(wrapper.get('[data-testid="component-row-TK"]').text()).toContain('bắt buộc');
    const source = wrapper.get('[data-testid="component-source-CCCD"]').element as HTMLSelectElement;
    expect(source.value).toBe('reused');
    const consent = wrapper.get('[data-testid="component-consent-CCCD"]');
    expect((consent.element as HTMLInputElement).checked).toBe(false);
    expect(wrapper.get('[data-testid="component-document-CCCD"]').text()).toContain('Căn cước công dân');
    await consent.setValue(true);
    expect(intake.draft.components.CCCD).toMatchObject({ source: 'reused', reusedDocumentId: 'N:GT-1', consent: true });

    await wrapper.get('[data-testid="component-source-CCCD"]').setValue('to-digitise');
    expect(intake.draft.components.CCCD).toMatchObject({
      source: 'to-digitise',
      reusedDocumentId: null,
      consent: false,
    });
    expect(wrapper.find('[data-testid="component-consent-CCCD"]').exists()).toBe(false);

    // Without a matching stored document, "reused" cannot be chosen.
    const tkReused = wrapper.get('[data-testid="component-source-TK"] option[value="reused"]')
      .element as HTMLOptionElement;
    expect(tkReused.disabled).toBe(true);
  });
});
