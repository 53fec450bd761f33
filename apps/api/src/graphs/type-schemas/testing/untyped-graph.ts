// A graph whose types the project cannot resolve: every type is `any`, so its types describe nothing.
// @ts-expect-error the package does not exist, on purpose
import { graph as unresolved } from 'runhook-package-that-does-not-exist';

export const graph = unresolved;
