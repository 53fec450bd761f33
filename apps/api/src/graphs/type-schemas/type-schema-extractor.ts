import { dirname, extname, join } from 'node:path';
import * as ts from 'typescript';
import { type Definition, getDefaultArgs, JsonSchemaGenerator, type SymbolRef } from 'typescript-json-schema';
import { SCHEMA_HELPER_TYPES } from './schema-helper-types';
import { findSubgraphVariables } from './subgraph-finder';

type JsonSchema = Record<string, unknown>;

export interface TypeSchemaSet {
  state: JsonSchema | null;
  input: JsonSchema | null;
  output: JsonSchema | null;
  config: JsonSchema | null;
}

/** What one extraction answers: the root graph under `""`, each subgraph under its namespace (`a`, `a|b`). */
export type TypeSchemasByNamespace = Record<string, TypeSchemaSet>;

export interface TypeSchemaRequest {
  modulePath: string;
  exportName: string;
}

const READERS = { state: 'RhState', input: 'RhInput', output: 'RhOutput', config: 'RhConfig' } as const;
const KINDS = Object.keys(READERS) as (keyof typeof READERS)[];
const LOCAL_PREFIX = '__runhook_local_';

// Options that make the types what LangGraph's own are (strict null checks) and keep the program check-free.
const FORCED_OPTIONS: ts.CompilerOptions = {
  noEmit: true,
  strict: true,
  skipLibCheck: true,
  allowJs: true,
  allowImportingTsExtensions: true,
  resolveJsonModule: true,
};

function compilerOptionsFor(modulePath: string): ts.CompilerOptions {
  const fallback: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    esModuleInterop: true,
    // No DOM typings: LangChain's types do not need them, and they are a third of what TypeScript would read.
    lib: ['lib.es2022.d.ts'],
  };
  const configPath = ts.findConfigFile(dirname(modulePath), ts.sys.fileExists, 'tsconfig.json');
  if (!configPath) return { ...fallback, types: [], ...FORCED_OPTIONS };
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(read.config ?? {}, ts.sys, dirname(configPath));
  // Every visible @types package would be read otherwise: only those the project lists.
  return { ...fallback, types: [], ...parsed.options, ...FORCED_OPTIONS };
}

/** A compiler host whose files are the disk's, except the few this extraction writes in memory. */
function hostWith(options: ts.CompilerOptions, virtualFiles: Map<string, string>, cache: Map<string, ts.SourceFile>): ts.CompilerHost {
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (fileName) => virtualFiles.get(fileName) ?? readFile(fileName);
  host.fileExists = (fileName) => virtualFiles.has(fileName) || fileExists(fileName);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const text = virtualFiles.get(fileName);
    if (text !== undefined) return ts.createSourceFile(fileName, text, languageVersion, true);
    const cached = cache.get(fileName);
    if (cached) return cached;
    const file = getSourceFile(fileName, languageVersion, onError, shouldCreate);
    if (file) cache.set(fileName, file);
    return file;
  };
  return host;
}

function isTopLevel(declaration: ts.VariableDeclaration): boolean {
  const statement = declaration.parent.parent;
  return ts.isVariableStatement(statement) && ts.isSourceFile(statement.parent);
}

// typescript-json-schema spells types of other modules with their path (`import("/…/@langchain/core/…",{with:…}).X`);
// bare names read as the reference server answers them (`BaseMessage<MessageStructure<MessageToolSet>,MessageType>`).
const MODULE_QUALIFIER = /import\("[^"]*"(?:,\{with:\{[^}]*\}\})?\)\./g;

function withReadableDefinitionNames(schema: Definition): JsonSchema {
  const definitions = schema.definitions;
  if (!definitions) return schema as JsonSchema;
  const renames = new Map<string, string>();
  const taken = new Set(Object.keys(definitions));
  for (const name of Object.keys(definitions)) {
    const bare = name.replace(MODULE_QUALIFIER, '');
    if (bare === name || taken.has(bare)) continue;
    renames.set(name, bare);
    taken.add(bare);
  }
  const renamed = { ...schema, definitions: Object.fromEntries(Object.entries(definitions).map(([name, value]) => [renames.get(name) ?? name, value])) };
  // References name definitions as written (the reference server does not percent-encode them either).
  return JSON.parse(
    JSON.stringify(renamed, (key, value: unknown) => {
      if (key !== '$ref' || typeof value !== 'string' || !value.startsWith('#/definitions/')) return value;
      const name = decodeURIComponent(value.slice('#/definitions/'.length));
      return `#/definitions/${renames.get(name) ?? name}`;
    }),
  ) as JsonSchema;
}

