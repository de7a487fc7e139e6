/**
 * Schema version 6: a covering index for pages of one type of asset (`assets(type: …)`), so counting them
 * (the page's `totalCount` and `hasPreviousPage`) reads the index alone, as the untyped count does with
 * `assets_by_experiment`.
 */
export const SCHEMA_006_ASSET_TYPE_INDEX = `
CREATE INDEX assets_by_experiment_type ON assets (experiment_key, type, created_at, id);
`;
