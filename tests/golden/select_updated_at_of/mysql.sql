SELECT account.id
FROM account
WHERE
    JSON_UNQUOTE(
        JSON_EXTRACT(account.changes, '$."fullname".updated_at')
    ) >= %(param_1)s
ORDER BY
    account.name_updated_at DESC,
    JSON_UNQUOTE(JSON_EXTRACT(account.changes, '$."age".updated_at'))
-- params:
--   param_1 = datetime.datetime(2024, 2, 29, 14, 0, tzinfo=datetime.timezone(datetime.timedelta(seconds=7200)))
