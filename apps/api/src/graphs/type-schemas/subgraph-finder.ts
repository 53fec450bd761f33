import * as ts from 'typescript';

/** A subgraph as the source writes it: the namespace LangGraph gives it and the variable that holds it. */
export interface SubgraphVariable {
  /** `node` or `node|child_node`, as `getSubgraphsAsync` names it. */
  namespace: string;
  declaration: ts.VariableDeclaration;
}

// A graph value, compiled or not, known by the members LangGraph's classes have, whichever copy declared them.
function isGraphType(checker: ts.TypeChecker, type: ts.Type): boolean {
  const awaited = checker.getAwaitedType(type) ?? type;
  return awaited.getProperty('lg_is_pregel') !== undefined || (awaited.getProperty('compile') !== undefined && awaited.getProperty('addNode') !== undefined);
}

function stringValue(node: ts.Node | undefined): string | undefined {
  return node && ts.isStringLiteralLike(node) ? node.text : undefined;
}

function graphVariableOf(checker: ts.TypeChecker, identifier: ts.Identifier): ts.VariableDeclaration | undefined {
  let symbol = checker.getSymbolAtLocation(identifier);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const declaration = symbol?.valueDeclaration;
  if (!declaration || !ts.isVariableDeclaration(declaration) || !ts.isIdentifier(declaration.name)) return undefined;
  return isGraphType(checker, checker.getTypeAtLocation(declaration)) ? declaration : undefined;
}

function forEachDescendant(node: ts.Node, visit: (node: ts.Node) => void): void {
  const walk = (child: ts.Node): void => {
    visit(child);
    ts.forEachChild(child, walk);
  };
  ts.forEachChild(node, walk);
}

/** The identifier a method chain starts from: `workflow` in `workflow.addNode(...).addEdge(...)`. */
function chainRoot(expression: ts.Expression): ts.Expression {
  let current = expression;
  while (ts.isCallExpression(current) || ts.isPropertyAccessExpression(current) || ts.isParenthesizedExpression(current)) {
    current = current.expression;
  }
  return current;
}

/**
 * Finds, from the source alone, the graph variables that back each subgraph of an exported graph: the
 * `addNode(name, x)` calls in the export's initializer, or on a graph variable it uses (in its initializer or in
 * statements `workflow.addNode(...)` elsewhere in the file), where `x` mentions a graph variable (`child`,
 * `child.compile()`, `(s) => child.invoke(s)`), then the same inside each subgraph, recursively.
 */
export function findSubgraphVariables(checker: ts.TypeChecker, source: ts.SourceFile, exportName: string): SubgraphVariable[] {
  const moduleSymbol = checker.getSymbolAtLocation(source);
  let exported = moduleSymbol ? checker.getExportsOfModule(moduleSymbol).find((symbol) => symbol.name === exportName) : undefined;
  if (exported && exported.flags & ts.SymbolFlags.Alias) exported = checker.getAliasedSymbol(exported);
  const root = exported?.valueDeclaration;
  if (!root || !ts.isVariableDeclaration(root)) return [];

  const found: SubgraphVariable[] = [];
  const visiting = new Set<ts.Node>();

  const addNodeCallsOn = (declaration: ts.VariableDeclaration): ts.CallExpression[] => {
    const calls: ts.CallExpression[] = [];
    const collect = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'addNode') calls.push(node);
    };
    if (declaration.initializer) forEachDescendant(declaration.initializer, collect);
    // `workflow.addNode(...)` statements after the declaration.
    forEachDescendant(declaration.getSourceFile(), (node) => {
      if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression) || node.expression.name.text !== 'addNode') return;
      const start = chainRoot(node.expression.expression);
      if (ts.isIdentifier(start) && graphVariableOf(checker, start) === declaration) calls.push(node);
    });
    return calls;
  };

  const graphVariablesIn = (node: ts.Node): ts.VariableDeclaration[] => {
    const variables: ts.VariableDeclaration[] = [];
    const consider = (child: ts.Node): void => {
      if (!ts.isIdentifier(child)) return;
      const variable = graphVariableOf(checker, child);
      if (variable && !variables.includes(variable)) variables.push(variable);
    };
    consider(node);
    forEachDescendant(node, consider);
    return variables;
  };

  const explore = (declaration: ts.VariableDeclaration, prefix: string[]): void => {
    if (visiting.has(declaration)) return;
    visiting.add(declaration);
    const calls = addNodeCallsOn(declaration);
    if (calls.length === 0 && declaration.initializer) {
      // `graph = builder.compile()`: the nodes were added to the graph variables it is made of.
      for (const variable of graphVariablesIn(declaration.initializer)) if (variable !== declaration) explore(variable, prefix);
    }
    for (const call of calls) {
      const [nameArgument, action] = call.arguments;
      const name = stringValue(nameArgument);
      if (name === undefined || action === undefined) continue;
      const [subgraph] = graphVariablesIn(action);
      if (!subgraph || subgraph === declaration) continue;
      const namespace = [...prefix, name];
      found.push({ namespace: namespace.join('|'), declaration: subgraph });
      explore(subgraph, namespace);
    }
    visiting.delete(declaration);
  };

  explore(root, []);
  return found;
}
