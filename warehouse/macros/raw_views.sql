{#- DuckDB: the raw sources as views over the Parquet files in var('data_dir'), read in place
    (transactions: every Parquet file under transactions/, hive folders or not). Runs at the
    start of every dbt invocation on the DuckDB target, so data_dir can change between runs. -#}
{% macro create_raw_views() %}
  {%- if target.type == 'duckdb' and sql_dialect() == 'duckdb' -%}
    {%- set data = var('data_dir') -%}
    create schema if not exists {{ var('raw_dataset') }};
    create or replace view {{ var('raw_dataset') }}.transactions as
      select * from read_parquet('{{ data }}/transactions/**/*.parquet', hive_partitioning = false, union_by_name = true);
    create or replace view {{ var('raw_dataset') }}.customers as
      select * from read_parquet('{{ data }}/customers.parquet');
    create or replace view {{ var('raw_dataset') }}.contacts as
      select * from read_parquet('{{ data }}/contacts.parquet');
  {%- else -%}
    select 1
  {%- endif -%}
{% endmacro %}
