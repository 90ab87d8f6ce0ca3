import type { AuditRecord } from '@beacon/admin-api';
import type { ReactNode } from 'react';
import { Button } from '../../ui/button.js';
import { KeyValues } from '../../ui/card.js';
import { Modal } from '../../ui/modal.js';
import { LocalTime } from '../../ui/time.js';
import { ResultBadge } from './audit-columns.js';

export function AuditDetail({
  record: r,
  appKey,
  onClose,
}: {
  record: AuditRecord;
  appKey: string | null;
  onClose: () => void;
}): ReactNode {
  return (
    <Modal
      title={<code>{r.action}</code>}
      onClose={onClose}
      wide
      footer={<Button onClick={onClose}>Close</Button>}
    >
      <KeyValues
        items={[
          ['Time', <LocalTime key="t" value={r.ts} />],
          ['Actor', r.actor],
          ['Action', <code key="a">{r.action}</code>],
          ['Target', r.target ?? '—'],
          ['App', appKey ?? '—'],
          ['Result', <ResultBadge key="r" result={r.result} />],
          ['Remote address', r.remoteAddr ?? '—'],
          ['Count', r.count > 1 ? `${r.count} identical events` : '1'],
          ['Record id', <code key="i">{r.id}</code>],
        ]}
      />
      {r.detail !== null && r.detail !== undefined && (
        <pre className="json">{JSON.stringify(r.detail, null, 2)}</pre>
      )}
    </Modal>
  );
}
