{#- Generic tests for the mart contracts (no dbt packages: `dbt deps` needs the network). -#}

{#- The grain: no two rows share the key columns (a null counts as a value, as in the contracts). -#}
{% test unique_key(model, columns) %}
select {{ columns | join(', ') }}, count(*) as copies
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}

{#- Bounds from the contract's logicalTypeOptions minimum / maximum (inclusive). -#}
{% test within(model, column_name, minimum=none, maximum=none) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null and (
    false
    {%- if minimum is not none %} or {{ column_name }} < {{ minimum }}{% endif %}
    {%- if maximum is not none %} or {{ column_name }} > {{ maximum }}{% endif %}
)
{% endtest %}

{#- Row count: a mart built from non-empty sources is not empty. -#}
{% test has_rows(model, at_least=1) %}
select n from (select count(*) as n from {{ model }}) as counted where n < {{ at_least }}
{% endtest %}

{#- Row count: exactly one row per local period (day or month) between the first and the last,
    for marts whose grain is the period alone (accounts_daily, total_monthly). -#}
{% test one_row_per_period(model, column_name, period='day') %}
select expected, found from (
    select
        {%- if target.type == 'bigquery' %}
        date_diff(max({{ column_name }}), min({{ column_name }}), {{ period }}) + 1 as expected,
        {%- else %}
        datediff('{{ period }}', min({{ column_name }}), max({{ column_name }})) + 1 as expected,
        {%- endif %}
        count(*) as found
    from {{ model }}
) as counted
where found > 0 and expected != found
{% endtest %}
