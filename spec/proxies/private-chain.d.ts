export declare class Link {
  constructor(w: number, up?: Link | null);
  upW(): number;
  static w(o: Link | undefined): number;
  static times(o: Link | undefined, k: number): number;
  static deep(o: { a?: { n?: Link } } | undefined): number | undefined;
}

export declare class Bag {
  static put(o: Bag | undefined, v: number): boolean;
  total(): number;
}
