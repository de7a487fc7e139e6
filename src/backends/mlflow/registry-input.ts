/** Registry input checked before any call: MLflow's stages and its alias rules (§6.1, §6.2). */
import { BadUserInputError } from '../../errors';

const STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;
export type Stage = (typeof STAGES)[number];

/** A stage as MLflow spells it; matched in any case. */
export function stageOf(stage: string): Stage {
  const found = STAGES.find((s) => s.toLowerCase() === stage.trim().toLowerCase());
  if (!found) throw new BadUserInputError(`stage must be one of ${STAGES.join(', ')} (any case) on MLflow, got '${stage}'`, { field: 'stage' });
  return found;
}

const ALIAS = /^[\w-]+$/;
const ALIAS_MAX_CHARS = 255;

/** Aliases MLflow takes: `^[\w\-]+$`, at most 255 characters, neither `latest` nor `v<digits>` (reserved). */
export function checkAliases(aliases: readonly string[]): string[] {
  return [...new Set(aliases.map((raw) => {
    const alias = typeof raw === 'string' ? raw.trim() : '';
    if (!ALIAS.test(alias) || alias.length > ALIAS_MAX_CHARS) {
      throw new BadUserInputError(`alias must be letters, digits, '_' or '-', at most ${ALIAS_MAX_CHARS} characters, got ${JSON.stringify(raw)}`, { field: 'aliases' });
    }
    if (alias.toLowerCase() === 'latest' || /^v\d+$/i.test(alias)) {
      throw new BadUserInputError(`alias '${alias}' is reserved by MLflow (latest and v<number> name versions)`, { field: 'aliases', reason: 'RESERVED_ALIAS' });
    }
    return alias;
  }))];
}
