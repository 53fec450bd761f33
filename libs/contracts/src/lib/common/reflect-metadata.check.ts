/*
 * class-transformer's @Type reads `Reflect.getMetadata` while the DTO classes are being defined,
 * so a missing polyfill fails deep inside class-transformer. Fail here instead, with the fix.
 */
const reflect = Reflect as unknown as { getMetadata?: unknown };

if (typeof reflect.getMetadata !== 'function') {
  throw new Error(
    "@runhook/contracts needs the reflect-metadata polyfill: add `import 'reflect-metadata';` " +
      'before importing @runhook/contracts (NestJS apps already load it).',
  );
}

export {};