function symbolName(checker: ts.TypeChecker, symbol: ts.Symbol): string {
  return checker.getFullyQualifiedName(symbol).replace(/".*"\./, '');
}

function isAbstract(node: ts.ClassDeclaration): boolean {
  return node.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.AbstractKeyword) ?? false;
}

function extendedName(node: ts.ClassDeclaration): string | undefined {
  const clause = node.heritageClauses?.find((heritage) => heritage.token === ts.SyntaxKind.ExtendsKeyword);
  const expression = clause?.types[0]?.expression;
  if (!expression) return undefined;
  return ts.isIdentifier(expression) ? expression.text : ts.isPropertyAccessExpression(expression) ? expression.name.text : undefined;
}

/**
 * typescript-json-schema's generator over what these schemas need, not the whole program: its own
 * `buildGenerator` types every declaration of every file (seconds for LangChain's typings). It gets the aliases of
 * the reader file, and the classes that extend an abstract class (found by name first, typed only then), so that
 * an abstract class such as `BaseMessage` still answers as the `oneOf` of its subclasses.
 */
function generatorFor(program: ts.Program, checker: ts.TypeChecker, readerFile: string): JsonSchemaGenerator {
  const symbols: SymbolRef[] = [];
  const allSymbols: Record<string, ts.Type> = {};
  const userSymbols: Record<string, ts.Symbol> = {};
  const inheritingTypes: Record<string, string[]> = {};
  const record = (node: ts.ClassDeclaration | ts.TypeAliasDeclaration, isUser: boolean): void => {
    const symbol = (node as unknown as { symbol?: ts.Symbol }).symbol;
    if (!symbol) return;
    const name = symbolName(checker, symbol);
    const type = checker.getTypeAtLocation(node);
    symbols.push({ name, typeName: name, fullyQualifiedName: checker.getFullyQualifiedName(symbol), symbol });
    if (!userSymbols[name]) allSymbols[name] = type;
    if (isUser) userSymbols[name] = symbol;
    if (!ts.isClassDeclaration(node)) return;
    for (const base of type.getBaseTypes() ?? []) {
      const baseName = checker.typeToString(base, undefined, ts.TypeFormatFlags.UseFullyQualifiedType);
      (inheritingTypes[baseName] ??= []).push(name);
    }
  };
  const classes: ts.ClassDeclaration[] = [];
  for (const file of program.getSourceFiles()) {
    const isUser = file.fileName === readerFile;
    if (file.hasNoDefaultLib && !isUser) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isClassDeclaration(node)) classes.push(node);
      else if (isUser && ts.isTypeAliasDeclaration(node)) record(node, true);
      else if (ts.isModuleDeclaration(node) || ts.isModuleBlock(node) || ts.isSourceFile(node)) ts.forEachChild(node, visit);
    };
    visit(file);
  }
  const abstractNames = new Set(classes.filter(isAbstract).flatMap((node) => (node.name ? [node.name.text] : [])));
  for (const node of classes) {
    const base = extendedName(node);
    if (base !== undefined && abstractNames.has(base)) record(node, false);
  }
  return new JsonSchemaGenerator(symbols, allSymbols, userSymbols, inheritingTypes, checker, { ...getDefaultArgs(), ignoreErrors: true });
}

/** Names of the file's top-level value bindings (variables and imports), which an appended alias can reach. */
function topLevelBindings(source: ts.SourceFile): string[] {
  const names: string[] = [];
  for (const statement of source.statements) {
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) if (ts.isIdentifier(declaration.name)) names.push(declaration.name.text);
    } else if (ts.isImportDeclaration(statement) && statement.importClause && !statement.importClause.isTypeOnly) {
      const clause = statement.importClause;
      if (clause.name) names.push(clause.name.text);
      if (clause.namedBindings && ts.isNamedImports(clause.namedBindings)) {
        for (const element of clause.namedBindings.elements) if (!element.isTypeOnly) names.push(element.name.text);
      }
    }
  }
  return names;
}

