export declare const departementCode: RegExp;
export declare const regionCode: RegExp;
export declare const dataEnv: "SDIN_SITE_DATA";
export declare const readyMarker: ".etat.json";
export type PrecomputedFile = { kind: "national"; name: string } | { kind: "departement" | "region"; code: string };
export declare function routeParam(name: string, pattern: RegExp, argv?: string[]): string;
export declare function precomputedFile(root: string, file: PrecomputedFile): string;
export declare function handOver(file: PrecomputedFile): Promise<void>;
