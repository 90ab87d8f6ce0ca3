import { useMutation } from '@tanstack/react-query';
import { Send } from 'lucide-react';
import { useState, type FormEvent, type ReactNode } from 'react';
import { useClient } from '../../api/api-context.js';
import { errorMessage } from '../../api/errors.js';
import { Button } from '../../ui/button.js';
import { Card } from '../../ui/card.js';
import { Field, TextArea } from '../../ui/field.js';
import { Alert } from '../../ui/states.js';
import { useToast } from '../../ui/toast.js';

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : 'not JSON' };
  }
}

/** Publish a JSON message to the topic (admins only; audited as `publish`). */
export function PublishForm({ appKey, topic }: { appKey: string; topic: string }): ReactNode {
  const client = useClient();
  const toast = useToast();
  const [text, setText] = useState('{\n  "hello": "world"\n}');
  const parsed = parseJson(text);
  const mutation = useMutation({
    mutationFn: (data: unknown) =>
      client.call('publish', { params: { key: appKey }, body: { topic, data: data as never } }),
    onSuccess: (r) => toast.ok(`Published message ${r.id}`),
  });

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (parsed.ok) mutation.mutate(parsed.value);
  };

  return (
    <Card title="Publish">
      <form onSubmit={submit} className="stack" style={{ gap: 12 }}>
        <Field
          label="Message (JSON)"
          hint={parsed.ok ? 'Sent as the message data to every subscriber.' : undefined}
        >
          <TextArea
            value={text}
            onChange={(e) => setText(e.target.value)}
            spellCheck={false}
            aria-invalid={!parsed.ok}
          />
        </Field>
        {!parsed.ok && <Alert tone="warn">Not valid JSON: {parsed.error}</Alert>}
        {mutation.isError && <Alert>{errorMessage(mutation.error)}</Alert>}
        <div className="form-actions">
          <Button
            type="submit"
            variant="primary"
            icon={<Send size={15} />}
            busy={mutation.isPending}
            disabled={!parsed.ok}
          >
            Publish
          </Button>
        </div>
      </form>
    </Card>
  );
}
