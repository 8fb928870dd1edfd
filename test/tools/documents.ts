/**
 * A document of any shape for the driver's typed collections: `collection<AnyDocument>(name)`. The driver's default
 * schema types `_id` as ObjectId, which tests of other `_id` types would otherwise fight.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDocument = { _id?: number | string | Date | boolean | null | object; [key: string]: any };
