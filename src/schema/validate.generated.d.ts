// Types for validate.generated.js (ajv standalone output; see scripts/gen-schema-validator.mjs).

/** One ajv error, as compiled with allErrors, verbose and without messages. */
export interface SchemaError {
  /** JSON Pointer to the value, e.g. "/services/web/ports/1". */
  instancePath: string;
  /** Pointer into the schema, relative to the definition being checked. */
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  /** The keyword's value. */
  schema: unknown;
  /** The schema object that holds the keyword. */
  parentSchema: Record<string, unknown>;
  /** The value that failed. */
  data: unknown;
}

export interface CompiledValidator {
  (data: unknown): boolean;
  errors?: SchemaError[] | null;
}

export declare const validate: CompiledValidator;
export default validate;
