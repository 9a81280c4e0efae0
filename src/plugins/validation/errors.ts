import { defineErrorCodes, type ErrorCodesOf, PluginError } from '../../core.js';

export const VALIDATION_ERRORS = defineErrorCodes('validation', {
  MOP_VALIDATION_FAILED: 'at run time: the validation plugin rejected an entity (`error.issues`)',
});

declare module '../../errors.js' {
  interface PluginErrorCodes extends ErrorCodesOf<typeof VALIDATION_ERRORS> {}
}

export interface FieldIssue {
  field: string;
  message: string;
}

/** The validation plugin rejected an entity. Lists every failing field. */
export class ValidationError extends PluginError {
  override name = 'ValidationError';
  readonly issues: readonly FieldIssue[];

  constructor(entity: string, issues: readonly FieldIssue[]) {
    super('MOP_VALIDATION_FAILED', `${entity} is invalid: ${issues.map(i => `${i.field}: ${i.message}`).join('; ')}`, {
      entity,
      plugin: 'validation',
    });
    this.issues = issues;
  }
}