/** The binding of the graph file through which a subgraph variable is reachable: itself, or an import of it. */
function bindingFor(checker: ts.TypeChecker, source: ts.SourceFile, declaration: ts.VariableDeclaration, bindings: Set<string>): string | undefined {
  const name = (declaration.name as ts.Identifier).text;
  if (declaration.getSourceFile() === source) return isTopLevel(declaration) && bindings.has(name) ? name : undefined;
  for (const statement of source.statements) {
    const named = ts.isImportDeclaration(statement) ? statement.importClause?.namedBindings : undefined;
    if (!named || !ts.isNamedImports(named)) continue;
    for (const element of named.elements) {
      const symbol = checker.getSymbolAtLocation(element.name);
      if (symbol && checker.getAliasedSymbol(symbol).valueDeclaration === declaration) return element.name.text;
    }
  }
  return undefined;
}

/**
 * JSON schemas of a graph and its subgraphs from their TypeScript types, for graphs whose state carries no
 * runtime schema (Annotation states). One program holds the graph module, with an alias appended for each of its
 * top-level bindings (a subgraph may be any of them), and a reader file beside it (so imports resolve from the
 * project's node_modules) with type aliases for each graph's state, input, output and context; the subgraphs are
 * found in the source, and typescript-json-schema turns their aliases into JSON Schema. Synchronous and CPU-heavy:
 * run it off the event loop. `cache` keeps parsed files between calls.
 */
export function extractTypeSchemas(request: TypeSchemaRequest, cache = new Map<string, ts.SourceFile>()): TypeSchemasByNamespace {
  const options = compilerOptionsFor(request.modulePath);
  const virtualFiles = new Map<string, string>();
  const original = ts.sys.readFile(request.modulePath);
  if (original === undefined) throw new Error(`cannot read ${request.modulePath}`);
  const isTypeScript = !/\.[cm]?jsx?$/.test(extname(request.modulePath));
  const bindings = isTypeScript ? topLevelBindings(ts.createSourceFile(request.modulePath, original, ts.ScriptTarget.Latest)) : [];
  if (bindings.length > 0) {
    virtualFiles.set(request.modulePath, `${original}\n;${bindings.map((name) => `export type ${LOCAL_PREFIX}${name} = typeof ${name};`).join('\n')}\n`);
  }

  const root = request.exportName === 'default' ? 'default as __rh_root' : `${request.exportName} as __rh_root`;
  const imports = [`import type { ${root} } from ${JSON.stringify(request.modulePath)};`];
  if (bindings.length > 0) imports.push(`import type { ${bindings.map((name) => LOCAL_PREFIX + name).join(', ')} } from ${JSON.stringify(request.modulePath)};`);
  const aliasName = (binding: string, kind: string) => `__runhook_schema_${binding}_${kind}`;
  const readers = (binding: string, type: string) => KINDS.map((kind) => `export type ${aliasName(binding, kind)} = RhShape<RhNotAny<${READERS[kind]}<${type}>>>;`);
  const readerFile = join(dirname(request.modulePath), `__runhook_type_schemas_${process.pid}.mts`);
  virtualFiles.set(
    readerFile,
    [...imports, SCHEMA_HELPER_TYPES, ...readers('_root', 'typeof __rh_root'), ...bindings.flatMap((name) => readers(name, LOCAL_PREFIX + name))].join('\n'),
  );

  const program = ts.createProgram({ rootNames: [readerFile], options, host: hostWith(options, virtualFiles, cache) });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(request.modulePath);
  if (!source) throw new Error(`TypeScript cannot read ${request.modulePath}`);
  const known = new Set(bindings);
  const targets: { namespace: string; binding: string }[] = [{ namespace: '', binding: '_root' }];
  for (const { namespace, declaration } of findSubgraphVariables(checker, source, request.exportName)) {
    const binding = bindingFor(checker, source, declaration, known);
    if (binding) targets.push({ namespace, binding });
  }

  const generator = generatorFor(program, checker, readerFile);
  const aliases = new Map<string, ts.TypeAliasDeclaration>();
  program.getSourceFile(readerFile)?.forEachChild((node) => {
    if (ts.isTypeAliasDeclaration(node)) aliases.set(node.name.text, node);
  });
  const schemaOf = (name: string): JsonSchema | null => {
    const alias = aliases.get(name);
    // `never` where the graph has no such type; `any` where its types did not resolve at all.
    if (!alias || checker.getTypeAtLocation(alias).flags & (ts.TypeFlags.Never | ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return null;
    return withReadableDefinitionNames(generator.getSchemaForSymbol(name));
  };
  return Object.fromEntries(
    targets.map(({ namespace, binding }) => [namespace, Object.fromEntries(KINDS.map((kind) => [kind, schemaOf(aliasName(binding, kind))])) as unknown as TypeSchemaSet]),
  );
}
