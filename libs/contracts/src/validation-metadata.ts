import { getMetadataStorage } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';

type Grouped = Record<string, ValidationMetadata[]>;
type Storage = ReturnType<typeof getMetadataStorage> & { [CACHED]?: true };

const CACHED = Symbol.for('antq.validation-metadata-cache');

/**
 * Remembers class-validator's answer to "which rules apply to this class": the library
 * works it out again on every validate call by testing the class against every decorated
 * class of the process (typestack/class-validator#2686), which was a third of a consumer's
 * CPU when it validates each event. Rules are registered when classes are defined, so the
 * answer does not change; should one be registered later all cached answers are dropped.
 * Installed once per process, on the storage every validation reads.
 */
export function cacheValidationMetadata(): void {
  const storage = getMetadataStorage() as Storage;
  if (storage[CACHED]) return;
  storage[CACHED] = true;

  const lookUp = storage.getTargetValidationMetadatas.bind(storage);
  const groupUp = storage.groupByPropertyName.bind(storage);
  const register = storage.addValidationMetadata.bind(storage);
  let byTarget = new WeakMap<object, Map<string, ValidationMetadata[]>>();
  let byList = new WeakMap<ValidationMetadata[], Grouped>();

  storage.addValidationMetadata = (metadata) => {
    register(metadata);
    byTarget = new WeakMap();
    byList = new WeakMap();
  };
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    if (typeof target !== 'function') return lookUp(target, schema, always, strictGroups, groups);
    const key = `${schema}\u0000${always}\u0000${strictGroups}\u0000${groups?.join('\u0000') ?? ''}`;
    let answers = byTarget.get(target);
    if (!answers) byTarget.set(target, (answers = new Map()));
    let metadatas = answers.get(key);
    if (!metadatas) answers.set(key, (metadatas = lookUp(target, schema, always, strictGroups, groups)));
    return metadatas;
  };
  // The executor groups the list it was just given by property: the same list, the same groups.
  storage.groupByPropertyName = (metadatas) => {
    let grouped = byList.get(metadatas);
    if (!grouped) byList.set(metadatas, (grouped = groupUp(metadatas)));
    return grouped;
  };
}
