import { buildMessage, ValidateBy, type ValidationOptions } from 'class-validator';
import { STREAM_MODES, type StreamMode } from './run.types';

const streamModes: readonly string[] = STREAM_MODES;

function isStreamModeName(value: unknown): value is StreamMode {
  return typeof value === 'string' && streamModes.includes(value);
}

/** A stream mode name, or a list of them (the server stores a list). */
export function IsStreamMode(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isStreamMode',
      validator: {
        validate: (value: unknown) =>
          Array.isArray(value) ? value.every(isStreamModeName) : isStreamModeName(value),
        defaultMessage: buildMessage(
          (each) => `${each}$property must be a stream mode or a list of them (${STREAM_MODES.join(', ')})`,
          options,
        ),
      },
    },
    options,
  );
}

/** `"*"` (every node) or a list of node names. */
export function IsInterruptNodes(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isInterruptNodes',
      validator: {
        validate: (value: unknown) =>
          value === '*' || (Array.isArray(value) && value.every((node) => typeof node === 'string')),
        defaultMessage: buildMessage((each) => `${each}$property must be "*" or a list of node names`, options),
      },
    },
    options,
  );
}
