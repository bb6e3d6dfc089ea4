// Small building blocks shared by every page.
import { useEffect, useRef, type ReactNode } from "react";
import { formatValue } from "./format";

export function StatusTag({ status }: { status: string }) {
  return <span className={`tag status-${status.toLowerCase()}`}>{status.replace(/_/g, " ")}</span>;
}

export function ErrorBox({ error, title }: { error: Error | string | undefined | null; title?: string }) {
  if (!error) return null;
  const text = typeof error === "string" ? error : error.message;
  return (
    <div className="error-box" role="alert">
      {title && <strong>{title}</strong>}
      <pre>{text}</pre>
    </div>
  );
}

export function Loading({ label = "Loading…" }: { label?: string }) {
  return <div className="loading">{label}</div>;
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

export function Section({ title, actions, children, id }: { title: ReactNode; actions?: ReactNode; children: ReactNode; id?: string }) {
  return (
    <section className="card" id={id}>
      <header className="card-header">
        <h2>{title}</h2>
        {actions && <div className="card-actions">{actions}</div>}
      </header>
      <div className="card-body">{children}</div>
    </section>
  );
}

export interface MetadataLike {
  label: string;
  type: string;
  value?: unknown;
}

export function MetadataValueView({ entry }: { entry: MetadataLike }) {
  const v = entry.value;
  if (entry.type === "url" && typeof v === "string") return <a href={v}>{v}</a>;
  if (entry.type === "json" || (typeof v === "object" && v !== null)) return <code className="json">{JSON.stringify(v)}</code>;
  if (entry.type === "md" && typeof v === "string") return <span className="pre-wrap">{v}</span>;
  if (entry.type === "path") return <code>{String(v)}</code>;
  return <span>{formatValue(v)}</span>;
}

export function MetadataTable({ entries }: { entries: readonly MetadataLike[] }) {
  if (!entries.length) return <span className="muted">No metadata</span>;
  return (
    <table className="kv">
      <tbody>
        {entries.map((e) => (
          <tr key={e.label}>
            <th>{e.label}</th>
            <td>
              <MetadataValueView entry={e} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Dialog({ title, onClose, children, footer }: { title: string; onClose: () => void; children: ReactNode; footer?: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog ref={ref} className="dialog" onClose={onClose} onCancel={onClose} aria-label={title}>
      <header className="dialog-header">
        <h2>{title}</h2>
        <button className="icon-button" onClick={onClose} aria-label="Close">
          ×
        </button>
      </header>
      <div className="dialog-body">{children}</div>
      {footer && <footer className="dialog-footer">{footer}</footer>}
    </dialog>
  );
}
