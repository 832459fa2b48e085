import { makeMemberContacts, makeUpdateSubscriber } from './contacts.ts';
import {
  makeAddSubscriber,
  makeEraseSubscriber,
  makeExportPersonalData,
  makeExportSubscribers,
  makeImportSubscribers,
  makeShowSubscriber,
  makeSuppressionAdmin,
} from './data.ts';
import type { SubscribersDeps } from './deps.ts';
import { makeConfirmErase, makeInspectErase, makeRequestErase } from './erasure.ts';
import {
  makeConfirm,
  makeGetPreferences,
  makeInspectConfirm,
  makeInspectUnsubscribe,
  makeSubscribe,
  makeUnsubscribeAllByPreferences,
  makeUnsubscribeByEmail,
  makeUnsubscribeByMail,
  makeUnsubscribeByToken,
  makeUpdatePreferences,
} from './lifecycle.ts';
import { makeRecordSesEvent } from './ses-events.ts';

export type { SubscribersDeps } from './deps.ts';

/** Every subscriber use case over one set of ports. */
export function makeSubscriberUseCases(deps: SubscribersDeps) {
  return {
    subscribe: makeSubscribe(deps),
    confirm: makeConfirm(deps),
    inspectConfirm: makeInspectConfirm(deps),
    getPreferences: makeGetPreferences(deps),
    updatePreferences: makeUpdatePreferences(deps),
    inspectUnsubscribe: makeInspectUnsubscribe(deps),
    unsubscribeByToken: makeUnsubscribeByToken(deps),
    unsubscribeAllByPreferences: makeUnsubscribeAllByPreferences(deps),
    unsubscribeByEmail: makeUnsubscribeByEmail(deps),
    unsubscribeByMail: makeUnsubscribeByMail(deps),
    recordSesEvent: makeRecordSesEvent(deps),
    importSubscribers: makeImportSubscribers(deps),
    exportSubscribers: makeExportSubscribers(deps),
    exportPersonalData: makeExportPersonalData(deps),
    erase: makeEraseSubscriber(deps),
    requestErase: makeRequestErase(deps),
    inspectErase: makeInspectErase(deps),
    confirmErase: makeConfirmErase(deps),
    show: makeShowSubscriber(deps),
    add: makeAddSubscriber(deps),
    suppressionAdmin: makeSuppressionAdmin(deps),
    update: makeUpdateSubscriber(deps),
    memberContacts: makeMemberContacts(deps),
  };
}
export type SubscriberUseCases = ReturnType<typeof makeSubscriberUseCases>;
