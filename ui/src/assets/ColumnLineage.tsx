// Column lineage from the `column_lineage` metadata that assetgraph_dbt records:
// {output column: [{asset_key, column}, ...]}.
import { Link } from "../app/router";

type Lineage = Record<string, { asset_key: string; column: string }[]>;

function isLineage(value: unknown): value is Lineage {
  if (!value || typeof value !== "object" || Array.isArray(value)) return false;
  return Object.values(value).every((v) => Array.isArray(v));
}

export function ColumnLineage({ value }: { value: unknown }) {
  if (!isLineage(value)) return <p className="muted">Column lineage in an unknown shape.</p>;
  const columns = Object.keys(value).sort();
  return (
    <table className="table">
      <thead>
        <tr>
          <th>Column</th>
          <th>Comes from</th>
        </tr>
      </thead>
      <tbody>
        {columns.map((c) => (
          <tr key={c}>
            <td className="mono">{c}</td>
            <td>
              {value[c].length === 0 && <span className="muted">computed</span>}
              {value[c].map((s, i) => (
                <span key={i} className="chip">
                  <Link to={`/assets/${s.asset_key.split("/").map(encodeURIComponent).join("/")}`}>{s.asset_key}</Link>.{s.column}
                </span>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
