/** An item of the Store as the API returns it. */
export interface StoreItem {
  namespace: string[];
  key: string;
  value: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

/** A search hit: `score` (cosine similarity) is there when the search had a `query` and the store an index. */
export interface StoreSearchItem extends StoreItem {
  score?: number;
}
