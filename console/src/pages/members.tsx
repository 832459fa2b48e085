import { useEffect, useState } from 'preact/hooks';
import { type Member, MemberType, NewMember } from '../../../src/domain/member.ts';
import { api } from '../api.ts';
import { Field, FormError, Scroll } from '../components.tsx';
import { check, type FieldErrors, serverErrors, useDraft } from '../forms.ts';
import { t } from '../i18n.ts';

const EMPTY = { organisation: '', type: 'network', country: '', language: 'en', senders: '', trusted: false };

export function Members() {
  const [members, setMembers] = useState<Member[]>();
  const [form, setForm, clear] = useDraft('member', EMPTY);
  const [errors, setErrors] = useState<FieldErrors>({});
  const load = () => api.members().then((r) => setMembers(r.members));
  useEffect(() => {
    void load();
  }, []);
  const submit = async (e: Event) => {
    e.preventDefault();
    const body = { ...form, senders: form.senders.split(/[\s,]+/).filter(Boolean) };
    const c = check(NewMember, body);
    if (!c.ok) return setErrors(c.errors);
    try {
      await api.addMember(body as never);
      clear();
      setForm(EMPTY);
      setErrors({});
      await load();
    } catch (err) {
      setErrors(serverErrors(err));
    }
  };
  const input = (k: 'organisation' | 'country' | 'language' | 'senders') => (id: string, d?: string) => (
    <input
      id={id}
      aria-describedby={d}
      value={form[k]}
      onInput={(e) => setForm({ ...form, [k]: e.currentTarget.value })}
    />
  );
  return (
    <div>
      <h1>{t('Member registry')}</h1>
      <Scroll label={t('Member registry')}>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('Organisation')}</th>
              <th scope="col">{t('Type')}</th>
              <th scope="col">{t('Country')}</th>
              <th scope="col">{t('Language')}</th>
              <th scope="col">{t('Allowed senders')}</th>
              <th scope="col">{t('Trusted')}</th>
            </tr>
          </thead>
          <tbody>
            {members?.map((m) => (
              <tr key={m.memberId}>
                <td>{m.organisation}</td>
                <td>{m.type}</td>
                <td>{m.country}</td>
                <td>{m.language}</td>
                <td>{m.senders.join(', ')}</td>
                <td>{m.trusted ? t('Yes') : t('No')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Scroll>
      <form class="card" onSubmit={submit}>
        <h2>{t('Add member')}</h2>
        <div class="row">
          <Field label={t('Organisation')} error={errors.organisation}>
            {input('organisation')}
          </Field>
          <Field label={t('Type')} error={errors.type}>
            {(id, d) => (
              <select
                id={id}
                aria-describedby={d}
                value={form.type}
                onChange={(e) => setForm({ ...form, type: e.currentTarget.value })}
              >
                {MemberType.options.map((x) => (
                  <option key={x}>{x}</option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('Country')} error={errors.country}>
            {input('country')}
          </Field>
          <Field label={t('Language')} error={errors.language}>
            {input('language')}
          </Field>
        </div>
        <Field label={t('Allowed senders')} error={errors.senders ?? errors['senders.0']}>
          {input('senders')}
        </Field>
        <label class="check">
          <input
            type="checkbox"
            checked={form.trusted}
            onChange={(e) => setForm({ ...form, trusted: e.currentTarget.checked })}
          />{' '}
          {t('Trusted')}
        </label>
        <FormError error={errors._} />
        <button type="submit" class="primary">
          {t('Add member')}
        </button>
      </form>
    </div>
  );
}
