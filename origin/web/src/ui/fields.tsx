// Form fields shared by the player's forms (upload, operators' screens): a labelled select over a
// list of values, and the form's error line. The forms keep their own layout (label as a column).
import type { ReactNode } from 'react';

/**
 * A `<select>` inside its `<label>`, over `options` (an `as const` list of values). `labels` gives
 * the text shown for each value (the value itself by default).
 */
export function SelectField<T extends string>({
  label,
  value,
  options,
  onChange,
  labels,
  name,
}: {
  label: ReactNode;
  value: T;
  options: readonly T[];
  onChange: (value: T) => void;
  labels?: (value: T) => string;
  name?: string;
}) {
  return (
    <label>
      <span>{label}</span>
      <select
        name={name}
        value={value}
        onChange={(event) => {
          const chosen = options.find((option) => option === event.target.value);
          if (chosen !== undefined) onChange(chosen);
        }}
      >
        {options.map((option) => (
          <option key={option} value={option}>
            {labels ? labels(option) : option}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The error of a form, announced when it appears; nothing when there is none. */
export function FormError({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p className="form-error" role="alert">
      {error}
    </p>
  );
}

/** A labelled control: the label's text above whatever input `children` holds. */
export function Field({ label, children }: { label: ReactNode; children: ReactNode }) {
  return (
    <label>
      <span>{label}</span>
      {children}
    </label>
  );
}
