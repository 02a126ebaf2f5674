-- layer: mart; grain: one row per O*NET-SOC occupation; key: soc_code; published: true
-- Built by build/69_dim_occupation.py from config/taxonomies/onet/occupations.csv and education_ba_plus.csv.
CREATE TABLE IF NOT EXISTS dim_occupation (
    soc_code           VARCHAR NOT NULL,
    title              VARCHAR NOT NULL,
    soc_major          VARCHAR NOT NULL,
    soc_major_title    VARCHAR NOT NULL,
    share_ba_plus      DOUBLE,
    share_ba_plus_basis VARCHAR,
    share_ba_plus_imputed_from VARCHAR,
    education_domain_source VARCHAR,
    source_version     VARCHAR NOT NULL
);
COMMENT ON TABLE dim_occupation IS 'Dimension: one row per O*NET-SOC occupation (key soc_code), with its SOC major group (the soc_major of every mart) and the share of respondents who say a new hire needs a bachelor''s degree or higher; from config/taxonomies/onet/ (O*NET 29.3, CC BY 4.0, USDOL/ETA), rebuilt on every refresh.';
COMMENT ON COLUMN dim_occupation.soc_code IS 'O*NET-SOC 2019 code, e.g. 15-1252.00.';
COMMENT ON COLUMN dim_occupation.title IS 'O*NET-SOC occupation title.';
COMMENT ON COLUMN dim_occupation.soc_major IS 'SOC major group, the code''s first 2 digits (the marts'' soc_major).';
COMMENT ON COLUMN dim_occupation.soc_major_title IS 'Title of the SOC 2018 major group.';
COMMENT ON COLUMN dim_occupation.share_ba_plus IS 'Fraction (0-1) of O*NET respondents saying a new hire needs a bachelor''s degree or higher to do the job (Education, Training, and Experience, element 2.D.1, categories 6-12); a requirement, not the incumbents'' attainment. Null for the occupations O*NET and its broad/minor group have no data for.';
COMMENT ON COLUMN dim_occupation.share_ba_plus_basis IS '''onet'' (the occupation''s own data), ''broad_group_mean'' or ''minor_group_mean'' (imputed from the occupations in share_ba_plus_imputed_from); null when share_ba_plus is null.';
COMMENT ON COLUMN dim_occupation.share_ba_plus_imputed_from IS 'Space-separated soc_codes whose mean was taken, when imputed.';
COMMENT ON COLUMN dim_occupation.education_domain_source IS 'Who O*NET asked: Incumbent or Occupational Expert (own data only).';
COMMENT ON COLUMN dim_occupation.source_version IS 'O*NET database release the row comes from.';
